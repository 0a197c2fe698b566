"""The one error summary builder (partnerships_site/errors.py) that every page of forms uses."""

import re

from django import forms

from partnerships_site.errors import error_summary, field_anchor
from partnerships_site.forms import DayMonthYearField


class ThingForm(forms.Form):
    name = forms.CharField(error_messages={"required": "Enter the name"})
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_version(self):
        if self.cleaned_data["version"] == 0:
            raise forms.ValidationError("Someone else changed this")
        return self.cleaned_data["version"]

    def clean(self):
        if self.cleaned_data.get("name") == "both":
            raise forms.ValidationError("Not both")
        return self.cleaned_data


class RowForm(forms.Form):
    description = forms.CharField(error_messages={"required": "Enter the description"})
    note = forms.CharField(required=False)


def rows(data, noun=None, most=5):
    formset_class = forms.formset_factory(RowForm, can_delete=True, max_num=most, validate_max=True)
    if noun:
        formset_class.noun = noun
    formset = formset_class(
        {"rows-TOTAL_FORMS": str(len(data)), "rows-INITIAL_FORMS": "0"}
        | {f"rows-{n}-{key}": value for n, row in enumerate(data) for key, value in row.items()},
        prefix="rows",
    )
    formset.is_valid()
    return formset


def test_each_error_links_to_the_input_it_is_about():
    form = ThingForm({"name": "", "kind": ""})
    form.is_valid()
    assert error_summary(form) == [
        ("#id_name", "Enter the name"),
        ("#id_kind_1", "Select the kind"),
    ]


def test_a_date_in_three_boxes_links_to_the_box_at_fault_or_its_day_box():
    class DateForm(forms.Form):
        due = DayMonthYearField(label="Due date")

    def links(day, month, year):
        form = DateForm({"due_0": day, "due_1": month, "due_2": year})
        form.is_valid()
        return error_summary(form)

    assert links("", "", "") == [("#id_due", "Enter the due date")]
    assert links("31", "2", "2026") == [("#id_due", "Due date must be a real date")]
    assert links("", "2", "2026") == [("#id_due", "Due date must include a day")]
    assert links("1", "", "2026") == [("#id_due_1", "Due date must include a month")]
    assert links("1", "2", "26") == [("#id_due_2", "Due date must have a 4-digit year")]
    # The day box carries the field's own id, so "#id_due" lands in it.
    assert re.search(r'<input [^>]*name="due_0"[^>]*id="id_due"', str(DateForm()["due"]))


def test_a_field_can_name_its_own_input():
    class GridForm(forms.Form):
        grid = forms.ChoiceField(choices=[("1", "1")], widget=forms.RadioSelect)

    form = GridForm({})
    form.fields["grid"].summary_anchor_suffix = ""
    assert field_anchor(form["grid"]) == "#id_grid"


def test_errors_about_the_whole_form_go_where_the_page_shows_them_or_to_its_first_field():
    form = ThingForm({"name": "both", "kind": "a", "version": "0"})
    form.is_valid()
    assert error_summary(form) == [
        ("#id_name", "Not both"),
        ("#id_name", "Someone else changed this"),
    ]
    assert error_summary(form, form_anchor=lambda f: "#form-errors") == [
        ("#form-errors", "Not both"),
        ("#form-errors", "Someone else changed this"),
    ]


def test_page_errors_come_first_and_formset_errors_go_to_the_formset():
    formset = rows([{"description": "a"}, {"description": "b"}, {"description": "c"}], most=2)
    assert error_summary(
        formset,
        page_errors=["Saved by someone else"],
        page_anchor="#saved",
        formset_anchor=lambda f: f"#{f.prefix}-errors",
    ) == [("#saved", "Saved by someone else"), ("#rows-errors", "Please submit at most 2 forms.")]


def test_rows_are_named_by_their_noun_and_rows_being_removed_are_left_out():
    # Each row has a note, so it counts as filled in and its missing description is an error.
    data = [
        {"description": "", "note": "x"},
        {"description": "", "note": "x", "DELETE": "on"},
        {"description": "", "note": "x"},
    ]
    assert error_summary(rows(data, noun="action")) == [
        ("#id_rows-0-description", "Action 1: Enter the description"),
        ("#id_rows-2-description", "Action 3: Enter the description"),
    ]
    assert error_summary(rows(data)) == [
        ("#id_rows-0-description", "Enter the description"),
        ("#id_rows-2-description", "Enter the description"),
    ]


def test_the_same_message_to_the_same_place_is_listed_once_and_unbound_forms_add_nothing():
    form = ThingForm({"name": "", "kind": "a"})
    form.is_valid()
    assert error_summary(form, form, None, ThingForm()) == [("#id_name", "Enter the name")]
