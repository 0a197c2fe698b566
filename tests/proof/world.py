"""A small, complete world for whole-product proofs: every URL pattern can be filled with a real id.

Two directorates, A and B. In each, partnerships in every stage of the lifecycle (draft,
submitted, active, under review, exiting, closed), with risks, controls, actions, annual reviews,
exit strategies, exit actions and documents. In directorate A the `officer` wrote them and the
`sponsor` sponsors them; in B another officer wrote them and another sponsor sponsors them. The
other roles (Democratic Services, an Approver, a Read-only user) belong to neither.

    world = build_world(media_root)
    world.users["officer"], world.partnerships["A active"], world.targets["A active R1"]

`targets` names the records a URL can be filled with, each as the URL's keyword arguments.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from register import roles
from register.models import Document, Partnership, Person, StatusChange
from reviews.models import AnnualReview, ExitAction, ExitStrategy
from risks.models import Action, Risk
from tests.factories import (
    ActionFactory,
    ControlFactory,
    DirectorateFactory,
    ExitActionFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
    complete_partnership,
)

# The roles the proofs check, in the order their columns appear in expectation tables.
ROLES = [
    "anonymous",
    "officer",
    "other_officer",
    "sponsor",
    "democratic_services",
    "approver",
    "read_only",
]

STATUSES = ["draft", "submitted", "active", "under review", "exiting", "closed"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    partnerships: dict[str, Partnership] = field(default_factory=dict)
    risks: dict[str, Risk] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    reviews: dict[str, AnnualReview] = field(default_factory=dict)
    strategies: dict[str, ExitStrategy] = field(default_factory=dict)
    exit_actions: dict[str, ExitAction] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    targets: dict[str, dict] = field(default_factory=dict)
    admin_ids: dict[str, str] = field(default_factory=dict)


def _users(world):
    a = DirectorateFactory(name="Housing and Wellbeing")
    b = DirectorateFactory(name="Planning and Regeneration")
    world.users = {
        "officer": UserFactory(
            username="officer", role=roles.OFFICER, profile__directorate=a, first_name="Olive"
        ),
        "other_officer": UserFactory(
            username="other_officer", role=roles.OFFICER, profile__directorate=b
        ),
        "sponsor": UserFactory(
            username="sponsor", role=roles.SPONSORING_OFFICER, profile__directorate=a
        ),
        "other_sponsor": UserFactory(
            username="other_sponsor", role=roles.SPONSORING_OFFICER, profile__directorate=b
        ),
        "democratic_services": UserFactory(
            username="democratic",
            role=roles.DEMOCRATIC_SERVICES,
            is_staff=True,
            profile__directorate=DirectorateFactory(name="Chief Executive's Office"),
        ),
        "approver": UserFactory(username="approver", role=roles.APPROVER),
        "read_only": UserFactory(username="readonly", role=roles.READ_ONLY, is_staff=True),
    }


def _partnership(side, status, author, sponsor):
    name = f"{side} {status} partnership"
    if status == "draft":
        # Incomplete, as most drafts are: submitting it is refused with the gaps listed.
        return PartnershipFactory(name=name, author=author, sponsoring_officer=sponsor)
    db_status = {
        "submitted": Partnership.Status.SUBMITTED,
        "active": Partnership.Status.ACTIVE,
        "under review": Partnership.Status.UNDER_REVIEW,
        "exiting": Partnership.Status.EXITING,
        "closed": Partnership.Status.CLOSED,
    }[status]
    extra = {}
    if status != "submitted":
        extra = {"approved_on": date(2025, 6, 1), "next_review_due": date(2026, 6, 1)}
    if status == "closed":
        extra["closed_on"] = date(2026, 9, 30)
    partnership = complete_partnership(
        name=name, author=author, sponsoring_officer=sponsor, status=db_status, **extra
    )
    StatusChange.objects.create(
        partnership=partnership,
        from_status=Partnership.Status.DRAFT,
        to_status=db_status,
        changed_by=author,
        reason="Set up for the proof.",
    )
    return partnership


def _completed_review(partnership, reviewer, outcome=AnnualReview.Outcome.CONTINUE):
    return AnnualReview.objects.create(
        partnership=partnership,
        status=AnnualReview.Status.COMPLETED,
        period_start=date(2025, 6, 1),
        period_end=date(2026, 5, 31),
        reviewer=reviewer,
        review_date=date(2026, 6, 1),
        performance="Delivered what it agreed.",
        outcome=outcome,
        outcome_reasons="The partnership still serves the Corporate Plan.",
        agreed_by="Cabinet",
        agreed_on=date(2026, 6, 1),
        completed_at=timezone.now() - timedelta(days=30),
        completed_by=reviewer,
    )


def _exit_strategy(partnership, review, by, *, completed):
    extra = {}
    if completed:
        extra = {
            "status": ExitStrategy.Status.COMPLETED,
            "exit_type": ExitStrategy.ExitType.PLANNED,
            "intended_exit_date": date(2026, 9, 30),
            "signed_off_by": "Head of Service",
            "signed_off_on": date(2026, 9, 30),
            "completed_at": timezone.now() - timedelta(days=10),
            "completed_by": by,
        }
    return ExitStrategy.objects.create(partnership=partnership, review=review, **extra)


def _document(partnership, by, title):
    document = Document(
        partnership=partnership,
        document_type=Document.Type.TERMS_OF_REFERENCE,
        title=title,
        uploaded_by=by,
    )
    document.file.save(f"{title.lower().replace(' ', '-')}.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


def _side(world, side, author, sponsor):
    """One directorate's partnerships and everything hanging off them."""
    owner = PersonFactory(name=f"{side} risk owner")
    for status in STATUSES:
        world.partnerships[f"{side} {status}"] = _partnership(side, status, author, sponsor)
    p = world.partnerships
    world.documents[f"{side} draft"] = _document(p[f"{side} draft"], author, f"{side} draft terms")
    world.documents[f"{side} active"] = _document(
        p[f"{side} active"], author, f"{side} active terms"
    )

    risk = RiskFactory(partnership=p[f"{side} active"], owner=owner, title=f"{side} funding risk")
    ControlFactory(risk=risk, owner=owner)
    world.risks[f"{side} active R1"] = risk
    world.actions[f"{side} active R1"] = ActionFactory(risk=risk, owner=owner)
    world.risks[f"{side} draft R1"] = RiskFactory(
        partnership=p[f"{side} draft"], owner=owner, title=f"{side} draft risk"
    )
    world.actions[f"{side} draft R1"] = ActionFactory(
        risk=world.risks[f"{side} draft R1"], owner=owner
    )

    world.reviews[f"{side} active completed"] = _completed_review(p[f"{side} active"], sponsor)
    world.reviews[f"{side} under review draft"] = AnnualReview.objects.create(
        partnership=p[f"{side} under review"],
        period_start=date(2025, 6, 1),
        period_end=date(2026, 5, 31),
        reviewer=sponsor,
        review_date=date(2026, 6, 1),
    )
    for status, completed in [("exiting", False), ("closed", True)]:
        partnership = p[f"{side} {status}"]
        review = _completed_review(partnership, sponsor, AnnualReview.Outcome.WITHDRAW)
        world.reviews[f"{side} {status} completed"] = review
        strategy = _exit_strategy(partnership, review, sponsor, completed=completed)
        world.strategies[f"{side} {status}"] = strategy
        world.exit_actions[f"{side} {status}"] = ExitActionFactory(
            strategy=strategy,
            owner=owner,
            **({"status": "complete", "completed_on": date(2026, 9, 1)} if completed else {}),
        )


