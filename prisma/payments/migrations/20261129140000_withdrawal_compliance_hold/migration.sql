-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "hold_reason" TEXT;


-- Database-level guarantees Prisma cannot express --------------------------------------------

-- Only a withdrawal is held for staff.
ALTER TABLE "payment" ADD CONSTRAINT "payment_hold_reason_withdrawal"
  CHECK ("hold_reason" IS NULL OR "direction" = 'WITHDRAWAL');
