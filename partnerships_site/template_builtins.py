"""Django's `date` and `floatformat` filters and `{% url %}` tag, with a quick path for common uses.

Every page writes dates as 26 November 2026 (or 26 November 2026, 14:05) and money as 1,234.50.
Django's filters look up the active language's format and month names and localise each number
on every call: about 15 microseconds each, and the register's page of 50 partnerships draws 150
of them. These filters write the same text directly for those formats, and hand anything else
(another format, a string, a float, a huge or odd number) to Django's own filter unchanged. The
month names are English: the service is in British English only (LANGUAGE_CODE, and no
LocaleMiddleware to pick another language), as a test checks.
tests/test_template_builtins.py holds both paths to Django's output.

`{% url %}` naming no arguments (the menu, the header and footer links on every page) is
reversed once per URL name, script prefix and URL configuration (links.record_url()), not on
every page: Django's reverse() takes about 25 microseconds a link. Links with arguments go
through Django's tag.

Installed as a template builtin (settings.TEMPLATES), so they replace Django's filters and tag of
the same names in every template, admin's included, without a `{% load %}`. The `{% jinja %}` tag,
which puts a Jinja2 partial in a page (partnerships_site/jinja.py), is installed with them.
"""

from datetime import date as Date
from datetime import datetime as DateTime
from decimal import ROUND_HALF_UP, Decimal

from django.template import Library, defaultfilters, defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from partnerships_site.dates import MONTHS
from partnerships_site.links import record_url

register = Library()

DATE_FORMATS = frozenset({None, "DATE_FORMAT", "j F Y"})
DATETIME_FORMATS = frozenset({"DATETIME_FORMAT", "j F Y, H:i"})
# floatformat's argument: places shown (a negative number: only when the number has a
# fraction) and whether thousands are grouped.
NUMBER_FORMATS = {"2g": (2, True), "1g": (1, True), "-1g": (-1, True), "-1": (-1, False)}
# Below this, a quantized Decimal fits the default context's 28 digits, as Django's needs.
NUMBER_LIMIT = Decimal(10) ** 15


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """As Django's `date`: 26 November 2026, or with the time (London time) for date-times."""
    kind = type(value)
    if kind is Date or kind is DateTime:
        if arg in DATE_FORMATS:
            return f"{value.day} {MONTHS[value.month]} {value.year:04d}"
        if arg == "c":  # ISO 8601, as a <time datetime=""> attribute takes it
            return value.isoformat()
        if kind is DateTime and arg in DATETIME_FORMATS:
            return (
                f"{value.day} {MONTHS[value.month]} {value.year:04d}, "
                f"{value.hour:02d}:{value.minute:02d}"
            )
    return defaultfilters.date(value, arg)


@register.filter(is_safe=True)
def floatformat(text, arg=-1):
    """As Django's `floatformat`: 1,234.50 for "2g", 12 or 12.5 for "-1"."""
    kind = type(text)
    number_format = NUMBER_FORMATS.get(arg) if isinstance(arg, str) else None
    if (
        number_format is None
        or not (kind is Decimal or kind is int)
        or (kind is Decimal and not text.is_finite())
        or not -NUMBER_LIMIT < text < NUMBER_LIMIT
    ):
        return defaultfilters.floatformat(text, arg)
    places, grouped = number_format
    grouping = "," if grouped else ""
    if places < 0 and text == int(text):
        return mark_safe(f"{int(text):{grouping}d}")  # noqa: S308 - digits, commas and a sign
    rounded = Decimal(text).quantize(Decimal(1).scaleb(-abs(places)), ROUND_HALF_UP)
    # Django drops the sign of a number that rounds to zero: -0.001 is 0.00.
    return mark_safe(f"{rounded if rounded else abs(rounded):{grouping}f}")  # noqa: S308 - as above


@register.tag
def url(parser, token):
    """As Django's `{% url %}`; one that names no arguments is reversed once (see above)."""
    node = defaulttags.url(parser, token)
    if node.args or node.kwargs:
        return node
    return URLWithoutArgumentsNode(node.view_name, node.args, node.kwargs, node.asvar)


def _current_app(context):
    """The application namespace Django's `{% url %}` would reverse in."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


class URLWithoutArgumentsNode(defaulttags.URLNode):
    def render(self, context):
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str):
            return super().render(context)
        try:
            link = record_url(view_name, current_app=_current_app(context))
        except NoReverseMatch:
            return super().render(context)  # raises, or sets the variable to "", as Django does
        if self.asvar:
            context[self.asvar] = link
            return ""
        return conditional_escape(link) if context.autoescape else link


@register.simple_tag(takes_context=True)
def jinja(context, template_name, **names):
    """`{% jinja "a/partial.jinja" name=value %}`: a partial drawn by Jinja2 (jinja.py).

    As `{% include %}`, the partial sees the page's variables, and any named here besides.
    """
    from partnerships_site.jinja import render

    return render(template_name, **{**context.flatten(), **names})
