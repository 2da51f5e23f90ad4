"""Password guessing limits of every sign-in form (the staff pages' and the admin's): at most
LOGIN_RATE attempts per username, counted across both forms (a 403 beyond). The username is
counted normalized (`normalized_username`): the forms NFKC-normalize and strip what they are given,
so `ａｄｍｉｎ` and ` admin ` sign in as `admin` and must not bring fresh budgets. Not per client
address: behind a proxy every user would share one. django-ratelimit counts in the default cache;
when the cache cannot count (Redis down or hung), sign-in fails closed: a 503 with Retry-After,
not unlimited guessing (docs/operations.md)."""

import unicodedata
from functools import wraps

from django.http import HttpResponse
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

LOGIN_RATE = "10/m"
LOGIN_GROUP = "tally:login"
RETRY_AFTER_SECONDS = 30


def normalized_username(group: str, request) -> str:
    """The posted username stripped, NFKC-normalized and casefolded (django-ratelimit's callable
    key). NFKC is applied again after casefolding, which can yield text it would change."""
    folded = unicodedata.normalize("NFKC", request.POST.get("username", "")).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def limit_password_guessing(view):
    """`view` (a sign-in view function) with the per-username limit on its POSTs."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            usage = get_usage(
                request, group=LOGIN_GROUP, key=normalized_username, rate=LOGIN_RATE, method="POST", increment=True
            )
            if usage is None:  # RATELIMIT_FAIL_OPEN and the cache failed: refuse rather than not count
                response = HttpResponse(
                    "Sign-in is unavailable for a moment. Try again shortly.", status=503, content_type="text/plain"
                )
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return response
            if usage["should_limit"]:
                raise Ratelimited()
        return view(request, *args, **kwargs)

    return limited
