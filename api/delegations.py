"""Delegations (ủy quyền) through the API: those you gave and received, lending a role, ending
one early. The page's service decides every refusal (dossiers.delegations), with its messages.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.base import ApiMixin
from api.dossiers import MAX_ID
from api.records import Owned
from api.serializers import PersonRef
from dossiers import delegations
from dossiers.bounds import DATE_VALIDATORS
from dossiers.models import Person, Role
from workflow.errors import NotFound, NotPermitted

GIVEN, RECEIVED = "given", "received"


class DelegationOut(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(source="get_role_display")
    delegator = PersonRef()
    delegate = PersonRef()
    starts_on = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    ends_on = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    reason = serializers.CharField()
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_direction(self, delegation) -> str:
        """`given` by you or `received` by you (an administrator may read others': `other`)."""
        me = self.context["person"].pk
        if delegation.delegator_id == me:
            return GIVEN
        return RECEIVED if delegation.delegate_id == me else "other"

    def get_status(self, delegation) -> str:
        return delegations.status_of(delegation, self.context["today"])

    def get_status_label(self, delegation) -> str:
        return str(delegations.STATUS_LABELS[self.get_status(delegation)])


class DelegationIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    delegate = Owned(Person)
    starts_on = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    ends_on = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    reason = serializers.CharField(max_length=300)


class DelegationFilters(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[GIVEN, RECEIVED], required=False)


class DelegationView(ApiMixin, generics.GenericAPIView):
    def shown(self) -> dict:
        return {"person": self.person, "today": timezone.localdate()}


class DelegationList(DelegationView):
    """The delegations you gave and received; lend one of your roles to a colleague."""

    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[OpenApiParameter("direction", OpenApiTypes.STR, enum=[GIVEN, RECEIVED])],
        responses=DelegationOut(many=True),
    )
    def get(self, request):
        filters = DelegationFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        direction = filters.validated_data.get("direction")
        found = delegations.delegations_of(self.person)
        if direction == GIVEN:
            found = found.filter(delegator=self.person)
        elif direction == RECEIVED:
            found = found.filter(delegate=self.person)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(
            DelegationOut(page, many=True, context=self.shown()).data
        )

    @extend_schema(request=DelegationIn, responses={201: DelegationOut})
    def post(self, request):
        if not delegations.delegable_roles(self.person):
            raise NotPermitted(_("None of your roles can be delegated."))
        body = DelegationIn(data=request.data, context={"institution": self.person.institution_id})
        body.is_valid(raise_exception=True)
        delegation = delegations.create_delegation(
            delegator=self.person, client_address=self.client_address, **body.validated_data
        )
        response = Response(
            DelegationOut(visible_or_404(self.person, delegation.pk), context=self.shown()).data,
            status=status.HTTP_201_CREATED,
        )
        response["Location"] = f"/api/v1/delegations/{delegation.pk}/"
        return response


def visible_or_404(person, pk: int):
    delegation = delegations.delegation_for(person, pk) if 0 < pk <= MAX_ID else None
    if delegation is None:
        raise NotFound(_("No such delegation, or you may not see it."))
    return delegation


class DelegationDetail(DelegationView):
    """One delegation you gave or received."""

    @extend_schema(responses=DelegationOut)
    def get(self, request, pk: int):
        delegation = visible_or_404(self.person, pk)
        return Response(DelegationOut(delegation, context=self.shown()).data)


class DelegationEnd(DelegationView):
    """End a delegation you gave, now, before its last day."""

    @extend_schema(request=None, responses=DelegationOut, operation_id="delegations_end")
    def post(self, request, pk: int):
        delegation = visible_or_404(self.person, pk)
        delegations.end_delegation(
            delegation_id=delegation.pk, person=self.person, client_address=self.client_address
        )
        fresh = visible_or_404(self.person, pk)
        return Response(DelegationOut(fresh, context=self.shown()).data)
