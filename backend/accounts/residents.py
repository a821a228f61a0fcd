"""Residents who reach the service through another application (an Open311 client)."""

import hashlib

from backend.accounts.models import Role, User


def resident_for_contact(
    source: str,
    contact: str,
    *,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """One local resident per person a source reports for, known by its contact
    (an email, a phone or a device id; blank for the source's anonymous reports).
    The username is a digest, so the contact itself is stored only where the
    person gave it; the first report's details stay, later ones do not overwrite them."""
    digest = hashlib.sha256(f"{source}:{contact.strip().lower()}".encode()).hexdigest()[:24]
    user, _ = User.objects.get_or_create(
        username=f"open311-{digest}",
        defaults={
            "role": Role.RESIDENT,
            "email": email[:254],
            "phone_number": phone[:20],
            "first_name": first_name[:150],
            "last_name": last_name[:150],
        },
    )
    return user
