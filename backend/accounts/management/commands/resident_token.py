from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.accounts.emulator import emulator_id_token


class Command(BaseCommand):
    help = "Print a development ID token for a resident (needs DEBUG and the auth emulator)."

    def add_arguments(self, parser):
        parser.add_argument("--uid", default="demo-resident")
        parser.add_argument("--phone", default="+84901234567")

    def handle(self, uid, phone, **options):
        if not (settings.DEBUG and settings.FIREBASE_AUTH_EMULATOR_HOST):
            raise CommandError("Needs DEBUG=1 and FIREBASE_AUTH_EMULATOR_HOST (see README).")
        self.stdout.write(emulator_id_token(uid, phone))
