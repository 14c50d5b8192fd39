"""Lists in the reader's language: {{ agencies|join_list }} (「A、B」 in Japanese, "A, B" in English)."""

from django import template

from core import text

register = template.Library()


@register.filter
def join_list(items):
    return text.join_list(items)
