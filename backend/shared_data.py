"""Data the service reads from outside the repository: real boundaries, the
offensive-word list, real phone photos for the tests. They live in one folder,
SHARED_DATA_DIR (by default `../shared/data` beside the checkout), each with a
SOURCES.md naming its origin and licence, and are never copied into the
repository. A deployment points the setting at its own copy."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def shared_file(relative: str, origin: str) -> Path:
    """The path of a shared data file, or a clear error saying where it comes from."""
    path = Path(settings.SHARED_DATA_DIR) / relative
    if not path.is_file():
        raise ImproperlyConfigured(
            f"{path} is missing. SHARED_DATA_DIR ({settings.SHARED_DATA_DIR}) must hold "
            f"{relative}: {origin}. Point SHARED_DATA_DIR at a folder that has it."
        )
    return path
