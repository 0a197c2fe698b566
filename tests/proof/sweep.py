"""The machinery of the bad-input sweep: a small world, the forms on its pages, and one checked
request at a time.

Sweep.send() makes one request and records a failure (it never stops at the first) when:
- the response is a 500, or the request raised, or anything was logged at ERROR;
- a rejected input (any answer but a redirect after a POST, or any GET) changed a row of any
  table of the register, risks or reviews, their audit history or the users;
- a response, an email's HTML or a download holds a payload's markup unescaped, the secret key,
  or a download holds a cell a spreadsheet would run as a formula.
"""

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from partnerships_site.exports import FORMULA_TRIGGERS
from register import roles, services
from register.models import (
    InKindContribution,
    OfficerTime,
    Partnership,
    Person,
)
from reviews import services as review_services
from reviews.models import ExitStrategy
from tests.factories import (
    ActionFactory,
    ControlFactory,
    DirectorateFactory,
    EscalationFactory,
    ExitActionFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
    active_partnership,
    complete_partnership,
)
from tests.helpers import FormReader
from tests.proof.payloads import form_body, is_split_date, split_date

# Tables whose rows a rejected input must leave exactly as they were.
WATCHED_PREFIXES = ("register_", "risks_", "reviews_", "auth_user", "pghistory_")

