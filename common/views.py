"""Error pages for failures outside the API views (a middleware, the URL resolver): the API paths
answer the product-wide JSON 500 body, the staff pages and the admin Django's bare page. Neither
says anything about the failure."""

from django.http import JsonResponse
from django.views.defaults import server_error as html_server_error

from common.api.exceptions import UNKNOWN_ERROR_BODY

API_PREFIXES = ("/ticket-delivery", "/v3/", "/public/api/", "/api/", "/ticketing/")


def server_error(request):
    """handler500: `{"error": ["Unknown error occurred"]}` on an API path, else the bare page."""
    if request.path.startswith(API_PREFIXES):
        return JsonResponse(UNKNOWN_ERROR_BODY, status=500)
    return html_server_error(request)
