"""Flow Teams and Users lookups: `/v3/customer/core/teams/` and `/v3/customer/core/users/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts.models import Person, Team
from api.flow.core.filtersets import TeamFilterSet, UserFilterSet
from api.flow.core.serializers import TeamDetailSerializer, UserSerializer
from api.flow.errors import BAD_REQUEST, NOT_FOUND
from coding.selectors import people_with_activity, team_ancestor_names, teams_with_counts
from common.api.transactions import AtomicWrites


class TeamListView(AtomicWrites, generics.ListAPIView):
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


class UserListView(AtomicWrites, generics.ListAPIView):
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
