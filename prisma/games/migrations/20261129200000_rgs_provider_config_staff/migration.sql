-- Staff configure RGS providers through the games API (configureRgsProvider): the configuration
-- records who changed it last. Rows written in SQL before (or after) keep null. Each change is also
-- a games.rgs_provider_configured event in the outbox, naming the staff member and the fields.

-- AlterTable
ALTER TABLE "rgs_provider_config" ADD COLUMN     "updated_by" UUID;
