-- Document numbers are kept as a keyed digest: HMAC-SHA256 under DOCUMENT_NUMBER_KEY of the SHA-256
-- of the normalised number. A bare SHA-256 of a passport or licence number (a few billion candidates)
-- can be reversed by brute force from a copy of the database; without the key it cannot.
-- Rows recorded before hold the bare SHA-256: they keep it, marked digest_keyed = false, until the
-- player service re-keys them at start (it holds the key; SQL does not). New rows are keyed.
ALTER TABLE "identity_document" DROP CONSTRAINT "identity_document_number_sha256_hex";
ALTER TABLE "identity_document" RENAME COLUMN "number_sha256" TO "number_digest";
ALTER INDEX "identity_document_player_id_type_number_sha256_key" RENAME TO "identity_document_player_id_type_number_digest_key";
ALTER TABLE "identity_document" ADD COLUMN "digest_keyed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "identity_document" ALTER COLUMN "digest_keyed" SET DEFAULT true;
ALTER TABLE "identity_document" ADD CONSTRAINT "identity_document_number_digest_hex" CHECK ("number_digest" ~ '^[0-9a-f]{64}$');
