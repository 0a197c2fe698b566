"""Realistic demo records for the register, used by `manage.py seed_demo`.

Every partnership is taken through the same workflow functions the app uses (start, submit,
decide), so its status history, decisions and audit trail look as they would in real use.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from register import services
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    CorporatePriority,
    Directorate,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Representation,
)
from reviews.demo import take_through_review

PRIORITIES = [
    (
        "A thriving town centre and local economy",
        "Jobs, investment and a busy, attractive town centre.",
    ),
    (
        "Safe and clean neighbourhoods",
        "Less crime and anti-social behaviour; clean streets and parks.",
    ),
    ("Quality housing for all", "Enough good, affordable homes and an end to rough sleeping."),
    (
        "Healthy and active communities",
        "Residents who live longer, healthier and more active lives.",
    ),
    ("A greener borough", "Net zero by 2040, more recycling and protected green spaces."),
    ("A well-run council", "Value for money, good customer service and sound governance."),
]

ORGANISATIONS = [
    ("Exampleshire County Council", "public"),
    ("Exampleshire Police", "public"),
    ("Exampleshire Fire and Rescue Service", "public"),
    ("Exampleshire Integrated Care Board", "public"),
    ("Exampleshire NHS Foundation Trust", "public"),
    ("University of Exampleshire", "public"),
    ("Exampleshire College", "public"),
    ("Department for Work and Pensions (local office)", "public"),
    ("Riverside Housing Association", "voluntary"),
    ("Exampleshire Citizens Advice", "voluntary"),
    ("Exampleshire Community Foundation", "voluntary"),
    ("Age Concern Exampleshire", "voluntary"),
    ("Exampleshire Wildlife Trust", "voluntary"),
    ("St Peter's Food Bank", "community"),
    ("Eastfield Residents' Association", "community"),
    ("Town Centre Business Improvement District", "private"),
    ("Exampleshire Chamber of Commerce", "private"),
    ("GreenWay Recycling Ltd", "private"),
    ("Exampleshire Bus Company", "private"),
    ("Neighbouring District Council", "public"),
]

COUNCILLORS = [
    "Margaret Ellis",
    "Tom Baker",
    "Aisha Rahman",
    "Gareth Jones",
    "Priya Shah",
    "David Wilson",
    "Helen Carter",
    "Kwame Mensah",
]

# name, purpose, directorate, council role, partners (the first leads unless the council does),
# yearly money (0 for none), material service delivery
PARTNERSHIPS = [
    (
        "Community Safety Partnership",
        "The statutory partnership that reduces crime, disorder and anti-social behaviour in the borough.",
        "Environment and Neighbourhoods",
        "lead",
        [1, 2, 3, 9],
        85000,
        True,
    ),
    (
        "Homelessness Prevention Forum",
        "Partners working together to prevent homelessness and end rough sleeping.",
        "Housing and Wellbeing",
        "lead",
        [8, 9, 13],
        120000,
        True,
    ),
    (
        "Health and Wellbeing Board (district)",
        "Joint planning to improve residents' health and reduce health inequalities.",
        "Housing and Wellbeing",
        "representative",
        [3, 4, 11],
        0,
        False,
    ),
    (
        "Town Centre Partnership",
        "Bringing businesses and public bodies together to revive the town centre.",
        "Planning and Regeneration",
        "lead",
        [15, 16, 0],
        150000,
        False,
    ),
    (
        "Waste Partnership",
        "Local authorities working together to reduce the environmental and financial impact of domestic and commercial waste.",
        "Environment and Neighbourhoods",
        "representative",
        [0, 19, 17],
        240000,
        True,
    ),
    (
        "Local Enterprise Network",
        "Supporting start-ups and small firms to grow and create jobs.",
        "Planning and Regeneration",
        "representative",
        [16, 5, 6],
        30000,
        False,
    ),
    (
        "Domestic Abuse Partnership Board",
        "Co-ordinating support for victims of domestic abuse and their children.",
        "Customers and Communities",
        "representative",
        [0, 1, 4],
        45000,
        False,
    ),
    (
        "Warm Homes Partnership",
        "Insulating homes and cutting fuel poverty.",
        "Housing and Wellbeing",
        "lead",
        [8, 11],
        60000,
        False,
    ),
    (
        "Green Spaces Alliance",
        "Improving parks and nature reserves with volunteers.",
        "Environment and Neighbourhoods",
        "representative",
        [12, 14],
        12000,
        False,
    ),
    (
        "Financial Inclusion Network",
        "Debt advice, benefits take-up and affordable credit for residents.",
        "Customers and Communities",
        "lead",
        [9, 7, 13],
        40000,
        False,
    ),
    (
        "Skills and Employment Board",
        "Matching local training to local jobs.",
        "Planning and Regeneration",
        "representative",
        [6, 7, 16],
        25000,
        False,
    ),
    (
        "Active Communities Partnership",
        "Getting inactive residents moving through sport and leisure.",
        "Housing and Wellbeing",
        "representative",
        [3, 10],
        18000,
        False,
    ),
    (
        "Flood Resilience Group",
        "Planning for and responding to flooding with neighbouring authorities.",
        "Environment and Neighbourhoods",
        "representative",
        [0, 2, 19],
        15000,
        True,
    ),
    (
        "Older People's Forum",
        "Making the borough a good place to grow old.",
        "Customers and Communities",
        "other",
        [11, 4],
        5000,
        False,
    ),
    (
        "Youth Services Partnership",
        "Youth clubs, outreach and positive activities for young people.",
        "Customers and Communities",
        "lead",
        [1, 6, 10],
        70000,
        False,
    ),
    (
        "Affordable Housing Delivery Partnership",
        "Building new affordable homes on council and partner land.",
        "Housing and Wellbeing",
        "lead",
        [8, 0],
        500000,
        True,
    ),
    (
        "Digital Inclusion Partnership",
        "Devices, data and skills so every resident can get online.",
        "Customers and Communities",
        "representative",
        [6, 9, 10],
        20000,
        False,
    ),
    (
        "Local Transport Forum",
        "Better buses, cycling and walking routes.",
        "Planning and Regeneration",
        "representative",
        [0, 18],
        10000,
        False,
    ),
    (
        "Climate Action Partnership",
        "A shared plan to reach net zero by 2040.",
        "Environment and Neighbourhoods",
        "lead",
        [5, 12, 17],
        95000,
        False,
    ),
    (
        "Family Hubs Network",
        "Joined-up early help for families with young children.",
        "Customers and Communities",
        "representative",
        [0, 3, 4],
        35000,
        True,
    ),
    (
        "Armed Forces Covenant Group",
        "Fair treatment for serving personnel, veterans and their families.",
        "Chief Executive's Office",
        "representative",
        [0, 7],
        0,
        False,
    ),
    (
        "Cultural Partnership",
        "Festivals, heritage and the arts in the town centre.",
        "Planning and Regeneration",
        "lead",
        [15, 10, 5],
        55000,
        False,
    ),
    (
        "Tenancy Sustainment Partnership",
        "Helping tenants keep their homes.",
        "Housing and Wellbeing",
        "representative",
        [8, 9],
        22000,
        False,
    ),
    (
        "Anti-Social Behaviour Action Group",
        "Case management for persistent anti-social behaviour.",
        "Environment and Neighbourhoods",
        "representative",
        [1, 8, 14],
        8000,
        False,
    ),
    (
        "Business Rates Pool",
        "Pooling business rates growth across the county.",
        "Finance and Resources",
        "representative",
        [0, 19],
        300000,
        True,
    ),
    (
        "Shared Internal Audit Service Board",
        "Overseeing the shared internal audit service.",
        "Finance and Resources",
        "representative",
        [19, 0],
        110000,
        True,
    ),
    (
        "Procurement Collaboration Group",
        "Joint buying to save money for local public bodies.",
        "Finance and Resources",
        "other",
        [0, 19, 2],
        0,
        False,
    ),
    (
        "Mental Health Alliance",
        "Community support for residents' mental health.",
        "Housing and Wellbeing",
        "representative",
        [3, 4, 11],
        28000,
        False,
    ),
    (
        "Food Poverty Network",
        "Food banks, community fridges and holiday meals.",
        "Customers and Communities",
        "lead",
        [13, 10, 9],
        16000,
        False,
    ),
    (
        "Heritage Action Zone",
        "Restoring historic buildings in the conservation area.",
        "Planning and Regeneration",
        "lead",
        [15, 16],
        180000,
        False,
    ),
    (
        "Tree Planting Partnership",
        "Planting 10,000 trees across the borough.",
        "Environment and Neighbourhoods",
        "representative",
        [12, 14],
        9000,
        False,
    ),
    (
        "Emergency Planning Forum",
        "The local resilience arrangements for major incidents.",
        "Chief Executive's Office",
        "representative",
        [0, 1, 2, 3],
        6000,
        True,
    ),
    (
        "Community Cohesion Network",
        "Bringing communities together and tackling hate crime.",
        "Customers and Communities",
        "lead",
        [1, 10, 14],
        14000,
        False,
    ),
    (
        "Student Community Partnership",
        "Good relations between students and residents.",
        "Customers and Communities",
        "representative",
        [5, 14],
        3000,
        False,
    ),
    (
        "Empty Homes Partnership",
        "Bringing empty homes back into use.",
        "Housing and Wellbeing",
        "lead",
        [8],
        42000,
        False,
    ),
    (
        "Fly-tipping Task Group",
        "Preventing and clearing fly-tipping with landowners and police.",
        "Environment and Neighbourhoods",
        "lead",
        [1, 17],
        11000,
        False,
    ),
    (
        "Apprenticeships Partnership",
        "More apprenticeships with local employers.",
        "Finance and Resources",
        "representative",
        [6, 16],
        7000,
        False,
    ),
    (
        "Social Prescribing Partnership",
        "Linking GP patients to community activities.",
        "Housing and Wellbeing",
        "representative",
        [3, 11, 10],
        19000,
        False,
    ),
    (
        "Night-time Economy Group",
        "A safe and vibrant evening economy.",
        "Planning and Regeneration",
        "representative",
        [1, 15],
        13000,
        False,
    ),
    (
        "Carers' Support Partnership",
        "Support, breaks and advice for unpaid carers.",
        "Customers and Communities",
        "other",
        [0, 11],
        9500,
        False,
    ),
    (
        "Electric Vehicle Charging Consortium",
        "Public charge points across the county.",
        "Environment and Neighbourhoods",
        "representative",
        [0, 19, 18],
        75000,
        False,
    ),
    (
        "Council Tax Support Collaboration",
        "Shared approach to council tax support and recovery.",
        "Finance and Resources",
        "representative",
        [19, 9],
        0,
        False,
    ),
    (
        "Rough Sleeping Outreach Project",
        "Street outreach and routes off the streets.",
        "Housing and Wellbeing",
        "lead",
        [13, 3],
        65000,
        False,
    ),
    (
        "River Corridor Improvement Partnership",
        "Cleaner rivers and riverside paths.",
        "Environment and Neighbourhoods",
        "representative",
        [12, 0],
        27000,
        False,
    ),
]

# How the demo partnerships are spread over the lifecycle: (status, how many).
LIFECYCLE = [
    (Partnership.Status.ACTIVE, 22),
    (Partnership.Status.DRAFT, 5),
    (Partnership.Status.SUBMITTED, 5),
    (Partnership.Status.RETURNED, 3),
    (Partnership.Status.REJECTED, 2),
    (Partnership.Status.UNDER_REVIEW, 3),
    (Partnership.Status.EXITING, 2),
    (Partnership.Status.CLOSED, 2),
]


def _officers():
    return {
        u.username: u
        for u in User.objects.filter(
            username__in=["officer", "sponsor", "democratic", "approver", "readonly"]
        )
    }


def seed_register(stdout=None):
    """Create the demo register once; a second run finds it there and changes nothing."""
    if Partnership.objects.filter(name=PARTNERSHIPS[0][0]).exists():
        return 0
    rng = random.Random(2026)
    today = timezone.localdate()
    users = _officers()
    officer, sponsor, democratic, approver = (
        users["officer"],
        users["sponsor"],
        users["democratic"],
        users["approver"],
    )

    priorities = []
    for position, (name, description) in enumerate(PRIORITIES, start=1):
        priorities.append(
            CorporatePriority.objects.get_or_create(
                name=name, defaults={"description": description, "position": position}
            )[0]
        )
    organisations = [
        Organisation.objects.get_or_create(name=name, defaults={"sector": sector})[0]
        for name, sector in ORGANISATIONS
    ]
    councillors = [
        Person.objects.get_or_create(
            name=name,
            kind=Person.Kind.COUNCILLOR,
            defaults={"email": f"cllr.{name.split()[-1].lower()}@example.gov.uk"},
        )[0]
        for name in COUNCILLORS
    ]
    officer_person = Person.for_user(officer)
    sponsor_person = Person.for_user(sponsor)
    directorates = {d.name: d for d in Directorate.objects.all()}

    statuses = [status for status, count in LIFECYCLE for _ in range(count)]
    for index, (row, status) in enumerate(zip(PARTNERSHIPS, statuses, strict=False)):
        name, purpose, directorate, role, partner_ids, money, material = row
        author = officer if index % 3 != 2 else sponsor
        started = today - timedelta(days=rng.randint(200, 2400))
        partnership = services.start_registration(author=author, name=name)
        Partnership.objects.filter(pk=partnership.pk).update(
            created_at=timezone.now() - timedelta(days=(today - started).days + 30)
        )
        partnership.refresh_from_db()
        partnership.purpose = purpose
        partnership.directorate = directorates[directorate]
        partnership.sponsoring_officer = sponsor
        partnership.monitoring_officer = officer if index % 2 else sponsor
        partnership.council_role = role
        partnership.council_role_other = (
            "Observer with advisory role" if role == Partnership.CouncilRole.OTHER else ""
        )
        partnership.material_service_delivery = material
        partnership.is_confidential = index % 17 == 5
        partnership.start_date = started
        partnership.end_date = started + timedelta(days=365 * 5) if index % 4 == 0 else None
        partnership.completed_by_role = "Manager" if author == officer else "Sponsor"
        partnership.corporate_plan_contribution = (
            f"Contributes directly to the Corporate Plan aim: {priorities[index % 6].name.lower()}."
        )
        partnership.has_risk_register = index % 9 != 4
        partnership.no_risk_register_reason = (
            "" if partnership.has_risk_register else "The lead partner keeps the only register."
        )
        partnership.risk_manager = "The partnership board, through its risk lead"
        partnership.governing_document_type = rng.choice(
            [c for c, _ in Partnership.GoverningDocument.choices if c != "none_yet"]
        )
        partnership.governing_document_date = started - timedelta(days=30)
        partnership.evaluation_risks_rewards = "Shared risk, with clear rewards for residents."
        partnership.evaluation_legal = "Legal Services have reviewed the agreement."
        partnership.benefits_justify_costs = Partnership.Benefit.YES
        partnership.benefits_notes = "Outcomes the council could not achieve alone."
        partnership.save()
        partnership.corporate_priorities.add(priorities[index % 6], priorities[(index + 2) % 6])

        lead_partner = role != Partnership.CouncilRole.LEAD
        for position, org_index in enumerate(partner_ids):
            PartnershipPartner.objects.create(
                partnership=partnership,
                organisation=organisations[org_index],
                is_lead=lead_partner and position == 0,
            )
        Representation.objects.create(
            partnership=partnership,
            person=councillors[index % len(councillors)],
            role=Representation.Role.REPRESENTATIVE,
            appointed_from=started,
        )
        Representation.objects.create(
            partnership=partnership,
            person=councillors[(index + 3) % len(councillors)],
            role=Representation.Role.SUBSTITUTE,
            appointed_from=started,
        )
        Representation.objects.create(
            partnership=partnership,
            person=officer_person if index % 2 else sponsor_person,
            role=Representation.Role.MANAGER if index % 2 else Representation.Role.SPONSOR,
            appointed_from=started,
        )
        first_year = started.year if started.month >= 4 else started.year - 1
        if money:
            for year in range(first_year, first_year + 3):
                FinancialContribution.objects.create(
                    partnership=partnership,
                    amount=Decimal(money),
                    financial_year=year,
                    form=rng.choice(["grant", "pooled", "diversion"]),
                    is_budgeted=index % 7 != 3,
                )
        OfficerTime.objects.create(
            partnership=partnership,
            person=officer_person if index % 2 else sponsor_person,
            hours_per_month=Decimal(rng.choice([4, 8, 12, 16, 24])),
            financial_year=first_year,
        )
        if index % 3 == 0:
            InKindContribution.objects.create(
                partnership=partnership,
                kind=rng.choice(["admin_support", "accommodation", "printing"]),
                description="Meeting rooms and minute-taking",
                estimated_value=Decimal(rng.choice([1500, 2500, 4000])),
                financial_year=first_year,
            )
        ChecklistAnswer.objects.filter(partnership=partnership).update(answer="yes")
        if index % 5 == 1:
            ChecklistAnswer.objects.filter(
                partnership=partnership, consideration__section="delegated_powers"
            ).update(answer="no", notes="Delegations to be confirmed by Legal Services.")

        _move_to(
            partnership,
            status,
            index=index,
            rng=rng,
            today=today,
            author=author,
            democratic=democratic,
            approver=approver,
        )
    return len(statuses)


def _move_to(partnership, status, *, index, rng, today, author, democratic, approver):
    S = Partnership.Status
    if status == S.DRAFT:
        if index % 2:  # some drafts are only half done
            Partnership.objects.filter(pk=partnership.pk).update(
                risk_manager="", benefits_justify_costs=""
            )
            ChecklistAnswer.objects.filter(
                partnership=partnership, consideration__position__gt=10
            ).update(answer="")
        return
    services.submit(partnership=partnership, by=author)
    if status == S.SUBMITTED:
        return
    significant = Partnership.objects.with_significance().get(pk=partnership.pk).is_significant
    decided_on = today - timedelta(days=rng.randint(20, 700))
    if status == S.RETURNED:
        services.decide(
            partnership=partnership,
            by=democratic,
            decision="returned",
            decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
            decided_on=decided_on,
            reason="Please add the terms of reference and confirm the council's budget.",
        )
        return
    if status == S.REJECTED:
        services.decide(
            partnership=partnership,
            by=democratic,
            decision="rejected",
            decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
            decided_on=decided_on,
            reason="This is a contract for services, not a partnership under the protocol.",
        )
        return
    body = (
        rng.choice([ApprovalDecision.Body.CABINET, ApprovalDecision.Body.CHIEF_EXECUTIVE])
        if significant
        else ApprovalDecision.Body.DELEGATED_OFFICER
    )
    # Spread next review dates: some overdue, some due within 60 days, most later.
    decided_on = today - timedelta(days=[400, 330, 200, 100, 60][index % 5])
    services.decide(
        partnership=partnership,
        by=approver if significant else democratic,
        decision="approved",
        decision_body=body,
        decided_on=decided_on,
        decision_reference=f"{'Cabinet minute' if body == 'cabinet' else 'Decision'} "
        f"{index + 10}/{decided_on.year}",
    )
    partnership.refresh_from_db()
    if status in (S.UNDER_REVIEW, S.EXITING, S.CLOSED):
        # Through the annual review and exit workflow: a review in progress, a withdrawal with
        # its exit strategy under way, or an exit completed and the partnership closed.
        take_through_review(partnership, status, today=today)
