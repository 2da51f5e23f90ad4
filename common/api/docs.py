"""The API documentation pages, from this server's own static files (drf-spectacular-sidecar)."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from common.api.transactions import AtomicWrites


class RedocView(AtomicWrites, SpectacularRedocView):
    """ReDoc without the Google Fonts links of drf-spectacular's template; its attribution logo
    (an image on cdn.redoc.ly) is kept from loading by the page's Content-Security-Policy, so the
    page fetches nothing from another host."""

    template_name = "api_docs/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = "img-src 'self' data:; font-src 'self' data:"
        return response
