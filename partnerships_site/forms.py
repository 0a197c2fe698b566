from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

DATE_HINT = "For example, 26/11/2026."


class GovUKFormMixin:
    """Give a form the crispy-forms-gds helper, which its error summary and fields need.

    Templates keep the <form> tag and the button; the helper renders fields and errors in the
    GOV.UK Design System's markup.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


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


class UKDateField(forms.DateField):
    """A date typed as the council writes it (26/11/2026), refused if it is not a real date."""

    widget = forms.DateInput(
        format="%d/%m/%Y", attrs={"class": "govuk-input govuk-input--width-10"}
    )

    def __init__(self, *, label, help_text=DATE_HINT, required=False, **kwargs):
        super().__init__(label=label, help_text=help_text, required=required, **kwargs)
        self.error_messages["invalid"] = f"{label} must be a real date, for example 26/11/2026"
        self.error_messages["required"] = f"Enter the {label[0].lower()}{label[1:]}"

    def validate(self, value):
        super().validate(value)
        if value and not 1900 <= value.year <= 2200:
            raise ValidationError(
                f"{self.label} must be between 1900 and 2200", code="out_of_range"
            )


class DayMonthYearField(DateInputField):
    """A GOV.UK date input (day, month, year) that turns an impossible date into a clear error."""

    def __init__(self, *, required_message="Enter the date", **kwargs):
        super().__init__(**kwargs)
        self.error_messages["required"] = required_message
        self.error_messages["incomplete"] = required_message

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(year) != 4:
            raise ValidationError("Enter the year as 4 digits, for example 2026")
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as error:
            raise ValidationError("Enter a real date, for example 26 11 2026") from error


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
