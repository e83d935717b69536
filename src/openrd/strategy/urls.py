from django.urls import path

from openrd.strategy import views, views_sbir

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_latest, name="latest"),
    path("<int:year>/", views.strategy_page, name="strategy"),
    path("import/", views.strategy_import, name="import"),
    path("indicators/<slug:code>/", views.indicator_page, name="indicator"),
    path("indicators/<slug:code>.csv", views.indicator_csv, name="indicator_csv"),
    path("indicators/<slug:code>.xlsx", views.indicator_xlsx, name="indicator_xlsx"),
    path("indicators/<slug:code>/values/", views.indicator_record, name="record"),
    path("sbir/", views_sbir.sbir_latest, name="sbir_latest"),
    path("sbir/<int:fiscal_year>/", views_sbir.sbir_page, name="sbir"),
    path("sbir/<int:fiscal_year>.csv", views_sbir.sbir_csv, name="sbir_csv"),
    path("sbir/<int:fiscal_year>.xlsx", views_sbir.sbir_xlsx, name="sbir_xlsx"),
    path("sbir/<int:fiscal_year>/subsidies/", views_sbir.sbir_tag, name="sbir_tag"),
    path("sbir/subsidies/<int:pk>/remove/", views_sbir.sbir_untag, name="sbir_untag"),
]
