"""Flow coding metrics: `/v3/customer/metrics/code_fundamentals/period_metrics/`."""

from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from api.flow.coding import presenters
from api.flow.coding.filtersets import PeriodMetricsFilterSet, today
from api.flow.coding.serializers import PeriodMetricsSerializer
from api.flow.errors import BAD_REQUEST, NOT_FOUND
from coding.models import PersonCodingDay
from coding.selectors import coding_days, period_metrics
from common.api.transactions import AtomicWrites


class PeriodMetricsView(AtomicWrites, generics.GenericAPIView):
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
        values = period_metrics(
            queryset=queryset,
            start=data["start_date"],
            end=data["end_date"] or now,
            resolution=data["resolution"],
            today=now,
        )
        return Response(presenters.period_metrics_body(values))
