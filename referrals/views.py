"""Referrals (つなぎ) and notices. Views stay thin: access function → form → service → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import read_view, role_required
from accounts.models import PERSONAL_DATA_ROLES, Role
from audit.models import Action
from audit.services import audit_list, audit_record
from cases.models import Case, ConsentPurpose
from cases.selectors import consent_status
from cases.sharing import SHARING_PURPOSES
from core.forms import call_service
from core.pagination import page_query
from core.wareki import format_date

from . import notifications, selectors, services, sharing
from .access import referral_for_user
from .forms import ActionForm, ReferralForm, ReturnForm
from .models import Referral, ReferralStatus

send_view = role_required(Role.COORDINATOR, Role.AGENCY_WORKER)
notice_view = role_required(*PERSONAL_DATA_ROLES)


@read_view
def referral_list(request):
    user = request.user
    boxes = selectors.boxes_for(user)
    names = [name for name, _label in boxes]
    box = request.GET.get("box")
    if box not in names:  # none chosen: open where something waits, not on an empty 受信
        box = selectors.opening_box(user=user, boxes=names)
    status = request.GET.get("status", "")
    counts = selectors.status_counts(user=user, box=box)
    referrals = selectors.BoxPages(user=user, box=box, status=status, counts=counts,
                                   annotate=lambda rows: selectors.with_case_links(rows, user=user))
    page = Paginator(referrals, 30).get_page(request.GET.get("page"))
    audit_list(request=request, model=Referral, objects=page.object_list, detail={"box": box})
    return render(request, "referrals/referral_list.html", {
        "boxes": boxes, "box": box, "status": status, "statuses": ReferralStatus.choices, "page": page,
        "counts": counts, "query": page_query(request),
        "today": timezone.localdate(), "can_send": user.role in services.SENDERS,
    })


def _consent_summary(case):
    return [(label, ok) for purpose, label, ok in consent_status(case=case) if purpose in SHARING_PURPOSES]


@send_view
def referral_create(request):
    user = request.user
    cases = services.referable_cases(user)
    initial = {}
    case = None
    case_pk = request.POST.get("case") or request.GET.get("case")
    if case_pk and str(case_pk).isdigit():
        case = cases.filter(pk=case_pk).select_related("household", "ward").first()
        if case is None and request.method == "GET":
            raise Http404
        initial["case"] = case.pk if case else None
    form = ReferralForm(request.POST or None, user=user, cases=cases, case=case, initial=initial)
    if case is not None and user.role == Role.AGENCY_WORKER:
        # Offer only what this agency holds of the case (referrals.sharing); the service checks it again.
        form.limit_shares(sharing.held_items(user, case))
    if request.method == "POST" and form.is_valid():
        referral = call_service(form, services.referral_send, user=user, request=request, **form.service_kwargs())
        if referral:
            messages.success(request, _("%(receiver)sに依頼しました（%(number)s）。回答期限は%(due)sです。") % {
                "receiver": referral.recipient_name, "number": referral.number, "due": format_date(referral.due_on)})
            return redirect("referrals:referral_detail", referral.pk)
    consents = _consent_summary(case) if case is not None and user.role == Role.COORDINATOR else None
    return render(request, "referrals/referral_form.html", {
        "form": form, "case": case, "consents": consents, "consent_purpose": ConsentPurpose.PROVISION,
        "opens_case": case is not None and Case.objects.for_user(user).filter(pk=case.pk).exists(),
    }, status=400 if form.errors else 200)


@read_view
def referral_detail(request, pk):
    user = request.user
    referral = referral_for_user(user, pk)
    shared = selectors.shared_information(user=user, referral=referral)
    audit_record(action=Action.VIEW, request=request, obj=referral, detail={"shared": shared.items})
    notifications.mark_read(user=user, referral=referral)
    actions = services.available_actions(user, referral)
    forms = {name: ActionForm(action=name, municipality_id=referral.municipality_id, prefix=name) for name in actions}
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral, shared, forms))


def _detail_context(request, referral, shared, forms):
    user = request.user
    return {
        "referral": referral, "shared": shared, "events": referral.events.select_related("by"),
        "action_forms": [(name, services.ACTIONS[name], form) for name, form in forms.items()],
        "replies": referral.replies.select_related("kind", "to_agency", "to_ward"),
        "can_return": services.is_receiver(user, referral)
        and referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
        "is_receiver": services.is_receiver(user, referral), "today": timezone.localdate(),
    }


@require_POST
@read_view
def referral_action(request, pk, action):
    user = request.user
    referral = referral_for_user(user, pk)
    move = services.ACTIONS.get(action)
    if move is None:
        raise Http404
    if not (services.is_receiver if move.side == "receiver" else services.is_sender)(user, referral):
        raise PermissionDenied
    form = ActionForm(request.POST, action=action, municipality_id=referral.municipality_id, prefix=action)
    if form.is_valid():
        done = call_service(form, services.referral_transition, user=user, referral=referral, action=action,
                            request=request, **form.cleaned_data)
        if done:
            messages.success(request, _("「%(action)s」にしました。") % {"action": move.label})
            return redirect("referrals:referral_detail", referral.pk)
    # Refused: the page again, with the reason on the form that was sent and the state as it is now.
    referral.refresh_from_db()
    shared = selectors.shared_information(user=user, referral=referral)
    audit_record(action=Action.VIEW, request=request, obj=referral, detail={"shared": shared.items, "refused": action})
    forms = {name: ActionForm(action=name, municipality_id=referral.municipality_id, prefix=name)
             for name in services.available_actions(user, referral)}
    forms[action] = form
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral, shared, forms), status=400)


@send_view
def referral_return(request, pk):
    user = request.user
    referral = referral_for_user(user, pk)
    if not services.is_receiver(user, referral):
        raise PermissionDenied
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reply = call_service(form, services.referral_return, user=user, referral=referral, request=request, **form.cleaned_data)
        if reply:
            messages.success(request, _("%(receiver)sにつなぎ戻しました（%(number)s）。") % {
                "receiver": reply.recipient_name, "number": reply.number})
            return redirect("referrals:referral_detail", reply.pk)
    audit_record(action=Action.VIEW, request=request, obj=referral, detail={"page": "return"})
    return render(request, "referrals/referral_return.html", {"form": form, "referral": referral},
                  status=400 if form.errors else 200)


@read_view
def referral_sheet(request, pk):
    """つなぐシート: the A4 sheet made with the person (002:1072-1081)."""
    user = request.user
    referral = referral_for_user(user, pk)
    shared = selectors.shared_information(user=user, referral=referral)
    audit_record(action=Action.EXPORT, request=request, obj=referral, detail={"format": "print", "shared": shared.items})
    return render(request, "referrals/referral_sheet.html",
                  {"referral": referral, "shared": shared, "today": timezone.localdate()})


@notice_view
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "referrals/notification_list.html", {"page": page})


@require_POST
@notice_view
def notification_read_all(request):
    count = selectors.notification_list(user=request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(count)d件のお知らせを既読にしました。") % {"count": count})
    return redirect("referrals:notification_list")

