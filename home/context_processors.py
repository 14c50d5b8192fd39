from referrals.selectors import badge_counts

from .navigation import navigation_for


def navigation(request):
    """The menu, with the count of referrals waiting for the user's office and of unread notices (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    counts = badge_counts(user)
    return {
        "navigation": navigation_for(user, request.path, {"referrals:referral_list": counts["referrals"]}),
        "unread_notifications": counts["notifications"],
    }
