-- Group commit for the wallet's write path: several independent commands in one statement, so one
-- database transaction, one commit and one round trip for all of them. Each command is decided and
-- applied by ledger_post() exactly as when it is posted alone, in the order given; a command sees
-- the effects of the commands before it in the batch (a later command with the same key is a
-- replay of the earlier one, as it would be when posted after it).
--
-- Deadlocks: every wallet of the batch is locked first, in one global order (player id), before
-- any is changed. Two batches therefore never wait for each other's wallets in opposite orders,
-- and a single ledger_post() call holds one wallet only. Should a batch fail for any reason (a
-- deadlock on a new operator account, the same key posted for two players at once, a value out of
-- range), nothing of it is committed and the wallet posts its commands again one by one, each
-- getting exactly the answer it gets alone.
--
-- p_commands: a JSON array of {"type", "playerId", "currency", "idempotencyKey", "requestHash",
-- "amount" (minor units, a string), "refKey", "counterRef", "reference"}; the answer has one row
-- per command with its 1-based position in `ord`.
CREATE FUNCTION "ledger_post_batch"(p_commands JSONB) RETURNS TABLE (
    ord INT,
    status TEXT,
    id UUID,
    seq BIGINT,
    wallet_version BIGINT,
    amount BIGINT,
    balance_after BIGINT,
    bonus_amount BIGINT,
    bonus_balance_after BIGINT,
    reserved_amount BIGINT,
    reserved_balance_after BIGINT,
    ref_key TEXT,
    reference JSONB,
    created_at TIMESTAMPTZ
) LANGUAGE plpgsql AS $$
DECLARE
    c RECORD;
BEGIN
    PERFORM 1 FROM wallet w
      WHERE w.player_id IN (SELECT (e.value->>'playerId')::UUID FROM jsonb_array_elements(p_commands) e)
      ORDER BY w.player_id
      FOR UPDATE;
    FOR c IN
        SELECT x.n::INT AS n, x.type, x."playerId", x.currency, x."idempotencyKey", x."requestHash", x.amount,
               x."refKey", x."counterRef", x.reference
          FROM ROWS FROM (jsonb_to_recordset(p_commands) AS ("type" "TransactionType", "playerId" UUID, currency TEXT,
               "idempotencyKey" TEXT, "requestHash" TEXT, amount BIGINT, "refKey" TEXT, "counterRef" TEXT, reference JSONB))
               WITH ORDINALITY AS x("type", "playerId", currency, "idempotencyKey", "requestHash", amount, "refKey", "counterRef", reference, n)
         ORDER BY x.n
    LOOP
        RETURN QUERY SELECT c.n, p.* FROM ledger_post(c.type, c."playerId", c.currency::CHAR(3), c."idempotencyKey",
            c."requestHash", c.amount, c."refKey", c."counterRef", c.reference) p;
    END LOOP;
END;
$$;
