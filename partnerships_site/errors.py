"""One GOV.UK error summary for a page of one or more forms and formsets.

A page with a form and its rows (a registration section and its partners, a risk and its
controls and actions, an exit strategy and its actions) shows one summary, not one per form.
Each message links to what it is about, so following the link puts the person where they can
put it right. Drawn by templates/includes/error_summary.html.
"""

from crispy_forms_gds.fields import DateInputField
from django import forms


def field_anchor(bound_field) -> str:
    """The link to the input an error about this field should take the person to.

    A field's own input; the first of its radios or checkboxes, which crispy-forms-gds numbers
    from 1; for a date in three boxes, the month or year box if the error is about that box
    alone, otherwise the day box, which has the field's own id (DayMonthYearWidget). A field
    whose widget lays out its own inputs (the risk score grid) names the suffix of the one to
    land on as `summary_anchor_suffix`.
    """
    field = bound_field.field
    suffix = getattr(field, "summary_anchor_suffix", None)
    if suffix is None:
        if isinstance(field, DateInputField):
            boxes_at_fault = [
                index
                for index, box in enumerate(field.fields)
                if getattr(box.widget, "errors", None)
            ]
            suffix = f"_{boxes_at_fault[0]}" if boxes_at_fault else ""
        elif isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            suffix = "_1"
        else:
            suffix = ""
    return f"#{bound_field.auto_id}{suffix}"


def error_summary(
    *parts, page_errors=(), page_anchor="#main-content", form_anchor=None, formset_anchor=None
) -> list[tuple[str, str]]:
    """Every error on the page as (link, message) pairs, in the order the page shows them.

    `parts` are the page's forms and formsets in page order (None is passed over).
    - An error about a field links to its input (field_anchor()).
    - An error about a whole form, or about one of its hidden fields (a stale version, a
      forged id), links to `form_anchor(form)` where the page shows such errors in place;
      otherwise to the form's first field.
    - An error about a whole formset (too many rows, say) links to `formset_anchor(formset)`.
    - `page_errors` (messages about the whole page) come first and link to `page_anchor`, as
      does anything with nowhere better to go.
    Rows marked for deletion are left out: their errors no longer matter. A formset with a
    `noun` ("Control") names each row's errors by it: "Control 2: Enter the description".
    The same message linking to the same place is listed once.
    """
    items: list[tuple[str, str]] = []

    def add(anchor, message, label=""):
        item = (anchor, f"{label}{message}")
        if item not in items:
            items.append(item)

    def add_form(form, label=""):
        if not form.is_bound or not form.errors:
            return
        visible = form.visible_fields()
        whole = form_anchor(form) if form_anchor else None
        whole = whole or (field_anchor(visible[0]) if visible else page_anchor)
        for message in form.non_field_errors():
            add(whole, message, label)
        for bound_field in form.hidden_fields():
            for message in bound_field.errors:
                add(whole, message, label)
        for bound_field in visible:
            for message in bound_field.errors:
                add(field_anchor(bound_field), message, label)

    for message in page_errors:
        add(page_anchor, message)
    for part in parts:
        if part is None:
            continue
        if not isinstance(part, forms.BaseFormSet):
            add_form(part)
            continue
        if not part.is_bound:
            continue
        anchor = (formset_anchor(part) if formset_anchor else None) or page_anchor
        for message in part.non_form_errors():
            add(anchor, message)
        noun = getattr(part, "noun", "")
        for number, row in enumerate(part.forms, start=1):
            if part.can_delete and part._should_delete_form(row):
                continue
            add_form(row, f"{noun.capitalize()} {number}: " if noun else "")
    return items
