"""The home page: the organization, when its metrics were last rebuilt, ticket counts, links."""

from django.views.generic import TemplateView

from staff.access import StaffPageMixin
from staff.views.tickets import STATE_ORDER
from tickets.models import Ticket
from tickets.selectors.counts import ticket_counts_by_state


class HomeView(StaffPageMixin, TemplateView):
    template_name = "staff/home.html"

    def get_context_data(self, **kwargs):
        counts = ticket_counts_by_state(queryset=Ticket.objects.filter(organization=self.organization))
        return super().get_context_data(
            organization=self.organization,
            total=counts.pop("total"),
            counts=[(state.replace("_", " "), state, counts[state]) for state in STATE_ORDER],
            **kwargs,
        )
