-- Ledger operations: bonus and reserved amounts on every transaction, references between
-- transactions (win -> stake, rollback -> stake, commit/void -> reservation), and the write path
-- as one database function so that each command costs one round trip.

-- AlterTable (drafted by scripts/prisma-sql.ts)
ALTER TABLE "ledger_transaction" ADD COLUMN     "bonus_amount" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "bonus_balance_after" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "ref_key" TEXT,
ADD COLUMN     "reserved_amount" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "reserved_balance_after" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "reverses_key" TEXT,
ADD COLUMN     "settles_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transaction_reverses_key_key" ON "ledger_transaction"("reverses_key");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transaction_settles_key_key" ON "ledger_transaction"("settles_key");


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "ledger_transaction" ADD CONSTRAINT "ledger_transaction_reverses_only_rollbacks"
    CHECK ("reverses_key" IS NULL OR "type" = 'ROLLBACK');
ALTER TABLE "ledger_transaction" ADD CONSTRAINT "ledger_transaction_settles_only_withdrawals"
    CHECK ("settles_key" IS NULL OR "type" IN ('WITHDRAWAL_COMMIT', 'WITHDRAWAL_VOID'));
ALTER TABLE "ledger_transaction" ADD CONSTRAINT "ledger_transaction_player_balances_non_negative"
    CHECK ("balance_after" >= 0 AND "bonus_balance_after" >= 0 AND "reserved_balance_after" >= 0);

-- Minor-unit exponents of the currencies the platform accepts. The same table as CURRENCY_EXPONENT
-- in packages/kernel/src/money.ts; a wallet test fails when the two differ.
CREATE FUNCTION "ledger_currency_exponent"(p_currency TEXT) RETURNS INT LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE p_currency
        WHEN 'JPY' THEN 0 WHEN 'KRW' THEN 0 WHEN 'ISK' THEN 0
        WHEN 'BHD' THEN 3 WHEN 'KWD' THEN 3 WHEN 'JOD' THEN 3
        WHEN 'GBP' THEN 2 WHEN 'EUR' THEN 2 WHEN 'USD' THEN 2 WHEN 'CAD' THEN 2 WHEN 'AUD' THEN 2
        WHEN 'NZD' THEN 2 WHEN 'CHF' THEN 2 WHEN 'SEK' THEN 2 WHEN 'NOK' THEN 2 WHEN 'DKK' THEN 2
        WHEN 'PLN' THEN 2 WHEN 'CZK' THEN 2 WHEN 'HUF' THEN 2 WHEN 'BRL' THEN 2 WHEN 'MXN' THEN 2
        WHEN 'ZAR' THEN 2 WHEN 'INR' THEN 2 WHEN 'TRY' THEN 2
    END
$$;

-- GraphQL's Money, {"amount": "12.50", "currency": "GBP"}, for the live balance message. Plain SQL
-- (inlined by the planner): numeric division by a power of ten is exact, and round() to the
-- currency's exponent prints exactly that many decimals.
CREATE FUNCTION "ledger_money"(p_minor BIGINT, p_currency TEXT) RETURNS JSONB LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT jsonb_build_object(
        'amount', round(p_minor::NUMERIC / (10::NUMERIC ^ ledger_currency_exponent(p_currency)), ledger_currency_exponent(p_currency))::TEXT,
        'currency', p_currency)
$$;

-- Currencies are CHAR(3) like the column: compared with TEXT, PostgreSQL would compare as text and
-- could not use the (type, currency, ref) index, scanning every account instead.
CREATE FUNCTION "ledger_account_id"(p_player UUID, p_type "AccountType", p_currency CHAR(3), p_ref TEXT)
RETURNS UUID LANGUAGE plpgsql AS $$
DECLARE
    v_id UUID;
BEGIN
    SELECT id INTO v_id FROM account WHERE type = p_type AND currency = p_currency AND ref = p_ref;
    IF v_id IS NULL THEN
        INSERT INTO account (id, player_id, type, currency, ref, balance)
        VALUES (gen_random_uuid(), p_player, p_type, p_currency, p_ref, 0)
        ON CONFLICT (type, currency, ref) DO NOTHING
        RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            SELECT id INTO v_id FROM account WHERE type = p_type AND currency = p_currency AND ref = p_ref;
        END IF;
    END IF;
    RETURN v_id;
END;
$$;

