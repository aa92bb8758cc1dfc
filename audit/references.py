"""Heads of the chain named outside the trail (printed on decisions, signed in checkpoints).

Each must be a head the chain actually passed through: a hash of one of its events (or the
genesis value), at the sequence stated when one is stated. A head the chain does not contain
means events were removed or rewritten after it was published. Apps above the audit app
register where their references live (decisions: `decisions/lifecycle.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dossiers.models import Institution


@dataclass(frozen=True)
class HeadReference:
    """A head published somewhere: what names it, its hash, and its sequence if recorded."""

    label: str
    hash: str
    sequence: int | None = None


Source = Callable[[Institution], Iterable[HeadReference]]
_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add a function listing an institution's published heads; usable as a decorator."""
    if source not in _sources:
        _sources.append(source)
    return source


def of(institution: Institution) -> Iterator[HeadReference]:
    for source in _sources:
        yield from source(institution)


def checkpoints(institution: Institution) -> Iterator[HeadReference]:
    """Every signed checkpoint names a sequence and the hash of the event there."""
    from audit.models import Checkpoint

    rows = Checkpoint.objects.filter(institution=institution).order_by("created_at", "pk")
    for pk, sequence, hash_ in rows.values_list("pk", "sequence", "hash").iterator():
        yield HeadReference(label=f"checkpoint {pk}", hash=hash_, sequence=sequence)
