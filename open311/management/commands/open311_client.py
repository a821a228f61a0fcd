from django.core.management.base import BaseCommand

from open311.models import ClientApplication


class Command(BaseCommand):
    help = "Register an Open311 client application and print its api_key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, name, **options):
        _, key = ClientApplication.create_with_key(name)
        self.stdout.write(key)
