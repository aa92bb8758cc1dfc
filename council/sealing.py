"""Sealing a ballot to its meeting's key, and opening it again at the tally.

A sealed ballot is `nonce (12 bytes) || AES-256-GCM(key, nonce, plaintext, aad="meeting:<id>")`.
The plaintext has a fixed length within a meeting: the 9-character receipt code, then one letter
per agenda item in agenda order (A agree, D disagree, N no vote, R recused). Every ballot of a
meeting is therefore as long as every other, and the associated data ties it to its meeting, so
a sealed ballot copied into another meeting does not open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
RECEIPT_LENGTH = 9  # "ABCD-EFGH"
AGREE, DISAGREE, ABSTAIN, RECUSED = "agree", "disagree", "abstain", "recused"
LETTERS = {AGREE: "A", DISAGREE: "D", ABSTAIN: "N", RECUSED: "R"}
WORDS = {letter: word for word, letter in LETTERS.items()}


class Unreadable(Exception):
    """A sealed ballot that this key does not open (wrong key, wrong meeting, or altered)."""


def _associated_data(meeting_id: int) -> bytes:
    return f"meeting:{int(meeting_id)}".encode("ascii")


def seal(key: bytes, *, meeting_id: int, receipt: str, choices: list[str]) -> bytes:
    """The sealed form of one ballot; `choices` holds one word per agenda item, in agenda order."""
    if len(receipt) != RECEIPT_LENGTH:
        raise ValueError("a receipt code has 9 characters")
    plaintext = (receipt + "".join(LETTERS[c] for c in choices)).encode("ascii")
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, _associated_data(meeting_id))


def open_sealed(key: bytes, *, meeting_id: int, sealed: bytes) -> tuple[str, list[str]]:
    """(receipt, one word per agenda item) of a sealed ballot, or Unreadable."""
    sealed = bytes(sealed)
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(meeting_id))
    except (InvalidTag, ValueError) as error:
        raise Unreadable() from error
    text = plaintext.decode("ascii")
    return text[:RECEIPT_LENGTH], [WORDS[letter] for letter in text[RECEIPT_LENGTH:]]
