"""Links to a record's page, written without resolving the URL pattern for every row of a list.

Django's reverse() works through the URL patterns each time it is called: about 27 µs a link, so
a page of 50 rows spent over a millisecond on them. record_url() asks reverse() once per URL name
(and script prefix), with markers for the arguments, and from then on puts each row's values where
the markers were. A value that reverse() would change (anything but letters, digits and `-._~`,
which it leaves as they are) still goes through reverse(), as does every link of a URL name whose
pattern refuses the markers (an <int:...> argument, say). It is for patterns whose arguments take
any such plain value, as <str:...> does: a pattern that takes only some would not be checked.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")


def _marker(position: int) -> str:
    return f"zzrecordurlmarker{position}zz"


@lru_cache(maxsize=256)
def _pieces(viewname, count, script_prefix, current_app, urlconf) -> tuple[str, ...] | None:
    """The URL's text around each argument, in order, or None if it cannot be split so.

    Every argument but the first two is part of the key: reverse() reads the script prefix itself.
    """
    try:
        url = reverse(
            viewname,
            args=[_marker(position) for position in range(count)],
            current_app=current_app,
            urlconf=urlconf,
        )
    except NoReverseMatch:
        return None  # an argument must be a number, say: such links go through reverse()
    pieces = []
    for position in range(count):
        before, found, url = url.partition(_marker(position))
        if not found:
            return None
        pieces.append(before)
    return (*pieces, url)


def record_url(viewname: str, *args, current_app=None) -> str:
    """reverse(viewname, args=args), the same link, for plain values without resolving it again.

    With no arguments it is simply reverse(), once per URL name (the `{% url %}` builtin).
    """
    values = [str(arg) for arg in args]
    pieces = None
    if all(_PLAIN.fullmatch(value) for value in values):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        pieces = _pieces(viewname, len(values), get_script_prefix(), current_app, urlconf)
    if pieces is None:
        return reverse(viewname, args=args, current_app=current_app)
    return "".join(piece + value for piece, value in zip(pieces, [*values, ""], strict=True))
