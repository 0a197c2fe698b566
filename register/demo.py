"""Realistic demo records for the register, used by `manage.py seed_demo`.

Every partnership is taken through the same workflow functions the app uses (start, submit,
decide), so its status history, decisions and audit trail look as they would in real use.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from partnerships_site.bulk import insert_rows
from partnerships_site.dates import add_years
from register import roles, services
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    ChecklistConsideration,
    CorporatePriority,
    Directorate,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Profile,
    ReferenceCounter,
    Representation,
    SignificanceThreshold,
    StatusChange,
    current_financial_year,
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


# The large demo data set (`seed_demo --size large`) ---------------------------------------------
#
# 10,000 partnerships and 200 officers on top of the small demo, for benchmarks and the restore
# drill. Rows are built in memory and written in bulk (insert_rows): taking each partnership
# through the services would take hours. The values are the ones the services would have written
# (references from the same yearly counters, Section 1 from the author's profile, approval bodies
# by significance, review dates a year on), and the database's constraints and history triggers
# check and record every row as usual.

LARGE_PARTNERSHIPS = 10_000
LARGE_OFFICERS = 200
BATCH = 2_000

FIRST_NAMES = "Aisha Alan Amelia Amir Anna Ben Bethan Callum Chloe Chidi Claire Connor Daniel Deepa Eleanor Emma Faisal Fiona George Grace Hannah Harry Imran Isla Jack James Jasmine Joanne Jonathan Karen Kate Kieran Laura Leon Lucy Mark Maria Matthew Megan Mohammed Nadia Naomi Neil Nina Oliver Omar Paul Rachel Rhys Rosa Ruth Ryan Sam Sophie Stephen Tariq Tom Victoria Wei Zara".split()  # noqa: SIM905 - data, one line
LAST_NAMES = "Abbott Ahmed Akhtar Allen Bailey Banks Bennett Brown Campbell Chen Clarke Cooper Davies Dixon Edwards Evans Fisher Foster Green Griffiths Hall Harris Hussain Hughes Jackson James Jenkins Johnson Kaur Khan King Lewis Lloyd Martin Mitchell Moore Morgan Murphy Nowak Owen Parker Patel Phillips Price Reid Roberts Robinson Scott Shah Singh Smith Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wright Young".split()  # noqa: SIM905 - data, one line
PLACES = "Abbeyfield Ashby Barton Bramley Brookside Castlegate Churchill Eastfield Elmwood Fairview Greenacres Hartley Highfield Holmwood Kingsmead Lakeside Longford Marshside Meadowbank Millbrook Newtown Northgate Oakley Oldbury Parkside Priory Riverside Rowley Stannington Southfield Stonebridge Thornbury Upton Westbrook Whitmore Willowdene Woodlands Ashcroft Hollybank Moorside".split()  # noqa: SIM905 - data, one line
THEMES = [
    "Community Safety Group",
    "Health and Wellbeing Partnership",
    "Homelessness Forum",
    "Regeneration Board",
    "Business Improvement Partnership",
    "Youth Partnership",
    "Older People's Network",
    "Food Partnership",
    "Green Spaces Group",
    "Flood Resilience Group",
    "Skills Partnership",
    "Family Hubs Network",
    "Warm Homes Scheme",
    "Active Travel Partnership",
    "Cultural Partnership",
    "Digital Inclusion Network",
    "Tenancy Support Partnership",
    "Anti-Social Behaviour Group",
    "Carers' Network",
    "Climate Action Group",
    "Employment Support Partnership",
    "Heritage Trust Partnership",
    "Mental Health Alliance",
    "Neighbourhood Forum",
    "Play Partnership",
]
ORGANISATION_KINDS = [
    ("Community Trust", "community"),
    ("Residents' Association", "community"),
    ("Community Centre", "community"),
    ("Housing Association", "voluntary"),
    ("Food Bank", "voluntary"),
    ("Youth Club", "voluntary"),
    ("Credit Union", "voluntary"),
    ("Primary Care Network", "public"),
    ("Academy Trust", "public"),
    ("Parish Council", "public"),
    ("Business Forum", "private"),
    ("Developments Ltd", "private"),
    ("Training Ltd", "private"),
]
# Role, how many of the 200, job titles, staff?
LARGE_ROLES = [
    (
        roles.OFFICER,
        130,
        ["Project Officer", "Policy Officer", "Community Development Officer", "Team Leader"],
        False,
    ),
    (
        roles.SPONSORING_OFFICER,
        40,
        ["Head of Service", "Service Manager", "Assistant Director"],
        False,
    ),
    (roles.DEMOCRATIC_SERVICES, 10, ["Democratic Services Officer"], True),
    (roles.APPROVER, 10, ["Director", "Deputy Chief Executive"], False),
    (roles.READ_ONLY, 10, ["Auditor", "Risk Management Officer", "Scrutiny Officer"], True),
]
# How the large demo's partnerships are spread over the lifecycle, in percent.
LARGE_LIFECYCLE = [
    (Partnership.Status.ACTIVE, 55),
    (Partnership.Status.DRAFT, 8),
    (Partnership.Status.SUBMITTED, 6),
    (Partnership.Status.RETURNED, 4),
    (Partnership.Status.REJECTED, 3),
    (Partnership.Status.UNDER_REVIEW, 8),
    (Partnership.Status.EXITING, 6),
    (Partnership.Status.CLOSED, 10),
]


@dataclass
class PlannedPartnership:
    """One large-demo partnership and the dates of the steps it went through."""

    partnership: Partnership
    sponsor: User
    priority_ids: list
    decided_on: date | None = None
    reviews: list = field(default_factory=list)  # dates "continue" was agreed at annual reviews
    review_started: date | None = None  # the review in progress (under review)
    withdrawn_on: date | None = None  # the withdrawal agreed at the last review
    exited_on: date | None = None  # the exit completed (closed)
    significant: bool = False

    @property
    def status(self):
        return self.partnership.status


def at(day, hour=10):
    """An aware datetime during the working day on `day`."""
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def large_officer_usernames():
    """The 200 large-demo officers' usernames, the same on every run."""
    rng = random.Random(200)
    names, seen = [], set()
    while len(names) < LARGE_OFFICERS:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first}.{last}".lower().replace("'", "")
        if username not in seen:
            seen.add(username)
            names.append((username, first, last))
    return names


