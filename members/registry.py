"""What each app keeps about a member, registered here so the member pages never import the apps.

An app calls `register(MemberPart(...))` from its AppConfig.ready(): `/me/` shows its panel, the
data download includes its export, account deletion runs its erase, and the member-code resolver
merges its eligibility (what a till or an organiser needs to know, never a phone number).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberPart:
    key: str
    title: str
    order: int = 100
    template: str = ""  # the /me/ panel, rendered with the dict `panel` returns
    panel: Callable | None = None  # (request, member) -> dict for the template, or None to hide
    export: Callable | None = None  # (member) -> JSON-able data for the download
    erase: Callable | None = None  # (member) -> None: erase personal data, keep figures
    eligibility: Callable | None = None  # (member) -> dict merged into the resolver's answer
    # (user) -> bool: an account without a staff role that may still scan codes (a canteen's
    # cashier at its till)
    scanner: Callable | None = None


PARTS = []


def register(part):
    if any(p.key == part.key for p in PARTS):
        raise ValueError(f"a member part {part.key!r} is already registered")
    PARTS.append(part)
    PARTS.sort(key=lambda p: (p.order, p.key))
    return part


def parts():
    return list(PARTS)


def may_scan(user):
    """Staff scan member codes; so do the accounts an app vouches for (its `scanner`)."""
    if not user.is_active:
        return False
    if user.is_superuser or user.role:
        return True
    return any(p.scanner(user) for p in PARTS if p.scanner)
