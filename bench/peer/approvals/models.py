from django.db import models
from django_fsm import FSMField, transition
from django_fsm_log.decorators import fsm_log_by


class Item(models.Model):
    """Something to approve: a state machine whose transitions django-fsm-log records."""

    state = FSMField(default="submitted")

    def __str__(self):
        return f"item {self.pk} ({self.state})"

    @fsm_log_by
    @transition(field=state, source="submitted", target="approved")
    def approve(self, by=None):
        """Approved by `by` (django-fsm-log writes the StateLog row with who)."""
