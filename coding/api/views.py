"""Flow coding routes: Coding metrics (`period_metrics`) and the Teams and Users lookups."""

from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from accounts.models import Person, Team
from common.api.schema import FLOW_ERRORS_SCHEMA
from metrics.models import PersonCodingDay

from ..selectors import coding_days, people_with_activity, period_metrics, team_ancestor_names, teams_with_counts
from .filtersets import PeriodMetricsFilterSet, TeamFilterSet, UserFilterSet, today
from .serializers import PeriodMetricsSerializer, TeamDetailSerializer, UserSerializer


def _flow_error(example: dict) -> dict:
    return {**FLOW_ERRORS_SCHEMA, "example": example}


BAD_REQUEST = OpenApiResponse(
    _flow_error(
        {
            "include_nested_teams": [
                "Provide a valid choice. 'yes' is not one of the available choices: ['true', 'false']"
            ]
        }
    ),
    description="Bad parameters, each named with its messages, all at once.",
)
NOT_FOUND = OpenApiResponse(
    _flow_error({"team_id": ["No team with id 5 in this organization."]}),
    description="An id that is not in the key's organization, by parameter.",
)


class PeriodMetricsView(generics.GenericAPIView):
    """Coding days, commits per day, impact and efficiency for a date range, per Monday week
    (`resolution=week`, weeks without data omitted) or for the whole range (`resolution=period`).
    See docs/flow-coding-metrics.md for the definitions and the impact formula."""

    filterset_class = PeriodMetricsFilterSet
    serializer_class = PeriodMetricsSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PersonCodingDay.objects.none()
        return coding_days(organization=self.request.auth.organization)

    @extend_schema(filters=True, responses={200: PeriodMetricsSerializer, 400: BAD_REQUEST, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        queryset = filterset.qs
        data = filterset.form.cleaned_data
        now = today()
        rows = period_metrics(
            queryset=queryset,
            start=data["start_date"],
            end=data["end_date"] or now,
            resolution=data["resolution"],
            today=now,
        )
        return Response({"count": len(rows), "results": rows})


class TeamListView(generics.ListAPIView):
    """Teams of the organization (Flow Teams API), with their place in the tree and member counts."""

    serializer_class = TeamDetailSerializer
    filterset_class = TeamFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return teams_with_counts(organization=self.request.auth.organization).order_by("id")

    @extend_schema(responses={200: TeamDetailSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        names = team_ancestor_names(organization=request.auth.organization, teams=page)
        context = {**self.get_serializer_context(), "team_names": names}
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)


class UserListView(generics.ListAPIView):
    """People of the organization (Flow Users API; an apex user is a person), with their teams."""

    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        return people_with_activity(organization=self.request.auth.organization).order_by("id")

    @extend_schema(responses={200: UserSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
