import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from backend.accounts.emulator import emulator_id_token
from backend.areas.models import Area
from backend.demo.seed import (
    DEMO_PASSWORD,
    create_demo_accounts,
    create_demo_reports,
    create_old_reports,
    load_tra_vinh,
    load_vinh_long_2025,
)


class Command(BaseCommand):
    help = "Run the service on its embedded default with demo data (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Prepare, do not serve")

    def handle(self, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError("The demo runs with DEBUG=1 only.")
        call_command("migrate", interactive=False, verbosity=0)
        if not Area.objects.exists():
            self.stdout.write("Loading the pre-2025 Trà Vinh layout and its old reports...")
            load_tra_vinh()
            create_old_reports()
            self.stdout.write("Loading Tỉnh Vĩnh Long's 2025 communes and wards and units...")
            load_vinh_long_2025()
        accounts = create_demo_accounts()
        if made := create_demo_reports():
            self.stdout.write(f"Made {made} demo reports, some already in the staff's hands.")
        port = os.environ.get("PORT", "8000")
        token = emulator_id_token("demo-resident", "+84901234567")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, area in accounts:
            self.stdout.write(f"  {username:<14} {role:<20} {area}")
        self.stdout.write(
            f"\nAPI docs:      http://127.0.0.1:{port}/api/v1/docs\n"
            f"Admin:         http://127.0.0.1:{port}/admin/\n"
            f"Console:       http://127.0.0.1:{port}/console/  (the staff accounts above)\n"
            f"Dashboard:     http://127.0.0.1:{port}/dashboard/\n"
            f"Scorecard:     http://127.0.0.1:{port}/public/areas/86/\n"
            f"Resident token (Authorization: Bearer ...):\n{token}\n"
        )
        if not no_serve:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
