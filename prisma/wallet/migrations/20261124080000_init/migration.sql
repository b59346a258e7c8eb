
-- CreateEnum
CREATE TYPE "AccountType" AS ENUM ('PLAYER_CASH', 'PLAYER_BONUS', 'PLAYER_RESERVED', 'OPERATOR_GAME_REVENUE', 'OPERATOR_PSP_CLEARING', 'OPERATOR_BONUS_COST', 'OPERATOR_MANUAL_ADJUSTMENT');

-- CreateEnum
CREATE TYPE "TransactionType" AS ENUM ('STAKE', 'WIN', 'ROLLBACK', 'DEPOSIT', 'WITHDRAWAL_RESERVE', 'WITHDRAWAL_COMMIT', 'WITHDRAWAL_VOID', 'BONUS_GRANT', 'BONUS_FORFEIT', 'MANUAL_ADJUSTMENT');

-- CreateTable
CREATE TABLE "wallet" (
    "player_id" UUID NOT NULL,
    "default_currency" CHAR(3) NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,
    "head_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wallet_pkey" PRIMARY KEY ("player_id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" UUID NOT NULL,
    "player_id" UUID,
    "type" "AccountType" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "ref" TEXT NOT NULL,
    "balance" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_transaction" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "type" "TransactionType" NOT NULL,
    "player_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "balance_after" BIGINT NOT NULL,
    "wallet_version" BIGINT NOT NULL,
    "reference" JSONB NOT NULL DEFAULT '{}',
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "posting" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT NOT NULL,

    CONSTRAINT "posting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "player_id" TEXT,
    "payload" JSONB NOT NULL,
    "live_topic" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "processed_event" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE INDEX "account_player_id_idx" ON "account"("player_id");

-- CreateIndex
CREATE UNIQUE INDEX "account_type_currency_ref_key" ON "account"("type", "currency", "ref");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transaction_seq_key" ON "ledger_transaction"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transaction_idempotency_key_key" ON "ledger_transaction"("idempotency_key");

-- CreateIndex
CREATE INDEX "ledger_transaction_player_id_seq_idx" ON "ledger_transaction"("player_id", "seq");

-- CreateIndex
CREATE INDEX "posting_transaction_id_idx" ON "posting"("transaction_id");

-- CreateIndex
CREATE INDEX "posting_account_id_id_idx" ON "posting"("account_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- CreateIndex
CREATE INDEX "outbox_event_published_at_seq_idx" ON "outbox_event"("published_at", "seq");

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "wallet"("player_id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_transaction" ADD CONSTRAINT "ledger_transaction_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "wallet"("player_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "posting" ADD CONSTRAINT "posting_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "posting" ADD CONSTRAINT "posting_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- A player's accounts (cash, bonus, reserved) can never go negative, whatever the code does.
ALTER TABLE "account" ADD CONSTRAINT "account_player_balance_non_negative"
    CHECK ("player_id" IS NULL OR "balance" >= 0);
ALTER TABLE "account" ADD CONSTRAINT "account_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');

-- The ledger is append-only: transactions and postings are never updated or deleted.
CREATE FUNCTION "ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are immutable (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER "ledger_transaction_append_only" BEFORE UPDATE OR DELETE ON "ledger_transaction"
    FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();
CREATE TRIGGER "posting_append_only" BEFORE UPDATE OR DELETE ON "posting"
    FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();
