from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def count_queries(client, url) -> int:
    """How many database queries one GET of url runs (it must answer 200)."""
    # A signed-in session is renewed (written) at most once a minute, on whichever request comes
    # first: renew it now if it is due, so a slow grow() between two counts cannot add it to one.
    client.get(reverse("healthz"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured.captured_queries)


def assert_queries_fixed(client, url, grow, *, most):
    """Pin a page's query count: the same before and after grow() adds data, and at most `most`.

    grow is called between the two measurements to add many more rows of whatever the page lists.
    """
    small = count_queries(client, url)
    grow()
    large = count_queries(client, url)
    assert small == large, f"{url} ran {small} queries on small data but {large} on large data"
    assert large <= most, f"{url} ran {large} queries; at most {most} expected"
    return large
