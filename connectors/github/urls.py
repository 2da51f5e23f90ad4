from django.urls import path

from .webhook import github_webhook

urlpatterns = [
    path("connectors/github/<int:connection_id>/webhook", github_webhook, name="github-webhook"),
]
