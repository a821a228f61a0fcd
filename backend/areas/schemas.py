"""How areas, units and points appear in the API."""

from ninja import Schema
from pydantic import Field

from backend.areas.hierarchy import area_tree
from backend.areas.models import Area, Unit
from backend.i18n import current_language
from backend.schema_types import Out


class AreaOut(Out):
    code: str
    name: str
    level: str = Field(description="The level's code in its edition: province, commune, ...")
    level_label: str = Field(description="The level's name in the request's language")
    edition: str

    @classmethod
    def of_optional(cls, area: Area | None) -> "AreaOut | None":
        return None if area is None else cls.of(area)

    @classmethod
    def of(cls, area: Area, language: str | None = None) -> "AreaOut":
        level = area_tree().level_of(area)
        language = language or current_language()
        return cls(
            code=area.code,
            name=area.name,
            level=area.level,
            level_label=level.label(language) if level else area.level,
            edition=area.edition,
        )

    @classmethod
    def chain(cls, area_id: int | None) -> "list[AreaOut]":
        """An area and its ancestors, largest first, from the area tree (built
        once per tree and language: a page of reports shows a few areas many times)."""
        language = current_language()
        tree = area_tree()
        key = (cls, area_id, language)
        chain = tree.derived.get(key)
        if chain is None:
            chain = tree.derived[key] = [cls.of(area, language) for area in tree.chain(area_id)]
        return chain


class UnitOut(Out):
    code: str
    name: str

    @classmethod
    def of(cls, unit: Unit | None) -> "UnitOut | None":
        return None if unit is None else cls(code=unit.code, name=unit.name)


class Coordinates(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
