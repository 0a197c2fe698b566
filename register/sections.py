"""The registration form (Appendix 2) as pages an officer fills in one at a time.

Each Section names its page, the form and rows it asks for, how it saves them and how its answers
read back on the "Check your answers" page. SECTIONS holds them in the protocol's order; the slugs
are the ones services.missing_for_submission uses.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.formats import date_format

from partnerships_site.errors import error_summary
from register import forms
from register.models import (
    ChecklistAnswer,
    ChecklistConsideration,
    Document,
    OfficerTime,
    Partnership,
    PartnershipPartner,
    Person,
    Representation,
    financial_year_label,
)
from register.notifications import notify_assignment, notify_new_representatives

NOT_GIVEN = "Not given"


# How answers read back -------------------------------------------------------------------------


@dataclass
class SummaryRow:
    """One answer on a summary list: its question and the answer as text or as lines."""

    key: str
    value: str = ""
    lines: list[str] = field(default_factory=list)


def _date(value, empty=NOT_GIVEN):
    return date_format(value, "DATE_FORMAT") if value else empty


def _money(amount):
    return f"£{amount:,.2f}"


def _yes_no(value):
    return {True: "Yes", False: "No"}.get(value, NOT_GIVEN)


def _person(user):
    return forms.officer_label(user) if user else NOT_GIVEN


def _appointment(representation):
    role = representation.get_role_display()
    if representation.role == Representation.Role.OTHER and representation.role_other:
        role = representation.role_other
    text = f"{representation.person.name} – {role}"
    if representation.appointed_from or representation.appointed_to:
        text += (
            f" (appointed {_date(representation.appointed_from, 'from an unknown date')}"
            f" to {_date(representation.appointed_to, 'no set end')})"
        )
    return text


# Pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowSet:
    """A list of rows on a section page (representatives, partners, resources)."""

    prefix: str
    formset_class: type
    title: str
    noun: str
    hint: str = ""

    def queryset(self):
        model = self.formset_class.model
        related = {
            Representation: ["person"],
            PartnershipPartner: ["organisation"],
            OfficerTime: ["person"],
        }.get(model, [])
        return model.objects.select_related(*related)


class SectionPage:
    """The forms of one section page, bound to what was posted or not."""

    def __init__(self, section, form, rowsets, upload=None):
        self.section = section
        self.form = form
        self.rowsets = rowsets  # [(RowSet, formset)]
        self.upload = upload
        self.conflict = False
        self.page_errors = []

    @property
    def formsets(self):
        return [formset for _, formset in self.rowsets]

    def is_valid(self):
        # Every form is validated, so every error can be shown at once.
        results = [self.form.is_valid()] + [formset.is_valid() for formset in self.formsets]
        if self.upload is not None:
            results.append(self.upload.is_valid())
        return all(results) and not self.page_errors

    def error_items(self):
        """Every error on the page as (anchor, message), in page order, for the summary.

        Errors about a whole form or row are shown in place, in its box of form errors, and the
        summary links there.
        """
        return error_summary(
            self.form,
            *self.formsets,
            self.upload,
            page_errors=self.page_errors,
            page_anchor="#saved-values" if self.conflict else "#main-form-errors",
            form_anchor=lambda form: f"#{form.prefix or 'main'}-form-errors",
            formset_anchor=lambda formset: f"#{formset.prefix}-errors",
        )


class Section:
    """One page of the registration form."""

    slug = ""
    title = ""  # as listed on the task list and the check page
    heading = ""  # the page's h1
    caption = ""
    hint = ""
    form_class = forms.RowsOnlyForm
    rowsets = ()
    template_name = ""
    intro_template_name = ""
    multipart = False

    def form_kwargs(self, partnership):
        return {}

    def build(self, partnership, data=None, files=None):
        form = self.form_class(data, instance=partnership, **self.form_kwargs(partnership))
        rowsets = [
            (
                rowset,
                rowset.formset_class(
                    data,
                    instance=partnership,
                    prefix=rowset.prefix,
                    queryset=rowset.queryset(),
                ),
            )
            for rowset in self.rowsets
        ]
        return SectionPage(self, form, rowsets)

    def update_fields(self, form):
        """The partnership's own columns this page changes (its rows are saved separately)."""
        model_fields = {f.name for f in Partnership._meta.concrete_fields}
        return [name for name in form._meta.fields if name in model_fields] or ["updated_at"]

    def save(self, page, user):
        """Save the rows and anything else beyond the partnership's own columns."""
        for formset in page.formsets:
            formset.save()

    def summary(self, partnership):
        return []


