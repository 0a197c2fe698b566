from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.ReviewDueListView.as_view(), name="review_due_list"),
    path(
        "reviews/my-exit-actions/",
        views.ExitActionListView.as_view(),
        name="exit_action_list",
    ),
    path(
        "partnerships/<str:reference>/reviews/",
        views.PartnershipReviewsView.as_view(),
        name="partnership_reviews",
    ),
    path(
        "partnerships/<str:reference>/reviews/start/",
        views.ReviewStartView.as_view(),
        name="review_start",
    ),
    path(
        "partnerships/<str:reference>/reviews/<int:pk>/",
        views.ReviewDetailView.as_view(),
        name="review_detail",
    ),
    path(
        "partnerships/<str:reference>/reviews/<int:pk>/edit/",
        views.ReviewUpdateView.as_view(),
        name="review_update",
    ),
    path(
        "partnerships/<str:reference>/reviews/<int:pk>/correct/",
        views.ReviewCorrectView.as_view(),
        name="review_correct",
    ),
    path(
        "partnerships/<str:reference>/next-review-date/",
        views.NextReviewDateUpdateView.as_view(),
        name="next_review_date_update",
    ),
    path(
        "partnerships/<str:reference>/exit-strategy/",
        views.ExitStrategyDetailView.as_view(),
        name="exit_strategy_detail",
    ),
    path(
        "partnerships/<str:reference>/exit-strategy/edit/",
        views.ExitStrategyUpdateView.as_view(),
        name="exit_strategy_update",
    ),
    path(
        "partnerships/<str:reference>/exit-strategy/complete/",
        views.ExitCompleteView.as_view(),
        name="exit_strategy_complete",
    ),
    path(
        "partnerships/<str:reference>/exit-actions/<int:pk>/",
        views.ExitActionUpdateView.as_view(),
        name="exit_action_update",
    ),
]
