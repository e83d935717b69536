from django.urls import path

from openrd.awards import urls_people, views, views_gates, views_portfolio, views_reports

app_name = "awards"
urlpatterns = [
    path("", views.award_list, name="list"),
    path("<int:pk>/", views.award_detail, name="detail"),
    path("<int:pk>/status/", views_gates.award_status, name="status"),
    path("gates/<int:pk>/", views_gates.gate_evaluate, name="gate"),
    *urls_people.urlpatterns,
    path("reports/overdue/", views_reports.reports_overdue, name="reports_overdue"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report"),
    path(
        "portfolio/<slug:program>/<slug:element>/",
        views_portfolio.portfolio_page,
        name="portfolio",
    ),
    path(
        "portfolio/<slug:program>/<slug:element>.csv",
        views_portfolio.portfolio_csv,
        name="portfolio_csv",
    ),
]
