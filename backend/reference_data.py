"""Data only an admin changes, held in each process's memory.

Areas and their index, categories, units and routing rules, blocked terms:
a request reads them from a snapshot instead of the database. A snapshot is
rebuilt when its tables change: at once in the process that saved the change
(post_save and post_delete), and within REFERENCE_RECHECK_SECONDS in every
other process, which compares each table's row count and latest `updated_at`
(one aggregate query per table and interval, not per request). A bulk
`QuerySet.update()` sends no signal and sets no `updated_at`: reference data is
changed through the admin or `save()`.
"""

import math
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_snapshots: list["Snapshot"] = []


class Snapshot(Generic[T]):
    def __init__(self, name: str, build: Callable[[], T], *tables: type[models.Model]) -> None:
        self.name = name
        self._build = build
        self._tables = tables
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: tuple | None = None
        self._checked_at = -math.inf
        _snapshots.append(self)

    def _current_version(self) -> tuple:
        return tuple(
            tuple(table._default_manager.aggregate(n=Count("pk"), at=Max("updated_at")).values())
            for table in self._tables
        )

    def get(self) -> T:
        fresh = time.monotonic() - self._checked_at < settings.REFERENCE_RECHECK_SECONDS
        if self._value is not None and fresh:
            return self._value
        with self._lock:
            version = self._current_version()
            if self._value is None or version != self._version:
                self._value = self._build()
                self._version = version
            self._checked_at = time.monotonic()
            return self._value

    def get_holding(self, holds: Callable[[T], bool]) -> T:
        """The snapshot, checked against the database at once when it does not
        hold what is asked for (`holds` false): a row made in another process
        since this one last looked is then found without waiting."""
        value = self.get()
        if not holds(value):
            self.invalidate()
            value = self.get()
        return value

    def invalidate(self, **_signal_kwargs: object) -> None:
        """Compare versions on the next read (a change saved in this process)."""
        self._checked_at = -math.inf

    def forget(self) -> None:
        """Drop the snapshot: the next read builds it anew (after a setting it
        depends on changed)."""
        with self._lock:
            self._value = None

    def watch_saves(self) -> None:
        for table in self._tables:
            uid = f"reference-{self.name}-{table._meta.label}"
            post_save.connect(self.invalidate, sender=table, dispatch_uid=f"{uid}-save")
            post_delete.connect(self.invalidate, sender=table, dispatch_uid=f"{uid}-delete")


def invalidate_all() -> None:
    """Every snapshot compares versions on its next read (tests, after fixtures)."""
    for snapshot in _snapshots:
        snapshot.invalidate()
