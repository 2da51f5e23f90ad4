"""A read runs in autocommit, a write in one transaction of its own (common.api.transactions)."""

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from accounts.models import Organization
from common.api.transactions import AtomicWrites


class Probe(AtomicWrites, APIView):
    """Answers whether it ran in a transaction; a POST creates an organization, then fails when asked."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        if request.query_params.get("fail"):
            raise ValidationError({"fail": ["Asked to fail."]})
        return Response({"atomic": connection.in_atomic_block})

    def post(self, request):
        Organization.objects.create(slug=request.data["slug"], name="Probe")
        if request.data.get("fail"):
            raise ValidationError({"fail": ["Asked to fail."]})
        return Response({"atomic": connection.in_atomic_block})


urlpatterns = [path("probe", Probe.as_view())]


@pytest.fixture
def client():
    with override_settings(ROOT_URLCONF=__name__):
        yield APIClient()


@pytest.mark.django_db(transaction=True)
def test_a_read_runs_in_autocommit(client):
    assert client.get("/probe").json() == {"atomic": False}


@pytest.mark.django_db(transaction=True)
def test_a_write_runs_in_a_transaction_and_commits(client):
    response = client.post("/probe", {"slug": "kept"}, format="json")
    assert response.json() == {"atomic": True}
    assert Organization.objects.filter(slug="kept").exists()


@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_leaves_nothing(client):
    response = client.post("/probe", {"slug": "dropped", "fail": True}, format="json")
    assert response.status_code == 400
    assert not Organization.objects.filter(slug="dropped").exists()


@pytest.mark.django_db
def test_a_failed_read_does_not_roll_back_its_callers_transaction():
    request = APIRequestFactory().get("/probe", {"fail": "1"})
    with transaction.atomic():
        response = Probe.as_view()(request)
        assert response.status_code == 400
        assert not transaction.get_rollback()
        assert Organization.objects.count() >= 0  # the transaction is still usable


def routed_views(resolver=None):
    """Every view function of the URLconf."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routed_views(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def test_every_api_view_reads_in_autocommit_and_writes_in_a_transaction():
    api_views = [view for view in routed_views() if issubclass(getattr(view, "cls", object), APIView)]
    own = [view for view in api_views if not view.cls.__module__.startswith("drf_spectacular")]
    assert len(own) >= 9
    assert [view.cls.__name__ for view in own if not issubclass(view.cls, AtomicWrites)] == []
    assert all(view._non_atomic_requests for view in own)
