
-- CreateEnum
CREATE TYPE "ProviderIntegration" AS ENUM ('PROPRIETARY', 'DIRECT', 'AGGREGATOR');

-- CreateEnum
CREATE TYPE "GameType" AS ENUM ('SLOT', 'ROULETTE', 'TABLE', 'LIVE', 'CRASH', 'OTHER');

-- CreateEnum
CREATE TYPE "Volatility" AS ENUM ('LOW', 'MEDIUM', 'HIGH');

-- CreateTable
CREATE TABLE "provider" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "integration" "ProviderIntegration" NOT NULL,
    "protocol" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "game" (
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "GameType" NOT NULL,
    "rtp_basis_points" INTEGER NOT NULL,
    "volatility" "Volatility" NOT NULL,
    "min_stake_minor" BIGINT NOT NULL,
    "max_stake_minor" BIGINT NOT NULL,
    "stake_currency" CHAR(3) NOT NULL,
    "jurisdictions" TEXT[],
    "categories" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "game_pkey" PRIMARY KEY ("id")
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
CREATE UNIQUE INDEX "provider_code_key" ON "provider"("code");

-- CreateIndex
CREATE INDEX "game_enabled_created_at_id_idx" ON "game"("enabled", "created_at", "id");

-- CreateIndex
CREATE INDEX "game_provider_id_created_at_id_idx" ON "game"("provider_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "game_provider_id_code_key" ON "game"("provider_id", "code");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- CreateIndex
CREATE INDEX "outbox_event_published_at_seq_idx" ON "outbox_event"("published_at", "seq");

-- AddForeignKey
ALTER TABLE "game" ADD CONSTRAINT "game_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- Codes are slugs that integrations and URLs rely on.
ALTER TABLE "provider" ADD CONSTRAINT "provider_code_format" CHECK ("code" ~ '^[a-z0-9][a-z0-9_-]{1,63}$');
ALTER TABLE "game" ADD CONSTRAINT "game_code_format" CHECK ("code" ~ '^[a-z0-9][a-z0-9_-]{1,63}$');

-- A theoretical RTP is a share of stakes: 0 to 100.00 %.
ALTER TABLE "game" ADD CONSTRAINT "game_rtp_basis_points_range"
    CHECK ("rtp_basis_points" BETWEEN 0 AND 10000);

-- Stake limits are positive minor units of one ISO 4217 currency, and the range is not empty.
ALTER TABLE "game" ADD CONSTRAINT "game_stake_limits"
    CHECK ("min_stake_minor" > 0 AND "max_stake_minor" >= "min_stake_minor");
ALTER TABLE "game" ADD CONSTRAINT "game_stake_currency_iso4217" CHECK ("stake_currency" ~ '^[A-Z]{3}$');
