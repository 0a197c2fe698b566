from django.urls import path

from risks import views

app_name = "risks"

PARTNERSHIP = "partnerships/<str:reference>/risks/"
RISK = PARTNERSHIP + "<str:risk>/"

urlpatterns = [
    path("risks/", views.CouncilRiskListView.as_view(), name="risk_council_list"),
    path(
        "risks/export.<str:file_format>",
        views.CouncilRiskExportView.as_view(),
        name="risk_council_export",
    ),
    path("risks/heat-map/", views.CouncilHeatMapView.as_view(), name="risk_council_heat_map"),
    path("risks/bands.css", views.band_css, name="band_css"),
    path(PARTNERSHIP, views.RiskListView.as_view(), name="risk_list"),
    path(PARTNERSHIP + "add/", views.RiskCreateView.as_view(), name="risk_create"),
    path(PARTNERSHIP + "heat-map/", views.RiskHeatMapView.as_view(), name="risk_heat_map"),
    path(PARTNERSHIP + "board-paper/", views.BoardPaperView.as_view(), name="risk_board_paper"),
    path(
        PARTNERSHIP + "board-paper.<str:file_format>",
        views.BoardPaperExportView.as_view(),
        name="risk_board_paper_export",
    ),
    path(RISK, views.RiskDetailView.as_view(), name="risk_detail"),
    path(RISK + "history/", views.RiskHistoryView.as_view(), name="risk_history"),
    path(RISK + "edit/", views.RiskUpdateView.as_view(), name="risk_update"),
    path(RISK + "close/", views.RiskCloseView.as_view(), name="risk_close"),
    path(RISK + "review/", views.RiskReviewCreateView.as_view(), name="riskreview_create"),
    path(RISK + "escalate/", views.EscalationCreateView.as_view(), name="escalation_create"),
    path(
        RISK + "actions/<int:action>/progress/",
        views.ActionUpdateView.as_view(),
        name="action_update",
    ),
]
