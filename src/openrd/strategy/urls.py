from django.urls import path

from openrd.strategy import views, views_analysis, views_follow_up, views_sbir

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_latest, name="latest"),
    path("<int:year>/", views.strategy_page, name="strategy"),
    path("import/", views.strategy_import, name="import"),
    path("<int:year>/status.csv", views.status_download, {"ext": "csv"}, name="status_csv"),
    path("<int:year>/status.xlsx", views.status_download, {"ext": "xlsx"}, name="status_xlsx"),
    path(
        "<int:year>/export/<slug:kind>.csv",
        views.strategy_export,
        {"ext": "csv"},
        name="export_csv",
    ),
    path(
        "<int:year>/export/<slug:kind>.xlsx",
        views.strategy_export,
        {"ext": "xlsx"},
        name="export_xlsx",
    ),
    path("indicators/<slug:code>/", views.indicator_page, name="indicator"),
    path(
        "indicators/<slug:code>.csv", views.indicator_download, {"ext": "csv"}, name="indicator_csv"
    ),
    path(
        "indicators/<slug:code>.xlsx",
        views.indicator_download,
        {"ext": "xlsx"},
        name="indicator_xlsx",
    ),
    path("indicators/<slug:code>/values/", views.indicator_record, name="record"),
    path("<int:year>/follow-up/", views_follow_up.follow_up_page, name="follow_up"),
    path("<int:year>/follow-up/approve/", views_follow_up.report_approve, name="report_approve"),
    path(
        "<int:year>/follow-up/<slug:code>/<int:fiscal_year>/",
        views_follow_up.follow_up_edit,
        name="follow_up_edit",
    ),
    path("follow-up/<int:pk>/review/", views_follow_up.follow_up_review, name="follow_up_review"),
    path("reports/<int:pk>/", views_follow_up.report_page, name="report"),
    path("reports/<int:pk>.xlsx", views_follow_up.report_xlsx, name="report_xlsx"),
    path("analysis/", views_analysis.analysis_page, name="analysis"),
    path(
        "analysis/<slug:kind>.csv",
        views_analysis.analysis_download,
        {"ext": "csv"},
        name="analysis_csv",
    ),
    path(
        "analysis/<slug:kind>.xlsx",
        views_analysis.analysis_download,
        {"ext": "xlsx"},
        name="analysis_xlsx",
    ),
    path("sbir/", views_sbir.sbir_latest, name="sbir_latest"),
    path("sbir/<int:fiscal_year>/", views_sbir.sbir_page, name="sbir"),
    path("sbir/<int:fiscal_year>.csv", views_sbir.sbir_download, {"ext": "csv"}, name="sbir_csv"),
    path(
        "sbir/<int:fiscal_year>.xlsx", views_sbir.sbir_download, {"ext": "xlsx"}, name="sbir_xlsx"
    ),
    path("sbir/<int:fiscal_year>/subsidies/", views_sbir.sbir_tag, name="sbir_tag"),
    path("sbir/subsidies/<int:pk>/remove/", views_sbir.sbir_untag, name="sbir_untag"),
]
