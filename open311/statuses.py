"""Our statuses as Open311 clients read them."""

from backend.reports.models import OPEN_STATUSES, Status

# FixMyStreet's extended statuses (its Open311 client lower-cases them and
# reads "_" as a space): what each of ours means to a FixMyStreet resident.
FIXMYSTREET_STATUSES: dict[str, str] = {
    Status.SUBMITTED: "open",
    Status.ACKNOWLEDGED: "investigating",
    Status.IN_PROGRESS: "in_progress",
    Status.WAITING_FOR_RESIDENT: "investigating",
    Status.RESOLVED: "fixed",
    Status.CLOSED: "closed",
    Status.REJECTED: "no_further_action",
    Status.DUPLICATE: "duplicate",
}


def open_or_closed(status: str) -> str:
    """The spec's two statuses."""
    return "open" if status in OPEN_STATUSES else "closed"


def fixmystreet_status(status: str) -> str:
    return FIXMYSTREET_STATUSES.get(status, open_or_closed(status))