def large_demo_exists():
    usernames = [username for username, _, _ in large_officer_usernames()]
    return Partnership.objects.filter(author__username__in=usernames).count() >= LARGE_PARTNERSHIPS


def seed_large_officers(password):
    """200 officers across the directorates and roles, each with a profile and a person record.

    Returns the users by role, each with its profile and person attached.
    """
    directorates = list(Directorate.objects.order_by("name"))
    groups = {group.name: group for group in Group.objects.filter(name__in=roles.ALL_ROLES)}
    rng = random.Random(201)
    names = iter(large_officer_usernames())
    users, profiles, memberships = [], [], []
    for role, count, _titles, staff in LARGE_ROLES:
        for _ in range(count):
            username, first, last = next(names)
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.gov.uk",
                is_staff=staff,
                password=password or make_password(None),
            )
            user.role = role
            users.append(user)
    User.objects.bulk_create(users, batch_size=BATCH)
    for index, user in enumerate(users):
        memberships.append(User.groups.through(user_id=user.pk, group_id=groups[user.role].pk))
        titles = next(t for r, _, t, _ in LARGE_ROLES if r == user.role)
        profiles.append(
            Profile(
                user=user,
                job_title=rng.choice(titles),
                directorate=directorates[index % len(directorates)],
                phone_extension=str(rng.randint(2000, 6999)),
                digest_frequency=rng.choice(["daily", "daily", "weekly", "off"]),
            )
        )
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
    Profile.objects.bulk_create(profiles, batch_size=BATCH)
    people = Person.objects.bulk_create(
        [
            Person(
                user=user,
                name=user.get_full_name(),
                kind=Person.Kind.OFFICER,
                job_title=user.profile.job_title,
                email=user.email,
            )
            for user in users
        ],
        batch_size=BATCH,
    )
    by_role = {role: [] for role in roles.ALL_ROLES}
    for user, person in zip(users, people, strict=True):
        user.demo_person = person
        by_role[user.role].append(user)
    return by_role


def _reserve_references(year, count):
    """Take `count` partnership numbers for `year` from the same counter the app uses."""
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + %s "
            "RETURNING last_number",
            [year, count, count],
        )
        last = cursor.fetchone()[0]
    return [f"P-{year}-{number:03d}" for number in range(last - count + 1, last + 1)]


