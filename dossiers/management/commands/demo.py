"""Load the demo college (idempotent) and print the accounts to log in with."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dossiers.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load a fictional college with staff, roles, periods and the award catalogue."

    def handle(self, *args, **options):
        # The demo's accounts, a superuser among them, share the password the README publishes.
        if not settings.DEBUG:
            raise CommandError(
                "The demo is for a laptop: it creates accounts with the published demo password, "
                "a superuser among them. Run it with DEBUG=true (make run does), never in "
                "production."
            )
        summary = load_demo()
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  {'admin':<18} administrator (Django admin)")
        for username, name, roles in summary.accounts:
            self.stdout.write(f"  {username:<18} {name} — {roles}")
        self.stdout.write(
            f"Demo institution {summary.institution.name}: {summary.created_people} people and "
            f"{summary.created_dossiers} dossiers created."
        )
