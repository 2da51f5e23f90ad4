"""Sign in and out of the staff pages (Django's auth views with our templates)."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from common.login_limits import limit_password_guessing


# Password guessing: at most 10 attempts a minute per username (403 beyond), as on the admin's login.
@method_decorator(limit_password_guessing, name="post")
class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}  # labels without a colon, as on every page


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView), so the sign-out button is a form with a CSRF token."""

    next_page = "staff:login"
