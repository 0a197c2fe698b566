"""Signing in with a username and password, and loading the signed-in person once a request.

Every page needs the person, their roles (the rules in register/rules.py ask for group names)
and, in admin, their model permissions. Django reads each in its own query; this backend reads
them all with the person, in one query, and leaves them where Django and django-rules look first.
They live on the user object of one request only, so a change of role applies from the next one.
The SQL of the roles and permissions is built once per process: building it with the ORM on
every request took longer than running it.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Value
from django.db.models.functions import Concat

from partnerships_site.compiled import compiled_once, compiled_query


def _permission_names(permissions):
    return ArraySubquery(
        permissions.order_by()
        .annotate(full_name=Concat(F("content_type__app_label"), Value("."), F("codename")))
        .values("full_name")
    )


@cache  # Django makes a backend object for every request: the compiled SQL outlives them.
def _roles_and_permissions():
    user_model = get_user_model()
    return {
        "loaded_group_names": compiled_once(
            user_model,
            lambda: ArraySubquery(
                Group.objects.filter(user=OuterRef("pk")).order_by("name").values("name")
            ),
        ),
        "loaded_user_permissions": compiled_once(
            user_model, lambda: _permission_names(Permission.objects.filter(user=OuterRef("pk")))
        ),
        "loaded_group_permissions": compiled_once(
            user_model,
            lambda: _permission_names(Permission.objects.filter(group__user=OuterRef("pk"))),
        ),
    }


def _person(user_id):
    return (
        get_user_model()
        ._default_manager.select_related("profile__directorate")
        .annotate(**{name: build() for name, build in _roles_and_permissions().items()})
        .filter(pk=user_id)
    )


# The whole query is compiled once per process too: compiling it took longer than running it.
_read_person = compiled_query(_person)


class CouncilModelBackend(ModelBackend):
    """Django's ModelBackend, reading a user's profile, groups and permissions with the user."""

    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _read_person.first(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        user.group_names = list(user.loaded_group_names)
        # Where rules.is_group_member and ModelBackend keep what they read.
        user._group_names_cache = set(user.group_names)
        if not user.is_superuser:  # a superuser holds every permission, read as Django does
            user._user_perm_cache = set(user.loaded_user_permissions)
            user._group_perm_cache = set(user.loaded_group_permissions)
        return user


def group_names(user) -> list[str]:
    """The names of the user's groups (their roles), in alphabetical order."""
    if hasattr(user, "group_names"):
        return user.group_names
    return list(user.groups.order_by("name").values_list("name", flat=True))