-- The text each transaction's hash covers (chain format 1). The audit in
-- subgraphs/wallet/src/ledger/audit.ts rebuilds it from the stored row to check the chain.
CREATE FUNCTION "ledger_chain_hash"(p_prev_hash TEXT, p_tx "ledger_transaction", p_postings TEXT)
RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\n',
        p_prev_hash, 'v1', p_tx.id::TEXT, p_tx.type::TEXT, p_tx.player_id::TEXT, p_tx.idempotency_key,
        p_tx.currency, p_tx.amount::TEXT, p_tx.balance_after::TEXT, p_tx.bonus_amount::TEXT,
        p_tx.bonus_balance_after::TEXT, p_tx.reserved_amount::TEXT, p_tx.reserved_balance_after::TEXT,
        p_tx.wallet_version::TEXT, coalesce(p_tx.ref_key, ''), coalesce(p_tx.reverses_key, ''),
        coalesce(p_tx.settles_key, ''), p_tx.reference::TEXT, p_postings), 'UTF8')), 'hex')
$$;

/*
 * The whole write path of one wallet command, in one statement and so one round trip. Validation
 * that needs no database (amount positive and in range, currency, key format) is done by the caller;
 * this function decides what needs the wallet's state, under the wallet row's lock:
 *
 *   STAKE              cash first, then bonus (the documented spending order) -> game revenue
 *   WIN                game revenue -> bonus and cash in the proportions that funded the referenced
 *                      stake (bonus share rounded down), or all cash without a stake reference
 *   ROLLBACK           reverses the referenced stake's cash and bonus legs exactly once; for a stake
 *                      not seen yet, a tombstone without postings that refuses the stake later
 *   DEPOSIT            PSP clearing -> cash
 *   WITHDRAWAL_RESERVE cash -> reserved
 *   WITHDRAWAL_COMMIT  reserved -> PSP clearing for the amount, the rest of the reservation -> cash
 *   WITHDRAWAL_VOID    reserved -> cash
 *   BONUS_GRANT        bonus cost -> bonus;  BONUS_FORFEIT  bonus -> bonus cost
 *   MANUAL_ADJUSTMENT  signed amount between manual adjustments and cash
 *
 * Refusals return a status and write nothing. Statuses: OK, REPLAY, IDEMPOTENCY_KEY_REUSED,
 * WALLET_NOT_FOUND, INSUFFICIENT_FUNDS, TRANSACTION_NOT_FOUND, TRANSACTION_ROLLED_BACK,
 * ALREADY_SETTLED, AMOUNT_EXCEEDS_RESERVATION.
 */
