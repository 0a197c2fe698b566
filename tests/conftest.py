from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from register import roles
from tests.factories import DirectorateFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Hash the test users' passwords with a fast hasher: PBKDF2 takes half a second a user.

    Through override_settings, so Django forgets the hashers it had cached. Sign-in still
    checks passwords as in production; only the cost of hashing changes.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no kept partnership pages (register/page_cache.py), as a new
    worker process does."""
    caches["pages"].clear()


# Users, one per role -------------------------------------------------------------------------


@pytest.fixture
def directorate(db):
    return DirectorateFactory(name="Housing and Wellbeing")


@pytest.fixture
def other_directorate(db):
    return DirectorateFactory(name="Planning and Regeneration")


# The signed-in people's surnames have apostrophes, as many British names do: every test that
# shows one shows it escaped, so a test that looks for the raw name fails every time, not only
# when Faker happens to pick such a name.
@pytest.fixture
def officer(directorate):
    return UserFactory(
        username="officer", last_name="D'Arcy", role=roles.OFFICER, profile__directorate=directorate
    )


@pytest.fixture
def other_officer(other_directorate):
    return UserFactory(
        username="other_officer", role=roles.OFFICER, profile__directorate=other_directorate
    )


@pytest.fixture
def sponsor(directorate):
    return UserFactory(
        username="sponsor",
        last_name="O'Brien",
        role=roles.SPONSORING_OFFICER,
        profile__directorate=directorate,
        profile__job_title="Head of Housing",
    )


@pytest.fixture
def democratic_services(db):
    return UserFactory(
        username="democratic",
        last_name="O'Sullivan",
        role=roles.DEMOCRATIC_SERVICES,
        is_staff=True,
        profile__directorate=DirectorateFactory(name="Chief Executive's Office"),
    )


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", role=roles.APPROVER)


@pytest.fixture
def read_only(db):
    return UserFactory(username="readonly", role=roles.READ_ONLY, is_staff=True)


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(client, officer):
    return _client_for(client, officer)


@pytest.fixture
def democratic_client(client, democratic_services):
    return _client_for(client, democratic_services)


@pytest.fixture
def read_only_client(client, read_only):
    return _client_for(client, read_only)


# Browser tests: Playwright driving Debian's Chromium ------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: install Debian's 'chromium' package "
            "(`make test` does this when run as root)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def axe():
    """Run axe-core on the page and fail, listing each violation, if there are any."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (`make test` does).")
    source = AXE.read_text()

    def check(page, context=""):
        # A scan must see a whole page: callers wait for what they expect to see after a click,
        # and this waits for that page to finish loading.
        page.wait_for_load_state("load")
        page.evaluate(source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
        )
        violations = result["violations"]
        if violations:
            lines = [f"axe found {len(violations)} violation(s) on {page.url} {context}:"]
            for violation in violations:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
                lines.append(
                    f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
                )
            pytest.fail("\n".join(lines))

    return check


@pytest.fixture
def sign_in(live_server):
    """Sign in through the real sign-in page, as a person would."""
    from playwright.sync_api import expect

    from tests.factories import TEST_PASSWORD

    def do(page, username, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        # Signed in once the page that follows has come: a test going on at once could leave
        # the sign-in unfinished (a new navigation cancels the one under way).
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return do


@pytest.fixture
def page_without_javascript(browser):
    """A browser page with JavaScript turned off, as some council desktops have it."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()
