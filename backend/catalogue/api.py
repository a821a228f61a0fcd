"""The catalogue: the categories a resident can choose."""

from django.http import HttpRequest
from ninja import Router
from ninja.decorators import decorate_view

from backend.catalogue.active import active_categories
from backend.catalogue.schemas import CategoryOut
from backend.public_cache import cached_for_anonymous
from backend.schema_types import errors

router = Router(tags=["areas"])


@router.get("/categories", response={200: list[CategoryOut], **errors(429)}, auth=None)
@decorate_view(cached_for_anonymous)
def list_categories(request: HttpRequest):
    """The categories a resident can choose, in the language of Accept-Language."""
    return [CategoryOut.of(c) for c in active_categories()]
