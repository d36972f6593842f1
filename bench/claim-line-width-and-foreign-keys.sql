-- A claim line's width and its foreign keys' triggers, on a plain table with ClaimLines' columns, indexes and fillfactor; REGISTRY.md
-- ("7 Dec 2026 — the roster's accounts and lines without per-row foreign-key triggers") quotes the figures.
-- Run: scripts/with-postgres.sh bash -c 'psql -h 127.0.0.1 -p <port from $ONECARD_TEST_POSTGRES> -U postgres -f bench/claim-line-width-and-foreign-keys.sql'
-- (server-side COPY to /tmp needs the superuser the throwaway cluster gives).
\timing on
CREATE TABLE cl (
 "Id" uuid PRIMARY KEY, "ApplicationId" uuid NOT NULL, "LineNo" int NOT NULL, "BeneficiaryId" uuid NOT NULL, "RegionCode" text NOT NULL,
 "PolicyCode" text NOT NULL, "Period" text NOT NULL, "Name" text NOT NULL, "IdNumberMasked" text NOT NULL, "FactsJson" text NOT NULL,
 "Amount" numeric(18,2), "Outcome" varchar(20) NOT NULL, "ReasonZh" text, "ReasonEn" text, "RuleResultsJson" text, "RuleSetKey" text NOT NULL,
 "WarningsJson" text, "Sampled" bool NOT NULL, "SampleResult" varchar(20), "SampleNote" text, "SampleCheckedBy" text, "SampleCheckedAt" timestamptz,
 "IdAreaCode" varchar(6), "IdBirthDate" date, "IdIsMale" bool, "ResultsRef" uuid) WITH (fillfactor = 60);
CREATE INDEX ON cl ("BeneficiaryId"); CREATE UNIQUE INDEX ON cl ("ApplicationId", "BeneficiaryId"); CREATE UNIQUE INDEX ON cl ("ApplicationId", "LineNo");
CREATE INDEX ON cl ("PolicyCode", "Period", "BeneficiaryId");
CREATE TABLE src AS SELECT
  (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid AS id,
  '01900000-0000-7000-8000-000000000001'::uuid AS app, g AS lineno, (lpad(to_hex(g), 8, '0') || '-0000-7000-9000-' || lpad(to_hex(g), 12, '0'))::uuid AS ben, '210283101000' AS region,
  'minimum-living-allowance' AS policy, '2026' AS period, '张三丰' AS name, '2102**********0011' AS masked,
  '{"area":12.5,"crop":"玉米"}' AS facts, (g % 10000)/100.0 AS amount, 'Eligible' AS outcome,
  repeat('符合', 16) || g % 3 AS rzh, repeat('Eligible ', 12) || g % 3 AS ren,
  '[' || repeat('{"ruleName":"rule-x","passed":true,"messageZh":"符合条件","messageEn":"ok"},', 4) || '{"r":' || g % 3 || '}]' AS rr,
  'minimum-living-allowance@v2' AS rsk, '210283' AS area, date '1960-01-01' + (g % 20000) AS birth, g % 2 = 0 AS male
  FROM generate_series(1, 1000000) g;
SELECT avg(octet_length(rr)), avg(octet_length(rzh)), avg(octet_length(ren)) FROM src;
COPY (SELECT id, app, lineno, ben, region, policy, period, name, masked, facts, amount, outcome, rzh, ren, rr, rsk, NULL::text, false, NULL::varchar, NULL::text, NULL::text, NULL::timestamptz, area, birth, male, NULL::uuid FROM src) TO '/tmp/onecard-exp-wide.bin' (FORMAT binary);
COPY (SELECT id, app, lineno, ben, region, policy, period, name, masked, facts, amount, outcome, NULL::text, NULL::text, NULL::text, rsk, NULL::text, false, NULL::varchar, NULL::text, NULL::text, NULL::timestamptz, area, birth, male, gen_random_uuid() FROM src) TO '/tmp/onecard-exp-narrow.bin' (FORMAT binary);
-- Each measurement on a fresh table: :fresh makes it (with :keys, its two foreign keys), :copy_wide / :copy_narrow load it.
\set fresh 'DROP TABLE IF EXISTS t; CREATE TABLE t (LIKE cl INCLUDING ALL) WITH (fillfactor = 60);'
\set keys 'ALTER TABLE t ADD FOREIGN KEY ("ApplicationId") REFERENCES apps, ADD FOREIGN KEY ("BeneficiaryId") REFERENCES bens;'
\set copy_wide 'COPY t FROM ''/tmp/onecard-exp-wide.bin'' (FORMAT binary); COMMIT;'
\set copy_narrow 'COPY t FROM ''/tmp/onecard-exp-narrow.bin'' (FORMAT binary); COMMIT;'
\set sizes 'SELECT pg_size_pretty(pg_relation_size(''t'')) heap, pg_size_pretty(pg_indexes_size(''t'')) idx;'
-- Width: the lines as stored, then with the rule results and both reasons replaced by one 16-byte reference; twice each.
:fresh CHECKPOINT;
\echo wide
BEGIN; :copy_wide :sizes
:fresh CHECKPOINT;
\echo narrow
BEGIN; :copy_narrow :sizes
:fresh CHECKPOINT;
\echo wide
BEGIN; :copy_wide :sizes
:fresh CHECKPOINT;
\echo narrow
BEGIN; :copy_narrow :sizes
-- Foreign keys: the wide lines referring to an application and to 1,000,000 beneficiaries, with the triggers on (origin) and off (replica).
CREATE TABLE apps ("Id" uuid PRIMARY KEY); INSERT INTO apps VALUES ('01900000-0000-7000-8000-000000000001');
CREATE TABLE bens ("Id" uuid PRIMARY KEY, pad text); INSERT INTO bens SELECT ben, repeat('x', 200) FROM src; VACUUM ANALYZE bens; VACUUM ANALYZE apps;
:fresh :keys CHECKPOINT;
\echo wide origin
BEGIN; SET LOCAL session_replication_role = origin; :copy_wide
:fresh :keys CHECKPOINT;
\echo wide replica
BEGIN; SET LOCAL session_replication_role = replica; :copy_wide
:fresh :keys CHECKPOINT;
\echo wide origin
BEGIN; SET LOCAL session_replication_role = origin; :copy_wide
:fresh :keys CHECKPOINT;
\echo wide replica
BEGIN; SET LOCAL session_replication_role = replica; :copy_wide
\echo set-based check of both keys
SELECT count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM bens b WHERE b."Id" = t."BeneficiaryId") OR NOT EXISTS (SELECT 1 FROM apps a WHERE a."Id" = t."ApplicationId");
