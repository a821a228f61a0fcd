from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from backend.areas.loading import read_edition
from backend.reports import reform


class Command(BaseCommand):
    help = (
        "An administrative reform: `plan` shows what moving to a new edition of boundaries "
        "would do and changes nothing (it writes the computed area mapping to --mapping when "
        "that file does not exist, for a person to review and edit); `apply` does it, in one "
        "transaction, with the mapping in that file."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["plan", "apply"])
        parser.add_argument("edition", help="a name from backend/areas/editions, or a path")
        parser.add_argument("--mapping", type=Path, required=True)
        parser.add_argument("--verbose-moves", action="store_true", help="list every ticket")

    def handle(self, action, edition, mapping, verbose_moves, **options):
        if action == "apply" and not mapping.exists():
            raise CommandError(f"{mapping} does not exist: run `reform plan` first and review it.")
        try:
            spec = read_edition(edition)
            result = (reform.plan if action == "plan" else reform.apply)(spec, mapping)
        except (OSError, ValueError, KeyError, ImproperlyConfigured) as error:
            raise CommandError(f"{edition}: {error}") from error
        self._print(action, result, mapping, verbose_moves)

    def _print(self, action, result, mapping, verbose_moves) -> None:
        out = self.stdout.write
        verb = "would move" if action == "plan" else "moved"
        out(f"Mapping {result.mapping.from_edition} -> {result.mapping.to_edition}: {mapping}")
        out(
            f"  {len(result.mapping.successors)} successors, "
            f"{len(result.mapping.predecessors)} predecessors"
        )
        out(
            f"Open tickets: {len(result.moves)} {verb}, {len(result.outside)} outside every "
            f"new area (kept as they are), {len(result.without_unit)} without a unit"
        )
        moves = result.moves if verbose_moves else result.moves[:20]
        for move in moves:
            out(
                f"  {move.reference}: {move.from_area} ({move.from_unit}) -> "
                f"{move.to_area} ({move.to_unit})"
            )
        if len(moves) < len(result.moves):
            out(f"  ... and {len(result.moves) - len(moves)} more (--verbose-moves)")
        out(f"Routing rules carried over: {result.rules_carried}")
        for unit, before, after in result.units_moved:
            out(f"  unit {unit}: serves {after} (was {before})")
        for username, before, after, widened in result.scopes_moved:
            note = "  WIDER than before: check it" if widened else ""
            out(f"  scope of {username}: {before} -> {after}{note}")
        for username, before in result.unmapped_scopes:
            out(f"  scope of {username}: {before} has no successor; set one in the mapping")
        for unit, count in sorted(result.units_told.items()):
            out(f"  staff of {unit} told once: {count} tickets arrived")
        out(f"New areas where some category reaches no unit: {len(result.uncovered)}")
        for area, categories in sorted(result.uncovered.items()):
            out(f"  {area}: {', '.join(categories)}")