class AboutYou(Section):
    slug = "about_you"
    title = "About you"
    heading = "About you"
    caption = "Section 1: details of the person completing the registration form"
    hint = "We have filled these in from your profile. Change anything that is out of date."
    form_class = forms.AboutYouForm
    template_name = "register/sections/fields.html"

    def summary(self, p):
        return [
            SummaryRow("Name", p.completed_by_name or NOT_GIVEN),
            SummaryRow("Title", p.completed_by_title or NOT_GIVEN),
            SummaryRow("Directorate", p.completed_by_directorate or NOT_GIVEN),
            SummaryRow("Extension", p.completed_by_extension or NOT_GIVEN),
            SummaryRow("Role in the partnership", p.completed_by_role or NOT_GIVEN),
        ]


class PartnershipDetails(Section):
    slug = "partnership"
    title = "The partnership"
    heading = "Details of the partnership"
    caption = "Section 2: details of the partnership"
    form_class = forms.PartnershipDetailsForm
    template_name = "register/sections/fields.html"

    def save(self, page, user):
        super().save(page, user)
        partnership = page.form.instance
        if "sponsoring_officer" in page.form.changed_data:
            notify_assignment(
                recipient=partnership.sponsoring_officer,
                role="sponsoring officer",
                item=partnership,
                url=partnership.get_absolute_url(),
                by=user,
            )

    def summary(self, p):
        return [
            SummaryRow("Name of partnership", p.name),
            SummaryRow("Purpose of the partnership", p.purpose or NOT_GIVEN),
            SummaryRow("Lead directorate", str(p.directorate or NOT_GIVEN)),
            SummaryRow("Sponsoring officer", _person(p.sponsoring_officer)),
            SummaryRow(
                "Officer accountable for monitoring performance", _person(p.monitoring_officer)
            ),
            SummaryRow("Start date", _date(p.start_date)),
            SummaryRow("End date", _date(p.end_date, "No set end")),
            SummaryRow("Material service delivery", _yes_no(p.material_service_delivery)),
            SummaryRow("Confidential", _yes_no(p.is_confidential)),
        ]


class CouncilRole(Section):
    slug = "council_role"
    title = "Role of the Council and representatives"
    heading = "Role of the Council and its representatives"
    caption = "Section 2: details of the partnership"
    form_class = forms.CouncilRoleForm
    rowsets = (
        RowSet(
            "representations",
            forms.RepresentationRows,
            "Representatives",
            "representative",
            hint="The councillors and officers who represent the Council on the partnership.",
        ),
    )
    template_name = "register/sections/council_role.html"

    def save(self, page, user):
        partnership = page.form.instance
        people_before = dict(partnership.representations.values_list("pk", "person_id"))
        super().save(page, user)
        for formset in page.formsets:
            notify_new_representatives(
                formset, people_before=people_before, partnership=partnership, by=user
            )

    def summary(self, p):
        role = p.get_council_role_display() or NOT_GIVEN
        if p.council_role == Partnership.CouncilRole.OTHER:
            role = f"Other: {p.council_role_other or NOT_GIVEN}"
        rows = list(p.representations.all())
        councillors = [_appointment(r) for r in rows if r.person.kind == Person.Kind.COUNCILLOR]
        officers = [_appointment(r) for r in rows if r.person.kind != Person.Kind.COUNCILLOR]
        return [
            SummaryRow("Role of the Council", role),
            SummaryRow(f"Councillors ({len(councillors)})", "None", councillors),
            SummaryRow(f"Officers ({len(officers)})", "None", officers),
        ]


class CorporatePlan(Section):
    slug = "corporate_plan"
    title = "Contribution to the Corporate Plan"
    heading = "Contribution of the partnership towards the Council's Corporate Plan"
    caption = "Section 2: details of the partnership"
    form_class = forms.CorporatePlanForm
    template_name = "register/sections/fields.html"

    def save(self, page, user):
        page.form.instance.corporate_priorities.set(page.form.cleaned_data["corporate_priorities"])

    def summary(self, p):
        priorities = [str(priority) for priority in p.corporate_priorities.all()]
        return [
            SummaryRow("Corporate Plan priorities", "None selected", priorities),
            SummaryRow("How it contributes", p.corporate_plan_contribution or NOT_GIVEN),
        ]


