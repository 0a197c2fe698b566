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
    pass


class PasswordChangeForm(GovUKFormMixin, auth_forms.PasswordChangeForm):
    pass
