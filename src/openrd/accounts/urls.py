from django.urls import path, re_path

from openrd.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/sessions/", views.sessions, name="sessions"),
    path("me/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    # allauth's own pages with an error status for a bad link; the same paths
    # as allauth's, matched first (openrd.urls includes these before allauth's).
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.PasswordResetFromKeyView.as_view(),
        name="password_reset_from_key",
    ),
    re_path(
        r"^confirm-email/(?P<key>[-:\w]+)/$", views.ConfirmEmailView.as_view(), name="confirm_email"
    ),
]
