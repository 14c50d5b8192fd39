from django.db import transaction

from audit.models import Action
from audit.services import audit_record

from .models import User


@transaction.atomic
def user_update_preferences(*, user: User, date_style: str, request=None) -> User:
    user.date_style = date_style
    user.save(update_fields=["date_style"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=user, detail={"fields": ["date_style"]})
    return user
