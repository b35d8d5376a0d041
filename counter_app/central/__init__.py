"""The city's side of sync: the HTTPS sync service between counters and the central PostgreSQL (no Qt, no SQLite).

Contract: counters hold a credential (`credentials.issue_credential`), never a database login; the service
(`service.create_app`, run by `server.serve`) authenticates it, derives the agency and counter of every event
from it, refuses what that counter may not do, and reaches PostgreSQL with one pooled role of least privilege
under row-level security set per transaction (`session.acting_for`). It keeps no state of its own: several
copies serve behind a load balancer.
"""
