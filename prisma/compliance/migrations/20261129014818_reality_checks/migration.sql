-- CreateTable
CREATE TABLE "reality_check" (
    "player_id" UUID NOT NULL,
    "interval_minutes" INTEGER,
    "currency" CHAR(3),
    "session_started_at" TIMESTAMPTZ(3),
    "last_activity_at" TIMESTAMPTZ(3),
    "next_reminder_at" TIMESTAMPTZ(3),
    "stakes_minor" BIGINT NOT NULL DEFAULT 0,
    "wins_minor" BIGINT NOT NULL DEFAULT 0,
    "reminders" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reality_check_pkey" PRIMARY KEY ("player_id")
);

-- CreateIndex
CREATE INDEX "reality_check_next_reminder_at_idx" ON "reality_check"("next_reminder_at");


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "reality_check" ADD CONSTRAINT "reality_check_interval_range" CHECK ("interval_minutes" IS NULL OR "interval_minutes" BETWEEN 1 AND 1440);
ALTER TABLE "reality_check" ADD CONSTRAINT "reality_check_totals_non_negative" CHECK ("stakes_minor" >= 0 AND "wins_minor" >= 0 AND "reminders" >= 0);
