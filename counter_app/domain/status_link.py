"""The citizen's status link printed as the receipt's QR: `<public_url>/s/<code>?k=<key>`, and its per-dossier key.

Dossier codes are sequential, so a code alone must never open a dossier's page: each dossier gets 128 random bits
at intake (in the opening event's payload, so it reaches the central with the events). The desk's scanner reads
the same QR and finds the dossier by the code in the link.
"""

from __future__ import annotations

import re

# Extra keys of the `dossier.accepted` payload (the fold reads only DossierState's fields and ignores them).
STATUS_KEY_FIELD = "status_key"
DESK_PHONE_FIELD = "desk_phone"  # the desk's contact phone at intake, shown on the status page

STATUS_PATH = "/s/"
KEY_BYTES = 16  # 128 bits
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{22}")  # token_urlsafe(16): 22 base64url characters, no padding
_LINK_RE = re.compile(r"https?://[^\s/?#]+(?:/[^\s?#]*)?/s/(?P<code>[^\s/?#]+)\?k=[A-Za-z0-9_-]+", re.IGNORECASE)


def looks_like_status_key(text: str) -> bool:
    return _KEY_RE.fullmatch(text) is not None


def status_url_template(public_url: str) -> str:
    """The `status_url_template` setting for a status page served at `public_url` ({code} and {key} replaced)."""
    return f"{public_url.strip().rstrip('/')}{STATUS_PATH}{{code}}?k={{key}}"


def status_link(template: str, code: str, key: str) -> str:
    """The QR text of a receipt: the template filled in, or the bare code when there is no page or no key."""
    if "{code}" not in template or ("{key}" in template and not key):
        return code
    return template.replace("{code}", code).replace("{key}", key)


def code_in_scan(text: str) -> str:
    """What a scan names, upper-cased: the code inside a status link, else the scanned text itself."""
    value = text.strip()
    match = _LINK_RE.fullmatch(value)
    return (match["code"] if match else value).upper()
