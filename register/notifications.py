"""Emails that tell people about their part in a partnership: assignment notices and reminders.

Every email is plain text with an HTML alternative, names the council and links to the item
with an absolute address. Assignment notices go only once the change is committed, so a save
that is rolled back tells nobody anything.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from register.models import Person, Profile


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def send_email(*, subject, template, context, to):
    """Send one email now, rendered from <template>.txt and .html (register/email/ by default).

    `to` is one address or a list of them.
    """
    if "/" not in template:
        template = f"register/email/{template}"
    context = {
        **context,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "site_url": settings.SITE_URL,
    }
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    recipients = [to] if isinstance(to, str) else list(to)
    # A subject can quote what people typed (a partnership's name); a line break in it would make
    # the email refuse to send, so every run of spaces and line breaks becomes one space.
    subject = " ".join(f"{subject} – {settings.SERVICE_NAME}".split())
    message = EmailMultiAlternatives(subject, text, None, recipients)
    message.attach_alternative(html, "text/html")
    message.send()


def email_on_commit(*, subject, template, context, recipients):
    """Send one email to every distinct, non-blank address once the transaction commits."""
    recipients = sorted({address for address in recipients if address})
    if recipients:
        transaction.on_commit(
            lambda: send_email(subject=subject, template=template, context=context, to=recipients)
        )


def recipient_details(recipient):
    """(email, name, user) of a Person or a User; the user is None for a person with no sign-in."""
    if isinstance(recipient, Person):
        return recipient.email, recipient.name, recipient.user
    return recipient.email, recipient.get_full_name() or recipient.get_username(), recipient


def digest_frequency(user):
    """The user's chosen reminder digest frequency; daily for anyone who has not chosen."""
    if user is None:
        return Profile.DigestFrequency.DAILY
    try:
        return user.profile.digest_frequency
    except Profile.DoesNotExist:
        return Profile.DigestFrequency.DAILY


def _is_self(email, user, by):
    if by is None:
        return False
    if user is not None and user.pk == by.pk:
        return True
    return bool(by.email) and email.casefold() == by.email.casefold()


def notify_assignment(*, recipient, role, item, url, partnership=None, due=None, by=None):
    """Tell `recipient` (a Person or a User), once the change commits, that they are now `role`.

    Nothing is sent when there is no address, or when the person who made the change assigned
    themselves.
    """
    if recipient is None:
        return
    email, name, user = recipient_details(recipient)
    if not email or _is_self(email, user, by):
        return
    context = {
        "name": name,
        "role": role,
        "item": str(item),
        "partnership": str(partnership) if partnership else "",
        "url": absolute_url(url),
        "due": due,
        "by": (by.get_full_name() or by.get_username()) if by else "",
    }
    transaction.on_commit(
        lambda: send_email(
            subject=f"You have been named as {role}: {context['item']}",
            template="assigned",
            context=context,
            to=email,
        )
    )


def notify_new_representatives(formset, *, people_before, partnership, by):
    """Tell each person newly appointed through a saved representations formset.

    `people_before` maps each representation's pk to its person's pk as it was before the save.
    """
    saved = [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]
    for representation in saved:
        if people_before.get(representation.pk) == representation.person_id:
            continue
        role = representation.get_role_display().lower()
        if representation.role == representation.Role.OTHER and representation.role_other:
            role = representation.role_other
        notify_assignment(
            recipient=representation.person,
            role=role,
            item=partnership,
            url=partnership.get_absolute_url(),
            by=by,
        )
