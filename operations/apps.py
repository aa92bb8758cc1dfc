from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the installation: request ids and logs, health, last runs, backups."""

    name = "operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from celery.signals import before_task_publish, task_postrun, task_prerun

        from operations import tasks

        before_task_publish.connect(tasks.add_request_id_header, weak=False)
        task_prerun.connect(tasks.bind_request_id, weak=False)
        task_postrun.connect(tasks.unbind_request_id, weak=False)
