"""What happens to an account, said once; the audit trail (a layer above) listens.

Django's own auth signals cover logging in and out; these cover the rest. Receivers run inside the
sender's transaction, so an audit event is written with the change or not at all.

`actor` is whoever made the change (an administrator, or the user themselves when it is left out);
`fields` names the fields that changed — never their values, and never the password hash.
"""

from django.dispatch import Signal

# sender=User; kwargs: user (the new account), actor, request, fields
user_created = Signal()
# sender=User; kwargs: user (whose account changed), request, fields, actor (optional)
user_updated = Signal()
# sender=User; kwargs: user_id, username, municipality_id, actor, request
user_deleted = Signal()
# sender=User; kwargs: user, request
password_changed = Signal()
# sender=User; kwargs: user, actor, request — an administrator issued a one-time password
password_reset = Signal()
# sender=RoleGrant; kwargs: grant, actor, request — a role or place of work waits for a second administrator
role_grant_requested = Signal()
# sender=RoleGrant; kwargs: grant, actor, request — approved or rejected (grant.status says which)
role_grant_decided = Signal()
# sender=User; kwargs: user (whose login stop was lifted), actor, request, attempts (rows cleared)
lockout_cleared = Signal()
# sender=User; kwargs: user (whose second factor changed), actor, request, event ("enrolled", "reset", "verified"),
# method ("totp" or "recovery_code", for "verified"), devices (how many were removed, for "reset")
two_factor_changed = Signal()
