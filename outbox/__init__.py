"""The transactional outbox: background work written as rows in the caller's transaction.

`services.enqueue` writes the rows; `services.drain` runs their handlers, which the apps that own
the work register by kind (`registry.register`), so the outbox imports none of them.
"""
