-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "reserve_transaction_id" UUID;

-- CreateIndex
CREATE INDEX "payment_direction_status_wallet_transaction_id_idx" ON "payment"("direction", "status", "wallet_transaction_id");


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- The settling transaction goes with a settled payment: a credited deposit, a paid or failed withdrawal.
ALTER TABLE "payment" DROP CONSTRAINT "payment_credit_only_when_succeeded";
ALTER TABLE "payment" ADD CONSTRAINT "payment_settled_only_when_final"
  CHECK ("wallet_transaction_id" IS NULL
         OR ("direction" = 'DEPOSIT' AND "status" = 'SUCCEEDED')
         OR ("direction" = 'WITHDRAWAL' AND "status" IN ('PAID', 'FAILED') AND "reserve_transaction_id" IS NOT NULL));
ALTER TABLE "payment" ADD CONSTRAINT "payment_reserve_only_for_withdrawals"
  CHECK ("reserve_transaction_id" IS NULL OR "direction" = 'WITHDRAWAL');
-- Money leaves only once reserved: a withdrawal is approved, sent or paid only after its reservation.
ALTER TABLE "payment" ADD CONSTRAINT "payment_withdrawal_reserved_before_it_moves"
  CHECK ("direction" <> 'WITHDRAWAL' OR "status" IN ('REQUESTED', 'FAILED') OR "reserve_transaction_id" IS NOT NULL);
