from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.access import role_required
from accounts.models import PERSONAL_DATA_ROLES
from audit.models import Action
from audit.services import audit_list, audit_record

from .access import household_for_user
from .models import Household
from .selectors import household_list as select_households


@role_required(*PERSONAL_DATA_ROLES)
def household_list(request):
    page = Paginator(select_households(user=request.user), 50).get_page(request.GET.get("page"))
    audit_list(request=request, model=Household, objects=page.object_list, detail={"page": page.number})
    return render(request, "cases/household_list.html", {"page": page})


@role_required(*PERSONAL_DATA_ROLES)
def household_detail(request, pk):
    household = household_for_user(request.user, pk)
    audit_record(action=Action.VIEW, request=request, obj=household)
    members = household.members.all()
    return render(request, "cases/household_detail.html", {"household": household, "members": members})
