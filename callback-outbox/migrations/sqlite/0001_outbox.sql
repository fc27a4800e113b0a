-- The outbox: one row per callback message (the row is the queue entry), one row per attempt.
-- Times are milliseconds since the Unix epoch, always taken from the database's clock.

CREATE TABLE callback_message (
    id              TEXT    NOT NULL PRIMARY KEY,  -- the webhook-id of every attempt
    state           TEXT    NOT NULL
        CHECK (state IN ('pending', 'in-flight', 'delivered', 'dead', 'cancelled')),
    operation       TEXT    NOT NULL,              -- the API operation whose callback this is
    callback        TEXT    NOT NULL,              -- the callback's name
    expression      TEXT    NOT NULL,              -- the callback key the URL was resolved from
    method          TEXT    NOT NULL,
    url             TEXT    NOT NULL,              -- resolved at enqueue
    origin          TEXT    NOT NULL,              -- scheme://host:port, for per-origin limits
    headers         TEXT    NOT NULL,              -- JSON array of [name, value]
    body            BLOB    NOT NULL,              -- the exact bytes sent and signed every time
    dedupe_key      TEXT,
    secret_ref      TEXT,                          -- which signing secret; never the secret
    attempts        INTEGER NOT NULL DEFAULT 0,    -- attempts started (counted at the claim)
    schedule_base   INTEGER NOT NULL DEFAULT 0,    -- attempts before the last replay
    replays         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    claim_token     TEXT,
    claimed_by      TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    CHECK ((state = 'in-flight') = (claim_token IS NOT NULL AND lease_until IS NOT NULL))
);

CREATE UNIQUE INDEX callback_message_dedupe
    ON callback_message (dedupe_key, callback, expression, method) WHERE dedupe_key IS NOT NULL;
CREATE INDEX callback_message_due ON callback_message (next_attempt_at) WHERE state = 'pending';
CREATE INDEX callback_message_lease ON callback_message (lease_until) WHERE state = 'in-flight';
CREATE INDEX callback_message_finished ON callback_message (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX callback_message_state ON callback_message (state, id);

CREATE TABLE callback_attempt (
    message_id      TEXT    NOT NULL REFERENCES callback_message (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,              -- 1 for the message's first attempt
    kind            TEXT    NOT NULL CHECK (kind IN ('scheduled', 'manual', 'reclaimed')),
    claim_token     TEXT    NOT NULL,
    claimed_by      TEXT    NOT NULL,
    started_at      INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL,
    ended_at        INTEGER,
    outcome         TEXT    NOT NULL
        CHECK (outcome IN ('in-progress', 'delivered', 'retry', 'dead', 'superseded', 'interrupted')),
    status          INTEGER,
    error_kind      TEXT,
    error           TEXT,
    address         TEXT,
    response        TEXT,                          -- the start of the response body
    next_attempt_at INTEGER,
    PRIMARY KEY (message_id, number)
);

CREATE INDEX callback_attempt_open ON callback_attempt (lease_until) WHERE outcome = 'in-progress';
