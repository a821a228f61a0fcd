"""How areas, units and points appear in the API."""

from ninja import Schema
from pydantic import Field

from backend.areas.models import Area, Unit
from backend.schema_types import Out


class AreaOut(Out):
    code: str
    name: str
    level: str

    @classmethod
    def of(cls, area: Area | None) -> "AreaOut | None":
        return None if area is None else cls(code=area.code, name=area.name, level=area.level)


class UnitOut(Out):
    code: str
    name: str

    @classmethod
    def of(cls, unit: Unit | None) -> "UnitOut | None":
        return None if unit is None else cls(code=unit.code, name=unit.name)


class Coordinates(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
