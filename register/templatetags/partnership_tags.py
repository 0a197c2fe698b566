from django import template

from register.models import financial_year_label

register = template.Library()


@register.filter
def financial_year(year):
    """A financial year as the council writes it: 2026 becomes 2026/27."""
    return financial_year_label(year) or "Not given"
