"""The institution's reference data and staff through the API: units, people, award types,
periods (read by any member of staff), and the staff list and annual ratings (written by the
personnel officer, as an HR system pushes them).

Writes call dossiers.people, which checks the model's rules and audits each change as the
admin's screens do; reads are scoped to the caller's institution, another's objects are missing.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.base import ApiMixin
from api.dossiers import MAX_ID
from api.serializers import PeriodRef, PersonRef, UnitRef
from dossiers import people, selectors
from dossiers.bounds import DATE_VALIDATORS
from dossiers.models import AnnualRating, AwardType, Period, Person, Rating, Unit
from workflow import permissions
from workflow.errors import NotFound

# Fields
# ---------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class Owned(serializers.Field):
    """The id of a row of the caller's institution (context `institution`): another
    institution's id reads as unknown, so nothing leaks."""

    def __init__(self, model, **kwargs):
        self.model = model
        self.id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        pk = self.id.run_validation(data)
        found = self.model.objects.of(self.context["institution"]).filter(pk=pk).first()
        if found is None:
            raise serializers.ValidationError(
                _("No such %(object)s.") % {"object": self.model._meta.verbose_name}
            )
        return found

    def to_representation(self, value):
        return value.pk


def one_of(queryset, pk: int):
    """The row `pk` of a queryset already scoped to the caller, or 404 (huge ids included)."""
    found = queryset.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


# Shapes
# ---------------------------------------------------------------------------------------------


class UnitOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Unit.Kind.choices)
    is_active = serializers.BooleanField()


class PersonOut(serializers.Serializer):
    """A member of staff; the date of birth, e-mail and language only for who keeps the list."""

    PRIVATE = ("birth_date", "email", "language", "employed_since")

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    unit = UnitRef()
    position = serializers.CharField()
    holds_leadership_post = serializers.BooleanField()
    gender = serializers.ChoiceField(choices=Person.Gender.choices)
    is_active = serializers.BooleanField()
    birth_date = serializers.DateField(validators=DATE_VALIDATORS, required=False, allow_null=True)
    # A plain string: "" for someone without an address (not a malformed e-mail).
    email = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    employed_since = serializers.DateField(
        validators=DATE_VALIDATORS, required=False, allow_null=True
    )

    def to_representation(self, person):
        data = super().to_representation(person)
        if not self.context.get("private"):
            for name in self.PRIVATE:
                data.pop(name)
        return data


def person_context(view) -> dict:
    return {"private": permissions.may(view.person, "person.manage") is not None}


