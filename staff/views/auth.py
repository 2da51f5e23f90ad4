"""Sign in and out of the staff pages (Django's auth views with our templates)."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

# Password guessing: at most 10 attempts a minute per username (403 beyond). Not per client
# address: behind a proxy every user would share one.
LOGIN_RATE = "10/m"


@method_decorator(ratelimit(key="post:username", rate=LOGIN_RATE, method="POST", block=True), name="post")
class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}  # labels without a colon, as on every page


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView), so the sign-out button is a form with a CSRF token."""

    next_page = "staff:login"
