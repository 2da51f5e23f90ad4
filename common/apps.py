from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Shared API plumbing"

    def ready(self):
        from django.core import checks

        from common.api.throttling import check_rate_limits

        checks.register(check_rate_limits)
