-- The player service reads the sessions revoked within an access token's lifetime whenever it
-- seeds the gateways' session revocations (at start, and after Redis lost them).
CREATE INDEX "auth_session_revoked_at_idx" ON "auth_session"("revoked_at");
