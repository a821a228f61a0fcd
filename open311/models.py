import hashlib
import secrets

from django.db import models


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ClientApplication(models.Model):
    """An Open311 client allowed to POST requests (e.g. a FixMyStreet install).

    Only the SHA-256 of its api_key is stored; the key is shown once, when made
    with `manage.py open311_client NAME`.
    """

    name = models.CharField(max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    # New requests an hour from this client, all its residents together;
    # empty: OPEN311_CLIENT_REQUESTS_PER_HOUR.
    requests_per_hour = models.PositiveIntegerField(null=True, blank=True)
    # FixMyStreet's extended statuses (fixed, in_progress, duplicate, ...) in
    # the updates this client reads, instead of the spec's open/closed.
    extended_statuses = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def create_with_key(cls, name: str) -> tuple["ClientApplication", str]:
        key = secrets.token_urlsafe(24)
        return cls.objects.create(name=name, key_hash=hash_key(key)), key


class PendingMedia(models.Model):
    """A `media_url` of an Open311 request, kept until its photo is fetched or
    refused: the job that fetches it may be lost (Redis down at commit) or fail
    for a while, and the sweep queues it again."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=2000)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.url


class ClientRequest(models.Model):
    """A request a client posted, by what makes it the same request: a client
    that did not hear back (a token it stopped polling, a timeout) posts it
    again, and gets the first report back."""

    client = models.ForeignKey(ClientApplication, on_delete=models.CASCADE, related_name="+")
    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # SHA-256 of the contact, service, place and text (`open311.posting.request_key`).
    request_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["client", "request_key", "created_at"], name="client_request_key"),
            models.Index(fields=["client", "created_at"], name="client_request_recent"),
        ]

    def __str__(self) -> str:
        return self.request_key


class ClientUpdate(models.Model):
    """An update a client posted (a resident's comment, a "fixed" mark), by the
    client's own update_id: posting it again answers the same update."""

    client = models.ForeignKey(ClientApplication, on_delete=models.CASCADE, related_name="+")
    update_id = models.CharField(max_length=100)
    event = models.OneToOneField("reports.ReportEvent", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "update_id"], name="client_update_unique")
        ]

    def __str__(self) -> str:
        return self.update_id
