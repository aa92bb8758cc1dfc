"""What the API says about itself: the problem types it answers, each at its stable address."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api import problems
from api.base import Anyone, ApiMixin
from workflow.errors import NotFound


class ProblemType(serializers.Serializer):
    type = serializers.CharField()
    status = serializers.IntegerField()
    title = serializers.CharField()


def _described(code: str, status: int, title) -> dict:
    return {"type": problems.TYPE_BASE + code, "status": status, "title": str(title)}


class ProblemTypes(ApiMixin, APIView):
    """Every problem type the API answers, with its status."""

    authentication_classes = ()
    permission_classes = (Anyone,)

    @extend_schema(responses=ProblemType(many=True), auth=[])
    def get(self, request):
        return Response([_described(c, s, t) for c, (s, t) in problems.catalogue().items()])


class ProblemTypeDetail(ApiMixin, APIView):
    """One problem type: what its `type` address means."""

    authentication_classes = ()
    permission_classes = (Anyone,)

    @extend_schema(responses=ProblemType, auth=[])
    def get(self, request, code: str):
        found = problems.catalogue().get(code)
        if found is None:
            raise NotFound()
        return Response(_described(code, *found))


class UnknownPath(ApiMixin, APIView):
    """Any other path under /api/v1/: 404 as problem details, whatever the method."""

    authentication_classes = ()
    permission_classes = (Anyone,)
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()
