-- CreateEnum
CREATE TYPE "PlayerRestriction" AS ENUM ('NONE', 'TIMED_OUT', 'SELF_EXCLUDED');

-- CreateEnum
CREATE TYPE "IdentityDocumentType" AS ENUM ('PASSPORT', 'DRIVING_LICENCE', 'NATIONAL_ID', 'PROOF_OF_ADDRESS');

-- CreateEnum
CREATE TYPE "IdentityDocumentStatus" AS ENUM ('RECORDED', 'SUBMITTED', 'ACCEPTED', 'REJECTED');

-- CreateEnum
CREATE TYPE "KycVerificationResult" AS ENUM ('VERIFIED', 'REJECTED', 'REFER');

-- AlterTable
ALTER TABLE "player" ADD COLUMN     "address_line1" VARCHAR(200),
ADD COLUMN     "address_line2" VARCHAR(200),
ADD COLUMN     "city" VARCHAR(100),
ADD COLUMN     "first_name" VARCHAR(100),
ADD COLUMN     "kyc_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_name" VARCHAR(100),
ADD COLUMN     "postcode" VARCHAR(16),
ADD COLUMN     "restriction" "PlayerRestriction" NOT NULL DEFAULT 'NONE',
ADD COLUMN     "restriction_decided_at" TIMESTAMPTZ(3),
ADD COLUMN     "status_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "status_reason" TEXT;

-- AlterTable
ALTER TABLE "auth_session" ADD COLUMN     "ip_address" TEXT;

-- CreateTable
CREATE TABLE "identity_document" (
    "id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "type" "IdentityDocumentType" NOT NULL,
    "issuing_country" CHAR(2) NOT NULL,
    "expires_on" DATE,
    "number_sha256" CHAR(64) NOT NULL,
    "number_last4" VARCHAR(4) NOT NULL,
    "status" "IdentityDocumentStatus" NOT NULL DEFAULT 'RECORDED',
    "recorded_by_staff_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "identity_document_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kyc_verification" (
    "id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_reference" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "result" "KycVerificationResult",
    "result_reasons" TEXT[],
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "kyc_verification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kyc_status_change" (
    "id" UUID NOT NULL,
    "player_id" UUID NOT NULL,
    "from_status" "KycStatus" NOT NULL,
    "to_status" "KycStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kyc_status_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "identity_document_player_id_created_at_idx" ON "identity_document"("player_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "identity_document_player_id_type_number_sha256_key" ON "identity_document"("player_id", "type", "number_sha256");

-- CreateIndex
CREATE INDEX "kyc_verification_player_id_requested_at_idx" ON "kyc_verification"("player_id", "requested_at");

-- CreateIndex
CREATE UNIQUE INDEX "kyc_verification_provider_provider_reference_key" ON "kyc_verification"("provider", "provider_reference");

-- CreateIndex
CREATE INDEX "kyc_status_change_player_id_created_at_idx" ON "kyc_status_change"("player_id", "created_at");

-- AddForeignKey
ALTER TABLE "identity_document" ADD CONSTRAINT "identity_document_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "player"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kyc_verification" ADD CONSTRAINT "kyc_verification_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "player"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kyc_status_change" ADD CONSTRAINT "kyc_status_change_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "player"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Guarantees Prisma cannot express.
ALTER TABLE "identity_document" ADD CONSTRAINT "identity_document_number_sha256_hex" CHECK ("number_sha256" ~ '^[0-9a-f]{64}$');
ALTER TABLE "kyc_verification" ADD CONSTRAINT "kyc_verification_result_completed" CHECK (("result" IS NULL) = ("completed_at" IS NULL));
