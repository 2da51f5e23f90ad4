from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.api.docs import RedocView
from common.api.routers import path_with_optional_slash
from common.login_limits import limit_password_guessing

urlpatterns = [
    # The admin's own login view, with the staff login's guessing limit (matched before the admin's URLs).
    path("admin/login/", limit_password_guessing(admin.site.login)),
    path("admin/", admin.site.urls),
    path_with_optional_slash("api/schema", SpectacularAPIView.as_view(), "schema"),
    path_with_optional_slash("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), "swagger-ui"),
    path_with_optional_slash("api/redoc", RedocView.as_view(url_name="schema"), "redoc"),
    path("", include("operations.urls")),
    path("", include("api.flow.urls")),
    path("", include("api.ticketing.urls")),
    path("", include("api.nephthys.urls")),
    path("", include("api.haystack.urls")),
    path("", include("staff.urls")),
    path("", include("connectors.jira.urls")),
    path("", include("connectors.github.urls")),
]

handler500 = "common.views.server_error"
