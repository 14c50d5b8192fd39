from django.db import transaction

from .models import User
from .signals import user_updated


@transaction.atomic
def user_update_preferences(*, user: User, date_style: str, request=None) -> User:
    user.date_style = date_style
    user.save(update_fields=["date_style"])
    user_updated.send(sender=User, user=user, request=request, fields=["date_style"])
    return user
