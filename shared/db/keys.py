"""API keys: made and revoked from the command line, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from shared.db.models import ApiKey, utcnow

KEY_PREFIX = "mlc_"


def hash_key(plaintext: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough: there is nothing
    # to brute-force that a slow password hash would protect.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """Create a key; return the row and the plaintext, which is shown once."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=plaintext[:12], key_hash=hash_key(plaintext))
    session.add(row)
    session.flush()
    return row, plaintext


def find_active_key(session: Session, plaintext: str) -> ApiKey | None:
    """Return the unrevoked key with this plaintext, or None."""
    query = select(ApiKey).where(
        ApiKey.key_hash == hash_key(plaintext), ApiKey.revoked_at.is_(None)
    )
    return session.scalars(query).one_or_none()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def revoke_key(session: Session, id_or_prefix: str) -> int:
    """Revoke the key with this id or prefix; return how many were revoked."""
    return session.execute(
        update(ApiKey)
        .where(
            or_(ApiKey.id == id_or_prefix, ApiKey.prefix == id_or_prefix),
            ApiKey.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    ).rowcount
