import time

import pghistory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings

from register import roles
from register.demo import (
    large_demo_exists,
    seed_large_officers,
    seed_large_register,
    seed_register,
)
from register.models import Directorate, Profile
from reviews.demo import seed_large_reviews, seed_reviews
from risks.demo import seed_large_risks, seed_risks

DEMO_PASSWORD = "partnerships-demo-2026"

DIRECTORATES = [
    "Chief Executive's Office",
    "Customers and Communities",
    "Housing and Wellbeing",
    "Planning and Regeneration",
    "Finance and Resources",
    "Environment and Neighbourhoods",
]

# username, first name, last name, job title, directorate, extension, role, staff?
DEMO_USERS = [
    (
        "officer",
        "Olivia",
        "Okafor",
        "Community Development Officer",
        "Housing and Wellbeing",
        "4412",
        roles.OFFICER,
        False,
    ),
    (
        "sponsor",
        "Sanjay",
        "Patel",
        "Head of Housing",
        "Housing and Wellbeing",
        "4401",
        roles.SPONSORING_OFFICER,
        False,
    ),
    (
        "democratic",
        "Deborah",
        "Evans",
        "Democratic Services Manager",
        "Chief Executive's Office",
        "2201",
        roles.DEMOCRATIC_SERVICES,
        True,
    ),
    (
        "approver",
        "Andrew",
        "Hughes",
        "Chief Executive",
        "Chief Executive's Office",
        "2001",
        roles.APPROVER,
        False,
    ),
    (
        "readonly",
        "Rachel",
        "Lewis",
        "Internal Audit Manager",
        "Finance and Resources",
        "3310",
        roles.READ_ONLY,
        True,
    ),
]


class Command(BaseCommand):
    help = "Create demo users, one per role, and realistic demo records. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=["small", "large"],
            default="small",
            help="small: 44 partnerships and a user per role (the default). large: that, and "
            "10,000 partnerships, 100,000 risks and 200 officers on top, for benchmarks and "
            "restore drills.",
        )

    def handle(self, *args, **options):
        # Demo records go through the services, which email the people they name: nobody is
        # told of demo records, whatever mail server the settings name.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.seed(options)

    def seed(self, options):
        with transaction.atomic(), pghistory.context(source="seed_demo"):
            directorates = {
                name: Directorate.objects.get_or_create(name=name)[0] for name in DIRECTORATES
            }
            created = [self.create_user(directorates, *row) for row in DEMO_USERS]
            partnerships = seed_register()
            risks = seed_risks()
            reviews = seed_reviews()

        if settings.DEBUG:
            self.stdout.write(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
        else:
            self.stdout.write(
                "Demo users exist but cannot sign in: DJANGO_DEBUG is off, so the demo "
                "password is not used. Set passwords with `manage.py changepassword`."
            )
        for username, role in created:
            self.stdout.write(f"  {username:<12} {role}")
        if partnerships:
            self.stdout.write(f"Added {partnerships} demo partnerships to the register.")
        if risks:
            self.stdout.write(f"Added {risks} demo risks to their risk registers.")
        if reviews:
            self.stdout.write(f"Completed {reviews} demo annual reviews.")
        if options["size"] == "large":
            self.seed_large()

    def seed_large(self):
        if large_demo_exists():
            self.stdout.write("The large demo data set is already loaded.")
            return
        started = time.monotonic()
        # One hash for all 200 officers: hashing each would take a minute, and they share the
        # demo password anyway.
        password = make_password(DEMO_PASSWORD) if settings.DEBUG else None
        with transaction.atomic(), pghistory.context(source="seed_demo", size="large"):
            # pgtrigger asks for this setting on every row of every tracked table; unset, each
            # ask raises and catches an error, which made the seed several times slower. An
            # empty list ignores no trigger: every change is still recorded.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
            officers = seed_large_officers(password)
            plans = seed_large_register(officers)
            risks = seed_large_risks(plans, officers)
            reviews = seed_large_reviews(plans, officers)
        # Gather the planner's statistics for the tables just filled and mark their pages as
        # all-visible. Without statistics PostgreSQL plans the pages as if the tables were
        # nearly empty (the partnership page took 175 ms, not 16); without the visibility map
        # it cannot walk an index alone, and sorts every partnership to show the register's
        # last page. On a server whose autovacuum is off nothing else does either.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"Added the large demo data set in {time.monotonic() - started:.0f} seconds: "
            f"{sum(len(users) for users in officers.values())} officers, {len(plans)} "
            f"partnerships, {risks} risks and {reviews} completed annual reviews."
        )

    def create_user(
        self, directorates, username, first, last, title, directorate, ext, role, staff
    ):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.gov.uk",
                "is_staff": staff,
            },
        )
        if created:
            if settings.DEBUG:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        Profile.objects.get_or_create(
            user=user,
            defaults={
                "job_title": title,
                "directorate": directorates[directorate],
                "phone_extension": ext,
            },
        )
        return username, role
