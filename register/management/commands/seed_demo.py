import pghistory
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from register import roles
from register.demo import seed_register
from register.models import Directorate, Profile
from reviews.demo import seed_reviews
from risks.demo import seed_risks

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

    def handle(self, *args, **options):
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
