from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import dashboards


@login_required
def dashboard(request):
    template, context = dashboards.for_user(request)
    return render(request, template, context)
