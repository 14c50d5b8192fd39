"""{% notice stored %}: a stored notice ({"kind", "params"}, ledger.notices) in the reader's language and date style."""

from django import template

from ledger.notices import Notice

register = template.Library()


@register.simple_tag(takes_context=True)
def notice(context, stored) -> str:
    user = getattr(context.get("request"), "user", None)
    return Notice.from_json(stored).text(date_style=getattr(user, "date_style", "wareki"))