class Partners(Section):
    slug = "partners"
    title = "Partners and lead organisation"
    heading = "Other partners and the organisation leading the partnership"
    caption = "Section 2: details of the partnership"
    rowsets = (
        RowSet(
            "partners",
            forms.PartnerRows,
            "Partners",
            "partner",
            hint="List every other organisation in the partnership and say which one leads it.",
        ),
    )
    template_name = "register/sections/partners.html"

    def summary(self, p):
        partners = [
            f"{partner.organisation.name} ({partner.organisation.get_sector_display()})"
            + (" – leads the partnership" if partner.is_lead else "")
            for partner in p.partners.all()
        ]
        return [
            SummaryRow(
                "Organisation leading the partnership", p.lead_organisation_name or NOT_GIVEN
            ),
            SummaryRow(f"Other partners ({len(partners)})", "None", partners),
        ]


class Resources(Section):
    slug = "resources"
    title = "Resources committed"
    heading = "Resources committed to the partnership"
    caption = "Section 2: details of the partnership"
    rowsets = (
        RowSet(
            "financial_contributions",
            forms.FinancialContributionRows,
            "Financial",
            "financial contribution",
            hint="How much and in what form: for example, a grant or a diversion of existing "
            "budgets.",
        ),
        RowSet(
            "officer_time",
            forms.OfficerTimeRows,
            "Officer resource",
            "officer",
            hint="Who, and an estimate of their time.",
        ),
        RowSet(
            "in_kind_contributions",
            forms.InKindContributionRows,
            "Other, including in kind",
            "in-kind contribution",
            hint="Such as administrative support, office accommodation, postage, photocopying, "
            "printing or equipment such as computers.",
        ),
    )
    template_name = "register/sections/rows.html"
    intro_template_name = "register/sections/resource_totals.html"

    def summary(self, p):
        financial = [
            f"{_money(c.amount)} {c.get_form_display().lower()}"
            + (f" ({c.form_other})" if c.form_other else "")
            + f", {financial_year_label(c.financial_year)}, "
            + ("budgeted" if c.is_budgeted else "not budgeted")
            for c in p.financial_contributions.all()
        ]
        officer_time = [
            f"{t.person.name}: {t.hours_per_month} hours a month" for t in p.officer_time.all()
        ]
        in_kind = [
            f"{c.get_kind_display()}"
            + (f" ({c.description})" if c.description else "")
            + f": {_money(c.estimated_value)} a year"
            for c in p.in_kind_contributions.all()
        ]
        return [
            SummaryRow("Financial", "None", financial),
            SummaryRow("Officer resource", "None", officer_time),
            SummaryRow("Other, including in kind", "None", in_kind),
        ]


class Risk(Section):
    slug = "risk"
    title = "Risk assessment"
    heading = "Risk assessment"
    caption = "Section 3: risk assessment"
    form_class = forms.RiskForm
    template_name = "register/sections/risk.html"

    def summary(self, p):
        rows = [
            SummaryRow("Does the partnership have a risk register?", _yes_no(p.has_risk_register))
        ]
        if p.has_risk_register is False:
            rows.append(SummaryRow("Why not", p.no_risk_register_reason or NOT_GIVEN))
        rows.append(SummaryRow("Who is responsible for managing risk", p.risk_manager or NOT_GIVEN))
        return rows


class Checklist(Section):
    slug = "checklist"
    title = "Points to consider when setting up a partnership"
    heading = "Points to consider when setting up a partnership"
    caption = "Appendix 1"
    hint = (
        "Answer each point for this partnership. Not all of them will be relevant to every "
        "partnership: answer Not applicable where a point does not apply."
    )
    form_class = forms.ChecklistForm
    template_name = "register/sections/checklist.html"

    def form_kwargs(self, partnership):
        return {"answers": self.answers(partnership)}

    @staticmethod
    def answers(partnership):
        """The partnership's answers to every point in use, adding any point added since."""
        missing = _missing_considerations(partnership)
        if missing:
            ChecklistAnswer.objects.bulk_create(
                [ChecklistAnswer(partnership=partnership, consideration=c) for c in missing],
                ignore_conflicts=True,
            )
        return (
            partnership.checklist_answers.filter(consideration__is_active=True)
            .select_related("consideration")
            .order_by("consideration__position", "consideration__pk")
        )

    def save(self, page, user):
        changed = page.form.changed_answers()
        if changed:
            ChecklistAnswer.objects.bulk_update(changed, ["answer", "notes"])

    def summary(self, p):
        return [
            SummaryRow(answer.consideration.question, _answer_text(answer))
            for answer in p.checklist_answers.all()
            if answer.consideration.is_active
        ]


