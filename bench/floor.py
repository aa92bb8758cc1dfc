"""The SQL floor of an audited transition: what the database must do at the least, with psycopg
and nothing above it. One transaction per operation: lock the row, move its state, close its
task, open the next task, append the audit event (SELECT … FOR UPDATE, 2 UPDATE, 2 INSERT)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

SCHEMA = """
CREATE TABLE item (id bigint PRIMARY KEY, state text NOT NULL, version integer NOT NULL,
                   updated_at timestamptz NOT NULL);
CREATE TABLE task (id bigserial PRIMARY KEY, item_id bigint NOT NULL REFERENCES item,
                   status text NOT NULL, created_at timestamptz NOT NULL, finished_at timestamptz);
CREATE INDEX task_item ON task (item_id);
CREATE TABLE event (id bigserial PRIMARY KEY, item_id bigint NOT NULL REFERENCES item,
                    action text NOT NULL, from_state text NOT NULL, to_state text NOT NULL,
                    actor text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX event_item ON event (item_id);
"""


def prepare(url: str, items: int) -> None:
    """`items` submitted rows, each with its open task, in the (empty) database at `url`."""
    with psycopg.connect(url) as connection:
        connection.execute(SCHEMA)
        connection.execute(
            "INSERT INTO item SELECT n, 'submitted', 1, now() FROM generate_series(1, %s) n",
            (items,),
        )
        connection.execute(
            "INSERT INTO task (item_id, status, created_at) SELECT id, 'open', now() FROM item"
        )
        connection.execute("ANALYZE")


def approver(url: str) -> tuple[Callable[[int], None], psycopg.Connection]:
    """One client: its connection, and the operation approving item `key` on it."""
    connection = psycopg.connect(url, autocommit=True)

    def approve(key: int) -> None:
        with connection.transaction():
            state, _version = connection.execute(
                "SELECT state, version FROM item WHERE id = %s FOR UPDATE", (key,)
            ).fetchone()
            if state != "submitted":
                raise ValueError(f"item {key} is {state}")
            connection.execute(
                "UPDATE item SET state = 'reviewed', version = version + 1, updated_at = now() "
                "WHERE id = %s",
                (key,),
            )
            connection.execute(
                "UPDATE task SET status = 'done', finished_at = now() "
                "WHERE item_id = %s AND status = 'open'",
                (key,),
            )
            connection.execute(
                "INSERT INTO task (item_id, status, created_at) VALUES (%s, 'open', now())",
                (key,),
            )
            connection.execute(
                "INSERT INTO event (item_id, action, from_state, to_state, actor, created_at) "
                "VALUES (%s, 'item.approved', 'submitted', 'reviewed', 'reviewer', now())",
                (key,),
            )

    return approve, connection


def approved_once(url: str, keys: list[int]) -> bool:
    """Every key reviewed with one event, and nothing else reviewed."""
    with psycopg.connect(url) as connection:
        reviewed = connection.execute(
            "SELECT count(*) FROM item WHERE state = 'reviewed'"
        ).fetchone()[0]
        events = connection.execute(
            "SELECT count(*), count(DISTINCT item_id) FROM event WHERE item_id = ANY(%s)", (keys,)
        ).fetchone()
    return reviewed == len(keys) == events[0] == events[1]
