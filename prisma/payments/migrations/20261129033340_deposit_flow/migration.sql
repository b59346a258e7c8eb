-- CreateEnum
CREATE TYPE "NotificationOutcome" AS ENUM ('APPLIED', 'STALE', 'MISMATCH', 'REVIEW', 'UNKNOWN_PAYMENT', 'IGNORED');

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "credited_at" TIMESTAMPTZ(3),
ADD COLUMN     "failure_reason" TEXT,
ADD COLUMN     "next_action" JSONB,
ADD COLUMN     "request_hash" TEXT,
ADD COLUMN     "review_reason" TEXT,
ADD COLUMN     "wallet_transaction_id" UUID;

-- CreateTable
CREATE TABLE "psp_notification" (
    "id" UUID NOT NULL,
    "psp" TEXT NOT NULL,
    "notification_id" TEXT NOT NULL,
    "payment_id" UUID,
    "psp_type" TEXT NOT NULL,
    "status" TEXT,
    "amount_minor" BIGINT,
    "currency" CHAR(3),
    "outcome" "NotificationOutcome" NOT NULL,
    "detail" TEXT,
    "raw" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "psp_notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "psp_notification_payment_id_received_at_idx" ON "psp_notification"("payment_id", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "psp_notification_psp_notification_id_key" ON "psp_notification"("psp", "notification_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_psp_psp_reference_key" ON "payment"("psp", "psp_reference");

-- AddForeignKey
ALTER TABLE "psp_notification" ADD CONSTRAINT "psp_notification_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- Money is credited once, to a deposit that succeeded, and the time of it goes with it.
ALTER TABLE "payment" ADD CONSTRAINT "payment_credit_only_when_succeeded"
  CHECK ("wallet_transaction_id" IS NULL OR ("direction" = 'DEPOSIT' AND "status" = 'SUCCEEDED'));
ALTER TABLE "payment" ADD CONSTRAINT "payment_credited_at_with_transaction"
  CHECK (("wallet_transaction_id" IS NULL) = ("credited_at" IS NULL));

ALTER TABLE "psp_notification" ADD CONSTRAINT "psp_notification_amount_not_negative" CHECK ("amount_minor" IS NULL OR "amount_minor" >= 0);
ALTER TABLE "psp_notification" ADD CONSTRAINT "psp_notification_currency_iso4217" CHECK ("currency" IS NULL OR "currency" ~ '^[A-Z]{3}$');
