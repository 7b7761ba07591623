"""Sign-in with an e-mail address, with every attempt kept as a LoginEvent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from rapport.core.models import User
from rapport.core.services.logins import login_event_record


def _record_attempt(request: HttpRequest, *, email: str, user: User | None, succeeded: bool) -> None:
    login_event_record(
        email=email,
        user=user,
        succeeded=succeeded,
        ip_address=request.META.get("REMOTE_ADDR"),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, asking for the e-mail address the account is known by."""

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail")
        username.widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
        username.widget.attrs["maxlength"] = "254"


class RapportLoginView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        _record_attempt(self.request, email=user.email, user=user, succeeded=True)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        email = str(form.data.get("username") or "").strip()
        if email:
            user = User.objects.filter(email__iexact=email).first()
            _record_attempt(self.request, email=email, user=user, succeeded=False)
        return super().form_invalid(form)
