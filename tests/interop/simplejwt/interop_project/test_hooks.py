"""Test-only hooks: counters and a switch to refuse access tokens.

These exist ONLY in this interop test project (served under /_test/); a real
deployment has nothing like them. They let a test see what reached the server
(how many refresh requests, which were refused and why) and make the protected
view refuse tokens the client still believes valid (a storm of 401s).
"""

import threading
import time

from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

REFRESH_PATH = "/api/token/refresh/"
PROTECTED_PATH = "/api/me/"

_lock = threading.Lock()
_counters = {
    "refresh_requests": 0,
    "refresh_refused": 0,
    "refresh_refused_blacklisted": 0,
    "api_requests": 0,
    "api_unauthorized": 0,
}
# simplejwt's fixed messages ("Token is blacklisted", ...) or "HTTP <status>"; never a token.
_refusal_reasons = {}
# Access tokens whose "iat" is below this are refused (see reject_access).
_reject_issued_before = 0


def _bump(name, by=1):
    with _lock:
        _counters[name] += by


def _refusal_reason(response):
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return data["detail"]
    return f"HTTP {response.status_code}"


class CountingMiddleware:
    """Counts requests to the refresh endpoint and the protected view, by outcome.

    simplejwt's own views stay untouched: counting happens around them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path == REFRESH_PATH:
            _bump("refresh_requests")
        elif path == PROTECTED_PATH:
            _bump("api_requests")
        response = self.get_response(request)
        if path == REFRESH_PATH and response.status_code != 200:
            reason = _refusal_reason(response)
            with _lock:
                _counters["refresh_refused"] += 1
                if "blacklisted" in reason:
                    _counters["refresh_refused_blacklisted"] += 1
                _refusal_reasons[reason] = _refusal_reasons.get(reason, 0) + 1
        elif path == PROTECTED_PATH and response.status_code == 401:
            _bump("api_unauthorized")
        return response


class RejectableJWTAuthentication(JWTAuthentication):
    """simplejwt's JWTAuthentication, plus the test switch of reject_access."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        with _lock:
            cutoff = _reject_issued_before
        if int(token.get("iat", 0)) < cutoff:
            raise InvalidToken(
                {"detail": "Access token refused by the interop test hook", "code": "token_not_valid"}
            )
        return token


@require_GET
def stats(request):
    with _lock:
        body = dict(_counters)
        body["refresh_refusal_reasons"] = dict(_refusal_reasons)
    body["blacklisted_tokens"] = BlacklistedToken.objects.count()
    body["outstanding_tokens"] = OutstandingToken.objects.count()
    return JsonResponse(body)


@require_POST
def reject_access(request):
    """Refuses every access token issued so far; tokens issued later still pass.

    "iat" has whole seconds, so the cutoff is the next whole second and this
    answers only once that second has begun: every token issued before the call
    has iat < cutoff, every token issued after the answer has iat >= cutoff.
    """
    global _reject_issued_before
    cutoff = int(time.time()) + 1
    with _lock:
        _reject_issued_before = cutoff
    time.sleep(max(0.0, cutoff - time.time()))
    return JsonResponse({"rejecting_access_issued_before": cutoff})
