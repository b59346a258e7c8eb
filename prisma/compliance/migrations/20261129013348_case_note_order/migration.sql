-- AlterTable
ALTER TABLE "compliance_case_note" ADD COLUMN     "seq" BIGSERIAL NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "compliance_case_note_seq_key" ON "compliance_case_note"("seq");
