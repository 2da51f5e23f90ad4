from common.api.routers import path_with_optional_slash
from operations import views

urlpatterns = [
    path_with_optional_slash("healthz", views.healthz, "healthz"),
    path_with_optional_slash("readyz", views.readyz, "readyz"),
    path_with_optional_slash("metrics", views.metrics, "prometheus-metrics"),
]
