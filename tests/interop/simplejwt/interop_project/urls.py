from django.urls import path
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from . import test_hooks, views

urlpatterns = [
    # simplejwt's stock views at their documented paths.
    path("api/token/", TokenObtainPairView.as_view()),
    path("api/token/refresh/", TokenRefreshView.as_view()),
    path("api/token/blacklist/", TokenBlacklistView.as_view()),
    path("api/me/", views.MeView.as_view()),
    path("api/jwks/", views.jwks),
    # Test-only hooks: exist in this interop project and nowhere else.
    path("_test/stats/", test_hooks.stats),
    path("_test/reject-access/", test_hooks.reject_access),
]
