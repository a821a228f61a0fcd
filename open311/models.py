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
