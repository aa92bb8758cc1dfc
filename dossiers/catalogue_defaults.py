"""The law's defaults for the award catalogue (../shared/domain.md), installed as editable data.

Numbers here are seeds, not rules: once installed, the rows in the database (editable in the
admin) are what the product applies. Items the domain notes mark unverified are flagged so.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from dossiers.models import (
    AwardType,
    DisciplineLevel,
    DocumentKind,
    EligibilityRule,
    ExcellentShareCap,
    Institution,
    LegalBasis,
    Rating,
    RuleCode,
    Severity,
)

D = datetime.date

LEGAL_BASES = [
    # code, title, valid_from, valid_to, verified
    ("06/2022/QH15", "Luật Thi đua, khen thưởng", D(2024, 1, 1), None, True),
    (
        "98/2023/NĐ-CP",
        "Nghị định quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        D(2023, 12, 31),
        D(2025, 6, 30),
        True,
    ),
    (
        "152/2025/NĐ-CP",
        "Nghị định quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng "
        "(thay thế Nghị định 98/2023/NĐ-CP)",
        D(2025, 7, 1),
        None,
        True,
    ),
    ("30/2020/NĐ-CP", "Nghị định về công tác văn thư", D(2020, 3, 5), None, True),
    (
        "29/2023/TT-BGDĐT",
        "Thông tư hướng dẫn công tác thi đua, khen thưởng ngành Giáo dục",
        D(2023, 12, 31),
        None,
        False,
    ),
    (
        "86/2025/QĐ-UBND",
        "Quyết định của UBND tỉnh Bắc Ninh ban hành Quy chế thi đua, khen thưởng",
        D(2025, 7, 1),
        None,
        False,
    ),
]

# How each text is cited in a decision's recitals: kind, date issued, issuing body, subject.
# Dates not confirmed by a primary source are left empty (the recital then gives none) and are
# for the administrator to enter from the official gazette.
CITED_AS = {
    "06/2022/QH15": ("Luật", D(2022, 6, 15), "Quốc hội", ""),
    "98/2023/NĐ-CP": ("Nghị định", D(2023, 12, 31), "Chính phủ",
                      "quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng"),
    "152/2025/NĐ-CP": ("Nghị định", None, "Chính phủ",
                       "quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng"),
    "30/2020/NĐ-CP": ("Nghị định", D(2020, 3, 5), "Chính phủ", "về công tác văn thư"),
    "29/2023/TT-BGDĐT": ("Thông tư", None, "Bộ trưởng Bộ Giáo dục và Đào tạo",
                         "hướng dẫn công tác thi đua, khen thưởng ngành Giáo dục"),
    "86/2025/QĐ-UBND": ("Quyết định", None, "Ủy ban nhân dân tỉnh Bắc Ninh",
                        "ban hành Quy chế thi đua, khen thưởng"),
}  # fmt: skip

DOCUMENT_KINDS = [
    ("proposal_memo", "Tờ trình đề nghị khen thưởng", "Proposal memo"),
    ("achievement_report", "Báo cáo thành tích", "Achievement report"),
    ("unit_minutes", "Biên bản họp xét của đơn vị", "Minutes of the unit's meeting"),
    ("rating_evidence", "Minh chứng kết quả đánh giá, xếp loại", "Evidence of the annual rating"),
    (
        "initiative_evidence",
        "Minh chứng sáng kiến, đề tài khoa học",
        "Evidence of a recognised initiative or research project",
    ),
    ("member_list", "Danh sách thành viên và danh hiệu", "List of members and their titles"),
]

LAW = "06/2022/QH15"
# Who decides the awards proposed upward from the first user's college (domain.md, "Who decides").
PROVINCE_CHAIRMAN = "Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh"
DECREES = ["98/2023/NĐ-CP", "152/2025/NĐ-CP"]

AWARD_TYPES = [
    {
        "code": "advanced_worker",
        "name_vi": "Lao động tiên tiến",
        "name_en": "Advanced Worker",
        "nominee_kind": "individual",
        "category": "title",
        "decided_by": "principal",
        "vote_threshold_percent": Decimal(50),
        "vote_threshold_comparison": "more_than",
        "min_rating": Rating.COMPLETED_WELL,
        "disqualifying_discipline": DisciplineLevel.REPRIMAND,
        "min_months_worked": 10,  # [UNVERIFIED] domain.md: "worked < 10 months in the year"
        "documents": ["achievement_report", "unit_minutes", "rating_evidence"],
        "legal_bases": [LAW, *DECREES],
    },
    {
        "code": "grassroots_emulation_fighter",
        "name_vi": "Chiến sĩ thi đua cơ sở",
        "name_en": "Grassroots Emulation Fighter",
        "nominee_kind": "individual",
        "category": "title",
        "decided_by": "principal",
        "vote_threshold_percent": Decimal(80),
        "vote_threshold_comparison": "at_least",
        "public_notice_working_days": 5,
        "min_rating": Rating.COMPLETED_WELL,
        "disqualifying_discipline": DisciplineLevel.REPRIMAND,
        "requires_excellence_or_initiative": True,
        "min_months_worked": 10,
        "same_period_award": "advanced_worker",  # Law 06/2022/QH15 art. 23: "đạt danh hiệu LĐTT"
        "documents": ["proposal_memo", "achievement_report", "unit_minutes", "rating_evidence"],
        "legal_bases": [LAW, *DECREES],
    },
    {
        "code": "advanced_collective",
        "name_vi": "Tập thể lao động tiên tiến",
        "name_en": "Advanced Collective",
        "nominee_kind": "collective",
        "category": "title",
        "decided_by": "principal",
        "vote_threshold_percent": Decimal(50),
        "vote_threshold_comparison": "more_than",
        "disqualifying_discipline": DisciplineLevel.WARNING,
        "member_award": "advanced_worker",
        "member_award_min_percent": Decimal(70),
        "documents": ["achievement_report", "member_list"],
        "legal_bases": [LAW, *DECREES],
    },
    {
        "code": "excellent_collective",
        "name_vi": "Tập thể lao động xuất sắc",
        "name_en": "Excellent Collective",
        "nominee_kind": "collective",
        "category": "title",
        "decided_by": "upward",
        "proposed_to": PROVINCE_CHAIRMAN,
        "vote_threshold_percent": Decimal(90),
        "vote_threshold_comparison": "at_least",
        "disqualifying_discipline": DisciplineLevel.WARNING,
        "member_award": "advanced_worker",
        "member_award_min_percent": Decimal(70),
        "members_min_rating": Rating.COMPLETED,  # 100% of members complete their tasks
        "member_one_award": "grassroots_emulation_fighter",
        "documents": ["proposal_memo", "achievement_report", "member_list"],
        "legal_bases": [LAW, *DECREES, "86/2025/QĐ-UBND"],
    },
    {
        "code": "certificate_of_merit",
        "name_vi": "Giấy khen của Hiệu trưởng",
        "name_en": "Principal's Certificate of Merit",
        "nominee_kind": "individual",
        "category": "award",
        "decided_by": "principal",
        "vote_threshold_percent": Decimal(50),
        "vote_threshold_comparison": "more_than",
        "secret_ballot_required": False,
        "disqualifying_discipline": DisciplineLevel.REPRIMAND,
        "allows_thematic": True,
        "allows_ad_hoc": True,
        "ad_hoc_documents": ["proposal_memo"],
        "documents": ["achievement_report", "unit_minutes"],
        "legal_bases": [LAW, *DECREES],
    },
    {
        "code": "provincial_certificate_of_merit",
        "name_vi": "Bằng khen của Chủ tịch UBND tỉnh",
        "name_en": "Provincial Certificate of Merit",
        "nominee_kind": "individual",
        "category": "award",
        "decided_by": "upward",
        "proposed_to": PROVINCE_CHAIRMAN,
        "vote_threshold_percent": Decimal(90),
        "vote_threshold_comparison": "at_least",
        "min_rating": Rating.COMPLETED_WELL,
        "disqualifying_discipline": DisciplineLevel.REPRIMAND,
        "prerequisite_award": "grassroots_emulation_fighter",
        "prerequisite_consecutive_years": 2,
        "allows_thematic": True,
        "allows_ad_hoc": True,
        "ad_hoc_documents": ["proposal_memo", "achievement_report"],
        "documents": ["proposal_memo", "achievement_report", "unit_minutes", "rating_evidence"],
        "legal_bases": [LAW, *DECREES, "86/2025/QĐ-UBND"],
    },
    {
        "code": "provincial_emulation_fighter",
        "name_vi": "Chiến sĩ thi đua cấp tỉnh",
        "name_en": "Provincial Emulation Fighter",
        "nominee_kind": "individual",
        "category": "title",
        "decided_by": "upward",
        "proposed_to": PROVINCE_CHAIRMAN,
        "vote_threshold_percent": Decimal(90),
        "vote_threshold_comparison": "at_least",
        "min_rating": Rating.COMPLETED_EXCELLENTLY,
        "disqualifying_discipline": DisciplineLevel.REPRIMAND,
        "prerequisite_award": "grassroots_emulation_fighter",
        "prerequisite_consecutive_years": 3,
        "required_initiative_scope": "province",
        "documents": [
            "proposal_memo",
            "achievement_report",
            "unit_minutes",
            "rating_evidence",
            "initiative_evidence",
        ],
        "legal_bases": [LAW, *DECREES, "86/2025/QĐ-UBND"],
    },
]
AWARD_RULES_VALID_FROM = D(2024, 1, 1)
# Each rule's standing: what failing it does, and the text it comes from (the article where
# domain.md names it). Registration only warns: whether the 2022 law makes it a condition is
# [UNVERIFIED]. The repealed "CSTĐCS ≤ 15% of LĐTT" cap is deliberately absent.
ELIGIBILITY_RULES = [
    (RuleCode.RATING, Severity.BLOCK, LAW, "Điều 24 khoản 1"),
    (RuleCode.DISCIPLINE, Severity.BLOCK, LAW, ""),
    (RuleCode.EXCELLENCE, Severity.BLOCK, LAW, "Điều 23"),
    (RuleCode.INITIATIVE_SCOPE, Severity.BLOCK, LAW, ""),
    (RuleCode.PREREQUISITE, Severity.BLOCK, LAW, ""),
    (RuleCode.SAME_PERIOD, Severity.BLOCK, LAW, "Điều 23"),
    (RuleCode.MONTHS_WORKED, Severity.BLOCK, "152/2025/NĐ-CP", ""),
    (RuleCode.REGISTRATION, Severity.WARN, LAW, ""),
    (RuleCode.MEMBERS_DISCIPLINE, Severity.BLOCK, LAW, ""),
    (RuleCode.MEMBERS_TITLE, Severity.BLOCK, LAW, ""),
    (RuleCode.MEMBERS_ONE_TITLE, Severity.BLOCK, LAW, ""),
    (RuleCode.MEMBERS_RATING, Severity.BLOCK, LAW, ""),
]
# At most 20% of those rated "completed well" or better may be rated excellent, 25% in an
# excellent unit: the evaluation rules, not the commendation law [UNVERIFIED], so a warning.
EXCELLENT_SHARE_CAP = {
    "percent": Decimal(20),
    "excellent_unit_percent": Decimal(25),
    "basis": "Quy định đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức",
}


@transaction.atomic
def install_reference_data() -> None:
    """Legal texts and document kinds shared by every institution; existing rows are kept."""
    for code, title, valid_from, valid_to, verified in LEGAL_BASES:
        kind, issued_on, issuer, subject = CITED_AS.get(code, ("", None, "", ""))
        LegalBasis.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "is_verified": verified,
                "kind": kind,
                "issued_on": issued_on,
                "issuer": issuer,
                "subject": subject,
            },
        )
    for code, name_vi, name_en in DOCUMENT_KINDS:
        DocumentKind.objects.get_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en}
        )


@transaction.atomic
def install_award_catalogue(institution: Institution) -> list[AwardType]:
    """Create the default award types an institution lacks; types it already has stay as edited."""
    install_reference_data()
    by_code = {a.code: a for a in AwardType.objects.of(institution)}
    for spec in AWARD_TYPES:
        if spec["code"] in by_code:
            continue
        lists = {"documents", "legal_bases", "ad_hoc_documents"}
        fields = {k: v for k, v in spec.items() if k not in lists}
        for ref in ("prerequisite_award", "same_period_award", "member_award", "member_one_award"):
            if ref in fields:
                fields[ref] = by_code[fields[ref]]
        award = AwardType.objects.create(
            institution=institution, valid_from=AWARD_RULES_VALID_FROM, **fields
        )
        award.required_document_kinds.set(DocumentKind.objects.filter(code__in=spec["documents"]))
        award.legal_bases.set(LegalBasis.objects.filter(code__in=spec["legal_bases"]))
        award.ad_hoc_document_kinds.set(
            DocumentKind.objects.filter(code__in=spec.get("ad_hoc_documents", []))
        )
        by_code[award.code] = award
    ExcellentShareCap.objects.get_or_create(
        institution=institution,
        defaults={
            **EXCELLENT_SHARE_CAP,
            "excellent_unit_award": by_code.get("excellent_collective"),
        },
    )
    install_eligibility_rules(institution)
    return list(by_code.values())


def install_eligibility_rules(institution: Institution) -> None:
    """The law's standing of each rule, for the rules the institution has not recorded."""
    recorded = set(
        EligibilityRule.objects.filter(institution=institution).values_list("code", flat=True)
    )
    bases = {basis.code: basis for basis in LegalBasis.objects.all()}
    EligibilityRule.objects.bulk_create(
        EligibilityRule(
            institution=institution, code=code, severity=severity, legal_basis=bases.get(basis),
            article=article, valid_from=AWARD_RULES_VALID_FROM,
        )
        for code, severity, basis, article in ELIGIBILITY_RULES
        if code not in recorded
    )  # fmt: skip
