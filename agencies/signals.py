"""Changes to a city's organisation (municipality, ward, agency, agency category), said once; the audit trail
(a layer above) listens. Receivers run inside the sender's transaction.
"""

from django.dispatch import Signal

# sender=the model class; kwargs: instance, action ("create" | "update" | "delete"), fields (names of the fields
# changed, or what a set-up added: {"wards_created": [...], "agencies_created": n} in `detail`), actor (None for a
# command), request, detail
organisation_changed = Signal()
