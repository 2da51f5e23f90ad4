"""Haystack's metrics routes: `POST /public/api/metrics` and `POST /public/api/team/{teamId}/metrics`.
The body says the range, granularity, type, grouping and filters; the answer is one of the
document's three shapes. Definitions: docs/haystack-delivery-metrics.md."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import METRICS_API_PERMISSION, Team
from accounts.permissions import HasMetricsApiPermission
from api.haystack import presenters
from api.haystack.examples import EXAMPLES
from api.haystack.response_serializers import HaystackMetricsResponseSerializer
from api.haystack.serializers import HaystackMetricsQuerySerializer
from common.api.exceptions import NotFoundError
from common.api.fields import MAX_ID
from common.api.transactions import AtomicWrites
from formulas import delivery as calc
from metrics.selectors import sprints
from metrics.selectors.delivery import series

TAG = "Delivery metrics (Haystack)"
ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each bad field with its messages; `filters` lists one object per filter, empty for good ones.",
    "additionalProperties": True,
}
BAD_REQUEST = OpenApiResponse(ERRORS_SCHEMA, description="Bad body: every bad field, value or combination, by name.")
TEAM_NOT_FOUND = OpenApiResponse(
    {
        "type": "object",
        "properties": {"teamId": {"type": "array", "items": {"type": "string"}}},
        "example": {"teamId": ["No team with id 5 in this organization."]},
    },
    description="No such team in the key's organization.",
)
DESCRIPTION = (
    "Metrics of issues, pull requests, deployments or sprints over `[startDate, endDate]` (UTC days), "
    "by week (x = the Monday) or month (x = the 1st), every bucket present; or per sprint with "
    "`granularity: cycle`. Measures: "
    + "; ".join(f"{kind}: {', '.join(m.path for m in measures)}" for kind, measures in calc.MEASURES.items())
    + ". Filters by type: "
    + "; ".join(f"{kind}: {', '.join(fields)}" for kind, fields in calc.FILTER_FIELDS.items())
    + ". Limited to 20 requests per minute per key."
)


class MetricsQueryPermission(HasMetricsApiPermission):
    """The Metrics API permission. These POSTs only read, so read-only keys may call them."""

    def has_permission(self, request, view) -> bool:
        if request.auth is None or request.user is None:
            return False
        return request.user.has_perm(METRICS_API_PERMISSION)


class HaystackMetricsView(AtomicWrites, APIView):
    """Delivery metrics of the whole organization."""

    permission_classes = [MetricsQueryPermission]
    rate_limit_scope = "delivery"

    def team(self) -> Team | None:
        return None

    @extend_schema(
        operation_id="haystack_metrics",
        tags=[TAG],
        summary="Delivery metrics of the organization",
        description=DESCRIPTION,
        request=HaystackMetricsQuerySerializer,
        responses={200: HaystackMetricsResponseSerializer, 400: BAD_REQUEST},
        examples=EXAMPLES,
    )
    def post(self, request, *args, **kwargs):
        team = self.team()
        serializer = HaystackMetricsQuerySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        query = serializer.query(organization=request.auth.organization, team=team)
        if query.type == calc.CYCLE_TYPE:
            return Response(presenters.cycle_document(sprints.sprint_rows(query=query)))
        result = series.delivery_series(query=query)
        if query.group_by:
            return Response(presenters.group_by_document(result, query))
        return Response(presenters.regular_document(result, query))


class HaystackTeamMetricsView(HaystackMetricsView):
    """Delivery metrics of a team and its nested teams."""

    def team(self) -> Team:
        raw = self.kwargs["teamId"]
        team_id = int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID else None
        team = None
        if team_id is not None:
            team = Team.objects.filter(organization=self.request.auth.organization, id=team_id).first()
        if team is None:
            shown = raw if len(raw) <= 40 else f"{raw[:40]}…"
            raise NotFoundError({"teamId": [f"No team with id {shown} in this organization."]})
        return team

    @extend_schema(
        operation_id="haystack_team_metrics",
        tags=[TAG],
        summary="Delivery metrics of a team (and its nested teams)",
        description=DESCRIPTION,
        parameters=[OpenApiParameter("teamId", OpenApiTypes.INT64, OpenApiParameter.PATH, description="Team id.")],
        request=HaystackMetricsQuerySerializer,
        responses={200: HaystackMetricsResponseSerializer, 400: BAD_REQUEST, 404: TEAM_NOT_FOUND},
        examples=EXAMPLES,
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
