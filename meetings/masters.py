"""Standard 開催根拠 (seed 000's row order; DOMAIN.md §4) and 会議種別 (DOMAIN.md §3)."""

# (name, law, requires_consent, statutory_confidentiality)
MEETING_BASES = [
    ("地域ケア会議", "介護保険法第115条の48", False, True),
    ("支援会議", "社会福祉法第106条の6", False, True),
    ("本人同意（つながる場単独開催）", "", True, False),
    ("要保護児童対策地域協議会", "児童福祉法第25条の2", False, True),
    ("地域ケア会議・要保護児童対策地域協議会の共催", "介護保険法第115条の48・児童福祉法第25条の2", False, True),
    ("重層的支援会議", "社会福祉法第106条の4（本人同意による）", True, False),
]

# (name, is_network_meeting)
MEETING_KINDS = [
    ("つながる場", False),
    ("重層的支援会議", False),
    ("支援会議", False),
    ("個別ケース会議", False),
    ("地域ケア会議", False),
    ("実務者会議", True),
    ("包括化推進会議", True),
    ("課題解決会議", True),
]
