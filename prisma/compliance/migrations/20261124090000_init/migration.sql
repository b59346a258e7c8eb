
-- CreateTable
CREATE TABLE "player_restrictions" (
    "player_id" UUID NOT NULL,
    "jurisdiction" CHAR(2) NOT NULL,
    "date_of_birth" DATE NOT NULL,
    "age_verified" BOOLEAN NOT NULL DEFAULT false,
    "identity_verified" BOOLEAN NOT NULL DEFAULT false,
    "self_excluded_until" TIMESTAMPTZ(3),
    "timed_out_until" TIMESTAMPTZ(3),
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "player_restrictions_pkey" PRIMARY KEY ("player_id")
);

-- CreateTable
CREATE TABLE "rule_set" (
    "id" UUID NOT NULL,
    "jurisdiction" CHAR(2) NOT NULL,
    "version" INTEGER NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "rules" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "rule_set_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "player_id" TEXT,
    "payload" JSONB NOT NULL,
    "live_topic" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "processed_event" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "rule_set_jurisdiction_version_key" ON "rule_set"("jurisdiction", "version");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- CreateIndex
CREATE INDEX "outbox_event_published_at_seq_idx" ON "outbox_event"("published_at", "seq");


-- Database-level guarantees Prisma cannot express --------------------------------------------

ALTER TABLE "player_restrictions" ADD CONSTRAINT "player_restrictions_jurisdiction_iso3166" CHECK ("jurisdiction" ~ '^[A-Z]{2}$');
ALTER TABLE "player_restrictions" ADD CONSTRAINT "player_restrictions_date_of_birth_plausible" CHECK ("date_of_birth" >= DATE '1900-01-01');

ALTER TABLE "rule_set" ADD CONSTRAINT "rule_set_version_positive" CHECK ("version" > 0);
ALTER TABLE "rule_set" ADD CONSTRAINT "rule_set_jurisdiction_iso3166" CHECK ("jurisdiction" ~ '^[A-Z]{2}$');
ALTER TABLE "rule_set" ADD CONSTRAINT "rule_set_rules_object" CHECK (jsonb_typeof("rules") = 'object');

-- A rule set that has been (or will be) in force is evidence of what applied when: it is never
-- edited or removed. A correction is a new version with its own effective date.
CREATE FUNCTION "rule_set_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rule sets are immutable (% on %); load a new version instead', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER "rule_set_immutable" BEFORE UPDATE OR DELETE ON "rule_set"
    FOR EACH ROW EXECUTE FUNCTION "rule_set_immutable"();

-- UKGC rule data (domain.md §4). Every group names its source; amounts are minor units.
-- Version 1: the rules in force from 21 May 2025, when the 2 GBP slot stake limit for players
-- aged 18-24 started (the last of the figures below to take effect before the bonus rules).
INSERT INTO "rule_set" ("id", "jurisdiction", "version", "effective_from", "rules", "created_by") VALUES (
    '6b0c2f5e-1a7d-4f3e-9c21-202505210001', 'GB', 1, '2025-05-21T00:00:00Z',
    '{
      "minimumAge": {"years": 18, "source": "Gambling Act 2005 ss. 45-47"},
      "ageAndIdentityVerification": {
        "requiredBeforeDeposit": true,
        "requiredBeforePlay": true,
        "includesFreeToPlay": true,
        "requiredData": ["name", "address", "dateOfBirth"],
        "source": "LCCP, from 7 May 2019"
      },
      "depositLimits": {
        "periods": ["P1D", "P7D", "P1M"],
        "offeredAt": ["REGISTRATION", "FIRST_DEPOSIT"],
        "decreaseAppliesImmediately": true,
        "increaseCoolingOffHours": 24,
        "increaseRequiresConfirmation": true,
        "source": "RTS 12"
      },
      "timeOut": {
        "periods": ["P1D", "P7D", "P1M"],
        "anyPeriodUpTo": "P6W",
        "source": "RTS 12 / guidance"
      },
      "selfExclusion": {"minimumMonths": 6, "gamstopParticipationRequired": true, "source": "LCCP SR 3.5.5"},
      "financialVulnerabilityCheck": {
        "netDepositsThresholdMinor": {"GBP": 15000},
        "rollingDays": 30,
        "source": "LCCP SR 3.4.4 (150 GBP from Feb 2025)"
      },
      "slotStakeLimitMinor": {"GBP": 500, "age18to24GBP": 200, "source": "DCMS / GC 2025, from 21 May 2025"},
      "slotDesign": {
        "autoplay": false,
        "minimumGameCycleMs": 2500,
        "celebrateReturnAtOrBelowStake": false,
        "showNetPositionAndSessionTime": true,
        "source": "RTS 14"
      },
      "otherCasinoGames": {"turboOrQuickSpin": false, "minimumGameCycleMs": 5000, "source": "RTS 14, from 17 Jan 2025"},
      "realityChecks": {"intervalChosenByPlayer": true, "source": "RTS"},
      "withdrawals": {"reverseIntoPlay": false, "source": "RTS 8C"}
    }'::jsonb,
    'migration:20261124090000_init'
);

-- Version 2: version 1 plus the bonus rules in force from 19 December 2025 (a later effective
-- date than version 1, so they are a version of their own rather than back-dated into it).
INSERT INTO "rule_set" ("id", "jurisdiction", "version", "effective_from", "rules", "created_by")
SELECT '6b0c2f5e-1a7d-4f3e-9c21-202512190002', 'GB', 2, '2025-12-19T00:00:00Z',
       "rules" || '{
         "bonuses": {"maxWageringMultiple": 10, "mixedProductPromotions": false, "source": "LCCP SR 5.1.1, from 19 Dec 2025"}
       }'::jsonb,
       'migration:20261124090000_init'
  FROM "rule_set" WHERE "jurisdiction" = 'GB' AND "version" = 1;
