"""The inbox through the API: the caller's open tasks, taking one, putting it back, a lead
reviewer handing one to someone else, and the secretary's undelivered mails and checks.

Each view calls what the inbox pages call (workflow.inbox, workflow.assignment,
workflow.undelivered); the services decide every refusal, as on the pages.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from api.base import ApiMixin
from api.dossiers import MAX_ID
from api.pagination import Cursor
from api.serializers import AwardRef, PeriodRef, PersonRef, UnitRef
from dossiers.models import Person, State
from outbox import selectors as outbox
from outbox.models import OutboxMessage
from workflow import assignment, inbox, permissions, steps, undelivered
from workflow.errors import NotFound

STEPS = list(steps.STEP_LABELS)


class InboxCursor(Cursor):
    ordering = ("created", "pk")  # oldest first, as the inbox page lists them


# Shapes -------------------------------------------------------------------------------------


class TaskQuery(serializers.Serializer):
    """The inbox page's filters, by the same names."""

    step = serializers.ChoiceField(choices=STEPS, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    award = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="Only the tasks past their step's deadline."
    )


class OwnerOut(serializers.Serializer):
    """Who took the task (`id` is null for an account without a staff record)."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class TaskDossierOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    nominee = serializers.CharField()
    unit = UnitRef()
    award_type = AwardRef()
    period = PeriodRef()


class TaskChangeOut(serializers.Serializer):
    """A task after it was taken, put back or handed over."""

    id = serializers.IntegerField()
    step = serializers.ChoiceField(choices=STEPS)
    step_label = serializers.CharField()
    dossier_id = serializers.IntegerField()
    owner = OwnerOut(allow_null=True)
    takeable = serializers.BooleanField(
        help_text="In the shared queue: anyone eligible may take it."
    )
    mine = serializers.BooleanField(help_text="Taken by you.")


class TaskOut(TaskChangeOut):
    """One entry of the inbox (workflow.inbox.InboxEntry)."""

    dossier = TaskDossierOut()
    created = serializers.DateTimeField()
    age_days = serializers.IntegerField()
    deadline = serializers.DateField(
        allow_null=True, help_text="The period's deadline for the step."
    )
    overdue = serializers.BooleanField()
    reassignable = serializers.BooleanField(help_text="You may hand it to someone else.")

    def to_representation(self, entry: inbox.InboxEntry) -> dict:
        return {
            **_change(entry),
            "dossier": TaskDossierOut(entry.dossier).data,
            "created": serializers.DateTimeField().to_representation(entry.task.created),
            "age_days": entry.age_days,
            "deadline": entry.deadline.isoformat() if entry.deadline else None,
            "overdue": entry.overdue,
            "reassignable": entry.reassignable and self.context["may_reassign"],
        }


def _change(entry: inbox.InboxEntry) -> dict:
    task = entry.task
    owner = None
    if task.owner_id is not None:
        person = getattr(task.owner, "person", None)
        owner = {"id": getattr(person, "pk", None), "name": entry.owner_name}
    return {
        "id": task.pk,
        "step": entry.step,
        "step_label": entry.label,
        "dossier_id": task.process.dossierprocess.dossier_id,
        "owner": owner,
        "takeable": entry.takeable,
        "mine": entry.mine,
    }


class ReassignIn(serializers.Serializer):
    to = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The person (id) to hand the task to."
    )


class OutboxMessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    summary = serializers.CharField(help_text="What it is about: a mail's recipient and subject.")
    state = serializers.ChoiceField(choices=OutboxMessage.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    created_at = serializers.DateTimeField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField()
    last_error = serializers.CharField()


# Views --------------------------------------------------------------------------------------


class TaskList(ApiMixin, generics.GenericAPIView):
    """Your open tasks, oldest first: yours, the shared queue of your steps, and for a lead
    reviewer the review tasks others took; with the inbox page's filters."""

    pagination_class = InboxCursor
    serializer_class = TaskOut

    @extend_schema(parameters=[TaskQuery], responses=TaskOut(many=True))
    def get(self, request):
        query = TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        person = self.person
        tasks = inbox.inbox(
            person,
            step=f.get("step"),
            unit_id=f.get("unit"),
            award_id=f.get("award"),
            overdue_only=f["overdue"],
        )
        page = self.paginate_queryset(tasks)
        context = {"person": person, "may_reassign": inbox.is_lead_reviewer(person)}
        body = TaskOut(inbox.entries(page, person), many=True, context=context).data
        return self.get_paginated_response(body)


