"""Forms for the register: the registration form's sections and the rows they hold."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from partnerships_site.forms import (
    DATE_HINT,
    DayMonthYearField,
    GovUKFormMixin,
    PlainMessagesMixin,
    searchable_select,
)
from register.models import (
    DOCUMENT_EXTENSIONS,
    MAX_AMOUNT,
    ApprovalDecision,
    ChecklistAnswer,
    CorporatePriority,
    Directorate,
    Document,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Profile,
    Representation,
    current_financial_year,
    financial_year_label,
)


class DecisionForm(GovUKFormMixin, forms.ModelForm):
    """The approval decision on a submitted registration, as an Approver or Democratic Services
    record it."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=ApprovalDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    decision_body = forms.ChoiceField(
        label="Decision body",
        choices=ApprovalDecision.Body.choices,
        widget=forms.RadioSelect,
        help_text="Who made the decision.",
        error_messages={
            "required": "Select who made the decision",
            "invalid_choice": "Select who made the decision",
        },
    )
    decided_on = DayMonthYearField(
        label="Date of decision", required_message="Enter the date of the decision"
    )
    decision_reference = forms.CharField(
        label="Decision reference (optional)",
        required=False,
        max_length=300,
        help_text="The minute number, or a link to the published decision.",
        error_messages={"max_length": "Decision reference must be 300 characters or fewer"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when returning or rejecting. The author sees it.",
        error_messages={"max_length": "Reason must be 5,000 characters or fewer"},
    )

    class Meta:
        model = ApprovalDecision
        fields = ["decision", "decision_body", "decided_on", "decision_reference", "reason"]

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise ValidationError("Date of decision must be today or in the past")
        return decided_on

    def clean(self):
        cleaned_data = super().clean()
        decision = cleaned_data.get("decision")
        if (
            decision
            and decision != ApprovalDecision.Decision.APPROVED
            and not cleaned_data.get("reason")
            and "reason" not in self.errors
        ):
            self.add_error("reason", "Enter the reason for returning or rejecting the registration")
        return cleaned_data


MAX_DOCUMENT_SIZE = 10 * 1024 * 1024  # 10 MB
MAX_ROWS = 50  # representatives, partners or resource lines on one partnership


# Fields ---------------------------------------------------------------------------------------


MONEY_PATTERN = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


class MoneyField(forms.DecimalField):
    """An amount in pounds, typed as people write it: 1250, 1,250.50 or £1,250.50."""

    widget = forms.TextInput(
        attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}
    )

    def __init__(self, *, label, **kwargs):
        super().__init__(label=label, max_digits=12, decimal_places=2, **kwargs)
        self.name_in_errors = label.removesuffix(" (£)")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "").removeprefix("£")
        name = self.name_in_errors
        not_money = f"{name} must be in pounds and pence, for example 1,250.50"
        if text.startswith("-"):
            raise forms.ValidationError(f"{name} cannot be less than £0", code="min_value")
        if not MONEY_PATTERN.match(text):
            raise forms.ValidationError(not_money, code="invalid")
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise forms.ValidationError(not_money, code="invalid") from None
        if amount >= MAX_AMOUNT:
            raise forms.ValidationError(
                f"{name} must be less than £1,000,000,000", code="max_value"
            )
        return amount

    def prepare_value(self, value):
        return f"{value:,.2f}" if isinstance(value, Decimal) else value

    def validate(self, value):
        forms.Field.validate(self, value)

    def run_validators(self, value):
        # to_python has already checked the range; the decimal validators would repeat it.
        return


def officer_label(user):
    """A council user as "Full name – job title"."""
    name = user.get_full_name() or user.get_username()
    profile = getattr(user, "profile", None)
    return f"{name} – {profile.job_title}" if profile and profile.job_title else name


class OfficerChoiceField(forms.ModelChoiceField):
    widget = searchable_select()

    def label_from_instance(self, user):
        return officer_label(user)


