"""What happens to an account, said once; the audit trail (a layer above) listens.

Django's own auth signals cover logging in and out; these cover the rest. Receivers run inside the
sender's transaction, so an audit event is written with the change or not at all.
"""

from django.dispatch import Signal

# sender=User; kwargs: user (whose account changed), request, fields (the names of the fields changed)
user_updated = Signal()
# sender=User; kwargs: user, request
password_changed = Signal()
