import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Load every view now, then keep what start-up made out of the collector's full passes: otherwise every so many
# requests one pass walks the whole start-up heap (seen as a 3× slower request in 11 at city scale, docs/benchmarks.md).
get_resolver().url_patterns  # noqa: B018
gc.freeze()
