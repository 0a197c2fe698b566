"""The GOV.UK date input every form uses for a date (partnerships_site/forms.py)."""

import re
from datetime import date

import pytest
from django import forms

from partnerships_site.forms import DayMonthYearField


class DateForm(forms.Form):
    start_date = DayMonthYearField(label="Start date")
    end_date = DayMonthYearField(label="End date", required=False)


def errors(field, day, month, year):
    form = DateForm({f"{field}_0": day, f"{field}_1": month, f"{field}_2": year})
    form.is_valid()
    return form.errors.get(field)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "", ""), "Enter the start date"),
        ((" ", "\t", "\u00a0"), "Enter the start date"),
        (("", "11", "2026"), "Start date must include a day"),
        (("26", "", "2026"), "Start date must include a month"),
        (("26", "11", ""), "Start date must include a year"),
        (("", "", "2026"), "Start date must include a day and month"),
        (("26", "", ""), "Start date must include a month and year"),
        (("31", "2", "2026"), "Start date must be a real date"),
        (("29", "2", "2025"), "Start date must be a real date"),
        (("0", "1", "2026"), "Start date must be a real date"),
        (("32", "1", "2026"), "Start date must be a real date"),
        (("1", "13", "2026"), "Start date must be a real date"),
        (("1", "1", "0000"), "Start date must be a real date"),
        (("first", "1", "2026"), "Start date must be a real date"),
        (("1", "Janu", "2026"), "Start date must be a real date"),
        (("-1", "1", "2026"), "Start date must be a real date"),
        (("1", "1", "-2026"), "Start date must be a real date"),
        (("1.5", "1", "2026"), "Start date must be a real date"),
        (("²", "1", "2026"), "Start date must be a real date"),
        (("١", "1", "2026"), "Start date must be a real date"),
        (("1\x00", "1", "2026"), "Start date must be a real date"),
        (("9" * 5000, "1", "2026"), "Start date must be a real date"),
        (("1", "1", "26"), "Start date must have a 4-digit year"),
        (("1", "1", "9" * 5000), "Start date must have a 4-digit year"),
        (("1", "1", "1899"), "Start date must be between 1900 and 2200"),
        (("1", "1", "2201"), "Start date must be between 1900 and 2200"),
    ],
)
def test_a_date_that_cannot_be_stored_gets_an_error_that_names_the_field(typed, message):
    assert errors("start_date", *typed) == [message]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (("26", "11", "2026"), date(2026, 11, 26)),
        ((" 01 ", "02", "2026 "), date(2026, 2, 1)),
        (("29", "2", "2028"), date(2028, 2, 29)),
        (("26", "November", "2026"), date(2026, 11, 26)),
        (("26", "nov", "2026"), date(2026, 11, 26)),
        (("1", "SEPT", "2026"), date(2026, 9, 1)),
        (("1", "1", "1900"), date(1900, 1, 1)),
        (("31", "12", "2200"), date(2200, 12, 31)),
    ],
)
def test_a_real_date_is_read_from_the_three_boxes(typed, expected):
    day, month, year = typed
    form = DateForm({"start_date_0": day, "start_date_1": month, "start_date_2": year})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start_date"] == expected


def test_an_optional_date_may_be_left_blank_but_not_half_filled():
    form = DateForm({"start_date_0": "1", "start_date_1": "1", "start_date_2": "2026"})
    assert form.is_valid()
    assert form.cleaned_data["end_date"] is None
    assert errors("end_date", "", "", "  ") is None
    assert errors("end_date", "31", "", "") == ["End date must include a month and year"]


def test_what_was_typed_stays_in_the_boxes():
    form = DateForm({"start_date_0": "31", "start_date_1": "2", "start_date_2": "20x6"})
    assert not form.is_valid()
    html = str(form["start_date"])
    for name, value in [("start_date_0", "31"), ("start_date_1", "2"), ("start_date_2", "20x6")]:
        assert re.search(rf'name="{name}" value="{value}"', html)


def test_a_stored_date_is_shown_in_the_three_boxes():
    html = str(DateForm(initial={"start_date": date(2026, 11, 26)})["start_date"])
    for name, value in [("start_date_0", "26"), ("start_date_1", "11"), ("start_date_2", "2026")]:
        assert re.search(rf'name="{name}" value="{value}"', html)
    assert 'inputmode="numeric"' in html


def test_the_boxes_are_labelled_day_month_and_year_with_the_hint_the_design_system_gives():
    form = DateForm()
    html = str(form["start_date"])
    assert re.findall(r"<label [^>]*>(\w+)</label>", html) == ["Day", "Month", "Year"]
    assert form.fields["start_date"].help_text == "For example, 26 11 2026"


def test_an_initial_date_given_as_text_is_split_or_left_out_never_an_error():
    assert 'value="26"' in str(DateForm(initial={"start_date": "2026-11-26"})["start_date"])
    assert "value=" not in str(DateForm(initial={"start_date": "not a date"})["start_date"])


def test_only_a_different_date_counts_as_a_change():
    field = DateForm().fields["end_date"]
    assert not field.has_changed(date(2026, 2, 1), ["01", "02", "2026"])
    assert not field.has_changed(None, ["", " ", ""])
    assert field.has_changed(date(2026, 2, 1), ["2", "2", "2026"])
    assert field.has_changed(None, ["31", "2", "2026"])
    assert field.has_changed(date(2026, 2, 1), ["", "", ""])


@pytest.mark.parametrize(
    ("typed", "invalid"),
    [
        (("26", "13", "2026"), ["start_date_1"]),
        (("26", "11", "26"), ["start_date_2"]),
        (("26", "", "2026"), ["start_date_1"]),
        (("31", "2", "2026"), ["start_date_0", "start_date_1", "start_date_2"]),
        (("", "", "2026"), ["start_date_0", "start_date_1", "start_date_2"]),
    ],
)
def test_only_the_box_at_fault_is_marked_invalid_for_screen_readers(typed, invalid):
    day, month, year = typed
    form = DateForm({"start_date_0": day, "start_date_1": month, "start_date_2": year})
    assert not form.is_valid()
    html = str(form["start_date"])
    marked = re.findall(r'<input [^>]*name="(start_date_\d)"[^>]*aria-invalid="true"', html)
    assert marked == invalid
