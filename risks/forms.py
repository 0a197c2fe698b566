"""Forms for risk registers: a risk with its controls and actions, reviews, closing, escalating
and an action's progress."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from partnerships_site.errors import error_summary
from partnerships_site.forms import (
    DATE_HINT,
    DayMonthYearField,
    GovUKFormMixin,
    PlainMessagesMixin,
    searchable_select,
)
from register.models import Person
from risks.models import Action, Control, Escalation, Mitigation, Risk

MAX_MITIGATIONS = 50  # controls or actions on one risk
SCORE_DESCRIPTIONS = [
    ("inherent", "Inherent score", "Before any controls."),
    ("actual", "Actual score", "Now, with the controls in place."),
    ("residual", "Residual score", "The target, once the planned actions are done."),
]


# Fields ---------------------------------------------------------------------------------------


class ScoreField(forms.ChoiceField):
    """A likelihood and an impact chosen together on the risk matrix.

    Each choice is one cell of the matrix, posted as "likelihood-impact" ("4-5"); the choices
    come from the council's matrix, so anything off it is refused. Cleans to (likelihood, impact).
    """

    widget = forms.RadioSelect
    # The grid gives its first radio the field's own id (risks/templatetags/risk_tags.py).
    summary_anchor_suffix = ""

    def __init__(self, *, matrix, label, help_text, **kwargs):
        choices = [
            (f"{likelihood}-{impact}", matrix.score(likelihood, impact).description)
            for likelihood in matrix.values
            for impact in matrix.values
        ]
        message = f"Choose the {label[0].lower()}{label[1:]} on the risk matrix"
        super().__init__(
            choices=choices,
            label=label,
            help_text=help_text,
            error_messages={"required": message, "invalid_choice": message},
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        likelihood, impact = (int(part) for part in value.split("-"))
        return likelihood, impact


class VersionField(forms.CharField):
    """The record's version when the form was opened, for refusing a save over someone else's.

    Anything that is not a number counts as an out-of-date version, never as a form error the
    person could not see or fix.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class PersonChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Person.objects.order_by("name", "pk"),
            empty_label="Select a person",
            widget=searchable_select(),
            **kwargs,
        )

    def label_from_instance(self, person):
        return f"{person} – {person.job_title}" if person.job_title else str(person)


class ScoresMixin:
    """Adds the inherent, actual and residual score grids, and checks them together."""

    def add_score_fields(self, matrix, initial_from=None, required=True):
        self.matrix = matrix
        for kind, label, hint in SCORE_DESCRIPTIONS:
            self.fields[kind] = ScoreField(
                matrix=matrix, label=label, help_text=hint, required=required
            )
            if initial_from is not None and getattr(initial_from, f"{kind}_likelihood", None):
                self.initial[kind] = (
                    f"{getattr(initial_from, f'{kind}_likelihood')}-"
                    f"{getattr(initial_from, f'{kind}_impact')}"
                )

    def clean_scores(self, cleaned_data):
        inherent, residual = cleaned_data.get("inherent"), cleaned_data.get("residual")
        if inherent and residual and residual[0] * residual[1] > inherent[0] * inherent[1]:
            self.add_error(
                "residual",
                f"The residual score ({residual[0] * residual[1]}) cannot be higher than the "
                f"inherent score ({inherent[0] * inherent[1]})",
            )

    @property
    def score_fields(self):
        return [self[kind] for kind, _, _ in SCORE_DESCRIPTIONS]

    def score_values(self):
        """The chosen scores as model field values, such as {"actual_likelihood": 3, ...}."""
        values = {}
        for kind, _, _ in SCORE_DESCRIPTIONS:
            chosen = self.cleaned_data.get(kind)
            if chosen:
                values[f"{kind}_likelihood"], values[f"{kind}_impact"] = chosen
        return values


