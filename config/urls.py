from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.api.routers import path_with_optional_slash
from common.login_limits import limit_password_guessing

urlpatterns = [
    # The admin's own login view, with the staff login's guessing limit (matched before the admin's URLs).
    path("admin/login/", limit_password_guessing(admin.site.login)),
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
]

handler500 = "common.views.server_error"
