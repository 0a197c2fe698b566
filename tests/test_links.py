"""Links to records written without resolving the URL pattern each time."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from partnerships_site.links import record_url


@pytest.mark.parametrize(
    ("viewname", "args"),
    [
        ("register:partnership_detail", ["P-2026-003"]),
        ("register:partnership_detail", ["P-2027-120"]),
        ("risks:risk_detail", ["P-2026-003", "R12"]),
        ("risks:action_update", ["P-2026-003", "R1", 7]),
        # Values reverse() would quote go through it.
        ("register:partnership_detail", ["Café & Co"]),
        ("risks:risk_detail", ["P 1", "R?1"]),
    ],
)
def test_a_record_link_is_the_link_reverse_gives(viewname, args):
    assert record_url(viewname, *args) == reverse(viewname, args=args)


def test_a_record_link_follows_the_script_prefix_and_refuses_what_reverse_refuses():
    try:
        set_script_prefix("/council/")
        assert record_url("register:partnership_detail", "P-2026-003") == (
            "/council/partnerships/P-2026-003/"
        )
    finally:
        clear_script_prefix()
    assert record_url("register:partnership_detail", "P-2026-003") == "/partnerships/P-2026-003/"
    with pytest.raises(NoReverseMatch):
        record_url("register:partnership_detail", "P/2026")
    with pytest.raises(NoReverseMatch):
        record_url("risks:action_update", "P-2026-003", "R1", "not-a-number")
