from django.urls import path

from openrd.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_latest, name="latest"),
    path("<int:year>/", views.strategy_page, name="strategy"),
    path("import/", views.strategy_import, name="import"),
    path("indicators/<slug:code>/", views.indicator_page, name="indicator"),
    path("indicators/<slug:code>.csv", views.indicator_csv, name="indicator_csv"),
    path("indicators/<slug:code>.xlsx", views.indicator_xlsx, name="indicator_xlsx"),
    path("indicators/<slug:code>/values/", views.indicator_record, name="record"),
]
