"""The national standard agency categories (seed 000 and 003 §4.5), loaded by migration 0002."""

# (name, field); the order is the order of the lists in seed 000, then 003.
AGENCY_CATEGORIES = [
    ("地域包括支援センター", "elderly"),
    ("高齢福祉担当", "elderly"),
    ("生活困窮担当", "poverty"),
    ("障がい者基幹相談支援センター", "disability"),
    ("生活保護担当", "poverty"),
    ("子ども・子育て担当", "children"),
    ("見守り相談室", "other"),
    ("精神保健福祉相談員", "health"),
    ("障がい福祉担当", "disability"),
    ("学校教育機関", "education"),
    ("福祉サービス事業所", "other"),
    ("社会福祉協議会", "other"),
    ("民生委員・児童委員", "other"),
    ("医療機関", "health"),
    ("保健センター", "health"),
    ("ハローワーク", "employment"),
    ("住まい相談窓口", "housing"),
    ("警察", "other"),
    ("その他の機関", "other"),
]
