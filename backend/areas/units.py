"""The units, as reference data held in memory (`backend.reference_data`), so
that a report or a page of tickets shows its unit without joining it."""

from backend.areas.models import Unit
from backend.reference_data import Snapshot

_units = Snapshot("units", lambda: {unit.id: unit for unit in Unit.objects.all()}, Unit)
watch_saves = _units.watch_saves


def unit_of(unit_id: int | None) -> Unit | None:
    """The unit with this id, active or not; None for none."""
    if unit_id is None:
        return None
    return _units.get_holding(lambda units: unit_id in units)[unit_id]
