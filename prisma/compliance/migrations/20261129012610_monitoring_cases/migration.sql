-- CreateEnum
CREATE TYPE "CaseKind" AS ENUM ('FINANCIAL_VULNERABILITY', 'AML_SOURCE_OF_FUNDS', 'AML_RAPID_CYCLE', 'AML_STRUCTURING', 'OTHER');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('OPEN', 'ASSIGNED', 'RESOLVED');

-- CreateEnum
CREATE TYPE "CaseOutcome" AS ENUM ('NO_ACTION', 'RESTRICTED', 'REPORTED', 'CLOSED_ACCOUNT');

-- CreateEnum
CREATE TYPE "CaseNoteKind" AS ENUM ('NOTE', 'EVIDENCE');

-- CreateTable
CREATE TABLE "compliance_case" (
    "id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "kind" "CaseKind" NOT NULL,
    "status" "CaseStatus" NOT NULL DEFAULT 'OPEN',
    "assignee_id" TEXT,
    "open_key" TEXT,
    "opened_by" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "outcome" "CaseOutcome",
    "resolution_summary" TEXT,
    "facts" JSONB NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "rule_set_id" UUID,
    "rule_set_version" INTEGER,

    CONSTRAINT "compliance_case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compliance_case_note" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "kind" "CaseNoteKind" NOT NULL,
    "body" TEXT NOT NULL,
    "reference" TEXT,
    "author" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "compliance_case_note_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "compliance_case_open_key_key" ON "compliance_case"("open_key");

-- CreateIndex
CREATE INDEX "compliance_case_status_opened_at_idx" ON "compliance_case"("status", "opened_at");

-- CreateIndex
CREATE INDEX "compliance_case_player_id_opened_at_idx" ON "compliance_case"("player_id", "opened_at");

-- CreateIndex
CREATE INDEX "compliance_case_note_case_id_created_at_idx" ON "compliance_case_note"("case_id", "created_at");

-- AddForeignKey
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "player_restrictions"("player_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_rule_set_id_fkey" FOREIGN KEY ("rule_set_id") REFERENCES "rule_set"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "compliance_case_note" ADD CONSTRAINT "compliance_case_note_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "compliance_case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- Each status carries exactly the fields it implies; `open_key` exists exactly while the case is
-- open, so its unique index keeps at most one open case of a kind per player.
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_status_fields" CHECK (
    ("status" = 'OPEN' AND "assignee_id" IS NULL AND "resolved_at" IS NULL AND "outcome" IS NULL AND "resolution_summary" IS NULL)
 OR ("status" = 'ASSIGNED' AND "assignee_id" IS NOT NULL AND "resolved_at" IS NULL AND "outcome" IS NULL AND "resolution_summary" IS NULL)
 OR ("status" = 'RESOLVED' AND "resolved_at" IS NOT NULL AND "outcome" IS NOT NULL AND length(btrim("resolution_summary")) > 0)
);
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_open_key" CHECK (
    ("status" = 'RESOLVED' AND "open_key" IS NULL)
 OR ("status" <> 'RESOLVED' AND "open_key" = "player_id"::text || ':' || "kind"::text)
);
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_facts_object" CHECK (jsonb_typeof("facts") = 'object');
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_rule_set_version_positive" CHECK ("rule_set_version" IS NULL OR "rule_set_version" > 0);
ALTER TABLE "compliance_case" ADD CONSTRAINT "compliance_case_window_before_opening" CHECK ("window_start" <= "opened_at");
ALTER TABLE "compliance_case_note" ADD CONSTRAINT "compliance_case_note_body_present" CHECK (length(btrim("body")) > 0);
ALTER TABLE "compliance_case_note" ADD CONSTRAINT "compliance_case_note_evidence_reference" CHECK ("kind" <> 'EVIDENCE' OR length(btrim("reference")) > 0);

-- A case is evidence: never deleted, and final once resolved. Notes are append-only.
CREATE FUNCTION "compliance_case_final"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'compliance cases are never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD."status" = 'RESOLVED' THEN
        RAISE EXCEPTION 'compliance case % is resolved and final', OLD."id" USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER "compliance_case_final" BEFORE UPDATE OR DELETE ON "compliance_case"
    FOR EACH ROW EXECUTE FUNCTION "compliance_case_final"();
CREATE TRIGGER "compliance_case_note_append_only" BEFORE UPDATE OR DELETE ON "compliance_case_note"
    FOR EACH ROW EXECUTE FUNCTION "compliance_append_only"();
