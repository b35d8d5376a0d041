"""Per-counter credentials of the sync service: issued once, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import logging
import secrets

import psycopg

from counter_app.domain.codes import validate_agency_code
from counter_app.errors import RuleError
from counter_app.sync.central_admin import not_initialised
from counter_app.sync.central_url import CentralUrl
from counter_app.sync.connection import lost_connection, open_connection
from counter_app.sync.credential_format import PREFIX

log = logging.getLogger(__name__)

_SECRET_BYTES = 32  # 256 random bits: SHA-256 of it cannot be reversed, a slow hash would add nothing


def new_credential() -> str:
    return PREFIX + secrets.token_urlsafe(_SECRET_BYTES)


def credential_digest(credential: str) -> bytes:
    """What the central stores and looks a credential up by."""
    return hashlib.sha256(credential.strip().encode()).digest()


def issue_credential(url: CentralUrl, password: str | None, *, agency_code: str, counter: int) -> str:
    """A new credential for a registered counter; the one it had before stops working at once."""
    agency = validate_agency_code(agency_code)
    credential = new_credential()
    with open_connection(url, password) as conn:
        try:
            with conn.transaction():
                known = conn.execute(
                    "SELECT 1 FROM central.counter WHERE agency_code = %s AND number = %s", [agency, counter]
                ).fetchone()
                if known is None:
                    raise RuleError(f"Quầy số {counter} của cơ quan {agency} chưa được đăng ký trên máy chủ trung tâm.")
                conn.execute(
                    "UPDATE central.counter_credential SET revoked_at = now() "
                    "WHERE agency_code = %s AND counter = %s AND revoked_at IS NULL",
                    [agency, counter],
                )
                conn.execute(
                    "INSERT INTO central.counter_credential (secret_sha256, agency_code, counter) VALUES (%s, %s, %s)",
                    [credential_digest(credential), agency, counter],
                )
        except psycopg.errors.UndefinedTable:
            raise not_initialised() from None
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
    log.info("credential issued for counter %d of %s", counter, agency)
    return credential


def revoke_credential(url: CentralUrl, password: str | None, *, agency_code: str, counter: int) -> int:
    """End the counter's credential in force; returns how many were ended (0: it had none)."""
    agency = validate_agency_code(agency_code)
    with open_connection(url, password) as conn:
        try:
            ended = conn.execute(
                "UPDATE central.counter_credential SET revoked_at = now() "
                "WHERE agency_code = %s AND counter = %s AND revoked_at IS NULL",
                [agency, counter],
            ).rowcount
        except psycopg.errors.UndefinedTable:
            raise not_initialised() from None
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
    log.info("credential of counter %d of %s revoked (%d)", counter, agency, ended)
    return ended
