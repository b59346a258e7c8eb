-- RGS integration layer: per-provider protocol credentials, and the record of every callback
-- transaction id (request hash, first answer) grouped in leased attempts. See subgraphs/games/src/rgs.

-- CreateEnum
CREATE TYPE "RgsAttemptState" AS ENUM ('STARTED', 'APPLY', 'REFUSE', 'DONE');

-- CreateEnum
CREATE TYPE "RgsTransactionKind" AS ENUM ('BET', 'WIN', 'ROLLBACK');

-- CreateTable
CREATE TABLE "rgs_provider_config" (
    "provider_id" UUID NOT NULL,
    "credentials" JSONB NOT NULL,
    "allowed_currencies" TEXT[],
    "allowed_game_codes" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rgs_provider_config_pkey" PRIMARY KEY ("provider_id")
);

-- CreateTable
CREATE TABLE "rgs_attempt" (
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "owner" UUID NOT NULL,
    "state" "RgsAttemptState" NOT NULL,
    "refusal" TEXT,
    "lease_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rgs_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rgs_transaction" (
    "provider_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "attempt_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "RgsTransactionKind" NOT NULL,
    "request_hash" TEXT NOT NULL,
    "player_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "free" BOOLEAN NOT NULL,
    "round_id" TEXT NOT NULL,
    "game_code" TEXT NOT NULL,
    "ref_external_id" TEXT,
    "wallet_key" TEXT NOT NULL,
    "ref_wallet_key" TEXT,
    "outcome" TEXT,
    "balance_minor" BIGINT,
    "wallet_transaction_id" UUID,
    "processed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rgs_transaction_pkey" PRIMARY KEY ("provider_id","external_id")
);

-- CreateIndex
CREATE INDEX "rgs_attempt_state_lease_until_idx" ON "rgs_attempt"("state", "lease_until");

-- CreateIndex
CREATE INDEX "rgs_transaction_attempt_id_seq_idx" ON "rgs_transaction"("attempt_id", "seq");

-- CreateIndex
CREATE INDEX "rgs_transaction_provider_id_ref_external_id_idx" ON "rgs_transaction"("provider_id", "ref_external_id");

-- CreateIndex
CREATE INDEX "rgs_transaction_provider_id_round_id_idx" ON "rgs_transaction"("provider_id", "round_id");

-- AddForeignKey
ALTER TABLE "rgs_transaction" ADD CONSTRAINT "rgs_transaction_attempt_id_fkey" FOREIGN KEY ("attempt_id") REFERENCES "rgs_attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express ---------------------------------------------

ALTER TABLE "rgs_transaction" ADD CONSTRAINT "rgs_transaction_amount_non_negative" CHECK ("amount_minor" >= 0);
ALTER TABLE "rgs_transaction" ADD CONSTRAINT "rgs_transaction_reference_only_win_rollback"
    CHECK (("ref_external_id" IS NULL) = ("ref_wallet_key" IS NULL) AND ("ref_external_id" IS NULL OR "kind" <> 'BET'));
ALTER TABLE "rgs_transaction" ADD CONSTRAINT "rgs_transaction_outcome_known" CHECK ("outcome" IS NULL OR "outcome" IN
    ('OK', 'INSUFFICIENT_FUNDS', 'DUPLICATE', 'NOT_FOUND', 'ROLLED_BACK', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'INVALID_GAME',
     'WRONG_CURRENCY', 'INVALID_PLAYER', 'LIMIT_REACHED', 'UNAVAILABLE'));