def _plan_dates(plan, rng, today, created):
    """Choose when each step happened, from registration to today, for the plan's status."""
    S = Partnership.Status
    p = plan.partnership
    status = p.status
    if status == S.DRAFT:
        return
    age = (today - created).days
    submitted = created + timedelta(days=rng.randint(3, 30))
    p.submitted_at = at(submitted, 14)
    if status == S.SUBMITTED:
        return
    plan.decided_on = min(today, submitted + timedelta(days=rng.randint(10, 60)))
    if status in (S.RETURNED, S.REJECTED):
        return
    decided = plan.decided_on
    p.approved_on = decided
    if status == S.CLOSED:
        last_day = decided + timedelta(days=rng.randint(300, max(301, (today - decided).days - 60)))
        plan.exited_on = min(today, last_day + timedelta(days=rng.randint(60, 240)))
        plan.withdrawn_on = plan.exited_on - timedelta(days=rng.randint(60, 120))
        end = plan.withdrawn_on
    elif status == S.EXITING:
        plan.withdrawn_on = today - timedelta(days=rng.randint(10, min(200, age - 120)))
        end = plan.withdrawn_on
    else:
        end = today
    # Annual reviews a year apart; about one in eight lapses, so its review is overdue.
    lapses = status == S.ACTIVE and rng.random() < 0.12
    last = decided
    while add_years(last, 1) < end - timedelta(days=45):
        agreed = add_years(last, 1) - timedelta(days=rng.randint(0, 28))
        if lapses and rng.random() < 0.5:
            break
        plan.reviews.append(agreed)
        last = agreed
    if status == S.UNDER_REVIEW:
        plan.review_started = max(
            last + timedelta(days=1), today - timedelta(days=rng.randint(1, 45))
        )
    if status in (S.ACTIVE, S.UNDER_REVIEW):
        p.next_review_due = add_years(last, 1)
    if status == S.CLOSED:
        p.closed_on = plan.exited_on
        if p.end_date is None or p.end_date < p.start_date:
            p.end_date = plan.exited_on


