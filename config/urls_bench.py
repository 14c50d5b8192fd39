"""The product's URL conf plus the benchmark's floor: a signed-in page that renders only the site's shell
(navigation and badges, base.html with an empty body). Used only by config.settings.bench."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from .urls import urlpatterns as product_urlpatterns

_SHELL = engines["django"].from_string('{% extends "base.html" %}')


@login_required
def shell(request):
    return HttpResponse(_SHELL.render({}, request))


urlpatterns = [path("bench/shell/", shell, name="bench_shell"), *product_urlpatterns]
