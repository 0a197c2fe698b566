"""Sessions kept in the database, as Django keeps them, read without compiling a query each time.

Every page a signed-in person asks for reads their session first. Django's database store builds
and compiles the same query for it on every request, which took longer than PostgreSQL took to run
it; this store sends the same SQL, compiled once per process and prepared once per connection
(see partnerships_site.compiled).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from partnerships_site.compiled import compiled_query

_read_session = compiled_query(
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)
)


class SessionStore(db.SessionStore):
    """Django's database session store (SESSION_ENGINE "partnerships_site.sessions")."""

    def _get_session_from_db(self):
        session = _read_session.first(self.session_key, timezone.now())
        if session is None:
            self._session_key = None
        return session
