from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.api.routers import path_with_optional_slash

urlpatterns = [
    path("admin/", admin.site.urls),
    path_with_optional_slash("api/schema", SpectacularAPIView.as_view(), "schema"),
    path_with_optional_slash("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), "swagger-ui"),
    path("", include("tickets.api.urls")),
    path("", include("coding.api.urls")),
    path("", include("tickets.api.ticketing.urls")),
    path("", include("tickets.api.helpdesk.urls")),
    path("", include("metrics.api.urls")),
    path("", include("metrics.api.haystack.urls")),
    path("", include("staff.urls")),
    path("", include("connectors.jira.urls")),
    path("", include("connectors.github.urls")),
]

handler500 = "common.views.server_error"
