"""The usual 5 x 5 risk matrix, seeded for a new installation.

Democratic Services and the risk management team edit all of it in admin afterwards: the size,
the wording of each level, the bands with their colours and review cadences, and the threshold
for reporting to the Partnership Board. Nothing here is read once the matrix exists.
"""

SIZE = 5
ESCALATION_THRESHOLD = 15

LIKELIHOOD = [
    (1, "Rare", "May happen only in exceptional circumstances."),
    (2, "Unlikely", "Could happen at some time, but is not expected to."),
    (3, "Possible", "Might happen at some time."),
    (4, "Likely", "Will probably happen in most circumstances."),
    (5, "Almost certain", "Is expected to happen in most circumstances."),
]

IMPACT = [
    (1, "Minimal", "Negligible effect on services, money, reputation or residents."),
    (2, "Minor", "Small, short-lived effect, handled within normal arrangements."),
    (3, "Moderate", "Noticeable effect on services or money; some local attention."),
    (4, "Major", "Serious disruption, significant cost or regional attention."),
    (
        5,
        "Critical",
        "Failure of the partnership or a key service, harm to people, or national attention.",
    ),
]

# name, lowest score, highest score, colour, text colour, review every (months)
BANDS = [
    ("Low", 1, 4, "#00703c", "#ffffff", 12),
    ("Medium", 5, 9, "#ffdd00", "#0b0c0c", 6),
    ("High", 10, 15, "#f47738", "#0b0c0c", 3),
    ("Very high", 16, 25, "#d4351c", "#ffffff", 1),
]


def seed_default_matrix(risk_matrix, likelihood_level, impact_level, score_band, using="default"):
    """Create the default matrix, its levels and bands, unless a matrix already exists.

    Takes the model classes, so a data migration can pass its historical models.
    """
    if risk_matrix.objects.using(using).exists():
        return False
    matrix = risk_matrix.objects.using(using).create(
        pk=1, size=SIZE, escalation_threshold=ESCALATION_THRESHOLD
    )
    for model, levels in [(likelihood_level, LIKELIHOOD), (impact_level, IMPACT)]:
        model.objects.using(using).bulk_create(
            model(matrix=matrix, value=value, label=label, description=description)
            for value, label, description in levels
        )
    score_band.objects.using(using).bulk_create(
        score_band(
            matrix=matrix,
            name=name,
            min_score=low,
            max_score=high,
            colour=colour,
            text_colour=text,
            review_cadence_months=months,
            position=position,
        )
        for position, (name, low, high, colour, text, months) in enumerate(BANDS, start=1)
    )
    return True


def seed_after_migrate(sender, using="default", **kwargs):
    """Seed the default matrix after migrate or a flush (as between transactional tests)."""
    from risks.models import ImpactLevel, LikelihoodLevel, RiskMatrix, ScoreBand

    seed_default_matrix(RiskMatrix, LikelihoodLevel, ImpactLevel, ScoreBand, using=using)
