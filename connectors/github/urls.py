from django.urls import path

from connectors.github.webhook import github_webhook

urlpatterns = [
    path("connectors/github/<int:connection_id>/webhook", github_webhook, name="github-webhook"),
]
