"""Taking a photo down from public view: its stripped derivatives are public
files (a folder a web server serves, or a public-read bucket), reachable by
their URL by anyone who saw them once. Hiding a photo, rejecting its report
or deleting its uploader's account deletes those files, not only the rows
that list them; an erased account's private originals (with their GPS) go too.

Files are deleted once the transaction commits, so a decision rolled back
deletes nothing; a photo still being processed then is caught by the job,
which publishes nothing for a hidden photo (see processing.process_photo).
"""

from django.db import transaction
from django.db.models import QuerySet

from backend.photos.models import Photo


def delete_public_files(names: list[str]) -> None:
    """Delete derivatives from the store the photo's public fields write to."""
    public = Photo._meta.get_field("large").storage
    for name in names:
        if name:
            public.delete(name)


def take_down(photos: QuerySet[Photo], *, with_originals: bool = False) -> int:
    """Hide the photos and delete their public files (and their originals)."""
    files = list(photos.values_list("large", "thumbnail", "original"))
    cleared: dict[str, str] = {"large": "", "thumbnail": ""}
    if with_originals:
        cleared["original"] = ""
    count = photos.update(hidden=True, **cleared)

    def delete_files() -> None:
        delete_public_files([name for large, thumbnail, _ in files for name in (large, thumbnail)])
        if with_originals:
            private = Photo._meta.get_field("original").storage
            for _, _, original in files:
                if original:
                    private.delete(original)

    transaction.on_commit(delete_files)
    return count
