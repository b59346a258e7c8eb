-- AlterTable
ALTER TABLE "player_restrictions" ADD COLUMN     "currency" CHAR(3);

-- CreateEnum
CREATE TYPE "LimitPeriod" AS ENUM ('DAY', 'WEEK', 'MONTH');

-- CreateEnum
CREATE TYPE "ExclusionKind" AS ENUM ('TIME_OUT', 'SELF_EXCLUSION');

-- CreateEnum
CREATE TYPE "MoneyDirection" AS ENUM ('DEPOSIT', 'WITHDRAWAL');

-- CreateTable
CREATE TABLE "deposit_limit" (
    "player_id" UUID NOT NULL,
    "period" "LimitPeriod" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT,
    "pending_amount" BIGINT,
    "pending_removal" BOOLEAN NOT NULL DEFAULT false,
    "pending_requested_at" TIMESTAMPTZ(3),
    "pending_confirmable_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deposit_limit_pkey" PRIMARY KEY ("player_id","period")
);

-- CreateTable
CREATE TABLE "exclusion" (
    "id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "kind" "ExclusionKind" NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exclusion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "money_movement" (
    "transaction_id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "direction" "MoneyDirection" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "money_movement_pkey" PRIMARY KEY ("transaction_id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "seq" BIGSERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "player_id" UUID,
    "details" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "exclusion_player_id_ends_at_idx" ON "exclusion"("player_id", "ends_at");

-- CreateIndex
CREATE INDEX "money_movement_player_id_occurred_at_idx" ON "money_movement"("player_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_player_id_seq_idx" ON "audit_log"("player_id", "seq");


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "deposit_limit" ADD CONSTRAINT "deposit_limit_amount_positive" CHECK ("amount" IS NULL OR "amount" > 0);
ALTER TABLE "deposit_limit" ADD CONSTRAINT "deposit_limit_pending_amount_positive" CHECK ("pending_amount" IS NULL OR "pending_amount" > 0);
ALTER TABLE "deposit_limit" ADD CONSTRAINT "deposit_limit_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "exclusion" ADD CONSTRAINT "exclusion_ends_after_start" CHECK ("ends_at" > "starts_at");
ALTER TABLE "money_movement" ADD CONSTRAINT "money_movement_amount_positive" CHECK ("amount" > 0);

-- Evidence is never edited: exclusions and the audit log are append-only.
CREATE FUNCTION "compliance_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER "exclusion_append_only" BEFORE UPDATE OR DELETE ON "exclusion"
    FOR EACH ROW EXECUTE FUNCTION "compliance_append_only"();
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
    FOR EACH ROW EXECUTE FUNCTION "compliance_append_only"();
