"""Who may open a staff page: a signed-in, active user of an organization who holds the "Metrics
API" permission (through a role, e.g. "Metrics API" or "Admin"; superusers hold every permission).
The pages show what the Metrics API shows, so they ask for the same permission, on every request."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render

from accounts.models import METRICS_API_PERMISSION


class StaffPageMixin(LoginRequiredMixin):
    """Sets `self.organization`; anonymous users go to the login page, others without the
    permission or an organization get a 403 page that says why."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        organization = user.organization if user.organization_id else None
        if organization is None or not user.has_perm(METRICS_API_PERMISSION):
            context = {"organization": organization, "has_permission": user.has_perm(METRICS_API_PERMISSION)}
            return render(request, "staff/forbidden.html", context, status=403)
        self.organization = organization
        return super().dispatch(request, *args, **kwargs)
