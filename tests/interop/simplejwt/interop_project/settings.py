"""Settings of the simplejwt interop peer: a TEST project, never a deployment.

Every run gets a fresh RSA key, a fresh Django secret and a fresh sqlite database
(serve.py puts it in a temporary directory). The tests configure it through
environment variables:

  SIMPLEJWT_DB_PATH           sqlite file (set by serve.py)
  SIMPLEJWT_ACCESS_SECONDS    access-token lifetime (default 3: short on purpose)
  SIMPLEJWT_REFRESH_SECONDS   refresh-token lifetime (default 3600)
  SIMPLEJWT_ISSUER            "iss" of every token
  SIMPLEJWT_AUDIENCE          "aud" of every token
"""

import os
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _seconds(name, default):
    return timedelta(seconds=int(os.environ.get(name, default)))


def _rsa_key_pair():
    """A new RS256 key pair as PEM (private, public), made at every start."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


SIGNING_KEY_PEM, VERIFYING_KEY_PEM = _rsa_key_pair()

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
]

# No sessions, CSRF or CommonMiddleware (no slash redirects): only token auth is tested.
MIDDLEWARE = ["interop_project.test_hooks.CountingMiddleware"]

ROOT_URLCONF = "interop_project.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SIMPLEJWT_DB_PATH", ":memory:"),
        # Concurrent requests (the 401 storm) write outstanding/blacklisted tokens.
        # WAL lets readers run beside the writer; no fsync: the database dies with the run.
        "OPTIONS": {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Fast hashing: this project only ever holds a throw-away test user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USE_TZ = True
TIME_ZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication"
    ],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": _seconds("SIMPLEJWT_ACCESS_SECONDS", 3),
    "REFRESH_TOKEN_LIFETIME": _seconds("SIMPLEJWT_REFRESH_SECONDS", 3600),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ALGORITHM": "RS256",
    "SIGNING_KEY": SIGNING_KEY_PEM,
    "VERIFYING_KEY": VERIFYING_KEY_PEM,
    "ISSUER": os.environ.get("SIMPLEJWT_ISSUER", "https://simplejwt.interop.test"),
    "AUDIENCE": os.environ.get("SIMPLEJWT_AUDIENCE", "tokenkeeper-interop"),
}

# Everything to stderr (stdout carries only serve.py's "listening on" line).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
