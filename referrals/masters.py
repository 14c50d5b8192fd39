"""Standard つなぎの種別 (DOMAIN.md §3) with their answer periods, and standard 辞退の理由."""

# (name, purpose, default_due_days)
REFERRAL_KINDS = [
    ("つなぎ", "handover", 7),
    ("つなぎ戻し", "return", 7),
    ("つながる場の開催依頼", "meeting_request", 14),
    ("情報提供依頼", "information_request", 5),
]

DECLINE_REASONS = [
    "所管外（対象とならない）",
    "既に他の機関が支援している",
    "受け入れる体制がない（定員・人員）",
    "本人が支援を望んでいない",
    "情報が不足している（再依頼をお願いしたい）",
    "その他",
]
