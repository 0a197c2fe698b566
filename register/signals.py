from django.contrib.auth.models import Group, Permission

from register import roles


def grant_role_permissions(sender, using="default", **kwargs):
    """Make sure every role's group exists, with its admin permissions on every model.

    Runs after every migrate, when Django has created the permissions of any new model, and after
    a flush (as between transactional tests), which empties the groups the data migration made.
    """
    for role in roles.ALL_ROLES:
        Group.objects.using(using).get_or_create(name=role)
    for role, grant in roles.ADMIN_PERMISSIONS.items():
        group = Group.objects.using(using).get(name=role)
        wanted = Permission.objects.using(using).filter(
            content_type__app_label__in=grant["apps"],
            codename__regex=r"^({})_".format("|".join(grant["actions"])),
        )
        group.permissions.add(*wanted)


def restore_reference_data(sender, using="default", **kwargs):
    """Put back the protocol's checklist and threshold if a flush has emptied them."""
    from register.models import ChecklistConsideration, SignificanceThreshold
    from register.protocol import seed_checklist_and_threshold

    seed_checklist_and_threshold(ChecklistConsideration, SignificanceThreshold, using=using)
