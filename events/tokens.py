"""Random codes for tickets and private links: 128 bits, shown once, stored as a SHA-256 hash.

A plain hash (no salt, no slow KDF) is right here: the codes are random with 128 bits of
entropy, so nothing can be guessed from the hash, and a fast hash lets a scan find its
ticket with one indexed lookup.
"""

import base64
import hashlib
import re
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

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


def new_link_key() -> str:
    """The random half of a private link (128 bits), kept on its row; a new one revokes the link."""
    return secrets.token_hex(CODE_BYTES)


def private_link_token(purpose: str, pk: int, key: str) -> str:
    """The token of a private link (a commune's request tracking, an organisation's feed).

    An HMAC of the row's id and random key under SECRET_KEY: the emails sent weeks apart
    can all carry the same link without the database holding it in clear, and a stolen
    database alone does not open anyone's page. 128 bits, URL-safe.
    """
    digest = salted_hmac(f"village.private-link.{purpose}", f"{pk}:{key}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:CODE_BYTES]).rstrip(b"=").decode("ascii")


def check_private_link_token(purpose: str, pk: int, key: str, token: str) -> bool:
    if not key or not token:
        return False
    return constant_time_compare(private_link_token(purpose, pk, key), token)


def ensure_feed_key(instance, field: str = "feed_key"):
    """Give a row (an organisation, a volunteer's profile) its private feed's key on first use.

    The conditional update keeps the key another request may have set in between: two tabs
    must not show two addresses.
    """
    if not getattr(instance, field):
        manager = type(instance)._default_manager
        manager.filter(pk=instance.pk, **{field: ""}).update(**{field: new_link_key()})
        setattr(instance, field, manager.values_list(field, flat=True).get(pk=instance.pk))
    return instance


def renew_feed_key(instance, field: str = "feed_key"):
    """A new key: the feed's old address stops working."""
    key = new_link_key()
    type(instance)._default_manager.filter(pk=instance.pk).update(**{field: key})
    setattr(instance, field, key)
    return instance
