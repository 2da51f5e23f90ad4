"""Password guessing limits of every sign-in form (the staff pages' and the admin's): at most
LOGIN_RATE attempts per username (a 403 beyond). Not per client address: behind a proxy every
user would share one. django-ratelimit counts in the default cache."""

from django_ratelimit.decorators import ratelimit

LOGIN_RATE = "10/m"


def limit_password_guessing(view):
    """`view` (a sign-in view function) with the per-username limit on its POSTs."""
    return ratelimit(key="post:username", rate=LOGIN_RATE, method="POST", block=True)(view)
