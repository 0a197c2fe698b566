"""Signing in with a username and password, and loading the signed-in person once a request.

Every page needs the person, their roles (the rules in register/rules.py ask for group names)
and, in admin, their model permissions. Django reads each in its own query; this backend reads
them all with the person, in one query, and leaves them where Django and django-rules look first.
They live on the user object of one request only, so a change of role applies from the next one.
The SQL of the roles and permissions is built once per process: building it with the ORM on
every request took longer than running it.
"""

from functools import cache
from threading import Lock

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import OuterRef

from partnerships_site.compiled import compiled_once, compiled_query


def _permission_ids(grants):
    return ArraySubquery(grants.order_by().values("permission_id"))


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
        "loaded_user_permission_ids": compiled_once(
            user_model,
            lambda: _permission_ids(
                user_model.user_permissions.through.objects.filter(user=OuterRef("pk"))
            ),
        ),
        "loaded_group_permission_ids": compiled_once(
            user_model,
            lambda: _permission_ids(
                Group.permissions.through.objects.filter(group__user=OuterRef("pk"))
            ),
        ),
    }


class _PermissionNames:
    """Permission ids to the names Django checks ("risks.view_risk"), read once per process.

    A person's grants are read on every request; only the names of the permissions, which
    migrations make, are kept. Democratic Services hold about 200 permissions, and joining each
    to its name and application on every page took PostgreSQL 0.4 ms. An id not known yet (a
    permission made since) reads them all again. A permission's id is never reused, so a name
    kept here is right for as long as the permission keeps its codename, which only a migration
    changes, and a deployment restarts the workers.
    """

    def __init__(self):
        self.names = {}
        self.lock = Lock()

    def __call__(self, ids) -> set[str]:
        if any(pk not in self.names for pk in ids):
            with self.lock:
                self.names = {
                    pk: f"{app_label}.{codename}"
                    for pk, app_label, codename in Permission.objects.values_list(
                        "pk", "content_type__app_label", "codename"
                    )
                }
        names = self.names
        return {names[pk] for pk in ids if pk in names}


permission_names = _PermissionNames()


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
            user._user_perm_cache = permission_names(user.loaded_user_permission_ids)
            user._group_perm_cache = permission_names(user.loaded_group_permission_ids)
        return user


def group_names(user) -> list[str]:
    """The names of the user's groups (their roles), in alphabetical order."""
    if hasattr(user, "group_names"):
        return user.group_names
    return list(user.groups.order_by("name").values_list("name", flat=True))
