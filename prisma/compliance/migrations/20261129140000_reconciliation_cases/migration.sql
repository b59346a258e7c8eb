-- AlterEnum
ALTER TYPE "CaseKind" ADD VALUE 'RECONCILIATION_MISMATCH';

-- AlterTable
ALTER TABLE "compliance_case" ALTER COLUMN "player_id" DROP NOT NULL;


-- Database-level guarantees Prisma cannot express --------------------------------------------
-- (The new kind is compared as text: a value added to an enum cannot be used as one in the
-- transaction that adds it.)

-- Every case but a reconciliation case is about a player.
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_player_present"
  CHECK ("player_id" IS NOT NULL OR "kind"::text = 'RECONCILIATION_MISMATCH');

-- A reconciliation case is open once per mismatch (its key names the mismatch, which its facts
-- carry); every other case once per player and kind.
ALTER TABLE "compliance_case" DROP CONSTRAINT "compliance_case_open_key";
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_open_key" CHECK (
    ("status" = 'RESOLVED' AND "open_key" IS NULL)
 OR ("status" <> 'RESOLVED' AND "kind"::text <> 'RECONCILIATION_MISMATCH' AND "open_key" = "player_id"::text || ':' || "kind"::text)
 OR ("status" <> 'RESOLVED' AND "kind"::text = 'RECONCILIATION_MISMATCH' AND "open_key" = 'reconciliation:' || ("facts" ->> 'mismatchId'))
);
