"""`migrate`, run as the owner of the tables when MIGRATE_DATABASE_URL is set (see README,
"Database roles"); afterwards the application's role gets its privileges on the new tables."""

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from audit import roles


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as MIGRATE_DATABASE_URL's role when set."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if not settings.MIGRATE_DATABASE or connection.vendor != "postgresql":
            return super().handle(*args, **options)
        app_role = connection.settings_dict["USER"]
        with roles.as_owner(connection):
            super().handle(*args, **options)
        roles.grant_app_role(app_role, using=options["database"])
        if options["verbosity"]:
            self.stdout.write(f"Granted the application role {app_role} its privileges.")
