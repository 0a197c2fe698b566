import factory
from django.contrib.auth.models import Group, User

from register.models import Directorate, Profile

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
