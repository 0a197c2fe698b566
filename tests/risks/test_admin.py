"""Democratic Services keep risks and the risk matrix in admin; nothing is deleted there."""

import pytest
from django.urls import reverse

from risks.models import Matrix, Risk, RiskMatrix
from tests.factories import ActionFactory, ControlFactory, EscalationFactory, RiskFactory

pytestmark = pytest.mark.django_db


def matrix_post(matrix, **changes):
    """The risk matrix change form as admin shows it, with any changes."""
    data = {"size": matrix.size, "escalation_threshold": matrix.escalation_threshold}
    for prefix, rows in [
        ("likelihood_levels", matrix.likelihood_levels.order_by("value")),
        ("impact_levels", matrix.impact_levels.order_by("value")),
    ]:
        data.update(
            {f"{prefix}-TOTAL_FORMS": rows.count(), f"{prefix}-INITIAL_FORMS": rows.count()}
        )
        for index, level in enumerate(rows):
            data.update({
                f"{prefix}-{index}-id": level.pk, f"{prefix}-{index}-matrix": matrix.pk,
                f"{prefix}-{index}-value": level.value, f"{prefix}-{index}-label": level.label,
                f"{prefix}-{index}-description": level.description,
            })  # fmt: skip
    bands = matrix.bands.order_by("min_score")
    data.update({"bands-TOTAL_FORMS": bands.count(), "bands-INITIAL_FORMS": bands.count()})
    for index, band in enumerate(bands):
        for field in ["name", "min_score", "max_score", "colour", "text_colour",
                      "review_cadence_months", "position"]:  # fmt: skip
            data[f"bands-{index}-{field}"] = getattr(band, field)
        data.update({f"bands-{index}-id": band.pk, f"bands-{index}-matrix": matrix.pk})
    data.update(changes)
    return data


def test_the_admin_shows_risks_with_their_rows(democratic_client):
    risk = RiskFactory()
    ControlFactory(risk=risk)
    ActionFactory(risk=risk)
    EscalationFactory(risk=risk)
    assert democratic_client.get(reverse("admin:risks_risk_changelist")).status_code == 200
    response = democratic_client.get(reverse("admin:risks_risk_change", args=[risk.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Controls" in page and "Actions" in page and "Escalations" in page
    assert (
        democratic_client.get(reverse("admin:risks_risk_history", args=[risk.pk])).status_code
        == 200
    )


def test_nothing_is_deleted_in_admin(democratic_client):
    risk = RiskFactory()
    response = democratic_client.get(reverse("admin:risks_risk_delete", args=[risk.pk]))
    assert response.status_code == 403
    assert (
        democratic_client.get(reverse("admin:risks_riskmatrix_delete", args=[1])).status_code == 403
    )
    assert Risk.objects.exists()


def test_saving_a_risk_in_admin_moves_its_version_on(democratic_client):
    risk = RiskFactory(title="Old title")
    response = democratic_client.get(reverse("admin:risks_risk_change", args=[risk.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data.update(title="New title", raised_on=risk.raised_on.isoformat(),
                next_review_due=risk.next_review_due.isoformat())  # fmt: skip
    for prefix in ["controls", "actions", "reviews", "escalations"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = democratic_client.post(reverse("admin:risks_risk_change", args=[risk.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    risk.refresh_from_db()
    assert (risk.title, risk.version) == ("New title", 2)


def test_the_matrix_can_be_changed_in_admin(democratic_client):
    matrix = RiskMatrix.current()
    path = reverse("admin:risks_riskmatrix_change", args=[1])
    assert democratic_client.get(path).status_code == 200
    data = matrix_post(matrix, escalation_threshold=12, **{"bands-3-colour": "#942514"})
    response = democratic_client.post(path, data)
    assert response.status_code == 302
    loaded = Matrix.load()
    assert loaded.escalation_threshold == 12
    assert loaded.bands[3].colour == "#942514"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bands-1-min_score": 6}, "a band should start at 5, not 6"),
        ({"bands-3-max_score": 20}, "cover every score from 1 to 25; they end at 20"),
        ({"likelihood_levels-4-value": 4}, "Please correct the duplicate data for value."),
        ({"size": 6}, "Describe every likelihood level from 1 to 6; missing: 6."),
        ({"escalation_threshold": 30}, "The board threshold must be a score on the matrix."),
        ({"bands-0-text_colour": "#00703d"}, "contrasts only"),
    ],
)
def test_a_matrix_that_does_not_add_up_is_refused(democratic_client, changes, message):
    matrix, before = RiskMatrix.current(), Matrix.load()
    response = democratic_client.post(
        reverse("admin:risks_riskmatrix_change", args=[1]), matrix_post(matrix, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Matrix.load() == before


def test_read_only_users_see_but_cannot_change_the_matrix(read_only_client):
    path = reverse("admin:risks_riskmatrix_change", args=[1])
    response = read_only_client.get(path)
    assert response.status_code == 200
    assert read_only_client.post(path, matrix_post(RiskMatrix.current(), size=4)).status_code == 403
    assert RiskMatrix.current().size == 5
