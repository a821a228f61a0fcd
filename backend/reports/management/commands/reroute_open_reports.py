from django.core.management.base import BaseCommand

from backend.reports.rerouting import reroute_open_reports


class Command(BaseCommand):
    help = "Re-route every open report to the current areas (after load_areas of a new edition)."

    def handle(self, **options):
        result = reroute_open_reports()
        self.stdout.write(
            f"{result.checked} open reports checked, {result.moved} moved, "
            f"{result.outside} now outside every area (left as they were)"
        )
