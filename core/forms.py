"""Form helpers every app uses: one date widget, one datetime widget, one way to run a service from a form."""

from django import forms
from django.core.exceptions import ValidationError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def call_service(form, service, **kwargs):
    """Run a service; a ValidationError it raises becomes a message on the form. Returns the result or None."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        form.add_error(None, error)
        changes = getattr(error, "changes", None)
        if changes is not None:
            form.stale_changes = changes
        return None
