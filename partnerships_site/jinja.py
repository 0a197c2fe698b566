"""Jinja2 for the parts of pages drawn many times over, and the bodies of the busiest pages.

Django's template engine resolves every `{{ variable }}` through a chain of lookups, and a table
of 50 rows of ten cells spent most of its time there. Jinja2 compiles a template to Python, with
the same automatic escaping, and drew the register's rows in about a quarter of the time. So the
rows of the register and of risk lists, a risk's score, the pagination links, the history of
changes, the reviews panel and the bodies of the register's and a partnership's pages are
Jinja2 partials. The page layout (base.html) and every other page stay Django templates; a
partial is put in one with the `{% jinja %}` tag (partnerships_site/template_builtins.py), or
drawn from Python with render(). Partials end in `.jinja` and live beside the Django templates
in templates/. Jinja2 calls no method by itself: write `record.get_status_display()`.

The filters and functions are the Django ones the partials use, with the same output: `date`
(26 November 2026, London time), `floatformat` (1,234.50), `linebreaksbr`, `urlize`, `yesno`,
`pluralize`, `urlencode`, `querystring()`, `error_summary()` and `filter_fields()`; and
`record_url()` for links. An unknown variable is an error, not an empty string, so a mistyped
name fails the tests rather than showing nothing.
"""

from datetime import datetime as DateTime
from types import SimpleNamespace

from django.template import defaultfilters, defaulttags, engines
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone
from jinja2 import Environment, StrictUndefined, pass_context

from partnerships_site import template_builtins
from partnerships_site.links import record_url
from register.models import financial_year_label
from register.templatetags.filter_forms import filter_fields

# The name under which render() hands every partial the current time zone.
TIME_ZONE = "current_time_zone"


@pass_context
def date(context, value, arg=None):
    """As the `date` filter, which Django's engine hands a date-time in London time.

    The time zone is the one render() found current when the drawing began (Django looks it up
    for every date-time, which for the hundred on a partnership's page took 0.3 ms).
    """
    if isinstance(value, DateTime) and value.tzinfo is not None:
        value = value.astimezone(context.get(TIME_ZONE) or get_current_timezone())
    return template_builtins.date(value, arg)


def financial_year(year):
    """A financial year as the council writes it: 2026 becomes 2026/27."""
    return financial_year_label(year) or "Not given"


def querystring(request, **changes):
    """As `{% querystring %}`: the page's query string with these parameters changed (None drops
    one)."""
    return defaulttags.querystring(SimpleNamespace(request=request), **changes)


def error_summary(form):
    """As crispy-forms-gds's `{% error_summary form %}`: GOV.UK's error summary of a form."""
    return mark_safe(render_to_string("gds/layout/error_summary.html", {"form": form}))  # noqa: S308


def environment(**options):
    # Django's backend passes its own choice of these two: always escape, never guess.
    options.pop("autoescape", None)
    options.pop("undefined", None)
    env = Environment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.filters.update(
        date=date,
        floatformat=template_builtins.floatformat,
        financial_year=financial_year,
        linebreaksbr=defaultfilters.linebreaksbr,  # escapes the text, then adds the breaks
        urlize=defaultfilters.urlize,  # escapes the text, then makes links of addresses
        yesno=defaultfilters.yesno,
        pluralize=defaultfilters.pluralize,
        urlencode=defaultfilters.urlencode,
    )
    env.globals.update(
        record_url=record_url,
        querystring=querystring,
        error_summary=error_summary,
        filter_fields=filter_fields,
    )
    return env


def render(template_name: str, **context) -> str:
    """The partial `template_name` drawn with these variables, safe to put in a Django page."""
    template = engines["jinja2"].env.get_template(template_name)
    context[TIME_ZONE] = get_current_timezone()
    return mark_safe(template.render(context))  # noqa: S308 - Jinja2 escapes what it draws
