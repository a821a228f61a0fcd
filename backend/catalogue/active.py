"""The active categories, as reference data held in memory (`backend.reference_data`)."""

from backend.catalogue.models import Category
from backend.reference_data import Snapshot


def _load() -> dict[str, Category]:
    return {category.code: category for category in Category.objects.active()}


_active = Snapshot("categories", _load, Category)
watch_saves = _active.watch_saves


def active_categories() -> list[Category]:
    """Every category a resident can choose, in the catalogue's order."""
    return list(_active.get().values())


def active_category(code: str) -> Category | None:
    return _active.get().get(code)