class PersonIn(serializers.Serializer):
    full_name = serializers.CharField(max_length=120)
    unit = Owned(Unit)
    position = serializers.CharField(max_length=120, required=False, allow_blank=True)
    holds_leadership_post = serializers.BooleanField(required=False)
    gender = serializers.ChoiceField(choices=Person.Gender.choices)
    birth_date = serializers.DateField(validators=DATE_VALIDATORS, required=False, allow_null=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    # For the months worked in a period (maternity leave and training count as worked).
    employed_since = serializers.DateField(
        validators=DATE_VALIDATORS, required=False, allow_null=True
    )


class PersonPatch(PersonIn):
    """Any of the fields; `is_active: false` deactivates (the person is never deleted)."""

    full_name = serializers.CharField(max_length=120, required=False)
    unit = Owned(Unit, required=False)
    gender = serializers.ChoiceField(choices=Person.Gender.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class PeopleFilters(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    # A query string's missing boolean would read as false without the explicit default.
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class ThresholdOut(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    comparison = serializers.ChoiceField(choices=AwardType.Comparison.choices)


class VoteThresholdOut(ThresholdOut):
    base = serializers.ChoiceField(choices=AwardType.VoteBase.choices)


class EligibilityOut(serializers.Serializer):
    min_rating = serializers.IntegerField(
        allow_null=True, help_text="The lowest annual rating accepted (1 to 4, as `rating`)."
    )
    disqualifying_discipline = serializers.IntegerField(allow_null=True)
    requires_excellence_or_initiative = serializers.BooleanField()
    prerequisite_award = serializers.IntegerField(source="prerequisite_award_id", allow_null=True)
    prerequisite_consecutive_years = serializers.IntegerField()
    member_award = serializers.IntegerField(source="member_award_id", allow_null=True)
    member_award_min_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True
    )


class AwardTypeOut(serializers.Serializer):
    """An award type and the rules it is decided by, as data."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    nominee_kind = serializers.ChoiceField(choices=AwardType.NomineeKind.choices)
    category = serializers.ChoiceField(choices=AwardType.Category.choices)
    decided_by = serializers.ChoiceField(choices=AwardType.DecidedBy.choices)
    is_active = serializers.BooleanField()
    valid_from = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    valid_to = serializers.DateField(validators=DATE_VALIDATORS, allow_null=True)
    required_document_kinds = serializers.SerializerMethodField()
    secret_ballot_required = serializers.BooleanField()
    vote_threshold = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()
    public_notice_working_days = serializers.IntegerField()
    eligibility = EligibilityOut(source="*")

    def get_required_document_kinds(self, award) -> list[str]:
        """The codes of the document kinds a dossier for this award must carry."""
        return [kind.code for kind in award.required_document_kinds.all()]

    @extend_schema_field(VoteThresholdOut)
    def get_vote_threshold(self, award) -> dict:
        return VoteThresholdOut(
            {
                "percent": award.vote_threshold_percent,
                "comparison": award.vote_threshold_comparison,
                "base": award.vote_threshold_base,
            }
        ).data

    @extend_schema_field(ThresholdOut)
    def get_quorum(self, award) -> dict:
        return ThresholdOut(
            {"percent": award.quorum_percent, "comparison": award.quorum_comparison}
        ).data


class PeriodOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Period.Kind.choices)
    starts_on = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    ends_on = serializers.DateField(
        validators=DATE_VALIDATORS,
    )
    is_current = serializers.BooleanField()
    submit_by = serializers.DateField(validators=DATE_VALIDATORS, allow_null=True)
    review_by = serializers.DateField(validators=DATE_VALIDATORS, allow_null=True)
    council_by = serializers.DateField(validators=DATE_VALIDATORS, allow_null=True)
    sign_by = serializers.DateField(validators=DATE_VALIDATORS, allow_null=True)


class RatingOut(serializers.Serializer):
    id = serializers.IntegerField()
    person = PersonRef()
    period = PeriodRef()
    rating = serializers.ChoiceField(choices=Rating.choices)
    rating_label = serializers.CharField(source="get_rating_display")


class RatingPatch(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)


class RatingIn(RatingPatch):
    period = Owned(Period)


# Views
# ---------------------------------------------------------------------------------------------


class Scoped(ApiMixin):
    def owned(self) -> dict:
        """The serializer context that resolves `Owned` ids in the caller's institution."""
        return {"institution": self.person.institution_id}


class UnitList(Scoped, generics.GenericAPIView):
    """The units of your institution."""

    @extend_schema(responses=UnitOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(Unit.objects.of(self.person.institution_id))
        return self.get_paginated_response(UnitOut(page, many=True).data)


class UnitDetail(Scoped, generics.GenericAPIView):
    @extend_schema(responses=UnitOut)
    def get(self, request, pk: int):
        return Response(UnitOut(one_of(Unit.objects.of(self.person.institution_id), pk)).data)


class PersonList(Scoped, generics.GenericAPIView):
    """The staff of your institution; the personnel officer adds a person (without an account)."""

    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT),
            OpenApiParameter("active", OpenApiTypes.BOOL),
        ],
        responses=PersonOut(many=True),
    )
    def get(self, request):
        filters = PeopleFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        staff = selectors.staff_list(
            self.person.institution_id, unit_id=f.get("unit"), active=f["active"]
        )
        page = self.paginate_queryset(staff)
        return self.get_paginated_response(
            PersonOut(page, many=True, context=person_context(self)).data
        )

    @extend_schema(request=PersonIn, responses={201: PersonOut})
    def post(self, request):
        permissions.require(self.person, "person.manage")
        body = PersonIn(data=request.data, context=self.owned())
        body.is_valid(raise_exception=True)
        person = people.create_person(
            officer=self.person, client_address=self.client_address, **body.validated_data
        )
        response = person_response(self, person.pk, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/people/{person.pk}/"
        return response


def person_response(view, pk: int, status_code=status.HTTP_200_OK) -> Response:
    person = one_of(selectors.staff_list(view.person.institution_id), pk)
    return Response(PersonOut(person, context=person_context(view)).data, status=status_code)


class PersonDetail(Scoped, generics.GenericAPIView):
    """One member of staff; the personnel officer changes or deactivates them."""

    parser_classes = [JSONParser]

    @extend_schema(responses=PersonOut)
    def get(self, request, pk: int):
        return person_response(self, pk)

    @extend_schema(request=PersonPatch, responses=PersonOut)
    def patch(self, request, pk: int):
        person = one_of(selectors.staff_list(self.person.institution_id), pk)
        permissions.require(self.person, "person.manage", person)
        body = PersonPatch(data=request.data, context=self.owned())
        body.is_valid(raise_exception=True)
        people.change_person(
            person_id=person.pk,
            officer=self.person,
            client_address=self.client_address,
            **body.validated_data,
        )
        return person_response(self, person.pk)


class AwardTypeList(Scoped, generics.GenericAPIView):
    """The award catalogue of your institution, with its rules as data."""

    @extend_schema(responses=AwardTypeOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.award_catalogue(self.person.institution_id))
        return self.get_paginated_response(AwardTypeOut(page, many=True).data)


class AwardTypeDetail(Scoped, generics.GenericAPIView):
    @extend_schema(responses=AwardTypeOut)
    def get(self, request, pk: int):
        award = one_of(selectors.award_catalogue(self.person.institution_id), pk)
        return Response(AwardTypeOut(award).data)


class PeriodList(Scoped, generics.GenericAPIView):
    """The emulation periods of your institution, with their deadlines."""

    @extend_schema(responses=PeriodOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(Period.objects.of(self.person.institution_id))
        return self.get_paginated_response(PeriodOut(page, many=True).data)


class PeriodDetail(Scoped, generics.GenericAPIView):
    @extend_schema(responses=PeriodOut)
    def get(self, request, pk: int):
        return Response(PeriodOut(one_of(Period.objects.of(self.person.institution_id), pk)).data)


class RatingList(Scoped, generics.GenericAPIView):
    """A person's annual ratings (for the personnel officer); record one for a period."""

    parser_classes = [JSONParser]

    def _person(self, pk: int) -> Person:
        """The person (404 outside the institution), if the caller keeps ratings (else 403)."""
        person = one_of(selectors.staff_list(self.person.institution_id), pk)
        permissions.require(self.person, "rating.manage", person)
        return person

    @extend_schema(responses=RatingOut(many=True))
    def get(self, request, pk: int):
        person = self._person(pk)
        page = self.paginate_queryset(selectors.ratings_of(person))
        return self.get_paginated_response(RatingOut(page, many=True).data)

    @extend_schema(request=RatingIn, responses={201: RatingOut})
    def post(self, request, pk: int):
        person = self._person(pk)
        body = RatingIn(data=request.data, context=self.owned())
        body.is_valid(raise_exception=True)
        record = people.record_rating(
            person_id=person.pk,
            officer=self.person,
            client_address=self.client_address,
            **body.validated_data,
        )
        response = Response(
            RatingOut(one_of(selectors.ratings_of(person), record.pk)).data,
            status=status.HTTP_201_CREATED,
        )
        response["Location"] = f"/api/v1/people/{person.pk}/ratings/{record.pk}/"
        return response


class RatingDetail(Scoped, generics.GenericAPIView):
    """One rating; the personnel officer corrects it (the audit event keeps both values)."""

    parser_classes = [JSONParser]

    def _rating(self, pk: int, rating_id: int) -> AnnualRating:
        person = one_of(selectors.staff_list(self.person.institution_id), pk)
        record = one_of(selectors.ratings_of(person), rating_id)
        permissions.require(self.person, "rating.manage", record)
        return record

    @extend_schema(responses=RatingOut)
    def get(self, request, pk: int, rating_id: int):
        return Response(RatingOut(self._rating(pk, rating_id)).data)

    @extend_schema(request=RatingPatch, responses=RatingOut)
    def patch(self, request, pk: int, rating_id: int):
        record = self._rating(pk, rating_id)
        body = RatingPatch(data=request.data)
        body.is_valid(raise_exception=True)
        people.change_rating(
            rating_id=record.pk,
            officer=self.person,
            client_address=self.client_address,
            **body.validated_data,
        )
        return Response(RatingOut(one_of(selectors.ratings_of(record.person), record.pk)).data)