def seed_large_register(officers):
    """10,000 partnerships in every state of the lifecycle, with all that the form records.

    Returns the plans, which the risk and review seeds build on.
    """
    S = Partnership.Status
    rng = random.Random(10_000)
    today = timezone.localdate()
    priorities = list(CorporatePriority.objects.filter(is_active=True))
    threshold = SignificanceThreshold.current()
    councillors = list(Person.objects.filter(kind=Person.Kind.COUNCILLOR))
    councillors += Person.objects.bulk_create(
        [
            Person(
                name=f"{first} {last}",
                kind=Person.Kind.COUNCILLOR,
                email=f"cllr.{first}.{last}@example.gov.uk".lower(),
            )
            for first, last in zip(FIRST_NAMES[::-1], LAST_NAMES[5:45], strict=False)
        ]
    )
    existing = set(Organisation.objects.values_list("name", flat=True))
    new_organisations = []
    for place in PLACES:
        for kind, sector in rng.sample(ORGANISATION_KINDS, 7):
            name = f"{place} {kind}"
            if name not in existing:
                new_organisations.append(Organisation(name=name, sector=sector))
    Organisation.objects.bulk_create(new_organisations, batch_size=BATCH)
    organisations = list(Organisation.objects.all())

    authors = officers[roles.OFFICER] + officers[roles.SPONSORING_OFFICER]
    sponsors = officers[roles.SPONSORING_OFFICER]
    statuses = [status for status, percent in LARGE_LIFECYCLE for _ in range(percent)]

    plans = []
    for index in range(LARGE_PARTNERSHIPS):
        status = rng.choice(statuses)
        if status == S.DRAFT:
            created = today - timedelta(days=rng.randint(0, 300))
        elif status == S.SUBMITTED:
            created = today - timedelta(days=rng.randint(35, 200))
        else:
            created = today - timedelta(days=rng.randint(400, 3300))
        author = rng.choice(authors)
        sponsor = rng.choice(sponsors)
        profile = author.profile
        start = created + timedelta(days=rng.randint(-60, 90))
        role = rng.choice(["lead", "lead", "representative", "representative", "other"])
        has_register = status != S.DRAFT or rng.random() < 0.5
        p = Partnership(
            status=status,
            author=author,
            completed_by_name=author.get_full_name(),
            completed_by_title=profile.job_title,
            completed_by_directorate=str(profile.directorate or ""),
            completed_by_extension=profile.phone_extension,
            completed_by_role=rng.choice(["Manager", "Representative", "Sponsor", "Lead officer"]),
            name=f"{PLACES[index % len(PLACES)]} {THEMES[(index // len(PLACES)) % len(THEMES)]}"
            + (f" ({created.year})" if index >= len(PLACES) * len(THEMES) else ""),
            purpose="Partners working together on shared outcomes for residents, under agreed "
            "terms of reference.",
            directorate=profile.directorate,
            sponsoring_officer=sponsor,
            monitoring_officer=rng.choice([author, sponsor]),
            council_role=role,
            council_role_other="Observer with an advisory role" if role == "other" else "",
            corporate_plan_contribution="Contributes to the Corporate Plan through shared work.",
            material_service_delivery=rng.random() < 0.15,
            is_confidential=rng.random() < 0.05,
            start_date=start,
            end_date=start + timedelta(days=365 * rng.randint(2, 6))
            if rng.random() < 0.3
            else None,
            governing_document_type=rng.choice(
                [c for c, _ in Partnership.GoverningDocument.choices if c != "none_yet"]
            ),
            governing_document_date=start - timedelta(days=30),
            has_risk_register=(rng.random() < 0.93) if has_register else None,
            risk_manager="The partnership board, through its risk lead",
            evaluation_risks_rewards="Shared risk, with clear rewards for residents.",
            evaluation_legal="Legal Services have reviewed the agreement.",
            benefits_justify_costs=rng.choice(["yes", "yes", "yes", "not_sure"]),
            benefits_notes="Outcomes the council could not achieve alone.",
            created_at=at(created, 9),
        )
        if p.has_risk_register is False:
            p.no_risk_register_reason = "The lead partner keeps the only register."
        plan = PlannedPartnership(
            partnership=p,
            sponsor=sponsor,
            priority_ids=[c.pk for c in rng.sample(priorities, rng.randint(1, 3))],
        )
        _plan_dates(plan, rng, today, created)
        plans.append(plan)

    # References in the year each was registered, from the app's own counters.
    by_year = {}
    for plan in plans:
        by_year.setdefault(plan.partnership.created_at.year, []).append(plan.partnership)
    for year, partnerships in sorted(by_year.items()):
        partnerships.sort(key=lambda p: p.created_at)
        for p, reference in zip(
            partnerships, _reserve_references(year, len(partnerships)), strict=True
        ):
            p.reference = reference

    # Resources first: significance depends on them, and the approval body on significance.
    money, time_given, in_kind = [], [], []
    for plan in plans:
        p = plan.partnership
        first_year = current_financial_year(p.start_date)
        yearly = {}
        if rng.random() < 0.7:
            amount = Decimal(rng.choice([2, 5, 8, 12, 20, 35, 50, 80, 120, 250, 600]) * 1000)
            for year in range(first_year, first_year + rng.randint(1, 3)):
                money.append(
                    FinancialContribution(
                        partnership=p,
                        amount=amount,
                        financial_year=year,
                        form=rng.choice(["grant", "pooled", "diversion"]),
                        is_budgeted=rng.random() < 0.85,
                    )
                )
                yearly[year] = amount
        time_given.append(
            OfficerTime(
                partnership=p,
                person=plan.sponsor.demo_person if rng.random() < 0.5 else p.author.demo_person,
                hours_per_month=Decimal(rng.choice([2, 4, 8, 12, 16, 24])),
                financial_year=first_year,
            )
        )
        if rng.random() < 0.3:
            in_kind.append(
                InKindContribution(
                    partnership=p,
                    kind=rng.choice(["admin_support", "accommodation", "printing", "equipment"]),
                    description="Meeting rooms and minute-taking",
                    estimated_value=Decimal(rng.choice([500, 1500, 2500, 4000])),
                    financial_year=first_year,
                )
            )
        plan.significant = (
            max(yearly.values(), default=Decimal("0")) >= threshold.annual_financial_commitment
        ) or (p.material_service_delivery and threshold.material_service_delivery)

    _plan_versions(plans)
    insert_rows([plan.partnership for plan in plans])
    insert_rows(money)
    insert_rows(time_given)
    insert_rows(in_kind)

    through = Partnership.corporate_priorities.through
    links, partners, representations = [], [], []
    for plan in plans:
        p = plan.partnership
        links += [through(partnership_id=p.pk, corporatepriority_id=pk) for pk in plan.priority_ids]
        lead_partner = p.council_role != Partnership.CouncilRole.LEAD
        for position, organisation in enumerate(rng.sample(organisations, rng.randint(1, 4))):
            partners.append(
                PartnershipPartner(
                    partnership=p, organisation=organisation, is_lead=lead_partner and position == 0
                )
            )
        first, second = rng.sample(councillors, 2)
        representations += [
            Representation(
                partnership=p, person=first, role="representative", appointed_from=p.start_date
            ),
            Representation(
                partnership=p, person=second, role="substitute", appointed_from=p.start_date
            ),
            Representation(
                partnership=p,
                person=p.monitoring_officer.demo_person,
                role="manager",
                appointed_from=p.start_date,
            ),
        ]
    insert_rows(links)
    insert_rows(partners)
    insert_rows(representations)
    _seed_large_checklists([plan.partnership.pk for plan in plans])
    _seed_large_decisions(plans, officers, rng)
    return plans


