-- ledger_money() and ledger_currency_exponent() as the planner can inline them.
--
-- Both were declared STRICT. PostgreSQL inlines a STRICT SQL function only when it can prove that
-- its body returns NULL for any NULL argument, which it cannot for a CASE or jsonb_build_object(),
-- so every ledger_post() ran them as separate SQL-function calls (an executor each, twice for the
-- exponent): about 50 µs of the function's 200 µs per STAKE, measured on one backend
-- (test/bench/wallet-sql.bench.ts). The same functions without STRICT, giving NULL for NULL
-- arguments explicitly, return exactly what they returned before and are inlined.

CREATE OR REPLACE FUNCTION "ledger_currency_exponent"(p_currency TEXT) RETURNS INT LANGUAGE sql IMMUTABLE CALLED ON NULL INPUT AS $$
    SELECT CASE p_currency
        WHEN 'JPY' THEN 0 WHEN 'KRW' THEN 0 WHEN 'ISK' THEN 0
        WHEN 'BHD' THEN 3 WHEN 'KWD' THEN 3 WHEN 'JOD' THEN 3
        WHEN 'GBP' THEN 2 WHEN 'EUR' THEN 2 WHEN 'USD' THEN 2 WHEN 'CAD' THEN 2 WHEN 'AUD' THEN 2
        WHEN 'NZD' THEN 2 WHEN 'CHF' THEN 2 WHEN 'SEK' THEN 2 WHEN 'NOK' THEN 2 WHEN 'DKK' THEN 2
        WHEN 'PLN' THEN 2 WHEN 'CZK' THEN 2 WHEN 'HUF' THEN 2 WHEN 'BRL' THEN 2 WHEN 'MXN' THEN 2
        WHEN 'ZAR' THEN 2 WHEN 'INR' THEN 2 WHEN 'TRY' THEN 2
    END
$$;

CREATE OR REPLACE FUNCTION "ledger_money"(p_minor BIGINT, p_currency TEXT) RETURNS JSONB LANGUAGE sql IMMUTABLE CALLED ON NULL INPUT AS $$
    SELECT CASE WHEN p_minor IS NOT NULL AND p_currency IS NOT NULL THEN jsonb_build_object(
        'amount', round(p_minor::NUMERIC / (10::NUMERIC ^ ledger_currency_exponent(p_currency)), ledger_currency_exponent(p_currency))::TEXT,
        'currency', p_currency) END
$$;
