from crispy_forms_gds.helper import FormHelper
from django.contrib.auth import forms as auth_forms


class GovUKFormMixin:
    """Give a form the crispy-forms-gds helper, which its error summary and fields need.

    Templates keep the <form> tag and the button; the helper renders fields and errors in the
    GOV.UK Design System's markup.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


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
