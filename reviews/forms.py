"""Forms for annual reviews and exits, in the protocol's words, with GOV.UK markup."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerships_site.forms import (
    DATE_HINT,
    DayMonthYearField,
    GovUKFormMixin,
    searchable_select,
)
from register.models import Person
from reviews.models import (
    AnnualReview,
    ExitAction,
    ExitStrategy,
    ReviewPriorityAlignment,
)

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _radios(label, choices, *, message, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": message, "invalid_choice": message},
    )


def _not_in_future(value, message):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


OUT_OF_DATE = "This page is out of date. Reload it and try again."


class VersionedFormMixin:
    """Carry the version of the record as it was read, so a later save can spot a clash.

    List it after GovUKFormMixin, so the form's helper renders the hidden field.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=self.instance.version,
            error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
        )


class AnnualReviewForm(GovUKFormMixin, VersionedFormMixin, forms.ModelForm):
    """The annual review, as the sponsoring officer (or Democratic Services) records it."""

    period_start = DayMonthYearField(label="Period reviewed from")
    period_end = DayMonthYearField(label="Period reviewed to")
    review_date = DayMonthYearField(label="Date of review")
    risk_register_refreshed = _radios(
        "Has the risk register been reviewed and refreshed?",
        AnnualReview.YesNo.choices,
        message="Select yes if the risk register has been reviewed and refreshed",
    )
    action_plans_refreshed = _radios(
        "Have the action plans been reviewed and refreshed by all partners?",
        AnnualReview.YesNo.choices,
        message="Select yes if the action plans have been reviewed and refreshed",
    )
    outcome = _radios(
        "Outcome",
        AnnualReview.Outcome.choices,
        message="Select the outcome of the review",
        help_text="Withdrawing moves the partnership to exiting and opens its exit strategy.",
    )
    agreed_on = DayMonthYearField(label="Date the outcome was agreed", required=False)

    class Meta:
        model = AnnualReview
        fields = [
            "period_start",
            "period_end",
            "review_date",
            "performance",
            "value_for_money",
            "costs_and_benefits",
            "risk_register_refreshed",
            "risk_register_note",
            "action_plans_refreshed",
            "resource_implications",
            "equalities",
            "outcome",
            "outcome_reasons",
            "agreed_by",
            "agreed_on",
        ]
        widgets = {
            "performance": TEXTAREA,
            "value_for_money": TEXTAREA,
            "costs_and_benefits": TEXTAREA,
            "risk_register_note": TEXTAREA,
            "resource_implications": TEXTAREA,
            "equalities": TEXTAREA,
            "outcome_reasons": TEXTAREA,
        }

    def clean_review_date(self):
        return _not_in_future(
            self.cleaned_data["review_date"], "The date of review must be today or in the past"
        )

    def clean_agreed_on(self):
        return _not_in_future(
            self.cleaned_data["agreed_on"], "The date agreed must be today or in the past"
        )

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("period_start"), cleaned_data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period reviewed cannot end before it starts")
        return cleaned_data


class PriorityAlignmentForm(GovUKFormMixin, forms.ModelForm):
    """Whether the partnership is still aligned with one Corporate Plan priority."""

    class Meta:
        model = ReviewPriorityAlignment
        fields = ["aligned", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        priority = self.instance.priority if self.instance.priority_id else None
        self.fields["aligned"] = _radios(
            f"Is it still aligned with “{priority}”?",
            ReviewPriorityAlignment.Aligned.choices,
            message=f"Say whether it is still aligned with “{priority}”",
        )
        self.fields["comment"].label = f"Comment on “{priority}” (optional)"


def _restrict_ids(formset, form, message):
    """Accept only the ids of rows this formset edits: a forged id is an error, not a new row."""
    id_field = form.fields.get(formset.model._meta.pk.name)
    if id_field is not None:
        id_field.queryset = formset.get_queryset()
        id_field.error_messages["invalid_choice"] = message


class BasePriorityAlignmentFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, review, **kwargs):
        kwargs.setdefault(
            "queryset", review.alignments.select_related("priority").order_by("priority__position")
        )
        kwargs.setdefault("prefix", "alignments")
        super().__init__(*args, **kwargs)
        # One row per priority the review assesses: no more can be posted.
        self.max_num = self.absolute_max = len(self.get_queryset())

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _restrict_ids(
            self, form, "This priority is not part of this review. Reload the page and try again."
        )


PriorityAlignmentFormSet = forms.modelformset_factory(
    ReviewPriorityAlignment,
    form=PriorityAlignmentForm,
    formset=BasePriorityAlignmentFormSet,
    extra=0,
    validate_max=True,
    can_delete=False,
)


