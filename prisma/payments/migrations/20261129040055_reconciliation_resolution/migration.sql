-- AlterTable
ALTER TABLE "reconciliation_mismatch" ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "resolved_by" UUID;


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- A case is closed by someone, with what they found, at a time; or not at all.
ALTER TABLE "reconciliation_mismatch" ADD CONSTRAINT "reconciliation_mismatch_resolution_complete"
  CHECK (("resolved_at" IS NULL AND "resolved_by" IS NULL AND "resolution" IS NULL)
      OR ("resolved_at" IS NOT NULL AND "resolved_by" IS NOT NULL AND "resolution" IS NOT NULL));