CREATE FUNCTION "ledger_post"(
    p_type "TransactionType",
    p_player UUID,
    p_currency CHAR(3),
    p_key TEXT,
    p_request_hash TEXT,
    p_amount BIGINT,
    p_ref_key TEXT,
    p_counter_ref TEXT,
    p_reference JSONB
) RETURNS TABLE (
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
#variable_conflict use_column
DECLARE
    v_wallet wallet;
    v_existing ledger_transaction;
    v_ref ledger_transaction;
    v_tx ledger_transaction;
    v_cash_id UUID;
    v_bonus_id UUID;
    v_reserved_id UUID;
    v_counter_id UUID;
    v_counter_type "AccountType";
    v_cash BIGINT := 0;
    v_bonus BIGINT := 0;
    v_reserved BIGINT := 0;
    d_cash BIGINT := 0;
    d_bonus BIGINT := 0;
    d_reserved BIGINT := 0;
    v_reverses TEXT;
    v_settles TEXT;
    v_stake BIGINT;
    v_postings TEXT := '';
    v_live JSONB;
BEGIN
    SELECT * INTO v_wallet FROM wallet w WHERE w.player_id = p_player FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'WALLET_NOT_FOUND', NULL::UUID, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT,
            NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::JSONB, NULL::TIMESTAMPTZ;
        RETURN;
    END IF;

    -- Under the wallet lock, a concurrent first attempt of the same key has committed by now.
    SELECT * INTO v_existing FROM ledger_transaction t WHERE t.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT CASE WHEN v_existing.request_hash = p_request_hash THEN 'REPLAY' ELSE 'IDEMPOTENCY_KEY_REUSED' END,
            v_existing.id, v_existing.seq, v_existing.wallet_version, v_existing.amount, v_existing.balance_after,
            v_existing.bonus_amount, v_existing.bonus_balance_after, v_existing.reserved_amount,
            v_existing.reserved_balance_after, v_existing.ref_key, v_existing.reference, v_existing.created_at;
        RETURN;
    END IF;

    SELECT max(a.id::TEXT) FILTER (WHERE a.type = 'PLAYER_CASH')::UUID, max(a.balance) FILTER (WHERE a.type = 'PLAYER_CASH'),
           max(a.id::TEXT) FILTER (WHERE a.type = 'PLAYER_BONUS')::UUID, max(a.balance) FILTER (WHERE a.type = 'PLAYER_BONUS'),
           max(a.id::TEXT) FILTER (WHERE a.type = 'PLAYER_RESERVED')::UUID, max(a.balance) FILTER (WHERE a.type = 'PLAYER_RESERVED')
      INTO v_cash_id, v_cash, v_bonus_id, v_bonus, v_reserved_id, v_reserved
      FROM account a WHERE a.player_id = p_player AND a.currency = p_currency;
    v_cash := coalesce(v_cash, 0);
    v_bonus := coalesce(v_bonus, 0);
    v_reserved := coalesce(v_reserved, 0);

    CASE p_type
    WHEN 'STAKE' THEN
        v_counter_type := 'OPERATOR_GAME_REVENUE';
        IF EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.reverses_key = p_key) THEN
            status := 'TRANSACTION_ROLLED_BACK';
        ELSIF v_cash::NUMERIC + v_bonus < p_amount THEN
            status := 'INSUFFICIENT_FUNDS';
        ELSE
            d_cash := -least(v_cash, p_amount);
            d_bonus := -(p_amount + d_cash);
        END IF;
    WHEN 'WIN' THEN
        v_counter_type := 'OPERATOR_GAME_REVENUE';
        d_cash := p_amount;
        IF p_ref_key IS NOT NULL THEN
            SELECT * INTO v_ref FROM ledger_transaction t WHERE t.idempotency_key = p_ref_key;
            IF NOT FOUND OR v_ref.type <> 'STAKE' OR v_ref.player_id <> p_player OR v_ref.currency <> p_currency THEN
                status := 'TRANSACTION_NOT_FOUND';
            ELSIF EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.reverses_key = p_ref_key) THEN
                status := 'TRANSACTION_ROLLED_BACK';
            ELSE
                v_stake := -(v_ref.amount + v_ref.bonus_amount);
                IF v_stake > 0 THEN
                    -- div() is exact integer division (truncating, so rounding the bonus share down).
                    d_bonus := div(p_amount::NUMERIC * (-v_ref.bonus_amount), v_stake)::BIGINT;
                END IF;
                d_cash := p_amount - d_bonus;
            END IF;
        END IF;
    WHEN 'ROLLBACK' THEN
        v_counter_type := 'OPERATOR_GAME_REVENUE';
        v_reverses := p_ref_key;
        IF EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.reverses_key = p_ref_key) THEN
            status := 'TRANSACTION_ROLLED_BACK';
        ELSE
            SELECT * INTO v_ref FROM ledger_transaction t WHERE t.idempotency_key = p_ref_key;
            IF FOUND THEN
                IF v_ref.type <> 'STAKE' OR v_ref.player_id <> p_player OR v_ref.currency <> p_currency THEN
                    status := 'TRANSACTION_NOT_FOUND';
                ELSE
                    d_cash := -v_ref.amount;
                    d_bonus := -v_ref.bonus_amount;
                    -- Back to the very account the stake went to.
                    SELECT po.account_id INTO v_counter_id FROM posting po JOIN account a ON a.id = po.account_id
                     WHERE po.transaction_id = v_ref.id AND a.player_id IS NULL;
                END IF;
            END IF;
        END IF;
    WHEN 'DEPOSIT' THEN
        v_counter_type := 'OPERATOR_PSP_CLEARING';
        d_cash := p_amount;
    WHEN 'WITHDRAWAL_RESERVE' THEN
        v_counter_type := 'OPERATOR_PSP_CLEARING';
        IF v_cash < p_amount THEN
            status := 'INSUFFICIENT_FUNDS';
        ELSE
            d_cash := -p_amount;
            d_reserved := p_amount;
        END IF;
    WHEN 'WITHDRAWAL_COMMIT', 'WITHDRAWAL_VOID' THEN
        v_counter_type := 'OPERATOR_PSP_CLEARING';
        v_settles := p_ref_key;
        SELECT * INTO v_ref FROM ledger_transaction t WHERE t.idempotency_key = p_ref_key;
        IF NOT FOUND OR v_ref.type <> 'WITHDRAWAL_RESERVE' OR v_ref.player_id <> p_player OR v_ref.currency <> p_currency THEN
            status := 'TRANSACTION_NOT_FOUND';
        ELSIF EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.settles_key = p_ref_key) THEN
            status := 'ALREADY_SETTLED';
        ELSIF p_type = 'WITHDRAWAL_COMMIT' AND p_amount > v_ref.reserved_amount THEN
            status := 'AMOUNT_EXCEEDS_RESERVATION';
        ELSE
            d_reserved := -v_ref.reserved_amount;
            d_cash := v_ref.reserved_amount - CASE WHEN p_type = 'WITHDRAWAL_COMMIT' THEN p_amount ELSE 0 END;
        END IF;
    WHEN 'BONUS_GRANT' THEN
        v_counter_type := 'OPERATOR_BONUS_COST';
        d_bonus := p_amount;
    WHEN 'BONUS_FORFEIT' THEN
        v_counter_type := 'OPERATOR_BONUS_COST';
        IF v_bonus < p_amount THEN
            status := 'INSUFFICIENT_FUNDS';
        ELSE
            d_bonus := -p_amount;
        END IF;
    WHEN 'MANUAL_ADJUSTMENT' THEN
        v_counter_type := 'OPERATOR_MANUAL_ADJUSTMENT';
        IF v_cash::NUMERIC + p_amount < 0 THEN
            status := 'INSUFFICIENT_FUNDS';
        ELSE
            d_cash := p_amount;
        END IF;
    END CASE;

    IF status IS NOT NULL THEN
        RETURN QUERY SELECT status, NULL::UUID, NULL::BIGINT, v_wallet.version, NULL::BIGINT, v_cash,
            NULL::BIGINT, v_bonus, NULL::BIGINT, v_reserved, NULL::TEXT, NULL::JSONB, NULL::TIMESTAMPTZ;
        RETURN;
    END IF;

    -- Apply: player accounts first (guarded by their CHECK as well), then the counter-leg.
    IF d_cash <> 0 OR v_cash_id IS NULL THEN
        v_cash_id := coalesce(v_cash_id, ledger_account_id(p_player, 'PLAYER_CASH', p_currency, p_player::TEXT));
        UPDATE account a SET balance = a.balance + d_cash WHERE a.id = v_cash_id;
    END IF;
    IF d_bonus <> 0 THEN
        v_bonus_id := coalesce(v_bonus_id, ledger_account_id(p_player, 'PLAYER_BONUS', p_currency, p_player::TEXT));
        UPDATE account a SET balance = a.balance + d_bonus WHERE a.id = v_bonus_id;
    END IF;
    IF d_reserved <> 0 THEN
        v_reserved_id := coalesce(v_reserved_id, ledger_account_id(p_player, 'PLAYER_RESERVED', p_currency, p_player::TEXT));
        UPDATE account a SET balance = a.balance + d_reserved WHERE a.id = v_reserved_id;
    END IF;
    IF d_cash + d_bonus + d_reserved <> 0 AND v_counter_id IS NULL THEN
        v_counter_id := ledger_account_id(NULL, v_counter_type, p_currency, coalesce(p_counter_ref, ''));
    END IF;

    v_tx.id := gen_random_uuid();
    v_tx.type := p_type;
    v_tx.player_id := p_player;
    v_tx.idempotency_key := p_key;
    v_tx.request_hash := p_request_hash;
    v_tx.currency := p_currency;
    v_tx.amount := d_cash;
    v_tx.balance_after := v_cash + d_cash;
    v_tx.bonus_amount := d_bonus;
    v_tx.bonus_balance_after := v_bonus + d_bonus;
    v_tx.reserved_amount := d_reserved;
    v_tx.reserved_balance_after := v_reserved + d_reserved;
    v_tx.wallet_version := v_wallet.version + 1;
    v_tx.ref_key := p_ref_key;
    v_tx.reverses_key := v_reverses;
    v_tx.settles_key := v_settles;
    v_tx.reference := coalesce(p_reference, '{}'::JSONB);
    v_tx.prev_hash := v_wallet.head_hash;
    v_tx.created_at := date_trunc('milliseconds', clock_timestamp());

    -- Postings in a fixed order (cash, bonus, reserved, counter); the chain covers them in that order.
    IF d_cash <> 0 THEN v_postings := v_postings || v_cash_id::TEXT || ':' || d_cash::TEXT || ';'; END IF;
    IF d_bonus <> 0 THEN v_postings := v_postings || v_bonus_id::TEXT || ':' || d_bonus::TEXT || ';'; END IF;
    IF d_reserved <> 0 THEN v_postings := v_postings || v_reserved_id::TEXT || ':' || d_reserved::TEXT || ';'; END IF;
    IF d_cash + d_bonus + d_reserved <> 0 THEN
        v_postings := v_postings || v_counter_id::TEXT || ':' || (-(d_cash + d_bonus + d_reserved))::TEXT || ';';
    END IF;
    v_tx.hash := ledger_chain_hash(v_wallet.head_hash, v_tx, v_postings);

    INSERT INTO ledger_transaction (id, type, player_id, idempotency_key, request_hash, currency, amount, balance_after,
        bonus_amount, bonus_balance_after, reserved_amount, reserved_balance_after, wallet_version, ref_key,
        reverses_key, settles_key, reference, prev_hash, hash, created_at)
    VALUES (v_tx.id, v_tx.type, v_tx.player_id, v_tx.idempotency_key, v_tx.request_hash, v_tx.currency, v_tx.amount,
        v_tx.balance_after, v_tx.bonus_amount, v_tx.bonus_balance_after, v_tx.reserved_amount,
        v_tx.reserved_balance_after, v_tx.wallet_version, v_tx.ref_key, v_tx.reverses_key, v_tx.settles_key,
        v_tx.reference, v_tx.prev_hash, v_tx.hash, v_tx.created_at)
    RETURNING ledger_transaction.seq INTO v_tx.seq;

    INSERT INTO posting (transaction_id, account_id, currency, amount)
    SELECT v_tx.id, leg.account_id, p_currency, leg.amount
      FROM (VALUES (1, v_cash_id, d_cash), (2, v_bonus_id, d_bonus), (3, v_reserved_id, d_reserved),
                   (4, v_counter_id, -(d_cash + d_bonus + d_reserved))) AS leg(ord, account_id, amount)
     WHERE leg.amount <> 0
     ORDER BY leg.ord;

    UPDATE wallet w SET version = v_tx.wallet_version, head_hash = v_tx.hash WHERE w.player_id = p_player;

    -- The live message carries the balance that changed; the gateway fetches the rest of a
    -- BalanceUpdate (every currency's balances) through the twin query when a client selects it.
    v_live := jsonb_build_object('playerId', p_player, 'version', v_tx.wallet_version, 'balance', ledger_money(v_tx.balance_after, p_currency));

    -- One event per transaction: the facts for reporting and compliance, and the fields of GraphQL's
    -- BalanceUpdate it knows (playerId, version, balance) for the live channel.
    INSERT INTO outbox_event (id, type, aggregate_id, player_id, payload, live_topic) VALUES
        (gen_random_uuid(), 'wallet.transaction_posted', v_tx.id::TEXT, p_player::TEXT, jsonb_build_object(
            'transactionId', v_tx.id, 'type', p_type, 'playerId', p_player, 'currency', p_currency,
            'amountMinor', d_cash::TEXT, 'balanceAfterMinor', v_tx.balance_after::TEXT,
            'bonusAmountMinor', d_bonus::TEXT, 'bonusBalanceAfterMinor', v_tx.bonus_balance_after::TEXT,
            'reservedAmountMinor', d_reserved::TEXT, 'walletVersion', v_tx.wallet_version::TEXT,
            'refKey', p_ref_key, 'reference', v_tx.reference) || v_live, 'balanceChanged');

    RETURN QUERY SELECT 'OK', v_tx.id, v_tx.seq, v_tx.wallet_version, v_tx.amount, v_tx.balance_after, v_tx.bonus_amount,
        v_tx.bonus_balance_after, v_tx.reserved_amount, v_tx.reserved_balance_after, v_tx.ref_key, v_tx.reference,
        v_tx.created_at;
END;
$$;
