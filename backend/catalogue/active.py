"""The categories, as reference data held in memory (`backend.reference_data`):
the active ones a resident can choose, and every one by id, for showing a
report without joining its category."""

from typing import NamedTuple

from backend.catalogue.models import Category
from backend.reference_data import Snapshot


class _Catalogue(NamedTuple):
    active_by_code: dict[str, Category]
    by_id: dict[int, Category]


def _load() -> _Catalogue:
    every = list(Category.objects.all())  # in the catalogue's order
    return _Catalogue(
        active_by_code={category.code: category for category in every if category.active},
        by_id={category.id: category for category in every},
    )


_catalogue = Snapshot("categories", _load, Category)
watch_saves = _catalogue.watch_saves


def active_categories() -> list[Category]:
    """Every category a resident can choose, in the catalogue's order."""
    return list(_catalogue.get().active_by_code.values())


def active_category(code: str) -> Category | None:
    return _catalogue.get().active_by_code.get(code)


def category_of(category_id: int) -> Category:
    """A report's category, active or not (a report keeps the category it was
    sent with after the catalogue retires it)."""
    catalogue = _catalogue.get_holding(lambda held: category_id in held.by_id)
    return catalogue.by_id[category_id]


def category_ids(codes: list[str]) -> list[int]:
    """The ids of the categories with these codes, active or not (a filter of
    the staff queue, whose old tickets keep a retired category)."""
    wanted = set(codes)
    return [c.id for c in _catalogue.get().by_id.values() if c.code in wanted]
