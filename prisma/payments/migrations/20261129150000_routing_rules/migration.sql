-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "risk_level" TEXT;

-- CreateTable
CREATE TABLE "payment_route_set" (
    "id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_route_set_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_route" (
    "position" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "currencies" TEXT[],
    "countries" TEXT[],
    "min_minor" BIGINT,
    "max_minor" BIGINT,
    "risk_levels" TEXT[],
    "psps" TEXT[],
    "weights" DOUBLE PRECISION[],

    CONSTRAINT "payment_route_pkey" PRIMARY KEY ("position")
);


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "payment" ADD CONSTRAINT "payment_risk_level_known"
  CHECK ("risk_level" IS NULL OR "risk_level" IN ('LOW', 'MEDIUM', 'HIGH'));

-- One routing table.
ALTER TABLE "payment_route_set" ADD CONSTRAINT "payment_route_set_single" CHECK ("id" = 1 AND "version" > 0);

-- A rule names at least one PSP, a weight per PSP when it splits, a sensible range and known risk levels.
ALTER TABLE "payment_route" ADD CONSTRAINT "payment_route_rule_valid" CHECK (
      "position" >= 0
  AND length("method") > 0
  AND "psps" IS NOT NULL AND cardinality("psps") >= 1
  AND ("weights" IS NULL OR cardinality("weights") = 0 OR cardinality("weights") = cardinality("psps"))
  AND ("min_minor" IS NULL OR "min_minor" >= 0)
  AND ("max_minor" IS NULL OR "max_minor" >= 0)
  AND ("min_minor" IS NULL OR "max_minor" IS NULL OR "min_minor" <= "max_minor")
  AND ("risk_levels" IS NULL OR "risk_levels" <@ ARRAY['LOW', 'MEDIUM', 'HIGH']::text[])
);
