"""Random codes for tickets and private links: 128 bits, shown once, stored as a SHA-256 hash.

A plain hash (no salt, no slow KDF) is right here: the codes are random with 128 bits of
entropy, so nothing can be guessed from the hash, and a fast hash lets a scan find its
ticket with one indexed lookup.
"""

import hashlib
import re
import secrets

CODE_BYTES = 16  # 128 bits
# URL-safe base64 of 16 bytes: 22 characters.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
_CODE_IN_LINK = re.compile(r"/billet/([A-Za-z0-9_-]{22})/?(?:[?#].*)?$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def code_from_scan(text: str) -> str | None:
    """The ticket code in what a scanner read: the bare code or the ticket's whole link."""
    text = (text or "").strip()
    if CODE_PATTERN.match(text):
        return text
    match = _CODE_IN_LINK.search(text)
    return match.group(1) if match else None