def _targets(world):
    """Each record a URL can name, as the URL's keyword arguments."""
    p, t = world.partnerships, {}
    for name, partnership in p.items():
        t[name] = {"reference": partnership.reference}
    for name, document in world.documents.items():
        t[f"{name} document"] = {"reference": document.partnership.reference, "pk": document.pk}
    for name, risk in world.risks.items():
        t[name] = {"reference": risk.partnership.reference, "risk": risk.reference}
        t[f"{name} action"] = {**t[name], "action": world.actions[name].pk}
    for name, review in world.reviews.items():
        t[f"{name} review"] = {"reference": review.partnership.reference, "pk": review.pk}
    for name, action in world.exit_actions.items():
        t[f"{name} exit action"] = {"reference": action.strategy.partnership.reference}
        t[f"{name} exit action"]["pk"] = action.pk

    # Someone else's record named under the wrong partnership: the classic guessed-id attack.
    a_active = p["A active"].reference
    t["B draft document under A active"] = {
        "reference": a_active,
        "pk": world.documents["B draft"].pk,
    }
    t["B draft document under A draft"] = {
        "reference": p["A draft"].reference,
        "pk": world.documents["B draft"].pk,
    }
    t["B active document under A active"] = {
        "reference": a_active,
        "pk": world.documents["B active"].pk,
    }
    extra_risk = RiskFactory(partnership=p["B active"], title="B active second risk")
    t["B active R2 under A active"] = {"reference": a_active, "risk": extra_risk.reference}
    t["B draft R1 action under A active R1"] = {
        **t["A active R1"],
        "action": world.actions["B draft R1"].pk,
    }
    t["B active R1 action under A active R1"] = {
        **t["A active R1"],
        "action": world.actions["B active R1"].pk,
    }
    t["B active completed review under A active"] = {
        "reference": a_active,
        "pk": world.reviews["B active completed"].pk,
    }
    t["B under review draft review under A under review"] = {
        "reference": p["A under review"].reference,
        "pk": world.reviews["B under review draft"].pk,
    }
    t["B exiting exit action under A exiting"] = {
        "reference": p["A exiting"].reference,
        "pk": world.exit_actions["B exiting"].pk,
    }
    t["B closed exit action under A exiting"] = {
        "reference": p["A exiting"].reference,
        "pk": world.exit_actions["B closed"].pk,
    }
    t["no such partnership"] = {"reference": "P-1999-999"}
    world.targets = t