def officers(current_ids=()):
    """Active users (and whoever is already chosen), with the profile their label needs."""
    return (
        get_user_model()
        .objects.filter(Q(is_active=True) | Q(pk__in=[pk for pk in current_ids if pk]))
        .select_related("profile")
        .order_by("first_name", "last_name", "username")
    )


def yes_no_field(label, *, help_text="", empty_value=None, required=False, **kwargs):
    """Yes / No radios for a boolean; blank stays blank (None) unless told otherwise."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda value: value in (True, "True"),
        empty_value=empty_value,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select yes or no"},
        **kwargs,
    )


def financial_year_choices(*also):
    """Financial years from five years back to five ahead, as "2026/27"."""
    this_year = current_financial_year()
    years = set(range(this_year - 5, this_year + 6)) | {year for year in also if year}
    return [("", "Select a financial year")] + [
        (year, financial_year_label(year)) for year in sorted(years)
    ]


def tidy_name(name):
    """A name with its spaces tidied, for matching people and organisations."""
    return " ".join((name or "").split())


def person_named(name, kind):
    """The person of that name and kind (ignoring case), or a new one."""
    name = tidy_name(name)
    person = Person.objects.filter(name__iexact=name, kind=kind).order_by("pk").first()
    return person or Person.objects.create(name=name, kind=kind)


def organisation_named(name):
    return Organisation.objects.filter(name__iexact=tidy_name(name)).order_by("pk").first()


# Starting a registration ----------------------------------------------------------------------


class PartnershipStartForm(PlainMessagesMixin, GovUKFormMixin, forms.Form):
    """The first question of a registration: its name, and what it is for if known."""

    name = forms.CharField(
        label="Name of partnership",
        max_length=Partnership._meta.get_field("name").max_length,
        error_messages={"required": "Enter the name of the partnership"},
    )
    purpose = forms.CharField(
        label="Purpose of the partnership (optional)",
        help_text="What it is for and what it will do. You can add this later.",
        required=False,
        max_length=Partnership._meta.get_field("purpose").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    creation_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page has expired. Reload it and try again.",
            "invalid": "This page has expired. Reload it and try again.",
        },
    )

    def clean(self):
        cleaned = super().clean()
        # A hidden field's error is shown for the form as a whole, where the summary lists it.
        token_errors = self._errors.pop("creation_token", None)
        if token_errors:
            self.add_error(None, token_errors)
        return cleaned


# Sections of the registration form ------------------------------------------------------------


class SectionForm(PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """A page of the registration form, carrying the version of the record it was opened at.

    Saving checks the version, so a second person's save cannot silently overwrite the first.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This page is out of date. Reload it and try again.",
            "invalid": "This page is out of date. Reload it and try again.",
            "min_value": "This page is out of date. Reload it and try again.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)


class AboutYouForm(SectionForm):
    class Meta:
        model = Partnership
        fields = [
            "completed_by_name",
            "completed_by_title",
            "completed_by_directorate",
            "completed_by_extension",
            "completed_by_role",
        ]
        labels = {"completed_by_title": "Title", "completed_by_role": "Role in the partnership"}
        help_texts = {
            "completed_by_title": "Your job title.",
            "completed_by_role": "For example, representative, chair, sponsor or manager.",
        }
        widgets = {
            "completed_by_extension": forms.TextInput(attrs={"class": "govuk-input--width-5"})
        }


