"""お知らせ: in the app and by e-mail (Django's mail framework; the console in development, SMTP by settings).

Neither carries personal data: a notice names the referral's number, kind, case number and offices,
and links to the referral, where reading it is scoped and audited like every other page.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Role
from core.wareki import format_wareki

from .models import Notification, NotificationKind, Referral

logger = logging.getLogger(__name__)


def receivers(referral: Referral):
    """The active users of the office a referral is addressed to."""
    users = get_user_model().objects.filter(is_active=True, municipality_id=referral.municipality_id)
    if referral.to_agency_id:
        return users.filter(role=Role.AGENCY_WORKER, agency_id=referral.to_agency_id)
    return users.filter(role=Role.COORDINATOR, ward_id=referral.to_ward_id)


def senders(referral: Referral):
    """Who waits for the answer: the person who sent it, and the case's lead coordinator."""
    ids = {referral.sent_by_id}
    if referral.case.lead_id:
        ids.add(referral.case.lead_id)
    return get_user_model().objects.filter(is_active=True, pk__in=ids)


def _message(referral: Referral, kind: str) -> str:
    values = {"kind": referral.kind.name, "number": referral.number, "case": referral.case.number,
              "sender": referral.sender_name, "receiver": referral.recipient_name,
              "due": format_wareki(referral.due_on)}
    texts = {
        NotificationKind.NEW: _("%(sender)sから%(kind)sの依頼が届きました（%(number)s、事例 %(case)s、回答期限 %(due)s）。"),
        NotificationKind.ACCEPTED: _("%(receiver)sが%(kind)s（%(number)s、事例 %(case)s）を受理しました。"),
        NotificationKind.DECLINED: _("%(receiver)sが%(kind)s（%(number)s、事例 %(case)s）を辞退しました。"),
        NotificationKind.COMPLETED: _("%(receiver)sが%(kind)s（%(number)s、事例 %(case)s）の対応を完了しました。"),
        NotificationKind.WITHDRAWN: _("%(sender)sが%(kind)s（%(number)s、事例 %(case)s）を取り下げました。"),
        NotificationKind.OVERDUE: _("%(kind)s（%(number)s、事例 %(case)s、%(receiver)s宛て）は回答期限 %(due)s を過ぎても回答がありません。"),
    }
    return texts[kind] % values


def notify(referral: Referral, kind: str, users) -> list[Notification]:
    """One notice per person (the acting user's own office included), and an e-mail once the transaction commits."""
    users = list(users)
    # Messages are stored in the product's language, Japanese, whatever language the acting user reads.
    with override(settings.LANGUAGE_CODE):
        message = _message(referral, kind)
    notices = Notification.objects.bulk_create(
        Notification(user=user, referral=referral, kind=kind, message=message) for user in users
    )
    addressed = [(notice, user.email) for notice, user in zip(notices, users, strict=True) if user.email]
    if addressed:
        transaction.on_commit(lambda: _email(referral.pk, message, addressed))
    return notices


def _email(referral_pk: int, message: str, addressed) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("referrals:referral_detail", args=[referral_pk])
    subject = _("【つながる支援】つなぎのお知らせ")
    body = "\n\n".join([message, _("内容は次の画面で確認してください（ログインが必要です）。"), link,
                        _("このメールには個人情報を記載していません。転送しないでください。")])
    sent = []
    for notice, address in addressed:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except OSError:
            # The notice stays in the app; a mail server that is down must not undo the referral.
            logger.exception("notification mail to user %s failed", notice.user_id)
            continue
        sent.append(notice.pk)
    Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


def mark_read(*, user, referral: Referral) -> int:
    return Notification.objects.filter(user=user, referral=referral, read_at__isnull=True).update(read_at=timezone.now())
