"""A minimal Django project: sessions and auth, sign-in through Sundown with Authlib, and the
seed's logout view (the legacy `redirect_uri` logout of Keycloak's older guides)."""
import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "seedsite.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("DJANGO_DB", str(BASE_DIR / "db.sqlite3"))}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
# Django's default session cookie name would collide with other apps on the same host.
SESSION_COOKIE_NAME = "django_sessionid"

# Where Sundown (or Keycloak) lives, with the seed's `/auth` prefix.
KEYCLOAK_URL = os.environ.get("SUNDOWN_URL", "http://localhost:8080/auth").rstrip("/")
KEYCLOAK_REALM = os.environ.get("SUNDOWN_REALM", "seed")
ISSUER = f"{KEYCLOAK_URL}/realms/{KEYCLOAK_REALM}"
AUTHLIB_OAUTH_CLIENTS = {
    "sundown": {
        "client_id": os.environ.get("CLIENT_ID", "django-app"),
        "client_secret": os.environ.get("CLIENT_SECRET", "django-app-secret"),
        "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
        "client_kwargs": {"scope": "openid profile email"},
    }
}

# Authlib refuses plain-http token endpoints except on `localhost`; a provider on this machine
# (127.0.0.1 included) is as private. Never set this for a provider on another host.
if urlsplit(ISSUER).scheme == "http" and urlsplit(ISSUER).hostname in ("localhost", "127.0.0.1", "::1"):
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
