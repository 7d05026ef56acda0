from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("accounts/login/", views.signin, name="login"),
    path("accounts/login/code/", views.signin_code, name="code"),
    path("accounts/login/resend/", views.signin_resend, name="resend"),
    path("accounts/logout/", views.signout, name="logout"),
    path("accounts/logout/everywhere/", views.signout_everywhere, name="logout_everywhere"),
    path("accounts/terms/", views.consent_text, name="terms"),
    path("me/", views.me, name="me"),
    path("me/code/", views.member_code, name="member_code"),
    path("me/code/refresh/", views.member_code_refresh, name="member_code_refresh"),
    path("me/profile/", views.profile, name="profile"),
    path("me/phone/", views.phone_change, name="phone"),
    path("me/data/", views.data_download, name="data"),
    path("me/delete/", views.delete_account, name="delete"),
]
