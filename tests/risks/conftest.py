import pytest

from register.models import Partnership, Person
from risks.models import ImpactLevel, LikelihoodLevel, RiskMatrix, ScoreBand
from tests.factories import PartnershipFactory, PersonFactory, UserFactory

# A council's own 4 x 4 matrix, unlike the seeded 5 x 5 in every way: three bands with other
# names, boundaries, colours and cadences, and a lower threshold for the board.
FOUR_BY_FOUR_BANDS = [
    ("Tolerable", 1, 3, "#005ea5", "#ffffff", 9),
    ("Significant", 4, 8, "#912b88", "#ffffff", 2),
    ("Severe", 9, 16, "#0b0c0c", "#ffffff", 1),
]


@pytest.fixture
def four_by_four(db):
    """Reconfigure the risk matrix as a 4 x 4 with three bands and a board threshold of 9."""
    matrix = RiskMatrix.current()
    matrix.size = 4
    matrix.escalation_threshold = 9
    matrix.save()
    ScoreBand.objects.all().delete()
    for position, (name, low, high, colour, text, months) in enumerate(FOUR_BY_FOUR_BANDS):
        ScoreBand.objects.create(
            name=name,
            min_score=low,
            max_score=high,
            colour=colour,
            text_colour=text,
            review_cadence_months=months,
            position=position,
        )
    for model, labels in [
        (LikelihoodLevel, ["Remote", "Possible", "Probable", "Expected"]),
        (ImpactLevel, ["Slight", "Material", "Serious", "Grave"]),
    ]:
        for value, label in enumerate(labels, start=1):
            model.objects.update_or_create(value=value, defaults={"label": label})
    return matrix


@pytest.fixture
def partnership(sponsor):
    """An active partnership whose sponsoring officer is the `sponsor` user."""
    return PartnershipFactory(
        name="Homelessness Prevention Forum",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=sponsor,
    )


@pytest.fixture
def owner_user(db):
    """A council officer who owns risks and actions, linked to their person record."""
    return UserFactory(username="riskowner", first_name="Rita", last_name="Owens")


@pytest.fixture
def owner(owner_user):
    return PersonFactory(name="Rita Owens", user=owner_user, job_title="Housing Manager")


@pytest.fixture
def person(db):
    return Person.objects.create(name="Ahmed Khan", job_title="Finance Business Partner")
