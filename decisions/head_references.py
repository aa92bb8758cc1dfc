"""The chain heads decisions print: `verify_audit` checks the chain still contains each."""

from __future__ import annotations

from collections.abc import Iterator

from audit import references
from audit.references import HeadReference
from decisions.models import Decision
from dossiers.models import Institution


@references.register
def signed_decisions(institution: Institution) -> Iterator[HeadReference]:
    """Each signed decision (and the certificates rendered from it) prints the head at signing."""
    rows = (
        Decision.objects.filter(institution=institution, state=Decision.State.SIGNED)
        .exclude(chain_head="")
        .order_by("signed_at", "pk")
        .values_list("number", "series", "chain_head")
    )
    for number, series, chain_head in rows.iterator():
        yield HeadReference(label=f"decision {number:02d}/{series}", hash=chain_head)