class TaskAction(ApiMixin, generics.GenericAPIView):
    serializer_class = TaskChangeOut

    def done(self, task) -> Response:
        """The task as the inbox shows it now."""
        (entry,) = inbox.entries([task], self.person)
        return Response(_change(entry))


def _id_or_404(pk: int) -> int:
    """An id from the path, if a database column could hold it (else nothing has it)."""
    if pk > MAX_ID:
        raise NotFound()
    return pk


class TakeTask(TaskAction):
    """Take a task of the shared queue, so the others see who works on it."""

    @extend_schema(request=None, responses=TaskChangeOut)
    def post(self, request, task_id: int):
        task = assignment.take(
            task_id=_id_or_404(task_id), person=self.person, client_address=self.client_address
        )
        return self.done(task)


class ReleaseTask(TaskAction):
    """Put a task you took back into the shared queue."""

    @extend_schema(request=None, responses=TaskChangeOut)
    def post(self, request, task_id: int):
        task = assignment.release(
            task_id=_id_or_404(task_id), person=self.person, client_address=self.client_address
        )
        return self.done(task)


class ReassignTask(TaskAction):
    """A lead reviewer hands a review (or upward) task, taken or not, to an eligible person."""

    @extend_schema(request=ReassignIn, responses=TaskChangeOut)
    def post(self, request, task_id: int):
        body = ReassignIn(data=request.data)
        body.is_valid(raise_exception=True)
        person, wanted = self.person, body.validated_data["to"]
        to_person = Person.objects.of(person.institution).filter(pk=wanted).first()
        if to_person is None:
            raise serializers.ValidationError({"to": [_("Choose the person to hand the task to.")]})
        task = assignment.reassign(
            task_id=_id_or_404(task_id),
            person=person,
            to_person=to_person,
            client_address=self.client_address,
        )
        return self.done(task)


class TaskCandidates(ApiMixin, generics.GenericAPIView):
    """Whom you may hand this task of your inbox to, as the inbox page offers them: empty unless
    you are a lead reviewer and the task is of a step that can be handed over."""

    serializer_class = PersonRef
    pagination_class = None  # a short list, whole

    @extend_schema(responses=PersonRef(many=True), operation_id="tasks_candidates")
    def get(self, request, task_id: int):
        person = self.person
        task = inbox.inbox(person).filter(pk=_id_or_404(task_id)).first()
        if task is None:
            raise NotFound()
        step = task.flow_task.name
        if not (inbox.is_lead_reviewer(person) and step in inbox.REASSIGNABLE_STEPS):
            return Response([])
        people = inbox.eligible_people(person.institution_id, step)
        return Response(PersonRef(people, many=True).data)


class UndeliveredList(ApiMixin, generics.GenericAPIView):
    """For the council secretary: mails and checks that failed for good, or still wait after
    several minutes, newest first (at most 200, as on the page)."""

    serializer_class = OutboxMessageOut
    pagination_class = None  # the page's list, at most 200

    @extend_schema(responses=OutboxMessageOut(many=True))
    def get(self, request):
        permissions.require(self.person, "outbox.view")
        rows = outbox.undelivered(self.person.institution_id)
        return Response(OutboxMessageOut(rows, many=True).data)


class RetryUndelivered(ApiMixin, generics.GenericAPIView):
    """Try an undelivered mail or check again now."""

    serializer_class = OutboxMessageOut

    @extend_schema(request=None, responses=OutboxMessageOut)
    def post(self, request, pk: int):
        message = undelivered.retry_message(
            person=self.person, message_id=_id_or_404(pk), client_address=self.client_address
        )
        return Response(OutboxMessageOut(message).data)