def _answer_text(answer):
    text = answer.get_answer_display() or "Not answered"
    return f"{text}: {answer.notes}" if answer.notes else text


def _missing_considerations(partnership):
    if not partnership.is_draft_like:
        return []
    return list(
        ChecklistConsideration.objects.filter(is_active=True).exclude(
            answers__partnership=partnership
        )
    )


class Documents(Section):
    slug = "documents"
    title = "Governing document and other documents"
    heading = "Governing document and other documents"
    caption = "Appendix 1: written agreement or governing document"
    form_class = forms.DocumentsForm
    template_name = "register/sections/documents.html"
    intro_template_name = "register/sections/document_list.html"
    multipart = True

    def build(self, partnership, data=None, files=None):
        page = super().build(partnership, data, files)
        page.upload = forms.DocumentUploadForm(data, files)
        return page

    def save(self, page, user):
        upload = page.upload
        if upload.has_changed():
            document = upload.save(commit=False)
            document.partnership = page.form.instance
            document.uploaded_by = user
            document.save()

    def summary(self, p):
        documents = [
            f"{d.title} ({d.get_document_type_display().lower()}"
            + (f", {_date(d.document_date)}" if d.document_date else "")
            + ")"
            for d in p.documents.all()
            if not d.is_archived
        ]
        return [
            SummaryRow("Governing document", p.get_governing_document_type_display() or NOT_GIVEN),
            SummaryRow("Date of governing document", _date(p.governing_document_date)),
            SummaryRow(f"Documents uploaded ({len(documents)})", "None", documents),
        ]


class Evaluation(Section):
    slug = "evaluation"
    title = "Evaluation"
    heading = "Evaluation of the partnership"
    caption = "Evaluation"
    hint = (
        "Assess the risks and rewards to the Council and local communities, and whether the "
        "benefits are likely to justify the costs of membership."
    )
    form_class = forms.EvaluationForm
    template_name = "register/sections/fields.html"

    def summary(self, p):
        form_fields = forms.EvaluationForm.base_fields
        rows = [
            SummaryRow(str(form_fields[name].label), getattr(p, name) or NOT_GIVEN)
            for name in forms.EvaluationForm._meta.fields
            if name not in {"benefits_justify_costs", "benefits_notes"}
        ]
        rows.append(
            SummaryRow(
                "Do the benefits justify the costs?",
                p.get_benefits_justify_costs_display() or NOT_GIVEN,
            )
        )
        rows.append(SummaryRow("Why", p.benefits_notes or NOT_GIVEN))
        return rows


SECTIONS = [
    AboutYou(),
    PartnershipDetails(),
    CouncilRole(),
    CorporatePlan(),
    Partners(),
    Resources(),
    Risk(),
    Checklist(),
    Documents(),
    Evaluation(),
]
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def next_section(section):
    """The section after this one, or None after the last."""
    index = SECTIONS.index(section)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


def summary_queryset():
    """Partnerships with every row the summaries read, each kind in one query."""
    return (
        Partnership.objects.with_significance()
        .with_related()
        .prefetch_related(
            "corporate_priorities",
            Prefetch("representations", queryset=Representation.objects.select_related("person")),
            Prefetch(
                "partners", queryset=PartnershipPartner.objects.select_related("organisation")
            ),
            "financial_contributions",
            Prefetch("officer_time", queryset=OfficerTime.objects.select_related("person")),
            "in_kind_contributions",
            Prefetch(
                "checklist_answers",
                queryset=ChecklistAnswer.objects.select_related("consideration"),
            ),
            Prefetch("documents", queryset=Document.objects.all()),
        )
    )
