from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partnerships_site import forms, views

admin.site.site_header = settings.SERVICE_NAME
admin.site.site_title = settings.SERVICE_NAME
admin.site.index_title = "Keep the register"

handler500 = "partnerships_site.views.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "sign-in/", auth_views.LoginView.as_view(authentication_form=forms.SignInForm), name="login"
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("", include("register.urls")),
    path("", include("reviews.urls")),
    path("", include("risks.urls")),
]
