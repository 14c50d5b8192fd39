"""What referrals add to the case page of `cases` (registered in ReferralsConfig.ready())."""

from cases.registry import CasePart, TimelineEntry

from .selectors import case_referrals


def case_part(*, case) -> CasePart:
    """The case's referrals, and a timeline entry for each of their steps."""
    referrals = case_referrals(case=case)
    timeline = []
    for r in referrals:
        route = f"{r.sender_name} → {r.recipient_name}"
        for event in r.events.all():
            title = f"{r.kind.name}（{r.number}）{event.label}"
            body = "\n".join(part for part in (route, event.note) if part)
            timeline.append(TimelineEntry(event.at, "referral", title, body, event.by.display_name))
    return CasePart(context={"referrals": referrals}, timeline=timeline)
