"""The quick `date` and `floatformat` filters write exactly what Django's own would."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.template import Context, Template, defaultfilters, engines
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from partnerships_site import links, template_builtins

DATE_ARGS = [None, "DATE_FORMAT", "j F Y", "DATETIME_FORMAT", "j F Y, H:i", "c", "d/m/Y", "D j M"]
NUMBER_ARGS = ["2g", "1g", "-1g", "-1", "2", "g", -1, 3, "0", "2u"]


def dates():
    rng = random.Random(26112026)
    start = date(1, 1, 1)
    picked = [date(1, 1, 1), date(999, 12, 31), date(2026, 11, 26), date(9999, 12, 31)]
    picked += [start + timedelta(days=rng.randrange(3_652_058)) for _ in range(300)]
    return picked


def datetimes():
    rng = random.Random(2611)
    picked = [datetime(2026, 3, 29, 0, 59, 59), datetime(2026, 10, 25, 1, 30), datetime.min]
    picked += [
        datetime(2026, 1, 1) + timedelta(seconds=rng.randrange(-(10**9), 10**9)) for _ in range(300)
    ]
    # As the ORM reads them, in London time (as pages show them) and in UTC, microseconds too.
    aware = [
        datetime(2026, 6, 1, 23, 30, tzinfo=UTC),
        datetime(2026, 11, 26, 9, 5, 7, 123456, tzinfo=UTC),
        *(moment.replace(tzinfo=UTC) for moment in picked[3:50]),
    ]
    return picked + aware + [timezone.localtime(moment) for moment in aware]


def numbers():
    rng = random.Random(1234)
    picked = [
        0,
        -1,
        7,
        10**15 - 1,
        10**15,
        -(10**15),
        10**40,
        Decimal("0"),
        Decimal("-0"),
        Decimal("-0.001"),
        Decimal("-0.005"),
        Decimal("0.005"),
        Decimal("0.015"),
        Decimal("0.025"),
        Decimal("2.5"),
        Decimal("-2.45"),
        Decimal("1E+3"),
        Decimal("1.0E-20"),
        Decimal("999999999999999.995"),
        Decimal("123456789012345678901234567890.5"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        True,
        1.5,
        "12.345",
        "not a number",
        None,
        "",
    ]
    for _ in range(400):
        places = rng.randrange(0, 6)
        picked.append(Decimal(rng.randrange(-(10**12), 10**12)).scaleb(-places))
        picked.append(rng.randrange(-(10**9), 10**9))
    return picked


def outcome(function, *args):
    """What a filter gives, or the kind of error it raises (Django refuses "H" for a date)."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return type(error)


@pytest.fixture(autouse=True)
def british_english():
    with translation.override("en-gb"):
        yield


@pytest.mark.parametrize("arg", DATE_ARGS)
def test_date_is_djangos_for_every_date_and_format(arg):
    for value in [*dates(), *datetimes(), None, "", "26/11/2026", 12]:
        ours = outcome(template_builtins.date, value, arg)
        assert ours == outcome(defaultfilters.date, value, arg), (value, arg)


@pytest.mark.parametrize("arg", NUMBER_ARGS)
def test_floatformat_is_djangos_for_every_number_and_format(arg):
    for value in numbers():
        ours = template_builtins.floatformat(value, arg)
        theirs = defaultfilters.floatformat(value, arg)
        assert ours == theirs, (value, arg)
        assert isinstance(ours, SafeString) == isinstance(theirs, SafeString), (value, arg)


def test_templates_use_the_quick_filters_and_show_london_time():
    engine = engines["django"].engine
    assert engine.template_builtins[-1].filters["date"] is template_builtins.date
    assert engine.template_builtins[-1].filters["floatformat"] is template_builtins.floatformat
    # 26 March 2026 is before the clocks go forward; 26 June is British Summer Time.
    winter = datetime(2026, 3, 26, 13, 5, tzinfo=UTC)
    summer = datetime(2026, 6, 26, 13, 5, tzinfo=UTC)
    with timezone.override("Europe/London"):
        rendered = Template(
            '{{ winter|date }}; {{ summer|date:"DATETIME_FORMAT" }}; {{ money|floatformat:"2g" }}'
        ).render(Context({"winter": winter, "summer": summer, "money": Decimal("-1234567.5")}))
    assert rendered == "26 March 2026; 26 June 2026, 14:05; -1,234,567.50"


def render(source, **context):
    return Template(source).render(Context(context))


def test_url_without_arguments_is_reversed_once_and_is_djangos_link():
    links._pieces.cache_clear()
    source = "{% url 'register:preferences' %} {% url 'home' as home %}[{{ home }}]"
    with patch.object(links, "reverse", wraps=reverse) as reversing:
        first = render(source)
        second = render(source)
    assert first == second == f"{reverse('register:preferences')} [{reverse('home')}]"
    assert reversing.call_count == 2  # once for each URL name, not once for each page


def test_url_without_arguments_follows_the_script_prefix():
    assert render("{% url 'accessibility' %}") == "/accessibility/"
    set_script_prefix("/council/")
    try:
        assert render("{% url 'accessibility' %}") == "/council/accessibility/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'accessibility' %}") == "/accessibility/"


def test_url_with_arguments_or_unknown_names_is_djangos_tag():
    assert render("{% url 'register:partnership_detail' 'P-2026-001' %}") == reverse(
        "register:partnership_detail", args=["P-2026-001"]
    )
    assert render("{% url 'no-such-page' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")


def test_the_service_speaks_british_english_only_as_the_quick_date_filter_assumes(settings):
    assert settings.LANGUAGE_CODE == "en-gb"
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
