from urllib.parse import urlencode

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

oauth = OAuth()
oauth.register("sundown")


def home(request):
    if request.user.is_authenticated:
        return HttpResponse(f"<h1>Signed in as {request.user.username}</h1><p><a href='{reverse('logout')}'>Sign out</a></p>")
    return HttpResponse(f"<h1>Signed out</h1><p><a href='{reverse('login')}'>Sign in</a></p>")


def login_view(request):
    return oauth.sundown.authorize_redirect(request, request.build_absolute_uri(reverse("auth")))


def auth(request):
    token = oauth.sundown.authorize_access_token(request)
    claims = token["userinfo"]  # the validated ID token's claims
    user, _ = get_user_model().objects.get_or_create(username=claims.get("preferred_username", claims["sub"]))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("home")


def logout_view(request):
    """The seed's view, as Keycloak's older guides show it: end the Django session, then send
    the browser to the provider's logout with only `redirect_uri` (pre-2022 Keycloak). Sundown
    accepts it where the realm sets `legacyLogoutRedirectUri: "true"`, asks the user to confirm,
    tells every application of the SSO session, then comes back here."""
    logout(request)
    back = request.build_absolute_uri(reverse("home"))
    return redirect(f"{settings.KEYCLOAK_URL}/realms/{settings.KEYCLOAK_REALM}/protocol/openid-connect/logout?{urlencode({'redirect_uri': back})}")
