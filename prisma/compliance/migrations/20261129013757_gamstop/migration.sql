-- CreateEnum
CREATE TYPE "GamstopStatus" AS ENUM ('NOT_CHECKED', 'CLEAR', 'EXCLUDED', 'UNAVAILABLE');

-- AlterTable
ALTER TABLE "player_restrictions" ADD COLUMN     "gamstop_checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "gamstop_status" "GamstopStatus" NOT NULL DEFAULT 'NOT_CHECKED',
ADD COLUMN     "gamstop_subject" JSONB;

-- CreateTable
CREATE TABLE "gamstop_check" (
    "id" UUID NOT NULL,
    "player_id" UUID,
    "outcome" TEXT NOT NULL,
    "unique_id" TEXT,
    "trace_id" TEXT NOT NULL,
    "failure" TEXT,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gamstop_check_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "gamstop_check_player_id_checked_at_idx" ON "gamstop_check"("player_id", "checked_at");


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "gamstop_check" ADD CONSTRAINT "gamstop_check_outcome_known"
    CHECK ("outcome" IN ('EXCLUDED', 'NOT_REGISTERED', 'PREVIOUSLY_EXCLUDED', 'UNAVAILABLE'));
ALTER TABLE "gamstop_check" ADD CONSTRAINT "gamstop_check_answer_or_failure"
    CHECK (("outcome" = 'UNAVAILABLE') = ("failure" IS NOT NULL) AND ("outcome" = 'UNAVAILABLE' OR "unique_id" IS NOT NULL));
-- Evidence of a check is never edited.
CREATE TRIGGER "gamstop_check_append_only" BEFORE UPDATE OR DELETE ON "gamstop_check"
    FOR EACH ROW EXECUTE FUNCTION "compliance_append_only"();
