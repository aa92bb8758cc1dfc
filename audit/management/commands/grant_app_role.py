"""`manage.py grant_app_role ROLE`: give the application's PostgreSQL role what it may do.

Read and write every table, except that the audit trail and its checkpoints are append-only
(no UPDATE, DELETE or TRUNCATE) and the chain head cannot be deleted or truncated. Runs as the
owner (MIGRATE_DATABASE_URL, or DATABASE_URL when unset); idempotent.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit import roles


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role its privileges (the trail append-only)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role in DATABASE_URL, e.g. thidua_app")
        parser.add_argument("--print", action="store_true", help="print the statements only")

    def handle(self, *args, role, **options):
        if options["print"]:
            for statement in roles.grant_statements(role, connection.ops.quote_name):
                self.stdout.write(statement + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError("Database roles apply to PostgreSQL only.")
        roles.grant_app_role(role)
        self.stdout.write(f"Granted {role} the application's privileges; the trail is append-only.")