def admin_ids(world):
    """For each model in admin, the id of a row (B's) for its change, history and delete URLs."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.apps import apps

    from register.models import ReferenceCounter, SignificanceThreshold
    from reviews.models import NextReviewDateChange
    from risks.models import RiskMatrix

    p = world.partnerships
    change = NextReviewDateChange.objects.create(
        partnership=p["B active"],
        from_date=date(2026, 6, 1),
        to_date=date(2026, 8, 1),
        reason="The board meets in July.",
        changed_by=world.users["democratic_services"],
    )
    seen = {
        "user_agent": "Proof",
        "ip_address": "192.0.2.1",
        "username": "other_officer",
        "http_accept": "text/html",
        "path_info": "/sign-in/",
    }
    event_model = apps.get_model("register", "PartnershipEvent")
    rows = {
        "axes.accesslog": AccessLog.objects.create(**seen),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**seen),
        "auth.group": world.users["officer"].groups.get(),
        "auth.user": world.users["other_officer"],
        "axes.accessattempt": AccessAttempt.objects.create(**seen, failures_since_start=1),
        "register.partnership": p["B draft"],
        "register.organisation": p["B active"].partners.get().organisation,
        "register.person": Person.objects.filter(name="B risk owner").get(),
        "register.directorate": world.users["other_officer"].profile.directorate,
        "register.corporatepriority": p["B active"].corporate_priorities.get(),
        "register.checklistconsideration": p["B active"].checklist_answers.first().consideration,
        "register.significancethreshold": SignificanceThreshold.objects.first(),
        "register.referencecounter": ReferenceCounter.objects.first(),
        "risks.riskmatrix": RiskMatrix.current(),
        "risks.risk": world.risks["B active R1"],
        "reviews.annualreview": world.reviews["B under review draft"],
        "reviews.exitstrategy": world.strategies["B exiting"],
        "reviews.nextreviewdatechange": change,
    }
    ids = {label: str(row.pk) for label, row in rows.items()}
    # The audit trail's rows are named by event model and number.
    event = event_model.objects.filter(pgh_obj=p["B draft"]).earliest("pgh_id")
    ids["pghistory.events"] = f"{event_model._meta.label}:{event.pgh_id}"
    return ids


def build_world():
    """Build the world. Set settings.MEDIA_ROOT to a temporary folder first: documents are saved."""
    world = World()
    _users(world)
    u = world.users
    _side(world, "A", u["officer"], u["sponsor"])
    _side(world, "B", u["other_officer"], u["other_sponsor"])
    _targets(world)
    world.admin_ids = admin_ids(world)
    world.targets["view on site: B active"] = {
        "content_type_id": ContentType.objects.get_for_model(Partnership).pk,
        "object_id": world.partnerships["B active"].pk,
    }
    return world
