-- GB rule set version 3: version 2 unchanged plus an `aml` group, the thresholds of AML transaction
-- monitoring (subgraphs/compliance/src/monitoring.ts). These are the OPERATOR's policy figures,
-- configurable per operator under its risk assessment; they are not numbers the Gambling
-- Commission, POCA 2002 or MLR 2017 prescribe, and each `source` says so. Amounts in minor units.
-- Effective from the date of this migration (29 Nov 2026); a change of figure is a new version.
INSERT INTO "rule_set" ("id", "jurisdiction", "version", "effective_from", "rules", "created_by")
SELECT '6b0c2f5e-1a7d-4f3e-9c21-202611290003', 'GB', 3, '2026-11-29T00:00:00Z',
       "rules" || '{
         "aml": {
           "sourceOfFunds": {
             "cumulativeDepositsMinor": {"GBP": 200000},
             "rollingDays": 90,
             "source": "Operator policy (configurable, not a regulator figure): source-of-funds evidence under risk-based customer due diligence, POCA 2002 / MLR 2017"
           },
           "rapidCycle": {
             "withdrawalShareOfDepositsPercent": 80,
             "lookbackHours": 24,
             "minimumDepositsMinor": {"GBP": 10000},
             "source": "Operator policy (configurable, not a regulator figure): deposit-withdraw cycling with little play as a laundering indicator, POCA 2002 ss. 327-329 / MLR 2017"
           },
           "structuring": {
             "reportingThresholdMinor": {"GBP": 100000},
             "bandLowerPercent": 90,
             "minimumDeposits": 3,
             "windowHours": 24,
             "source": "Operator policy (configurable, not a regulator figure): deposits split to stay under the operator''s review threshold, POCA 2002 / MLR 2017"
           },
           "source": "Operator policy (configurable per operator, not regulator numbers): AML transaction monitoring under POCA 2002 and MLR 2017"
         }
       }'::jsonb,
       'migration:20261129013000_gb_rule_set_v3_aml'
  FROM "rule_set" WHERE "jurisdiction" = 'GB' AND "version" = 2;