def error_links(form, *formsets):
    """Every error on a page of a risk and its rows, as (link, message) pairs in page order.

    An error about a whole row links to the row; one about a whole formset to its heading.
    """
    return error_summary(
        form,
        *formsets,
        form_anchor=lambda one_form: f"#{one_form.prefix}-row" if one_form.prefix else None,
        formset_anchor=lambda formset: f"#{formset.prefix}-title",
    )


# A risk, with its controls and actions --------------------------------------------------------


class RiskForm(ScoresMixin, PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """A risk in the protocol's terms: cause, event and impact, owner and the three scores."""

    owner = PersonChoiceField(
        label="Risk owner",
        help_text="Reviews and updates the risk.",
        error_messages={
            "required": "Select the risk owner",
            "invalid_choice": "Select the risk owner",
        },
    )
    raised_on = DayMonthYearField(label="Date raised")
    version = VersionField()
    creation_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "This page has expired. Reload it and try again."},
    )

    class Meta:
        model = Risk
        fields = ["title", "category", "cause", "event", "impact", "owner", "raised_on"]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 3}),
            "event": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Enter the risk title"},
            "category": {
                "required": "Select the category",
                "invalid_choice": "Select the category",
            },
            "cause": {"required": "Enter the cause: what could make the risk happen"},
            "event": {"required": "Enter the event: what could happen"},
            "impact": {"required": "Enter the impact: the effect it would have"},
        }

    def __init__(self, *args, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Select a category"), *Risk.Category.choices]
        self.add_score_fields(matrix, initial_from=self.instance if self.instance.pk else None)
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        else:
            self.initial.setdefault("creation_token", uuid.uuid4())

    def clean_raised_on(self):
        raised_on = self.cleaned_data["raised_on"]
        if raised_on and raised_on > timezone.localdate():
            raise ValidationError("Date raised must be today or in the past")
        return raised_on

    def clean(self):
        cleaned_data = super().clean()
        self.clean_scores(cleaned_data)
        for name, value in self.score_values().items():
            setattr(self.instance, name, value)
        return cleaned_data

    @property
    def actual_above_inherent(self):
        values = self.score_values()
        try:
            actual = values["actual_likelihood"] * values["actual_impact"]
            inherent = values["inherent_likelihood"] * values["inherent_impact"]
        except KeyError:
            return False
        return actual > inherent


class MitigationForm(PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """A control or action as one row of the risk form."""

    owner = PersonChoiceField(
        label="Owner",
        error_messages={"required": "Select the owner", "invalid_choice": "Select the owner"},
    )
    completed_on = DayMonthYearField(
        label="Completed on", required=False, help_text="If complete. " + DATE_HINT
    )

    class Meta:
        fields = [
            "description",
            "owner",
            "estimated_completion",
            "status",
            "progress_note",
            "completed_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "progress_note": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "description": {"required": "Enter the description"},
            "status": {"required": "Select the status", "invalid_choice": "Select the status"},
        }


class ControlForm(MitigationForm):
    estimated_completion = DayMonthYearField(
        label="Estimated completion date",
        required=False,
        help_text="If it is not yet fully in place. " + DATE_HINT,
    )

    class Meta(MitigationForm.Meta):
        model = Control


class ActionForm(MitigationForm):
    estimated_completion = DayMonthYearField(label="Estimated completion date")

    class Meta(MitigationForm.Meta):
        model = Action


class MitigationFormSet(BaseInlineFormSet):
    """A risk's controls or actions. Rows are never deleted here: they are completed instead."""

    noun = "item"
    raised_on = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django accepts any row's id here and then silently skips one that is not this risk's;
        # limiting the choice to this risk's rows reports a forged or stale id instead.
        pk_field = form.fields["id"]
        pk_field.queryset = self.get_queryset()
        message = (
            f"This {self.noun} is not one of this risk's {self.noun}s. Reload the page and try "
            "again."
        )
        pk_field.error_messages.update(invalid_choice=message, required=message)

    def clean(self):
        super().clean()
        if self.raised_on is None or self.noun != "action":
            return
        for form in self.forms:
            due = form.cleaned_data.get("estimated_completion") if form.is_valid() else None
            if due and due < self.raised_on:
                form.add_error(
                    "estimated_completion",
                    "Estimated completion date cannot be before the date the risk was raised",
                )


class ControlFormSet(MitigationFormSet):
    noun = "control"


class ActionFormSet(MitigationFormSet):
    noun = "action"


def _mitigation_formset(model, form, formset):
    return inlineformset_factory(
        Risk,
        model,
        form=form,
        formset=formset,
        extra=0,
        can_delete=False,
        max_num=MAX_MITIGATIONS,
        absolute_max=MAX_MITIGATIONS,
        validate_max=True,
    )


ControlFormSetClass = _mitigation_formset(Control, ControlForm, ControlFormSet)
ActionFormSetClass = _mitigation_formset(Action, ActionForm, ActionFormSet)


# Reviews, closing and escalating ---------------------------------------------------------------


class ReviewForm(ScoresMixin, GovUKFormMixin, forms.Form):
    """A routine review: the date, the scores now and what the owner found."""

    reviewed_on = DayMonthYearField(label="Date of review")
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has changed, how the controls are working and what happens next.",
        error_messages={"max_length": "Notes must be 5,000 characters or fewer"},
    )
    version = VersionField()

    def __init__(self, *args, risk, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.risk = risk
        self.add_score_fields(matrix, initial_from=risk)
        self.fields[
            "actual"
        ].help_text = (
            "Now, with the controls in place. Its band sets when the next review falls due."
        )
        self.initial.setdefault("reviewed_on", timezone.localdate())
        self.initial["version"] = risk.version
        self.order_fields(["reviewed_on", "actual", "inherent", "residual", "notes"])

    def clean_reviewed_on(self):
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise ValidationError("Date of review must be today or in the past")
        if reviewed_on < self.risk.raised_on:
            raise ValidationError(
                "Date of review cannot be before the date the risk was raised "
                f"({self.risk.raised_on:%d/%m/%Y})"
            )
        return reviewed_on

    def clean(self):
        cleaned_data = super().clean()
        self.clean_scores(cleaned_data)
        return cleaned_data


class CloseRiskForm(GovUKFormMixin, forms.Form):
    closed_reason = forms.CharField(
        label="Why is the risk being closed?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the event has passed or the partnership no longer faces it.",
        error_messages={
            "required": "Enter why the risk is being closed",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    version = VersionField()


class EscalationForm(PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """A report of the risk to the Partnership Board and the board's response."""

    reported_on = DayMonthYearField(label="Date reported")
    board_response = forms.ChoiceField(
        label="Board's response",
        choices=Escalation.Response.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the board's response",
            "invalid_choice": "Select the board's response",
        },
    )

    class Meta:
        model = Escalation
        fields = ["reported_on", "board_meeting", "board_response", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"board_meeting": {"required": "Enter the board meeting"}}

    def __init__(self, *args, risk, **kwargs):
        super().__init__(*args, **kwargs)
        self.risk = risk

    def clean_reported_on(self):
        reported_on = self.cleaned_data["reported_on"]
        if reported_on > timezone.localdate():
            raise ValidationError("Date reported must be today or in the past")
        if reported_on < self.risk.raised_on:
            raise ValidationError("Date reported cannot be before the date the risk was raised")
        return reported_on


class ActionProgressForm(PlainMessagesMixin, GovUKFormMixin, forms.ModelForm):
    """An action owner's update: where the action has got to."""

    status = forms.ChoiceField(
        label="Status",
        choices=Mitigation.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status", "invalid_choice": "Select the status"},
    )
    completed_on = DayMonthYearField(
        label="Completed on",
        required=False,
        help_text="Only if it is complete. " + DATE_HINT,
    )

    class Meta:
        model = Action
        fields = ["status", "progress_note", "completed_on"]
        widgets = {"progress_note": forms.Textarea(attrs={"rows": 4})}
        labels = {"progress_note": "Progress so far"}
