import re
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from partnerships_site.dates import MONTHS

DATE_HINT = "For example, 26 11 2026"
DATE_PARTS = ("day", "month", "year")
DIGITS = re.compile(r"[0-9]+")
# GOV.UK asks that a month written as a word, in full or shortened, is accepted.
MONTH_NUMBERS = {
    name.lower(): str(number)
    for number, month in enumerate(MONTHS[1:], start=1)
    for name in (month, month[:3], "sept" if number == 9 else month)
}
# Far enough either way for any partnership, and a year nobody could have meant is refused.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class DateInputError(ValueError):
    """Why a date typed in three boxes was refused, and the box at fault (0, 1 or 2) if one is."""

    def __init__(self, message, code, box=None):
        super().__init__(message)
        self.message, self.code, self.box = message, code, box


class GovUKFormMixin:
    """Give a form the crispy-forms-gds helper, which its error summary and fields need.

    Templates keep the <form> tag and the button; the helper renders fields and errors in the
    GOV.UK Design System's markup.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


class GetFormMixin(GovUKFormMixin):
    """A GOV.UK form sent by GET (filters, searches, report choices): no CSRF token in it.

    The token would go into the address, and from there into bookmarks, shared links, server
    logs and the Referer header sent to other sites.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.disable_csrf = True


class FilterForm(GetFormMixin, forms.Form):
    """The form of a FilterSet whose page sends it by GET (its Meta.form)."""


def searchable_select():
    """A drop-down of people that becomes GOV.UK's accessible autocomplete in the browser.

    Hundreds of officers make a long list to scroll: static/js/autocomplete.js lets the user type
    part of a name or job title instead. The drop-down stays in the page and is what is sent.
    A plain Select, so crispy-forms-gds draws it (and its error state) as a GOV.UK drop-down.
    """
    return forms.Select(attrs={"data-module": "app-autocomplete"})


class SignInForm(GovUKFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # GOV.UK advises against autofocus: it skips the skip link and surprises screen readers.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordChangeForm(GovUKFormMixin, auth_forms.PasswordChangeForm):
    pass


class DayMonthYearWidget(DateInputWidget):
    """crispy-forms-gds's three boxes, with a numeric keypad on phones and the field's own id on
    the day box.

    crispy-forms-gds's error summary links an error about the whole date to the field's id, which
    its template gives to the <div> round the boxes, where a link cannot put the cursor. Giving
    that id to the day box instead sends the person to the first box, as GOV.UK asks. The boxes
    are still posted as <name>_0, <name>_1 and <name>_2.
    """

    # The box (0, 1 or 2) an error is about alone, set by DayMonthYearField.clean().
    box_at_fault = None

    def __init__(self, attrs=None):
        super().__init__(attrs)
        for box in self.widgets:
            box.attrs["inputmode"] = "numeric"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id")
        boxes = context["widget"]["subwidgets"]
        if field_id:
            context["widget"]["attrs"]["id"] = f"{field_id}_boxes"
            boxes[0]["attrs"]["id"] = field_id
        if self.box_at_fault is not None:
            # Django marks every box invalid when the date is; screen readers should hear it of
            # the one box at fault, the box crispy-forms-gds draws in red.
            for index, box in enumerate(boxes):
                if index != self.box_at_fault:
                    box["attrs"].pop("aria-invalid", None)
        return context

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                value = None
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DayMonthYearField(DateInputField):
    """A date as the GOV.UK Design System's date input: day, month and year in three boxes.

    Every error names the field, in the Design System's words ("Start date must include a
    year", "Start date must be a real date"), and what was typed stays in the boxes. An error
    about the month or the year alone is marked on that box; any other on the whole date.
    """

    widget = DayMonthYearWidget

    def __init__(self, *, label, help_text=DATE_HINT, required_message=None, **kwargs):
        super().__init__(label=label, help_text=help_text, **kwargs)
        self.error_messages["required"] = (
            required_message or f"Enter the {label[:1].lower()}{label[1:]}"
        )

    def clean(self, value):
        if self.disabled and not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        for box in self.fields:
            box.widget.errors = []
        self.widget.box_at_fault = None
        try:
            day = self.to_date(value)
        except DateInputError as error:
            self.widget.box_at_fault = error.box
            # crispy-forms-gds marks only the boxes given an error, and its summary links to
            # each such box by its own id. The day box wears the field's id, so an error about
            # the day is left on the whole date, which links there too.
            if error.box:
                self.fields[error.box].widget.errors.append(error.message)
            raise ValidationError(error.message, code=error.code) from None
        if day is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        self.validate(day)
        self.run_validators(day)
        return day

    def to_date(self, value):
        """The date typed in the boxes, None if all three are blank, or a DateInputError."""
        boxes = list(value) if isinstance(value, list | tuple) else []
        boxes = [("" if text is None else str(text)).strip() for text in boxes[:3]]
        boxes += [""] * (3 - len(boxes))
        name = self.label
        missing = [part for part, text in zip(DATE_PARTS, boxes, strict=True) if not text]
        if len(missing) == 3:
            return None
        if missing:
            raise DateInputError(
                f"{name} must include a {' and '.join(missing)}",
                "incomplete",
                DATE_PARTS.index(missing[0]) if len(missing) == 1 else None,
            )
        day, month, year = boxes
        month = MONTH_NUMBERS.get(month.lower(), month)
        wrong = [
            index
            for index, (text, most) in enumerate([(day, 31), (month, 12)])
            if not (DIGITS.fullmatch(text) and len(text) <= 2 and 1 <= int(text) <= most)
        ]
        if not DIGITS.fullmatch(year):
            wrong.append(2)
        if wrong:
            raise DateInputError(
                f"{name} must be a real date", "invalid", wrong[0] if len(wrong) == 1 else None
            )
        if len(year) != 4:
            raise DateInputError(f"{name} must have a 4-digit year", "year_digits", 2)
        try:
            typed = date(int(year), int(month), int(day))
        except ValueError:
            raise DateInputError(f"{name} must be a real date", "invalid") from None
        if not EARLIEST_YEAR <= typed.year <= LATEST_YEAR:
            raise DateInputError(
                f"{name} must be between {EARLIEST_YEAR} and {LATEST_YEAR}", "out_of_range"
            )
        return typed

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        if not isinstance(initial, date):
            initial = None
        try:
            return self.to_date(data) != initial
        except DateInputError:
            return True


class PlainMessagesMixin:
    """Errors that name the field, as the GOV.UK Design System asks, and no maxlength.

    A browser's maxlength cuts pasted text off without a word; the server says what is too long
    instead, and keeps what was typed.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = strip_tags(str(field.label or "")).strip()
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"{label} must be {field.max_length:,} characters or fewer"
                )
                field.widget.attrs.pop("maxlength", None)
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = f"Enter the {label[:1].lower()}{label[1:]}"