def _seed_large_checklists(partnership_ids):
    """Every partnership's answer to each set-up consideration, in one statement.

    A quarter of a million rows: built in SQL rather than Python. Most answers are yes, some no
    (with a note) or not applicable; about half the drafts are answered only up to point 10.
    """
    answers = ChecklistAnswer._meta.db_table
    partnerships = Partnership._meta.db_table
    considerations = ChecklistConsideration._meta.db_table
    # Table names come from the models, never from input.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {answers} (partnership_id, consideration_id, answer, notes)
            SELECT p.id, c.id, a.answer,
                   CASE WHEN a.answer = 'no' THEN 'To be confirmed by Legal Services.' ELSE '' END
            FROM {partnerships} p
            CROSS JOIN {considerations} c
            CROSS JOIN LATERAL (
                SELECT CASE
                    WHEN p.status = 'draft' AND p.id %% 2 = 0 AND c.position > 10 THEN ''
                    WHEN (p.id * 31 + c.id * 17) %% 20 = 0 THEN 'no'
                    WHEN (p.id * 31 + c.id * 17) %% 20 < 3 THEN 'na'
                    ELSE 'yes'
                END AS answer
            ) a
            WHERE p.id = ANY(%s) AND c.is_active
            """,  # noqa: S608
            [partnership_ids],
        )


def _plan_versions(plans):
    """Each partnership's version: one more for every step the services save it through."""
    S = Partnership.Status
    for plan in plans:
        p = plan.partnership
        steps = 0
        if p.status != S.DRAFT:
            steps += 1  # submitted
        if plan.decided_on:
            steps += 1  # decided
        steps += 2 * len(plan.reviews)  # each review started and completed
        if plan.review_started:
            steps += 1
        if plan.withdrawn_on:
            steps += 2  # the last review started, and completed with a withdrawal
        if plan.exited_on:
            steps += 1
        p.version = 1 + steps


def _seed_large_decisions(plans, officers, rng):
    """The registration steps' status changes, and the decisions on submitted registrations."""
    S = Partnership.Status
    Body = ApprovalDecision.Body
    democratic = officers[roles.DEMOCRATIC_SERVICES]
    approvers = officers[roles.APPROVER]
    changes, decisions = [], []
    for plan in plans:
        p = plan.partnership
        changes.append(
            StatusChange(
                partnership=p,
                from_status="",
                to_status=S.DRAFT,
                changed_by=p.author,
                changed_at=p.created_at,
            )
        )
        if p.status == S.DRAFT:
            continue
        changes.append(
            StatusChange(
                partnership=p,
                from_status=S.DRAFT,
                to_status=S.SUBMITTED,
                changed_by=p.author,
                changed_at=p.submitted_at,
            )
        )
        if plan.decided_on is None:
            continue
        if p.status in (S.RETURNED, S.REJECTED):
            reason = (
                "Please add the terms of reference and confirm the council's budget."
                if p.status == S.RETURNED
                else "This is a contract for services, not a partnership under the protocol."
            )
            by = rng.choice(democratic)
            decision, to_status = p.status, p.status
            body, reference = Body.DEMOCRATIC_SERVICES, ""
        else:
            reason, decision, to_status = "", "approved", S.ACTIVE
            if plan.significant:
                body = rng.choice([Body.CABINET, Body.CHIEF_EXECUTIVE])
                by = rng.choice(approvers)
            else:
                body = rng.choice([Body.DELEGATED_OFFICER, Body.DEMOCRATIC_SERVICES])
                by = rng.choice(democratic)
            label = "Cabinet minute" if body == Body.CABINET else "Decision"
            reference = f"{label} {rng.randint(1, 200)}/{plan.decided_on.year}"
        decisions.append(
            ApprovalDecision(
                partnership=p,
                decision=decision,
                decision_body=body,
                decided_on=plan.decided_on,
                decision_reference=reference,
                reason=reason,
                was_significant=plan.significant,
                recorded_by=by,
                recorded_at=at(plan.decided_on, 15),
            )
        )
        changes.append(
            StatusChange(
                partnership=p,
                from_status=S.SUBMITTED,
                to_status=to_status,
                changed_by=by,
                changed_at=at(plan.decided_on, 15),
                reason=reason,
            )
        )
    insert_rows(changes)
    insert_rows(decisions)
