"""A list page's filter form in GOV.UK Design System markup, written in Python.

A list page draws its filters on every request, and crispy-forms' template for each field cost
the register list 40% of its time. The markup is the same: a label, hint and error message for
each field, laid out in the grid rows the form names in `rows` as (field name, column width); a
tuple of names in place of one stacks those fields in the column. Text boxes, drop-downs and
single checkboxes are drawn.
"""

from html import escape

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def filter_fields(form):
    return format_html_join(
        "\n", '<div class="govuk-grid-row">{}</div>', ((_row(form, row),) for row in form.rows)
    )


def _row(form, row):
    return format_html_join("", "{}", ((_column(form, names, width),) for names, width in row))


def _column(form, names, width):
    """A grid column of one field, or of several (a tuple of names) one under another."""
    names = [names] if isinstance(names, str) else names
    return format_html(
        '<div class="govuk-grid-column-{}">{}</div>',
        width,
        format_html_join("", "{}", ((_form_group(form[name]),) for name in names)),
    )


def _form_group(field):
    described_by = []
    hint = error = ""
    if field.help_text:
        hint_id = f"{field.auto_id}_hint"
        hint = format_html('<div id="{}" class="govuk-hint">{}</div>', hint_id, field.help_text)
        described_by.append(hint_id)
    if field.errors:
        error_id = f"{field.auto_id}_error"
        error = format_html(
            '<p id="{}" class="govuk-error-message">'
            '<span class="govuk-visually-hidden">Error:</span> {}</p>',
            error_id,
            " ".join(field.errors),
        )
        described_by.append(error_id)
    aria = format_html(' aria-describedby="{}"', " ".join(described_by)) if described_by else ""
    if field.errors:
        aria += mark_safe(' aria-invalid="true"')
    group_class = " govuk-form-group--error" if field.errors else ""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="govuk-form-group{}">{}{}'
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">'
            '<input type="checkbox" name="{}" class="govuk-checkboxes__input" id="{}"{}{}>'
            '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label>'
            "</div></div></div>",
            group_class,
            hint,
            error,
            field.html_name,
            field.auto_id,
            " checked" if widget.check_test(field.value()) else "",
            aria,
            field.auto_id,
            field.label,
        )
    value = field.value()
    if isinstance(widget, forms.Select):
        control = _select(field, "" if value is None else str(value), aria)
    else:
        control = format_html(
            '<input type="text" name="{}" value="{}"{} class="govuk-input{}" id="{}"{}>',
            field.html_name,
            value or "",
            format_html(' maxlength="{}"', field.field.max_length)
            if getattr(field.field, "max_length", None)
            else "",
            " govuk-input--error" if field.errors else "",
            field.auto_id,
            aria,
        )
    return format_html(
        '<div class="govuk-form-group{}">'
        '<label for="{}" class="govuk-label">{}</label>{}{}{}</div>',
        group_class,
        field.auto_id,
        field.label,
        hint,
        error,
        control,
    )


def _select(field, current, aria):
    # A drop-down can have hundreds of options (lead organisations): escaped with the standard
    # library's escape, which Django's wraps, to spare a lazy-string check for each.
    options = mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == current else ''}>{escape(str(label))}</option>"
            for value, label in field.field.choices
        )
    )
    return format_html(
        '<select name="{}" class="govuk-select govuk-!-width-full{}" id="{}"{}>{}</select>',
        field.html_name,
        " govuk-select--error" if field.errors else "",
        field.auto_id,
        aria,
        options,
    )
