
-- CreateTable
CREATE TABLE "daily_report" (
    "date" DATE NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "deposits_minor" BIGINT NOT NULL DEFAULT 0,
    "withdrawals_minor" BIGINT NOT NULL DEFAULT 0,
    "stakes_minor" BIGINT NOT NULL DEFAULT 0,
    "wins_minor" BIGINT NOT NULL DEFAULT 0,
    "manual_adjustments_minor" BIGINT NOT NULL DEFAULT 0,
    "transaction_count" INTEGER NOT NULL DEFAULT 0,
    "registrations" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "daily_report_pkey" PRIMARY KEY ("date","currency")
);

-- CreateTable
CREATE TABLE "player_activity" (
    "player_id" UUID NOT NULL,
    "registered_at" TIMESTAMPTZ(3),
    "currency" CHAR(3),
    "transaction_count" INTEGER NOT NULL DEFAULT 0,
    "last_activity_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "player_activity_pkey" PRIMARY KEY ("player_id")
);

-- CreateTable
CREATE TABLE "player_totals" (
    "player_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "deposits_minor" BIGINT NOT NULL DEFAULT 0,
    "withdrawals_minor" BIGINT NOT NULL DEFAULT 0,
    "stakes_minor" BIGINT NOT NULL DEFAULT 0,
    "wins_minor" BIGINT NOT NULL DEFAULT 0,
    "manual_adjustments_minor" BIGINT NOT NULL DEFAULT 0,
    "transaction_count" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "player_totals_pkey" PRIMARY KEY ("player_id","currency")
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
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- CreateIndex
CREATE INDEX "outbox_event_published_at_seq_idx" ON "outbox_event"("published_at", "seq");

-- AddForeignKey
ALTER TABLE "player_totals" ADD CONSTRAINT "player_totals_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "player_activity"("player_id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express --------------------------------------------
-- The money sums carry no sign checks: events arrive at least once and in no guaranteed order
-- across services, so a day can see a stake's rollback before (or without) the stake itself.

ALTER TABLE "daily_report" ADD CONSTRAINT "daily_report_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "daily_report" ADD CONSTRAINT "daily_report_counts_non_negative" CHECK ("transaction_count" >= 0 AND "registrations" >= 0);
ALTER TABLE "player_activity" ADD CONSTRAINT "player_activity_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "player_activity" ADD CONSTRAINT "player_activity_count_non_negative" CHECK ("transaction_count" >= 0);
ALTER TABLE "player_totals" ADD CONSTRAINT "player_totals_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "player_totals" ADD CONSTRAINT "player_totals_count_non_negative" CHECK ("transaction_count" >= 0);
