from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.areas.loading import load_areas
from backend.areas.models import Level


class Command(BaseCommand):
    help = (
        "Load one level of administrative boundaries from a GeoJSON file. Loading a new "
        "edition retires the areas of other editions at that level (kept, never deleted); "
        "then run reroute_open_reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--level", required=True, choices=[c.value for c in Level])
        parser.add_argument("--edition", required=True, help='Boundary set name, e.g. "gso-2019"')
        parser.add_argument("--parent-code", help="Parent area code for every feature")

    def handle(self, file, level, edition, parent_code, **options):
        try:
            result = load_areas(file, level, edition, parent_code)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{file}: {error}") from error
        self.stdout.write(
            f"{level}: {result.created} created, {result.updated} updated, {result.retired} retired"
        )
