from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openrd.programs.queries import public_programs


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"programs": public_programs()})
