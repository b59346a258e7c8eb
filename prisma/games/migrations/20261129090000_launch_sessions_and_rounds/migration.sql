-- CreateEnum
CREATE TYPE "LaunchMode" AS ENUM ('REAL', 'DEMO');

-- CreateEnum
CREATE TYPE "RoundStatus" AS ENUM ('OPEN', 'SETTLED', 'CANCELLED');

-- AlterTable
ALTER TABLE "provider" ADD COLUMN     "launch_url_template" TEXT;

-- CreateTable
CREATE TABLE "launch_session" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "player_id" UUID NOT NULL,
    "game_id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "mode" "LaunchMode" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "jurisdiction" CHAR(2) NOT NULL,
    "minimum_game_cycle_ms" INTEGER NOT NULL,
    "demo_balance_minor" BIGINT,
    "staked_minor" BIGINT NOT NULL DEFAULT 0,
    "won_minor" BIGINT NOT NULL DEFAULT 0,
    "round_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "launch_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "player_cycle" (
    "player_id" UUID NOT NULL,
    "last_cycle_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "player_cycle_pkey" PRIMARY KEY ("player_id")
);

-- CreateTable
CREATE TABLE "game_round" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "game_id" UUID NOT NULL,
    "mode" "LaunchMode" NOT NULL,
    "client_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" "RoundStatus" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "stake_minor" BIGINT NOT NULL,
    "win_minor" BIGINT NOT NULL,
    "bet" JSONB NOT NULL,
    "outcome" JSONB NOT NULL,
    "game_version" TEXT NOT NULL,
    "stake_tx_id" UUID,
    "win_tx_id" UUID,
    "cancel_reason" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "game_round_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "launch_session_token_hash_key" ON "launch_session"("token_hash");

-- CreateIndex
CREATE INDEX "launch_session_player_id_created_at_idx" ON "launch_session"("player_id", "created_at");

-- CreateIndex
CREATE INDEX "game_round_status_opened_at_idx" ON "game_round"("status", "opened_at");

-- CreateIndex
CREATE INDEX "game_round_session_id_opened_at_idx" ON "game_round"("session_id", "opened_at");

-- CreateIndex
CREATE UNIQUE INDEX "game_round_player_id_client_key_key" ON "game_round"("player_id", "client_key");

-- AddForeignKey
ALTER TABLE "launch_session" ADD CONSTRAINT "launch_session_game_id_fkey" FOREIGN KEY ("game_id") REFERENCES "game"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_round" ADD CONSTRAINT "game_round_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "launch_session"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: what the database itself guarantees about sessions and rounds.
ALTER TABLE "launch_session"
    ADD CONSTRAINT "launch_session_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
    ADD CONSTRAINT "launch_session_jurisdiction_iso" CHECK ("jurisdiction" ~ '^[A-Z]{2}$'),
    ADD CONSTRAINT "launch_session_cycle_non_negative" CHECK ("minimum_game_cycle_ms" >= 0),
    ADD CONSTRAINT "launch_session_demo_balance" CHECK (("mode" = 'DEMO') = ("demo_balance_minor" IS NOT NULL) AND coalesce("demo_balance_minor", 0) >= 0),
    ADD CONSTRAINT "launch_session_totals_non_negative" CHECK ("staked_minor" >= 0 AND "won_minor" >= 0 AND "round_count" >= 0),
    ADD CONSTRAINT "launch_session_expiry_after_start" CHECK ("expires_at" > "created_at");

ALTER TABLE "game_round"
    ADD CONSTRAINT "game_round_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
    ADD CONSTRAINT "game_round_money_non_negative" CHECK ("stake_minor" > 0 AND "win_minor" >= 0),
    ADD CONSTRAINT "game_round_settled_has_time" CHECK (("status" = 'SETTLED') = ("settled_at" IS NOT NULL)),
    ADD CONSTRAINT "game_round_cancelled_has_reason" CHECK (("status" = 'CANCELLED') = ("cancel_reason" IS NOT NULL)),
    ADD CONSTRAINT "game_round_real_settled_has_stake_tx" CHECK ("mode" = 'DEMO' OR "status" <> 'SETTLED' OR "stake_tx_id" IS NOT NULL);
