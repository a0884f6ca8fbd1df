"""The protected resource and the public key set."""

import base64

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .test_hooks import RejectableJWTAuthentication


class MeView(APIView):
    """GET /api/me/: the caller's username; 401 without a valid access token."""

    # simplejwt's JWTAuthentication with the test switch of /_test/reject-access/.
    authentication_classes = [RejectableJWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"username": request.user.get_username()})


def _b64url_uint(value):
    data = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@require_GET
def jwks(request):
    """GET /api/jwks/: the RS256 verifying key as a JWK Set (RFC 7517).

    The JWK has no "kid": simplejwt signs without a "kid" header, so a kid here
    could never select this key; a verifier must take the one RS256 key for a
    kid-less token. Adding a kid to both sides would need a custom TokenBackend,
    and then this would no longer be stock simplejwt.
    """
    public = serialization.load_pem_public_key(
        settings.SIMPLE_JWT["VERIFYING_KEY"].encode()
    ).public_numbers()
    key = {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "n": _b64url_uint(public.n),
        "e": _b64url_uint(public.e),
    }
    return JsonResponse({"keys": [key]})
