from django.urls import path

from connectors.jira.webhook import jira_webhook

urlpatterns = [
    path("connectors/jira/<int:connection_id>/webhook", jira_webhook, name="jira-webhook"),
]
