from django.urls import path, re_path

from register import views

app_name = "register"

urlpatterns = [
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership_list"),
    re_path(
        r"^partnerships/export\.(?P<file_format>csv|xlsx)$",
        views.PartnershipExportView.as_view(),
        name="partnership_export",
    ),
    # Registering a partnership ("new" is matched before it could be taken for a reference).
    path("partnerships/new/", views.PartnershipCreateView.as_view(), name="partnership_create"),
    path(
        "partnerships/<str:reference>/edit/",
        views.PartnershipEditView.as_view(),
        name="partnership_edit",
    ),
    path(
        "partnerships/<str:reference>/edit/<slug:section>/",
        views.PartnershipSectionView.as_view(),
        name="partnership_section",
    ),
    path(
        "partnerships/<str:reference>/check/",
        views.PartnershipCheckView.as_view(),
        name="partnership_check",
    ),
    path(
        "partnerships/<str:reference>/submitted/",
        views.PartnershipSubmittedView.as_view(),
        name="partnership_submitted",
    ),
    path(
        "partnerships/<str:reference>/documents/<int:pk>/",
        views.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(
        "partnerships/<str:reference>/documents/<int:pk>/archive/",
        views.DocumentArchiveView.as_view(),
        name="document_archive",
    ),
    path(
        "partnerships/<str:reference>/",
        views.PartnershipDetailView.as_view(),
        name="partnership_detail",
    ),
    path(
        "partnerships/<str:reference>/history/",
        views.PartnershipHistoryView.as_view(),
        name="partnership_history",
    ),
    path(
        "partnerships/<str:reference>/print/",
        views.PartnershipPrintView.as_view(),
        name="partnership_print",
    ),
    path(
        "partnerships/<str:reference>/decision/",
        views.PartnershipDecisionView.as_view(),
        name="partnership_decide",
    ),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("public/", views.PublicRegisterView.as_view(), name="public_register"),
    path("public/register.csv", views.public_register_csv, name="public_register_csv"),
    path("reports/annual/", views.AnnualReportView.as_view(), name="report_annual"),
    path(
        "reports/annual.docx",
        views.AnnualReportView.as_view(as_docx=True),
        name="report_annual_docx",
    ),
    path("reports/risk-update/", views.RiskUpdateReportView.as_view(), name="report_risk_update"),
    path(
        "reports/risk-update.docx",
        views.RiskUpdateReportView.as_view(as_docx=True),
        name="report_risk_update_docx",
    ),
]