# Markup from the payloads that no page of the product ever contains on its own: found raw in a
# page or an email's HTML, it means a payload was rendered unescaped.
RAW_MARKUP = re.compile(
    r"<script>alert\(|<SCRIPT>alert|<script src=\"https://evil|<img src=x onerror=|<svg onload=|"
    r"<iframe src=javascript|\" onmouseover=\"alert|' onfocus='alert|</textarea><script>|"
    r"</title><script>|<style>body\{display:none\}|<a href=\"javascript:alert|<math><mi xlink|"
    r"<b>bold</b> & <i>|</script><script>alert|<!\[CDATA\[<script>",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    partnerships: dict = field(default_factory=dict)
    risks: dict = field(default_factory=dict)
    other: dict = field(default_factory=dict)


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def build_world():
    """Two directorates; in A, a partnership at every stage the forms need; in B, one active
    partnership whose ids the forged inputs borrow."""
    directorate = DirectorateFactory(name="Housing and Wellbeing")
    other_directorate = DirectorateFactory(name="Planning and Regeneration")
    officer = UserFactory(username="officer", role=roles.OFFICER, profile__directorate=directorate)
    sponsor = UserFactory(
        username="sponsor",
        role=roles.SPONSORING_OFFICER,
        profile__directorate=directorate,
        profile__job_title="Head of Housing",
    )
    democratic = UserFactory(
        username="democratic",
        role=roles.DEMOCRATIC_SERVICES,
        is_staff=True,
        profile__directorate=DirectorateFactory(name="Chief Executive's Office"),
    )
    other_officer = UserFactory(
        username="other_officer", role=roles.OFFICER, profile__directorate=other_directorate
    )
    world = World(
        users={
            "officer": officer,
            "sponsor": sponsor,
            "democratic": democratic,
            "other_officer": other_officer,
        }
    )
    world.clients = {
        "officer": _client(officer),
        "sponsor": _client(sponsor),
        "democratic": _client(democratic),
        "anonymous": _client(),
    }
    owner = PersonFactory(name="Rita Owens", user=sponsor, email="rita@example.gov.uk")

    draft = complete_partnership(
        author=officer,
        sponsoring_officer=sponsor,
        name="Riverside Regeneration Partnership",
        start_date=date(2026, 4, 1),
    )
    OfficerTime.objects.create(
        partnership=draft, person=owner, hours_per_month=8, financial_year=2026
    )
    InKindContribution.objects.create(
        partnership=draft, kind=InKindContribution.Kind.ACCOMMODATION, estimated_value=1000
    )
    incomplete = services.start_registration(author=officer, name="Half-finished Partnership")
    submitted = complete_partnership(
        author=officer, sponsoring_officer=sponsor, name="Awaiting Decision Partnership"
    )
    services.submit(partnership=submitted, by=officer)

    today = timezone.localdate()
    active = active_partnership(
        author=officer,
        sponsoring_officer=sponsor,
        name="Warm Homes Partnership",
        next_review_due=today + timedelta(days=20),
    )
    risk = RiskFactory(partnership=active, owner=owner, title="Funding withdrawn")
    ControlFactory(risk=risk, owner=owner)
    action = ActionFactory(risk=risk, owner=owner)
    EscalationFactory(risk=risk, recorded_by=sponsor)
    closable = RiskFactory(partnership=active, owner=owner, title="Staff turnover")

    reviewing = active_partnership(
        author=officer, sponsoring_officer=sponsor, name="Healthy Towns Partnership"
    )
    review = review_services.start_review(partnership=reviewing, by=sponsor)

    exiting = active_partnership(
        author=officer, sponsoring_officer=sponsor, name="Old Libraries Partnership"
    )
    leaving = review_services.start_review(partnership=exiting, by=sponsor)
    for alignment in leaving.alignments.all():
        alignment.aligned = "no"
        alignment.save()
    leaving.outcome, leaving.outcome_reasons = "withdraw", "No longer needed."
    leaving.agreed_by, leaving.agreed_on = "Cabinet", today
    review_services.complete_review(review=leaving, by=sponsor, expected_version=leaving.version)
    strategy = ExitStrategy.objects.get(partnership=exiting)
    exit_action = ExitActionFactory(strategy=strategy, owner=owner)

    theirs = active_partnership(
        author=other_officer,
        directorate=other_directorate,
        name="Their Directorate's Partnership",
    )
    their_risk = RiskFactory(partnership=theirs, title="Their risk")
    their_action = ActionFactory(risk=their_risk)

    world.partnerships = {
        "draft": draft,
        "incomplete": incomplete,
        "submitted": submitted,
        "active": active,
        "reviewing": reviewing,
        "exiting": exiting,
        "theirs": theirs,
    }
    world.risks = {"risk": risk, "closable": closable, "theirs": their_risk}
    world.other = {
        "action": action,
        "review": review,
        "strategy": strategy,
        "exit_action": exit_action,
        "owner": owner,
        "their_action": their_action,
        "other_directorate": other_directorate,
    }
    return world


def forged_ids(world):
    """Ids of records in the other directorate, for forging hidden fields and choices."""
    theirs = world.partnerships["theirs"]
    return [
        str(theirs.pk),
        theirs.reference,
        str(world.other["other_directorate"].pk),
        str(world.risks["theirs"].pk),
        world.risks["theirs"].reference,
        str(world.other["their_action"].pk),
        str(world.users["other_officer"].pk),
        str(theirs.representations.first().pk),
        str(theirs.partners.first().pk),
        str(theirs.financial_contributions.first().pk),
        str(theirs.checklist_answers.first().pk),
    ]


# Reading forms as a browser would ------------------------------------------------------------


def main_form(content):
    """The page's main form: the POST form with the most fields (not the sign-out button)."""
    reader = FormReader()
    reader.feed(content)
    posts = [f for f in reader.forms if f["attrs"].get("method", "get").lower() == "post"]
    if not posts:
        return None
    return max(posts, key=lambda f: len(set(f["names"])))


def logical_fields(names):
    """Field names with a GOV.UK date input's three boxes (x_0, x_1, x_2) as one field x."""
    fields = []
    for name in dict.fromkeys(names):
        match = re.fullmatch(r"(.+)_([012])", name)
        if match and all(f"{match.group(1)}_{i}" in names for i in range(3)):
            logical = "date:" + match.group(1)
            if logical not in fields:
                fields.append(logical)
        elif name != "csrfmiddlewaretoken":
            fields.append(name)
    return fields


def with_value(pairs, name, value, *, turn=0, duplicate=None):
    """The pairs with one logical field set to value.

    A date input's boxes take a split-date payload box by box; any other payload goes into one
    box, a different one each turn. duplicate="first" or "last" sends the field twice, the
    payload first or last (Django reads the last).
    """
    if name.startswith("date:"):
        stem = name.removeprefix("date:")
        boxes = [f"{stem}_{i}" for i in range(3)]
        if is_split_date(value):
            values = dict(zip(boxes, split_date(value), strict=True))
        else:
            values = {boxes[turn % 3]: value}
        pairs = [(k, v) for k, v in pairs if k not in values]
        return pairs + list(values.items())
    if is_split_date(value):
        value = "/".join(split_date(value))
    original = [v for k, v in pairs if k == name]
    pairs = [(k, v) for k, v in pairs if k != name]
    if duplicate == "first":
        return pairs + [(name, value)] + [(name, v) for v in original or [""]]
    if duplicate == "last":
        return pairs + [(name, v) for v in original or [""]] + [(name, value)]
    return pairs + [(name, value)]


# Checking one request ------------------------------------------------------------------------


def watched_tables():
    return sorted(
        name for name in connection.introspection.table_names() if name.startswith(WATCHED_PREFIXES)
    )


class Snapshotter:
    """Row counts and a checksum of every watched table, read in one query."""

    def __init__(self):
        tables = watched_tables()
        # A sum of row hashes needs no sort, so it stays quick as the audit tables grow.
        parts = [
            f"SELECT '{table}', count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)"
            f" FROM {connection.ops.quote_name(table)} t"
            for table in tables
        ]
        self.sql = " UNION ALL ".join(parts)

    def take(self):
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}


class WriteCounter:
    """Rows inserted, updated and deleted so far in this transaction, per watched table.

    Cheaper than Snapshotter for many thousands of requests, and stricter: a write that was
    rolled back still counts, so a rejected input must not have written anything at all.
    """

    sql = (
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
        " WHERE relname LIKE ANY (%s)"
    )

    def take(self):
        patterns = [prefix.replace("_", "\\_") + "%" for prefix in WATCHED_PREFIXES]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [patterns])
            return {name: tuple(counts) for name, *counts in cursor.fetchall()}


