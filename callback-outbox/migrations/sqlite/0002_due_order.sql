-- Claims take due messages in (next_attempt_at, id) order: an index in that order lets a claim
-- read only the rows it takes, instead of sorting every due message (a bulk enqueue gives
-- thousands the same next_attempt_at).
CREATE INDEX callback_message_due_order ON callback_message (next_attempt_at, id)
    WHERE state = 'pending';
DROP INDEX callback_message_due;
