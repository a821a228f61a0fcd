"""Photo first: a resident uploads photos before the report that will carry them.

One photo per request, so a lost connection costs one photo."""

from uuid import UUID

from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from backend.accounts.auth import AuthedRequest, ResidentAuth
from backend.photos.schemas import PhotoOut
from backend.photos.services import add_photo
from backend.schema_types import errors

router = Router(tags=["photos"], auth=ResidentAuth())


@router.post(
    "/photos", response={200: PhotoOut, 201: PhotoOut, **errors(400, 401, 409, 413, 415, 422)}
)
def upload_photo_first(
    request: AuthedRequest, photo: File[UploadedFile], photo_id: Form[UUID | None] = None
):
    """Photo first: upload before the report exists, read its position from the answer's
    `metadata`, then create the report with `photo_ids`."""
    saved, created = add_photo(request.auth, photo.read(), photo_id=photo_id)
    return Status(201 if created else 200, PhotoOut.of(saved, is_uploader=True))
