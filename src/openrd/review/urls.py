from django.urls import path

from openrd.review import views, views_panel, views_pool, views_staff

app_name = "review"
urlpatterns = [
    path("", views.my_assignments, name="my_assignments"),
    path("<int:pk>/", views.assignment_detail, name="assignment"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/files/<str:sha256>/", views.assignment_file, name="file"),
    path("<int:pk>/pdf", views.assignment_pdf, name="pdf"),
    # The agency staff's pages for review rounds.
    path("rounds/", views_staff.rounds, name="rounds"),
    path("rounds/new/", views_staff.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_staff.round_detail, name="round"),
    path("rounds/<int:pk>/assign/", views_staff.round_assign, name="round_assign"),
    path("rounds/<int:pk>/open/", views_staff.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", views_staff.round_close, name="round_close"),
    path("rounds/<int:pk>/add/", views_staff.round_add, name="round_add"),
    path(
        "rounds/<int:pk>/assignments/<int:assignment_pk>/remove/",
        views_staff.round_remove,
        name="round_remove",
    ),
    # The panel and its exports: the staff, and the programs' PDs and PMs (read-only).
    path("rounds/<int:pk>/panel/", views_panel.round_panel, name="panel"),
    path("rounds/<int:pk>/panel.csv", views_panel.round_panel_csv, name="panel_csv"),
    path("rounds/<int:pk>/panel.xlsx", views_panel.round_panel_xlsx, name="panel_xlsx"),
    # The reviewer pool (agency staff).
    path("pool/", views_pool.pool_list, name="pool"),
    path("pool/add/", views_pool.pool_add, name="pool_add"),
    path("pool/<int:pk>/", views_pool.pool_edit, name="pool_edit"),
]
