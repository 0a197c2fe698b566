import pytest

from tests.factories import active_partnership


@pytest.fixture
def partnership(sponsor):
    """An active partnership that the `sponsor` fixture sponsors, its review due."""
    return active_partnership(sponsoring_officer=sponsor, name="Warm Homes Partnership")
