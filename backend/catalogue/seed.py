"""The starting catalogue: realistic categories for a Vietnamese city."""

import json
from pathlib import Path

from backend.catalogue.models import Category

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")


def seed_catalogue(path: Path = CATALOGUE_FILE) -> int:
    """Create or update the categories of the file; returns how many it holds.

    Safe to run again: categories are matched by code, and ones an admin added
    are left alone.
    """
    entries = json.loads(path.read_text(encoding="utf-8"))
    for order, entry in enumerate(entries):
        Category.objects.update_or_create(
            code=entry["code"],
            defaults={
                "group": entry["group"],
                "default_priority": entry["priority"],
                "sla_hours": entry["sla_hours"],
                "keywords": entry.get("keywords", ""),
                "attributes": entry.get("attributes", []),
                "sort_order": (order + 1) * 10,
                **{f"name_{lang}": text for lang, text in entry["name"].items()},
                **{f"description_{lang}": text for lang, text in entry["description"].items()},
            },
        )
    return len(entries)