class ExitStrategyForm(GovUKFormMixin, VersionedFormMixin, forms.ModelForm):
    """The exit / succession strategy: how the council leaves the partnership."""

    exit_type = _radios(
        "Type of exit",
        ExitStrategy.ExitType.choices,
        message="Say whether the exit is planned or unplanned",
        help_text="Planned: at a time the council chooses, with notice. Unplanned: forced by "
        "events, such as the partnership folding.",
    )
    intended_exit_date = DayMonthYearField(label="Intended exit date", required=False)

    class Meta:
        model = ExitStrategy
        fields = [
            "exit_type",
            "intended_exit_date",
            "notice_required",
            "liabilities",
            "assets_and_staff",
            "data_arrangements",
            "communications",
            "successor_arrangements",
        ]
        widgets = {
            "notice_required": TEXTAREA,
            "liabilities": TEXTAREA,
            "assets_and_staff": TEXTAREA,
            "data_arrangements": TEXTAREA,
            "communications": TEXTAREA,
            "successor_arrangements": TEXTAREA,
        }


class ExitActionPlanForm(GovUKFormMixin, forms.ModelForm):
    """One exit action as planned: what, who and by when. Its progress is its owner's to tell."""

    due_date = DayMonthYearField(label="Due by", required_message="Enter the date it is due by")

    class Meta:
        model = ExitAction
        fields = ["description", "owner", "due_date"]
        widgets = {"owner": searchable_select()}
        error_messages = {
            "description": {"required": "Enter the action"},
            "owner": {
                "required": "Select who owns the action",
                "invalid_choice": "Select who owns the action",
            },
        }


class BaseExitActionFormSet(forms.BaseInlineFormSet):
    # Each row's errors are named in the error summary as its legend names it: "Exit action 2".
    noun = "exit action"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "actions")
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.select_related("owner")
        # One query for the list of people, shared by every row, not one per row.
        owners = list(Person.objects.order_by("name"))
        choices = [("", "Select a person")] + [(person.pk, str(person)) for person in owners]
        for form in self.forms:
            form.fields["owner"].choices = choices

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _restrict_ids(
            self,
            form,
            "This exit action is not part of this exit strategy. Reload the page and try again.",
        )


ExitActionFormSet = forms.inlineformset_factory(
    ExitStrategy,
    ExitAction,
    form=ExitActionPlanForm,
    formset=BaseExitActionFormSet,
    extra=1,
    max_num=100,
    validate_max=True,
    can_delete=False,
)


class ExitActionProgressForm(GovUKFormMixin, VersionedFormMixin, forms.ModelForm):
    """An exit action's progress, as its owner (or the sponsoring officer) records it."""

    status = forms.ChoiceField(
        label="Status",
        choices=ExitAction.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status", "invalid_choice": "Select the status"},
    )
    completed_on = DayMonthYearField(
        label="Date completed", required=False, help_text="If it is complete. " + DATE_HINT
    )

    class Meta:
        model = ExitAction
        fields = ["status", "completed_on", "progress_note"]
        widgets = {"progress_note": TEXTAREA}

    def clean_completed_on(self):
        return _not_in_future(
            self.cleaned_data["completed_on"], "The date completed must be today or in the past"
        )

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        if status == ExitAction.Status.COMPLETE:
            if not cleaned_data.get("completed_on") and "completed_on" not in self.errors:
                self.add_error("completed_on", "Enter the date the action was completed")
        else:
            cleaned_data["completed_on"] = None
        return cleaned_data


class CompleteExitForm(GovUKFormMixin, forms.Form):
    """Sign off the exit strategy, which closes the partnership."""

    signed_off_by = forms.CharField(
        label="Signed off by",
        max_length=200,
        help_text="The name and job title of who signed off the exit.",
        error_messages={
            "required": "Enter who signed off the exit",
            "max_length": "Signed off by must be 200 characters or fewer",
        },
    )
    signed_off_on = DayMonthYearField(
        label="Date signed off", required_message="Enter the date the exit was signed off"
    )
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )

    def clean_signed_off_on(self):
        return _not_in_future(
            self.cleaned_data["signed_off_on"], "The date signed off must be today or in the past"
        )


class NextReviewDateForm(GovUKFormMixin, forms.Form):
    """Democratic Services set another date for a partnership's next annual review."""

    next_review_due = DayMonthYearField(
        label="Next review due", required_message="Enter the date the next review is due"
    )
    reason = forms.CharField(
        label="Reason for the new date",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the reason for the new date",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean_next_review_due(self):
        value = self.cleaned_data["next_review_due"]
        if value and value < timezone.localdate():
            raise ValidationError("The next review date must be today or in the future")
        return value
