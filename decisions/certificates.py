"""Award certificates (Giấy khen): one A4 landscape page per awardee of a signed award decision.

Each certificate names the decision it rests on and carries a register number (số sổ vàng), so
a framed copy can be traced back to the signed decision. A revoked award gets none. The PDF is
rendered once per content: render_pdf caches it under the hash of its HTML.
"""

from __future__ import annotations

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from decisions.models import Decision, DecisionItem
from documents.rendering import nd30_date, render_pdf, signature_block
from dossiers.models import AwardType, Person, State
from workflow.errors import IllegalTransition

ACHIEVEMENT_CHARS = 260
HONORIFICS = {Person.Gender.FEMALE: "Bà", Person.Gender.MALE: "Ông"}


def certificates_pdf(decision: Decision) -> bytes:
    """The certificates of a signed award decision, in the order of its list of awardees."""
    if decision.state != Decision.State.SIGNED or decision.kind != Decision.Kind.AWARD:
        raise IllegalTransition(_("Certificates are printed only for a signed award decision."))
    context = certificates_context(decision)
    if not context["awardees"]:
        raise IllegalTransition(
            _("Every award of this decision was revoked: no certificate is printed.")
        )
    pdf, _key = render_pdf("decisions/certificate.html", context)
    return pdf


def certificates_context(decision: Decision) -> dict:
    institution = decision.institution
    # A revoked award has no certificate: its holder must return the one printed (Law art. 93).
    items = decision.items.exclude(dossier__state=State.REVOKED).select_related(
        "dossier__nominee_person", "dossier__nominee_unit", "dossier__unit"
    )
    return {
        "institution": institution,
        "authority": f"{institution.head_title} {institution.name}".upper(),
        "heading": heading(decision.award_type),
        "decision_line": f"Quyết định số {decision.reference} {nd30_date(decision.signed_on)}",
        "date_line": f"{institution.place}, {nd30_date(decision.signed_on)}",
        "signature": signature_block(
            institution, signer=decision.signer, on_behalf_of=decision.on_behalf_of
        ),
        "awardees": [awardee(decision, item) for item in items],
    }


def heading(award: AwardType) -> dict:
    """'TẶNG' over 'GIẤY KHEN' for a form of award; 'TẶNG DANH HIỆU' over the title's name."""
    if award.category == AwardType.Category.AWARD:
        return {"lead": "TẶNG", "name": "GIẤY KHEN"}
    return {"lead": "TẶNG DANH HIỆU", "name": award.name_vi.upper()}


def awardee(decision: Decision, item: DecisionItem) -> dict:
    dossier = item.dossier
    person = dossier.nominee_person
    return {
        "honorific": HONORIFICS.get(person.gender, "") if person else "Tập thể",
        "name": person.full_name if person else dossier.nominee_unit.name,
        "unit": dossier.unit.name,
        "achievement": Truncator(dossier.achievement_summary.strip()).chars(ACHIEVEMENT_CHARS),
        "register_number": register_number(decision, item),
    }


def register_number(decision: Decision, item: DecisionItem) -> str:
    """Số sổ vàng: the year, the decision's number and the awardee's place in its list."""
    return f"{decision.year}/{decision.number:02d}-{item.position}"
