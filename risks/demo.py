"""Realistic demo risk registers for the demo partnerships, used by `manage.py seed_demo`.

Risks go through the same service functions as the pages (save_risk, record_review), so their
references, review dates and audit history look as they would in real use. Between them they
fall in every band, and some have overdue reviews, overdue actions and reports to the board.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from partnerships_site.bulk import insert_rows
from register import roles
from register.demo import PARTNERSHIPS
from register.models import Partnership, Person
from risks import services
from risks.models import Action, Control, Escalation, Matrix, Risk, RiskReview
from risks.services import next_review_after

# title, category, cause, event, impact, (inherent, actual, residual) as (likelihood, impact),
# controls, actions
RISKS = [
    (
        "Partner funding withdrawn",
        Risk.Category.FINANCIAL,
        "Partners face their own budget pressures and review discretionary spending each year.",
        "A partner withdraws or cuts its contribution part-way through the year.",
        "The partnership cannot deliver its agreed outcomes; the council is asked to fill the gap.",
        ((5, 5), (4, 4), (2, 3)),
        ["Funding agreements signed for three years", "Quarterly budget monitoring at the board"],
        ["Agree a reserve policy with all partners", "Identify alternative external funding"],
    ),
    (
        "Safeguarding concern not passed on",
        Risk.Category.SAFEGUARDING,
        "Staff from several organisations work with the same vulnerable residents.",
        "A safeguarding concern seen by one partner is not shared with the others.",
        "Harm to a vulnerable resident, and serious reputational damage to every partner.",
        ((4, 5), (2, 5), (1, 5)),
        ["Joint safeguarding procedure", "Annual safeguarding training for front-line staff"],
        ["Audit a sample of referrals across partners"],
    ),
    (
        "Personal data shared without a lawful basis",
        Risk.Category.INFORMATION,
        "Case information is exchanged by email between partners.",
        "Personal data is shared beyond what the information sharing protocol allows.",
        "A data breach reported to the Information Commissioner, with possible fines.",
        ((4, 4), (3, 4), (1, 3)),
        ["Information sharing protocol signed by all partners"],
        ["Move case sharing to the secure shared portal", "Refresh data protection training"],
    ),
    (
        "Key partner leaves the partnership",
        Risk.Category.GOVERNANCE,
        "A partner's priorities change after a restructure or a change of leadership.",
        "The partner gives notice to leave the partnership.",
        "Gaps in delivery and in the partnership's decision-making.",
        ((3, 4), (3, 3), (2, 2)),
        ["Terms of reference set a six-month notice period"],
        ["Draft a succession plan for each partner's role"],
    ),
    (
        "Targets not met",
        Risk.Category.STRATEGIC,
        "The shared action plan is ambitious and depends on every partner's resources.",
        "The partnership misses the outcomes in its delivery plan.",
        "Residents do not see the improvement promised in the Corporate Plan.",
        ((4, 3), (3, 3), (2, 2)),
        ["Performance report to every board meeting"],
        ["Agree SMART targets for the coming year"],
    ),
    (
        "Procurement challenge",
        Risk.Category.LEGAL,
        "The partnership commissions services jointly under the lead partner's rules.",
        "An unsuccessful bidder challenges a contract award.",
        "Delay to the service, legal costs and possible damages.",
        ((3, 4), (2, 4), (1, 4)),
        ["Legal Services review every joint procurement"],
        [],
    ),
    (
        "Negative press coverage",
        Risk.Category.REPUTATIONAL,
        "Partners issue their own communications about shared work.",
        "Mixed or inaccurate messages reach the local media.",
        "Loss of public confidence in the partnership and the council.",
        ((3, 3), (2, 3), (1, 2)),
        ["Communications protocol naming the lead agency"],
        ["Agree a joint media holding statement"],
    ),
    (
        "Venue for the service lost",
        Risk.Category.OPERATIONAL,
        "The service runs from a partner-owned building on a short lease.",
        "The building becomes unavailable.",
        "The service closes until a new venue is found.",
        ((2, 4), (2, 3), (1, 2)),
        ["Lease renewal tracked by the lead partner"],
        ["Identify a back-up venue with the council's estates team"],
    ),
    (
        "Officer capacity stretched",
        Risk.Category.OPERATIONAL,
        "Council officers support the partnership alongside their main duties.",
        "Partnership tasks slip because officers are needed elsewhere.",
        "Late papers, missed deadlines and weaker council influence.",
        ((3, 2), (2, 2), (1, 2)),
        ["Officer time agreed in the registration form"],
        [],
    ),
    (
        "Minor records inaccuracy",
        Risk.Category.OTHER,
        "Membership and contact lists are kept by hand.",
        "A member's details are out of date.",
        "Papers go to the wrong person; small delays.",
        ((2, 2), (1, 2), (1, 1)),
        ["Secretariat checks the membership list each quarter"],
        [],
    ),
]

OWNER_PEOPLE = [
    ("Jane Whitfield", "Finance Business Partner"),
    ("Marcus Lee", "Information Governance Manager"),
    ("Sarah O'Neill", "Safeguarding Lead"),
]


def _fit(pair, size):
    return tuple(min(value, size) for value in pair)


def seed_risks():
    """Add risk registers to the live demo partnerships; a second run changes nothing.

    Returns how many risks were added.
    """
    demo_names = [row[0] for row in PARTNERSHIPS]
    partnerships = list(
        Partnership.objects.filter(
            name__in=demo_names,
            status__in=[
                Partnership.Status.ACTIVE,
                Partnership.Status.UNDER_REVIEW,
                Partnership.Status.EXITING,
            ],
        )
        .exclude(risks__isnull=False)
        .select_related("sponsoring_officer", "monitoring_officer")
        .order_by("reference")
    )
    if not partnerships:
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["officer", "sponsor"])}
    officer_person = Person.for_user(users["officer"]) if "officer" in users else None
    sponsor_person = Person.for_user(users["sponsor"]) if "sponsor" in users else None
    others = [
        Person.objects.get_or_create(
            name=name, kind=Person.Kind.OFFICER, defaults={"job_title": title}
        )[0]
        for name, title in OWNER_PEOPLE
    ]
    owners = [person for person in [sponsor_person, officer_person, *others] if person]
    reviewer = users.get("sponsor") or users.get("officer")
    matrix = Matrix.load()
    rng = random.Random(2027)
    today = timezone.localdate()
    added = 0

    for index, partnership in enumerate(partnerships):
        chosen = rng.sample(range(len(RISKS)), k=3 + index % 3)
        if index % 4 == 0 and 0 not in chosen:
            chosen[0] = 0  # every fourth partnership carries a very high risk
        for position, risk_index in enumerate(chosen):
            row = RISKS[risk_index]
            title, category, cause, event, impact, scores, controls, actions = row
            inherent, actual, residual = (_fit(pair, matrix.size) for pair in scores)
            if residual[0] * residual[1] > inherent[0] * inherent[1]:
                residual = (1, 1)
            raised_on = today - timedelta(days=rng.randint(60, 500))
            owner = owners[(index + position) % len(owners)]
            risk = Risk(
                partnership=partnership,
                title=title,
                category=category,
                cause=cause,
                event=event,
                impact=impact,
                owner=owner,
                raised_on=raised_on,
                inherent_likelihood=inherent[0],
                inherent_impact=inherent[1],
                actual_likelihood=actual[0],
                actual_impact=actual[1],
                residual_likelihood=residual[0],
                residual_impact=residual[1],
            )
            services.save_risk(risk=risk, matrix=matrix)
            added += 1
            for description in controls:
                Control.objects.create(
                    risk=risk,
                    description=description,
                    owner=owner,
                    status=Control.Status.COMPLETE,
                    completed_on=raised_on,
                )
            for number, description in enumerate(actions):
                due = raised_on + timedelta(days=90 + 60 * number + rng.randint(0, 200))
                done = due < today and rng.random() < 0.5
                Action.objects.create(
                    risk=risk,
                    description=description,
                    owner=officer_person if number == 0 and officer_person else owner,
                    estimated_completion=due,
                    status=Action.Status.COMPLETE if done else Action.Status.IN_PROGRESS,
                    completed_on=due if done else None,
                    progress_note="Done." if done else "Work under way with partners.",
                )
            # About half are reviewed recently; the rest keep the review date set when raised,
            # so some of those are overdue.
            if reviewer and (index + position) % 2 == 0:
                services.record_review(
                    risk=risk,
                    by=reviewer,
                    reviewed_on=max(raised_on, today - timedelta(days=rng.randint(0, 40))),
                    actual_likelihood=risk.actual_likelihood,
                    actual_impact=risk.actual_impact,
                    notes="Reviewed at the partnership's officer group; scores unchanged.",
                    matrix=matrix,
                )
            if matrix.is_flagged(risk.actual_likelihood * risk.actual_impact) and index % 2 == 0:
                meeting = max(raised_on, today - timedelta(days=30))
                Escalation.objects.create(
                    risk=risk,
                    reported_on=meeting,
                    board_meeting=f"{partnership.name} board, {meeting.day} {meeting:%B %Y}",
                    board_response=Escalation.Response.ACTION_DIRECTED,
                    note="The board asked for a funding plan at its next meeting.",
                    recorded_by=reviewer or partnership.author,
                )
    return added


# The large demo data set (`seed_demo --size large`): 100,000 risks ------------------------------

LARGE_RISKS = 100_000
RISK_STATUSES_WITH_REGISTERS = [
    Partnership.Status.ACTIVE,
    Partnership.Status.UNDER_REVIEW,
    Partnership.Status.EXITING,
    Partnership.Status.CLOSED,
]
BOARD_RESPONSES = [choice for choice, _ in Escalation.Response.choices]


def _large_scores(rng, size):
    """Inherent, actual and residual (likelihood, impact) pairs, varied across every band.

    Residual never exceeds inherent on either axis, so never in score; actual is usually between
    the two, and now and then above inherent, as happens when controls fail.
    """
    inherent = (rng.randint(1, size), rng.randint(1, size))
    if rng.random() < 0.03:
        actual = (min(size, inherent[0] + 1), inherent[1])
    else:
        actual = (rng.randint(1, inherent[0]), rng.randint(1, inherent[1]))
    residual = (
        rng.randint(1, min(actual[0], inherent[0])),
        rng.randint(1, min(actual[1], inherent[1])),
    )
    return inherent, actual, residual


def seed_large_risks(plans, officers):
    """100,000 risks spread over the large demo's approved partnerships that keep a register.

    Each has the reference (R1, R2...) and review date save_risk would give it; about half have
    controls, a third actions and reviews, and many of those high enough for the board have been
    reported to it. Returns how many risks were added.
    """
    rng = random.Random(100_000)
    today = timezone.localdate()
    matrix = Matrix.load()
    people = [user.demo_person for group in officers.values() for user in group]
    eligible = [
        plan
        for plan in plans
        if plan.status in RISK_STATUSES_WITH_REGISTERS and plan.partnership.has_risk_register
    ]
    # Between a handful and a few dozen risks each, adding up to exactly LARGE_RISKS.
    weights = [rng.uniform(0.3, 3.0) for _ in eligible]
    total = sum(weights)
    counts = [max(1, int(LARGE_RISKS * w / total)) for w in weights]
    for index in range(LARGE_RISKS - sum(counts)):
        counts[index % len(counts)] += 1

    def due_after(day, actual):
        return next_review_after(day, actual[0], actual[1], matrix)

    risks, reviews_for, mitigations = [], [], []
    for plan, count in zip(eligible, counts, strict=True):
        p = plan.partnership
        first_day = p.approved_on or timezone.localdate(p.created_at)
        last_day = plan.exited_on or today
        span = max(0, (last_day - first_day).days)
        sponsor_person = plan.sponsor.demo_person
        for number in range(1, count + 1):
            title, category, cause, event, impact, _, controls, actions = rng.choice(RISKS)
            inherent, actual, residual = _large_scores(rng, matrix.size)
            raised_on = first_day + timedelta(days=rng.randint(0, span))
            owner = sponsor_person if rng.random() < 0.4 else rng.choice(people)
            closes = rng.random() < (0.8 if plan.exited_on else 0.12)
            closed_on = (
                raised_on + timedelta(days=rng.randint(0, (last_day - raised_on).days))
                if closes
                else None
            )
            # Reviews: none for most, up to three for some, each setting the next due date.
            review_days = []
            if rng.random() < 0.3:
                until = closed_on or today
                for _ in range(rng.randint(1, 3)):
                    review_days.append(
                        raised_on + timedelta(days=rng.randint(0, (until - raised_on).days))
                    )
                review_days.sort()
            next_due = due_after(review_days[-1] if review_days else raised_on, actual)
            risk = Risk(
                partnership=p,
                reference=f"R{number}",
                title=title,
                category=category if rng.random() < 0.8 else rng.choice(Risk.Category.values),
                cause=cause,
                event=event,
                impact=impact,
                owner=owner,
                status=Risk.Status.CLOSED if closes else Risk.Status.OPEN,
                closed_reason="The risk has passed; the board agreed to close it."
                if closes
                else "",
                closed_on=closed_on,
                inherent_likelihood=inherent[0],
                inherent_impact=inherent[1],
                actual_likelihood=actual[0],
                actual_impact=actual[1],
                residual_likelihood=residual[0],
                residual_impact=residual[1],
                raised_on=raised_on,
                next_review_due=next_due,
                version=1 + len(review_days),
                created_at=_at(raised_on),
            )
            risks.append(risk)
            reviews_for.append((risk, review_days))
            if rng.random() < 0.5:
                for description in controls[: rng.randint(1, 2)]:
                    done = rng.random() < 0.7
                    mitigations.append(
                        Control(
                            risk=risk,
                            description=description,
                            owner=owner,
                            status=Control.Status.COMPLETE if done else Control.Status.IN_PROGRESS,
                            completed_on=raised_on if done else None,
                        )
                    )
            if actions and rng.random() < 0.35:
                for position, description in enumerate(actions):
                    due = raised_on + timedelta(days=60 + 90 * position + rng.randint(0, 300))
                    done = due < today and rng.random() < 0.6
                    mitigations.append(
                        Action(
                            risk=risk,
                            description=description,
                            owner=rng.choice(people) if position else owner,
                            estimated_completion=due,
                            status=Action.Status.COMPLETE
                            if done
                            else rng.choice([Action.Status.NOT_STARTED, Action.Status.IN_PROGRESS]),
                            completed_on=due if done else None,
                            progress_note="Done." if done else "Work under way with partners.",
                        )
                    )
    insert_rows(risks)

    reviews, escalations = [], []
    reviewers = officers[roles.SPONSORING_OFFICER]
    for risk, review_days in reviews_for:
        actual = (risk.actual_likelihood, risk.actual_impact)
        for position, day in enumerate(review_days):
            # Earlier reviews saw the risk a step higher; the last one set today's scores.
            last = position == len(review_days) - 1
            then = actual if last else (min(matrix.size, actual[0] + 1), actual[1])
            then = then if then[0] <= risk.inherent_likelihood else actual
            reviews.append(
                RiskReview(
                    risk=risk,
                    reviewed_on=day,
                    reviewer=rng.choice(reviewers),
                    inherent_likelihood=risk.inherent_likelihood,
                    inherent_impact=risk.inherent_impact,
                    actual_likelihood=then[0],
                    actual_impact=then[1],
                    residual_likelihood=risk.residual_likelihood,
                    residual_impact=risk.residual_impact,
                    notes="Reviewed at the partnership's officer group.",
                    next_review_due=due_after(day, then),
                    recorded_at=_at(day),
                )
            )
        if matrix.is_flagged(actual[0] * actual[1]) and rng.random() < 0.6:
            reported = risk.raised_on + timedelta(days=rng.randint(0, 60))
            reported = min(reported, risk.closed_on or today)
            escalations.append(
                Escalation(
                    risk=risk,
                    reported_on=reported,
                    board_meeting=f"{risk.partnership.name} board, {reported.day} {reported:%B %Y}",
                    board_response=rng.choice(BOARD_RESPONSES),
                    note="The board asked for an update at its next meeting.",
                    recorded_by=rng.choice(reviewers),
                    recorded_at=_at(reported),
                )
            )
    insert_rows(reviews)
    insert_rows(escalations)
    insert_rows([m for m in mitigations if isinstance(m, Control)])
    insert_rows([m for m in mitigations if isinstance(m, Action)])
    return len(risks)


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(11, 0)))
