from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Emulation and commendation")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_delete

        from dossiers import checks  # noqa: F401 - registers the deploy checks
        from dossiers.accounts import refuse_deleting_a_task_owner
        from dossiers.sessions import seen_at_sign_in

        pre_delete.connect(
            refuse_deleting_a_task_owner, sender=get_user_model(), dispatch_uid="task-owner"
        )
        user_logged_in.connect(seen_at_sign_in, dispatch_uid="session-idle-clock")