class PartnershipDetailsForm(SectionForm):
    start_date = DayMonthYearField(label="Start date", required=False)
    end_date = DayMonthYearField(
        label="End date",
        required=False,
        help_text="Leave blank if it has no set end. " + DATE_HINT,
    )
    material_service_delivery = yes_no_field(
        "Does the partnership involve material service delivery?",
        help_text="It delivers, or changes how the Council delivers, a service to a material "
        "level or of a material nature.",
        empty_value=False,
    )
    is_confidential = yes_no_field(
        "Is the partnership confidential?",
        help_text="Confidential partnerships are left out of the public register.",
        empty_value=False,
    )

    class Meta:
        model = Partnership
        fields = [
            "name",
            "purpose",
            "directorate",
            "sponsoring_officer",
            "monitoring_officer",
            "start_date",
            "end_date",
            "material_service_delivery",
            "is_confidential",
        ]
        labels = {
            "directorate": "Lead directorate",
            "sponsoring_officer": "Sponsoring officer",
            "monitoring_officer": "Officer accountable for monitoring performance",
        }
        help_texts = {
            "sponsoring_officer": "Usually a Head of Service: responsible for ensuring the "
            "delivery of the protocol for this partnership.",
        }
        field_classes = {
            "sponsoring_officer": OfficerChoiceField,
            "monitoring_officer": OfficerChoiceField,
        }
        widgets = {"purpose": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"name": {"required": "Enter the name of the partnership"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.instance
        self.fields["directorate"].queryset = Directorate.objects.filter(
            Q(is_active=True) | Q(pk=p.directorate_id)
        )
        self.fields["directorate"].empty_label = "Select a directorate"
        people = officers([p.sponsoring_officer_id, p.monitoring_officer_id])
        for name in ("sponsoring_officer", "monitoring_officer"):
            self.fields[name].queryset = people
            self.fields[name].empty_label = "Select an officer"
            self.fields[name].error_messages["invalid_choice"] = "Select an officer from the list"
        self.fields["directorate"].error_messages["invalid_choice"] = (
            "Select a directorate from the list"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "End date must be the same as or after the start date")
        return cleaned


class CouncilRoleForm(SectionForm):
    class Meta:
        model = Partnership
        fields = ["council_role", "council_role_other"]
        labels = {"council_role_other": "If other, describe the Council's role"}
        widgets = {"council_role": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["council_role"]
        field.choices = [c for c in field.choices if c[0]]
        field.error_messages["invalid_choice"] = "Select the role of the Council"

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("council_role") == Partnership.CouncilRole.LEAD
            and self.instance.partners.filter(is_lead=True).exists()
        ):
            self.add_error(
                "council_role",
                "Another organisation is marked as leading the partnership. Untick it under "
                "Partners and lead organisation before choosing Lead member",
            )
        if cleaned.get("council_role") == Partnership.CouncilRole.OTHER:
            if not cleaned.get("council_role_other"):
                self.add_error("council_role_other", "Describe the Council's role")
        elif "council_role" in cleaned:
            # The description only applies to "Other"; keeping it would contradict the choice.
            cleaned["council_role_other"] = ""
        return cleaned


class CorporatePlanForm(SectionForm):
    class Meta:
        model = Partnership
        fields = ["corporate_priorities", "corporate_plan_contribution"]
        labels = {"corporate_priorities": "Which Corporate Plan priorities does it contribute to?"}
        help_texts = {
            "corporate_priorities": "Select all that apply.",
            "corporate_plan_contribution": "How the partnership contributes, using the "
            "terminology of the Corporate Plan.",
        }
        widgets = {
            "corporate_priorities": forms.CheckboxSelectMultiple,
            "corporate_plan_contribution": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = [priority.pk for priority in self.instance.corporate_priorities.all()]
        field = self.fields["corporate_priorities"]
        field.queryset = CorporatePriority.objects.filter(Q(is_active=True) | Q(pk__in=chosen))
        field.error_messages["invalid_choice"] = "Select priorities from the list"
        field.error_messages["invalid_pk_value"] = "Select priorities from the list"


class RowsOnlyForm(SectionForm):
    """A section whose answers are all rows (partners, resources): only the version travels."""

    class Meta:
        model = Partnership
        fields = []


class RiskForm(SectionForm):
    has_risk_register = yes_no_field("Does the partnership have a risk register?")

    class Meta:
        model = Partnership
        fields = ["has_risk_register", "no_risk_register_reason", "risk_manager"]
        labels = {"no_risk_register_reason": "If not, please state why"}
        widgets = {"no_risk_register_reason": forms.Textarea(attrs={"rows": 3})}


class ChecklistForm(SectionForm):
    """Appendix 1: each point to consider, answered yes, no or not applicable, with notes.

    Fields are named by the partnership's own answer rows, so no posted id can reach another
    partnership's answers.
    """

    class Meta:
        model = Partnership
        fields = []

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for answer in self.answers:
            question = answer.consideration.question
            # crispy-forms-gds prints labels and hints unescaped; the questions are data.
            self.fields[f"answer_{answer.pk}"] = forms.ChoiceField(
                label=format_html("{}", question),
                help_text=format_html("{}", answer.consideration.hint),
                choices=ChecklistAnswer.Answer.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=answer.answer,
                error_messages={"invalid_choice": "Select Yes, No or Not applicable"},
            )
            notes = forms.CharField(
                label=format_html(
                    'Notes<span class="govuk-visually-hidden"> on “{}”</span> (optional)',
                    question,
                ),
                required=False,
                max_length=ChecklistAnswer._meta.get_field("notes").max_length,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.notes,
            )
            notes.error_messages["max_length"] = (
                f"Notes on “{question}” must be {notes.max_length:,} characters or fewer"
            )
            notes.widget.attrs.pop("maxlength", None)
            self.fields[f"notes_{answer.pk}"] = notes

    def groups(self):
        """The questions grouped by the section of Appendix 1 they come from, in order."""
        groups = {}
        for answer in self.answers:
            groups.setdefault(answer.consideration.get_section_display(), []).append(
                (self[f"answer_{answer.pk}"], self[f"notes_{answer.pk}"])
            )
        return list(groups.items())

    def changed_answers(self):
        changed = []
        for answer in self.answers:
            new = (
                self.cleaned_data[f"answer_{answer.pk}"],
                self.cleaned_data[f"notes_{answer.pk}"],
            )
            if new != (answer.answer, answer.notes):
                answer.answer, answer.notes = new
                changed.append(answer)
        return changed


class DocumentsForm(SectionForm):
    governing_document_date = DayMonthYearField(label="Date of governing document", required=False)

    class Meta:
        model = Partnership
        fields = ["governing_document_type", "governing_document_date"]
        labels = {"governing_document_type": "What form does the governing document take?"}
        help_texts = {
            "governing_document_type": "Every partnership the Council takes part in must have "
            "a written agreement or governing document.",
        }
        widgets = {"governing_document_type": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["governing_document_type"]
        field.choices = [c for c in field.choices if c[0]]
        field.error_messages["invalid_choice"] = "Select the form of the governing document"


class DocumentUploadForm(PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """One document to upload with a section; left blank, nothing is uploaded."""

    document_date = DayMonthYearField(label="Date of document", required=False)

    class Meta:
        model = Document
        fields = ["document_type", "title", "document_date", "file"]
        labels = {"title": "Title of document", "file": "Upload a file"}
        help_texts = {
            "file": "PDF, Word, OpenDocument, RTF, text, Excel or CSV, up to 10 MB.",
        }
        widgets = {"file": forms.FileInput(attrs={"class": "govuk-file-upload"})}

    prefix = "upload"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("document_type", "title", "file"):
            self.fields[name].required = False
        self.fields["document_type"].choices = [("", "Select a type")] + list(Document.Type.choices)
        self.fields["document_type"].error_messages["invalid_choice"] = (
            "Select the type of document from the list"
        )
        self.fields["file"].error_messages["empty"] = "The selected file is empty"
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in DOCUMENT_EXTENSIONS
        )

    @property
    def is_blank(self):
        return not self.has_changed()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in DOCUMENT_EXTENSIONS:
            raise forms.ValidationError(
                "The selected file must be a PDF, Word, OpenDocument, RTF, text, Excel or CSV file"
            )
        if upload.size > MAX_DOCUMENT_SIZE:
            raise forms.ValidationError("The selected file must be smaller than 10 MB")
        if len(upload.name) > 150:
            raise forms.ValidationError("The file name must be 150 characters or fewer")
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.is_blank:
            return cleaned
        if not cleaned.get("document_type") and "document_type" not in self.errors:
            self.add_error("document_type", "Select the type of document")
        if not cleaned.get("title") and "title" not in self.errors:
            self.add_error("title", "Enter the title of the document")
        if not cleaned.get("file") and "file" not in self.errors:
            self.add_error("file", "Select a file to upload")
        return cleaned


class EvaluationForm(SectionForm):
    class Meta:
        model = Partnership
        fields = [
            "evaluation_risks_rewards",
            "evaluation_legal",
            "evaluation_insurance",
            "evaluation_constitution",
            "evaluation_financial_regulations",
            "evaluation_procurement",
            "benefits_justify_costs",
            "benefits_notes",
        ]
        labels = {
            "evaluation_constitution": "Implications arising from the Council's Constitution, "
            "its own processes and applicable protocols",
            "evaluation_procurement": "Issues of partnership procurement",
            "benefits_justify_costs": "Are the benefits from the partnership likely to justify "
            "the costs involved in membership?",
            "benefits_notes": "Why",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "evaluation_risks_rewards",
                "evaluation_legal",
                "evaluation_insurance",
                "evaluation_constitution",
                "evaluation_financial_regulations",
                "evaluation_procurement",
                "benefits_notes",
            ]
        } | {"benefits_justify_costs": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["benefits_justify_costs"]
        field.choices = [c for c in field.choices if c[0]]
        field.error_messages["invalid_choice"] = "Select Yes, No or Not sure yet"


# Rows: representatives, partners and resources ------------------------------------------------


class RowForm(PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """One row of a list on a section page; a row left blank is ignored."""

    def is_marked_for_removal(self):
        return bool(self.cleaned_data.get("DELETE"))


class RepresentationForm(RowForm):
    person_name = forms.CharField(label="Full name", max_length=150, required=False)
    person_kind = forms.ChoiceField(
        label="Councillor or officer",
        choices=[
            (Person.Kind.COUNCILLOR, "Councillor"),
            (Person.Kind.OFFICER, "Council officer"),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select councillor or council officer"},
    )
    appointed_from = DayMonthYearField(label="Appointed from", required=False)
    appointed_to = DayMonthYearField(
        label="Appointed to",
        required=False,
        help_text="Leave blank if open-ended. " + DATE_HINT,
    )

    class Meta:
        model = Representation
        fields = ["role", "role_other", "appointed_from", "appointed_to"]
        labels = {"role": "Role in the partnership", "role_other": "If other, describe the role"}

    field_order = ["person_name", "person_kind", "role", "role_other"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("person_name", self.instance.person.name)
            self.initial.setdefault("person_kind", self.instance.person.kind)
        self.fields["role"].error_messages["invalid_choice"] = "Select a role from the list"

    def clean(self):
        cleaned = super().clean()
        if self.is_marked_for_removal():
            return cleaned
        if not tidy_name(cleaned.get("person_name")) and "person_name" not in self.errors:
            self.add_error("person_name", "Enter the full name of the councillor or officer")
        if not cleaned.get("person_kind") and "person_kind" not in self.errors:
            self.add_error("person_kind", "Select councillor or council officer")
        if cleaned.get("role") == Representation.Role.OTHER and not cleaned.get("role_other"):
            self.add_error("role_other", "Describe the role in the partnership")
        start, end = cleaned.get("appointed_from"), cleaned.get("appointed_to")
        if start and end and end < start:
            self.add_error(
                "appointed_to", "Appointed to must be the same as or after appointed from"
            )
        return cleaned

    def save(self, commit=True):
        self.instance.person = person_named(
            self.cleaned_data["person_name"], self.cleaned_data["person_kind"]
        )
        return super().save(commit)


class PartnerForm(RowForm):
    organisation_name = forms.CharField(
        label="Name of organisation", max_length=200, required=False
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Select a sector")] + list(Organisation.Sector.choices),
        required=False,
        help_text="If the organisation is already on the register, its sector is kept as "
        "Democratic Services recorded it.",
        error_messages={"invalid_choice": "Select a sector from the list"},
    )

    class Meta:
        model = PartnershipPartner
        fields = ["is_lead"]
        labels = {"is_lead": "This organisation leads the partnership"}

    field_order = ["organisation_name", "sector", "is_lead"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = None
        if self.instance.pk:
            self.initial.setdefault("organisation_name", self.instance.organisation.name)
            self.initial.setdefault("sector", self.instance.organisation.sector)

    def clean(self):
        cleaned = super().clean()
        if self.is_marked_for_removal():
            return cleaned
        name = tidy_name(cleaned.get("organisation_name"))
        if not name:
            if "organisation_name" not in self.errors:
                self.add_error("organisation_name", "Enter the name of the organisation")
            return cleaned
        self.organisation = organisation_named(name)
        if self.organisation is None and not cleaned.get("sector") and "sector" not in self.errors:
            self.add_error("sector", "Select the sector of the organisation")
        return cleaned

    def save(self, commit=True):
        organisation = self.organisation or Organisation.objects.create(
            name=tidy_name(self.cleaned_data["organisation_name"]),
            sector=self.cleaned_data["sector"],
        )
        self.instance.organisation = organisation
        return super().save(commit)


class FinancialContributionForm(RowForm):
    amount = MoneyField(label="Amount (£)", required=False)
    financial_year = forms.TypedChoiceField(
        label="Financial year", coerce=int, required=False, empty_value=None
    )
    is_budgeted = yes_no_field("Is it budgeted?", empty_value=None)

    class Meta:
        model = FinancialContribution
        fields = ["amount", "form", "form_other", "is_budgeted", "financial_year"]
        labels = {"form": "In what form", "form_other": "If other, describe the form"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = financial_year_choices(self.instance.financial_year)
        self.fields["financial_year"].error_messages["invalid_choice"] = (
            "Select a financial year from the list"
        )
        self.fields["form"].required = False
        self.fields["form"].choices = [("", "Select a form")] + list(
            FinancialContribution.Form.choices
        )
        self.fields["form"].error_messages["invalid_choice"] = "Select a form from the list"
        if not self.instance.pk:
            # No answer is chosen for the person: GOV.UK advises against pre-selected radios.
            self.initial["is_budgeted"] = None

    def clean(self):
        cleaned = super().clean()
        if self.is_marked_for_removal():
            return cleaned
        required = {
            "amount": "Enter the amount in pounds",
            "form": "Select the form of the contribution",
            "is_budgeted": "Say whether it is budgeted",
            "financial_year": "Select the financial year",
        }
        for name, message in required.items():
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        if cleaned.get("form") == FinancialContribution.Form.OTHER and not cleaned.get(
            "form_other"
        ):
            self.add_error("form_other", "Describe the form of the contribution")
        return cleaned


class OfficerTimeForm(RowForm):
    person_name = forms.CharField(label="Officer's name", max_length=150, required=False)

    class Meta:
        model = OfficerTime
        fields = ["hours_per_month"]
        labels = {"hours_per_month": "Estimated hours a month"}
        widgets = {
            "hours_per_month": forms.TextInput(
                attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}
            )
        }

    field_order = ["person_name", "hours_per_month"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("person_name", self.instance.person.name)
        hours = self.fields["hours_per_month"]
        hours.required = False
        hours.error_messages.update(
            {
                "invalid": "Enter the hours as a number, for example 7.5",
                "min_value": "Hours a month cannot be less than 0",
                "max_value": "Hours a month must be 744 or fewer (every hour of a month)",
                "max_digits": "Hours a month must be 744 or fewer (every hour of a month)",
                "max_whole_digits": "Hours a month must be 744 or fewer (every hour of a month)",
                "max_decimal_places": "Enter the hours to one decimal place, for example 7.5",
            }
        )

    def clean(self):
        cleaned = super().clean()
        if self.is_marked_for_removal():
            return cleaned
        if not tidy_name(cleaned.get("person_name")) and "person_name" not in self.errors:
            self.add_error("person_name", "Enter the officer's name")
        if cleaned.get("hours_per_month") is None and "hours_per_month" not in self.errors:
            self.add_error("hours_per_month", "Enter the estimated hours a month")
        return cleaned

    def save(self, commit=True):
        self.instance.person = person_named(self.cleaned_data["person_name"], Person.Kind.OFFICER)
        return super().save(commit)


class InKindContributionForm(RowForm):
    estimated_value = MoneyField(label="Estimated value a year (£)", required=False)

    class Meta:
        model = InKindContribution
        fields = ["kind", "description", "estimated_value"]
        labels = {"kind": "Kind of support"}
        help_texts = {"description": "For example, a meeting room one day a week."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        self.fields["kind"].choices = [("", "Select a kind")] + list(
            InKindContribution.Kind.choices
        )
        self.fields["kind"].error_messages["invalid_choice"] = "Select a kind from the list"

    def clean(self):
        cleaned = super().clean()
        if self.is_marked_for_removal():
            return cleaned
        if not cleaned.get("kind") and "kind" not in self.errors:
            self.add_error("kind", "Select the kind of support")
        if cleaned.get("estimated_value") is None and "estimated_value" not in self.errors:
            self.add_error("estimated_value", "Enter the estimated value in pounds")
        return cleaned


class RowFormSet(forms.BaseInlineFormSet):
    """Rows of one partnership; ids posted for any other partnership's rows are refused."""

    noun = "row"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        id_field = form.fields[self._pk_field.name]
        id_field.queryset = self.get_queryset()
        not_ours = (
            f"This {self.noun} is not part of this partnership. Reload the page and try again."
        )
        id_field.error_messages["invalid_choice"] = not_ours
        form.fields[self.fk.name].error_messages["invalid_choice"] = not_ours
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = format_html(
                'Remove<span class="govuk-visually-hidden"> this {}</span>', self.noun
            )


class RepresentationFormSet(RowFormSet):
    noun = "representative"


class PartnerFormSet(RowFormSet):
    noun = "partner"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        names, leads = set(), 0
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            name = tidy_name(form.cleaned_data.get("organisation_name")).lower()
            if name in names:
                form.add_error("organisation_name", "This organisation is already listed")
            names.add(name)
            leads += bool(form.cleaned_data.get("is_lead"))
        if leads > 1:
            raise forms.ValidationError("Only one organisation can lead the partnership")
        if leads and self.instance.council_role == Partnership.CouncilRole.LEAD:
            raise forms.ValidationError(
                "The Council leads this partnership (see Role of the Council), so no other "
                "organisation can be marked as leading it"
            )

    def save(self, commit=True):
        # The database allows one lead at a time, so the old lead is unmarked first.
        keep = [
            form.instance.pk
            for form in self.initial_forms
            if form.cleaned_data.get("is_lead") and not self._should_delete_form(form)
        ]
        self.instance.partners.filter(is_lead=True).exclude(pk__in=keep).update(is_lead=False)
        return super().save(commit)


class FinancialContributionFormSet(RowFormSet):
    noun = "financial contribution"


class OfficerTimeFormSet(RowFormSet):
    noun = "officer time entry"


class InKindContributionFormSet(RowFormSet):
    noun = "in-kind contribution"


def _rows(model, form, formset):
    return forms.inlineformset_factory(
        Partnership,
        model,
        form=form,
        formset=formset,
        extra=1,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS + 10,
    )


RepresentationRows = _rows(Representation, RepresentationForm, RepresentationFormSet)
PartnerRows = _rows(PartnershipPartner, PartnerForm, PartnerFormSet)
FinancialContributionRows = _rows(
    FinancialContribution, FinancialContributionForm, FinancialContributionFormSet
)
OfficerTimeRows = _rows(OfficerTime, OfficerTimeForm, OfficerTimeFormSet)
InKindContributionRows = _rows(
    InKindContribution, InKindContributionForm, InKindContributionFormSet
)


class PreferencesForm(GovUKFormMixin, forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["digest_frequency"]
        widgets = {"digest_frequency": forms.RadioSelect}
        labels = {"digest_frequency": "How often do you want a reminder digest?"}
        help_texts = {
            "digest_frequency": "One email listing your annual reviews, risk reviews, actions "
            "and exit actions that are due soon or overdue."
        }
