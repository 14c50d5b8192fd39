from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import dashboards


@login_required
def dashboard(request):
    template, context = dashboards.for_user(request)
    return render(request, template, context)


@require_GET
def healthz(request):
    """For the container healthcheck and the city's monitoring: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
