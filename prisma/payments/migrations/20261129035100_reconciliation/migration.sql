-- CreateEnum
CREATE TYPE "ReconciliationMismatchKind" AS ENUM ('MISSING_INTERNALLY', 'MISSING_AT_PSP', 'AMOUNT_DIFFERS', 'CURRENCY_DIFFERS', 'DIRECTION_DIFFERS', 'NOT_SETTLED_INTERNALLY', 'DUPLICATE_LINE');

-- CreateTable
CREATE TABLE "reconciliation_run" (
    "id" UUID NOT NULL,
    "psp" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "file_sha256" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "line_count" INTEGER NOT NULL,
    "matched_count" INTEGER NOT NULL,
    "mismatch_count" INTEGER NOT NULL,
    "imported_by" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_mismatch" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "kind" "ReconciliationMismatchKind" NOT NULL,
    "psp_reference" TEXT NOT NULL,
    "payment_id" UUID,
    "line_number" INTEGER,
    "expected_minor" BIGINT,
    "expected_currency" CHAR(3),
    "actual_minor" BIGINT,
    "actual_currency" CHAR(3),
    "detail" TEXT NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "reconciliation_mismatch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reconciliation_run_created_at_id_idx" ON "reconciliation_run"("created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_run_psp_file_sha256_key" ON "reconciliation_run"("psp", "file_sha256");

-- CreateIndex
CREATE INDEX "reconciliation_mismatch_run_id_idx" ON "reconciliation_mismatch"("run_id");

-- CreateIndex
CREATE INDEX "reconciliation_mismatch_resolved_at_idx" ON "reconciliation_mismatch"("resolved_at");

-- AddForeignKey
ALTER TABLE "reconciliation_mismatch" ADD CONSTRAINT "reconciliation_mismatch_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "reconciliation_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "reconciliation_run" ADD CONSTRAINT "reconciliation_run_counts"
  CHECK ("line_count" > 0 AND "matched_count" >= 0 AND "mismatch_count" >= 0 AND "matched_count" <= "line_count");
ALTER TABLE "reconciliation_run" ADD CONSTRAINT "reconciliation_run_period" CHECK ("period_start" < "period_end");
ALTER TABLE "reconciliation_mismatch" ADD CONSTRAINT "reconciliation_mismatch_amounts_not_negative"
  CHECK (("expected_minor" IS NULL OR "expected_minor" > 0) AND ("actual_minor" IS NULL OR "actual_minor" > 0));