class ErrorLog(logging.Handler):
    """Collects every record logged at ERROR or above while the sweep runs."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _is_html(response):
    return response.get("Content-Type", "").startswith("text/html")


def _content(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@dataclass
class Sweep:
    capture_on_commit: object
    errors: ErrorLog
    failures: list = field(default_factory=list)
    requests: int = 0
    accepted: int = 0
    rejected: int = 0

    count_writes: bool = False

    def __post_init__(self):
        self.snapshotter = WriteCounter() if self.count_writes else Snapshotter()
        self.last = None

    def forget_snapshot(self):
        """Call after changing rows outside a checked request."""
        self.last = None

    def fail(self, label, message):
        self.failures.append(f"{label}: {message}")

    def send(self, client, method, url, pairs=(), *, label):
        """One checked request through the test client. Returns the response, or None."""

        def do():
            if method == "GET":
                query = form_body(pairs)
                return client.get(f"{url}?{query}" if query else url)
            return client.post(
                url, form_body(pairs), content_type="application/x-www-form-urlencoded"
            )

        return self.checked(method, do, label=label)

    def checked(self, method, do, *, label, render=True):
        """Run do() (which makes one request and returns its response) and check it all."""
        before = self.last if self.last is not None else self.snapshotter.take()
        logged = len(self.errors.records)
        emails = len(mail.outbox)
        self.requests += 1
        response = None
        try:
            with self.capture_on_commit(execute=True):
                response = do()
        except (Http404, PermissionDenied):
            response = HttpResponse(status=404)  # what the handler would answer
        except Exception as error:  # a 500 the test client raised, or an email that failed
            self.fail(label, f"raised {type(error).__name__}: {error}"[:500])
        for record in self.errors.records[logged:]:
            self.fail(label, f"logged {record.levelname}: {record.getMessage()[:300]}")
        after = self.snapshotter.take()
        self.last = after
        if response is None:
            return None
        if response.status_code >= 500:
            self.fail(label, f"answered {response.status_code}")
        accepted = method == "POST" and response.status_code in (301, 302, 303)
        if accepted:
            self.accepted += 1
        else:
            self.rejected += 1
            if before != after:
                changed = sorted(t for t in after if before.get(t) != after[t])
                self.fail(label, f"rejected ({response.status_code}) but changed {changed}")
        if render:
            self.check_response(response, label)
        for message in mail.outbox[emails:]:
            self.check_email(message, label)
        return response

    def get(self, client, url, pairs=(), *, label):
        return self.send(client, "GET", url, pairs, label=label)

    def post(self, client, url, pairs=(), *, label):
        return self.send(client, "POST", url, pairs, label=label)

    # What a response may hold ----------------------------------------------------------------

    def check_text(self, text, label, where):
        match = RAW_MARKUP.search(text)
        if match:
            start = max(0, match.start() - 80)
            self.fail(label, f"unescaped markup in {where}: …{text[start : match.end() + 40]!r}…")
        if settings.SECRET_KEY in text:
            self.fail(label, f"the secret key is in {where}")

    def check_response(self, response, label):
        content_type = response.get("Content-Type", "")
        if _is_html(response):
            self.check_text(_content(response).decode("utf-8", "replace"), label, "the page")
        elif content_type.startswith("text/csv"):
            self.check_csv(_content(response), label)
        elif "spreadsheetml" in content_type:
            self.check_xlsx(_content(response), label)

    def check_email(self, message, label):
        if settings.SECRET_KEY in message.body or settings.SECRET_KEY in message.subject:
            self.fail(label, "the secret key is in an email")
        if "\n" in message.subject or "\r" in message.subject:
            self.fail(label, f"an email subject holds a line break: {message.subject!r}")
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                self.check_text(content, label, "an email's HTML")

    def check_csv(self, content, label):
        text = content.decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell.startswith(FORMULA_TRIGGERS):
                    self.fail(label, f"CSV cell would run as a formula: {cell[:80]!r}")
        if settings.SECRET_KEY in text:
            self.fail(label, "the secret key is in a CSV download")

    def check_xlsx(self, content, label):
        workbook = load_workbook(io.BytesIO(content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        self.fail(label, f"Excel cell {cell.coordinate} is a formula")
                    elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                        self.fail(label, f"Excel cell would run as a formula: {cell.value[:80]!r}")

    def report(self):
        """Fail the test listing every failure (at most 60), if there were any."""
        if self.failures:
            # One line per distinct problem first, so a flood of one kind hides no other.
            kinds = {}
            for failure in self.failures:
                kinds.setdefault(re.sub(r"[=:].*?: ", ": ", failure, count=1)[:160], failure)
            shown = "\n".join(list(kinds.values())[:60])
            more = len(self.failures) - min(60, len(kinds))
            return f"{len(self.failures)} failure(s) in {self.requests} requests:\n{shown}" + (
                f"\n… and {more} more" if more > 0 else ""
            )
        return ""


def person_choices():
    return [str(pk) for pk in Person.objects.values_list("pk", flat=True)[:3]]


def reset_partnership(partnership, **fields):
    """Put a partnership back as the sweep needs it, after an accepted input moved it on."""
    Partnership.objects.filter(pk=partnership.pk).update(**fields)
