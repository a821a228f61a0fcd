"""Photo uploads: one photo per request, so a lost connection costs one photo."""

from uuid import UUID

from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from backend.accounts.auth import AuthedRequest, ResidentAuth
from backend.api_kit import errors
from backend.errors import Forbidden
from backend.photos.services import add_photo
from backend.reports.services import visible_report
from mobile_api.schemas import PhotoOut

router = Router(tags=["photos"], auth=ResidentAuth())

UPLOAD_ERRORS = errors(400, 401, 404, 409, 413, 415, 422)


@router.post(
    "/reports/{report_id}/photos", response={200: PhotoOut, 201: PhotoOut, **UPLOAD_ERRORS}
)
def upload_report_photo(
    request: AuthedRequest,
    report_id: UUID,
    photo: File[UploadedFile],
    photo_id: Form[UUID | None] = None,
):
    """Add a photo (JPEG, PNG, WebP, HEIC/HEIF; multipart field `photo`) to your report.

    Send your own `photo_id` (a UUID) to make a retry safe; without one, the same
    bytes on the same report are recognised. 201 for a new photo, 200 for a
    retry. The answer carries the photo's EXIF position and capture time; its
    public derivatives appear once processed.
    """
    report = visible_report(report_id, request.auth)
    if report.reporter_id != request.auth.id:
        raise Forbidden("Only the resident who reported it can add photos.", code="not_your_report")
    saved, created = add_photo(request.auth, photo.read(), photo_id=photo_id, report=report)
    return Status(201 if created else 200, PhotoOut.of(saved, is_uploader=True))


@router.post("/photos", response={200: PhotoOut, 201: PhotoOut, **UPLOAD_ERRORS})
def upload_photo_first(
    request: AuthedRequest, photo: File[UploadedFile], photo_id: Form[UUID | None] = None
):
    """Photo first: upload before the report exists, read its position from the answer's
    `metadata`, then create the report with `photo_ids`."""
    saved, created = add_photo(request.auth, photo.read(), photo_id=photo_id)
    return Status(201 if created else 200, PhotoOut.of(saved, is_uploader=True))
