from django.core.management.base import BaseCommand

from open311.models import ClientApplication


class Command(BaseCommand):
    help = "Register an Open311 client application and print its api_key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--fixmystreet",
            action="store_true",
            help="serve it FixMyStreet's extended statuses (fixed, duplicate, ...) in updates",
        )
        parser.add_argument(
            "--requests-per-hour",
            type=int,
            help="its own hourly limit (default: OPEN311_CLIENT_REQUESTS_PER_HOUR)",
        )

    def handle(self, name, fixmystreet=False, requests_per_hour=None, **options):
        client, key = ClientApplication.create_with_key(name)
        client.extended_statuses = fixmystreet
        client.requests_per_hour = requests_per_hour
        client.save(update_fields=["extended_statuses", "requests_per_hour"])
        self.stdout.write(key)
