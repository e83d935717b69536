from django.urls import path

from openrd.review import views

app_name = "review"
urlpatterns = [
    path("", views.my_assignments, name="my_assignments"),
    path("<int:pk>/", views.assignment_detail, name="assignment"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/files/<str:sha256>/", views.assignment_file, name="file"),
    path("<int:pk>/pdf", views.assignment_pdf, name="pdf"),
]
