from django.urls import path

from register import views

app_name = "register"

urlpatterns = [
    path(
        "partnerships/<str:reference>/",
        views.PartnershipDetailView.as_view(),
        name="partnership_detail",
    ),
]
