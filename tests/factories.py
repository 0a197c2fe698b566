from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from register.models import (
    ChecklistAnswer,
    ChecklistConsideration,
    CorporatePriority,
    Directorate,
    FinancialContribution,
    InKindContribution,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Profile,
    Representation,
)

TEST_PASSWORD = "a-long-test-password-1234"


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Directorate {n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ["user"]

    user = factory.SubFactory("tests.factories.UserFactory", profile=None)
    job_title = "Project Officer"
    directorate = factory.SubFactory(DirectorateFactory)
    phone_extension = factory.Sequence(lambda n: f"{4000 + n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A council user with a profile. UserFactory(role=roles.OFFICER, profile__directorate=d)."""

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.uk")
    password = factory.django.Password(TEST_PASSWORD)
    profile = factory.RelatedFactory(ProfileFactory, factory_related_name="user")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class CorporatePriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorporatePriority
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Corporate priority {n}")
    position = factory.Sequence(lambda n: n)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner Organisation {n}")
    sector = Organisation.Sector.PUBLIC


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Faker("name", locale="en_GB")
    kind = Person.Kind.OFFICER
    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership in the given status (draft by default), with no related rows.

    Use complete_partnership() for one that has everything a submission needs.
    """

    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Test Partnership {n}")
    purpose = "To work together on a shared outcome for residents."
    author = factory.SubFactory(UserFactory)
    directorate = factory.LazyAttribute(lambda p: p.author.profile.directorate)
    status = Partnership.Status.DRAFT
    council_role = Partnership.CouncilRole.REPRESENTATIVE
    start_date = factory.LazyFunction(lambda: date(2026, 4, 1))
    completed_by_role = "Manager"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipPartner

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class RepresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representation

    partnership = factory.SubFactory(PartnershipFactory)
    person = factory.SubFactory(PersonFactory)
    role = Representation.Role.REPRESENTATIVE


class FinancialContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialContribution

    partnership = factory.SubFactory(PartnershipFactory)
    amount = Decimal("25000.00")
    form = FinancialContribution.Form.GRANT
    financial_year = 2026


class InKindContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InKindContribution

    partnership = factory.SubFactory(PartnershipFactory)
    kind = InKindContribution.Kind.ACCOMMODATION
    estimated_value = Decimal("3000.00")


def complete_partnership(**kwargs):
    """A draft with everything missing_for_submission() asks for, ready to submit."""
    partnership = PartnershipFactory(
        sponsoring_officer=kwargs.pop("sponsoring_officer", None) or UserFactory(),
        monitoring_officer=kwargs.pop("monitoring_officer", None) or UserFactory(),
        has_risk_register=True,
        risk_manager="The partnership board",
        governing_document_type=Partnership.GoverningDocument.MOU,
        benefits_justify_costs=Partnership.Benefit.YES,
        **kwargs,
    )
    partnership.corporate_priorities.add(CorporatePriorityFactory())
    RepresentationFactory(partnership=partnership)
    PartnerFactory(partnership=partnership, is_lead=True)
    FinancialContributionFactory(partnership=partnership)
    for consideration in ChecklistConsideration.objects.filter(is_active=True):
        ChecklistAnswer.objects.update_or_create(
            partnership=partnership,
            consideration=consideration,
            defaults={"answer": ChecklistAnswer.Answer.YES},
        )
    return partnership


# Annual reviews and exits (reviews/) ----------------------------------------------------------


def active_partnership(*, approved_on=date(2025, 6, 1), next_review_due=None, **kwargs):
    """A complete partnership, approved and active, its first review due a year after approval."""
    from partnerships_site.dates import add_years
    from register.models import StatusChange

    partnership = complete_partnership(
        status=Partnership.Status.ACTIVE,
        approved_on=approved_on,
        next_review_due=next_review_due or add_years(approved_on, 1),
        **kwargs,
    )
    StatusChange.objects.create(
        partnership=partnership,
        from_status=Partnership.Status.SUBMITTED,
        to_status=Partnership.Status.ACTIVE,
        changed_by=partnership.author,
        reason="Approved.",
    )
    return partnership


class ExitActionFactory(factory.django.DjangoModelFactory):
    """An exit action in a given exit strategy: ExitActionFactory(strategy=strategy)."""

    class Meta:
        model = "reviews.ExitAction"

    description = factory.Sequence(lambda n: f"Exit action {n}")
    owner = factory.SubFactory(PersonFactory)
    due_date = factory.LazyFunction(lambda: date(2026, 12, 31))


# Risk registers (risks/) ----------------------------------------------------------------------


class RiskFactory(factory.django.DjangoModelFactory):
    """An open risk on an active partnership, scored inherent 4x5, actual 3x4, residual 2x3.

    The reference (R1, R2...) is issued on save; set scores as, e.g., actual_likelihood=4.
    """

    class Meta:
        model = "risks.Risk"

    partnership = factory.SubFactory(PartnershipFactory, status=Partnership.Status.ACTIVE)
    title = factory.Sequence(lambda n: f"Risk {n}")
    cause = "Partners' budgets are under pressure."
    event = "A partner withdraws its funding."
    impact = "The service to residents is cut back."
    category = "financial"
    owner = factory.SubFactory(PersonFactory)
    inherent_likelihood = 4
    inherent_impact = 5
    actual_likelihood = 3
    actual_impact = 4
    residual_likelihood = 2
    residual_impact = 3
    raised_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    next_review_due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ControlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Control"

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Control {n}: quarterly budget monitoring")
    owner = factory.SubFactory(PersonFactory)
    status = "in_progress"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Action"

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Action {n}: agree a funding plan")
    owner = factory.SubFactory(PersonFactory)
    estimated_completion = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    status = "not_started"


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Escalation"

    risk = factory.SubFactory(RiskFactory)
    reported_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    board_meeting = "Partnership Board, 12 January 2027"
    board_response = "accepted"
    recorded_by = factory.SubFactory(UserFactory)
