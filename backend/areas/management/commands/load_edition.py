from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from backend.areas.loading import load_edition, read_edition


class Command(BaseCommand):
    help = (
        "Load an edition of administrative boundaries (a name from backend/areas/editions, "
        "or the path of an edition file) when the service starts. Its files are read from "
        "SHARED_DATA_DIR. To replace a running edition, use `reform` instead: it carries "
        "the routing rules, units, staff scopes and open tickets over."
    )

    def add_arguments(self, parser):
        parser.add_argument("edition")

    def handle(self, edition, **options):
        try:
            result = load_edition(read_edition(edition))
        except (OSError, ValueError, KeyError, ImproperlyConfigured) as error:
            raise CommandError(f"{edition}: {error}") from error
        self.stdout.write(
            f"{edition}: {result.created} areas created, {result.updated} updated, "
            f"{result.retired} of other editions retired"
        )
