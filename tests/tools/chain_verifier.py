"""An audit-export verifier written from the README's "The audit chain format" alone.

Standard library only, no project imports; it serialises canonical JSON by the README's rules
itself rather than trusting the project's code. Usage: python chain_verifier.py EXPORT.jsonl
Prints "<institution> <events> <head>" per chain and exits 0, or prints why and exits 1.
"""

import hashlib
import json
import sys

GENESIS = "0" * 64
HASHED = ["institution", "sequence", "created_at", "actor_id", "actor", "role",
          "on_behalf_of_id", "on_behalf_of", "action", "object_type", "object_id",
          "from_state", "to_state", "reason", "payload", "client_address"]  # fmt: skip
LINE_FIELDS = set(HASHED) | {"prev_hash", "hash"}
SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                 "\t": "\\t"}  # fmt: skip


def string(text):
    out = []
    for ch in text:
        if ch in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def canonical(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value)  # Python compares str by code point
        return "{" + ",".join(string(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError(f"a value the format does not allow: {value!r}")


def main(path):
    chains = {}  # institution -> [events, expected sequence, prev hash]
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            event = json.loads(line)
            if set(event) != LINE_FIELDS:
                print(f"line {number}: fields are not exactly the eighteen")
                return 1
            chain = chains.setdefault(event["institution"], [0, 1, GENESIS])
            if event["sequence"] != chain[1]:
                print(f"line {number}: sequence {event['sequence']!r}, expected {chain[1]}")
                return 1
            if event["prev_hash"] != chain[2]:
                print(f"line {number}: prev_hash does not link")
                return 1
            body = canonical({name: event[name] for name in HASHED})
            digest = hashlib.sha256((chain[2] + body).encode("utf-8")).hexdigest()
            if digest != event["hash"]:
                print(f"line {number}: hash does not match the content")
                return 1
            chain[0], chain[1], chain[2] = chain[0] + 1, chain[1] + 1, digest
    if not chains:
        print("no events")
        return 1
    for institution in sorted(chains):
        print(institution, chains[institution][0], chains[institution][2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
