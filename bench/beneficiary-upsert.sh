#!/usr/bin/env bash
# Prints the SQL of the beneficiary store experiment bench/REGISTRY.md quotes ("7 Dec 2026 (07:35–08:45 UTC)"): 1,000,000 people
# with Beneficiaries' columns and indexes, stored (V1) by binary COPY straight into the table, in one COPY and in 100 of 10,000;
# (V2) through a temporary staging table and INSERT … ON CONFLICT DO UPDATE RETURNING every row, as the roster store did; (V3) the
# same returning only the people it found known, as it does now. Each variant twice.
# Run: bash bench/beneficiary-upsert.sh > /tmp/b.sql && scripts/with-postgres.sh bash -c 'psql -h 127.0.0.1 \
#   -p <port from $ONECARD_TEST_POSTGRES> -U postgres -q -f /tmp/b.sql' (server-side COPY to /tmp needs the cluster's superuser).
# One chunked variant through the staging table: label, result name, the statement (%s: the ON CONFLICT clause).
staged_upsert() {
  local conflict='ON CONFLICT ("IdNumberHash") DO UPDATE SET "Name" = EXCLUDED."Name", "BankAccountCipher" = EXCLUDED."BankAccountCipher", "BankAccountMasked" = EXCLUDED."BankAccountMasked", "BankName" = EXCLUDED."BankName", "UpdatedAt" = EXCLUDED."UpdatedAt", "IdAreaCode" = EXCLUDED."IdAreaCode"'
  printf '%s\n' 'TRUNCATE bt; CHECKPOINT;' "\\echo $1" "SELECT clock_timestamp() AS t0 \\gset" 'BEGIN;' \
    'CREATE TEMP TABLE st (LIKE bt INCLUDING DEFAULTS) ON COMMIT DROP;' '\o /dev/null'
  for i in $(seq 0 99); do
    echo "TRUNCATE st; COPY st FROM '/tmp/onecard-exp-b$i.bin' (FORMAT binary);"
    printf "$3\n" "$conflict"
  done
  printf '%s\n' '\o' 'COMMIT;' "SELECT clock_timestamp() - :'t0'::timestamptz AS $2;"
}
cat <<'SQL'
\timing on
CREATE TABLE bt ("Id" uuid PRIMARY KEY, "IdNumberHash" bytea NOT NULL, "IdNumberCipher" text NOT NULL, "IdNumberMasked" text NOT NULL,
  "Name" text NOT NULL, "BirthDate" date NOT NULL, "IsMale" bool NOT NULL, "RegionCode" text NOT NULL, "BankAccountCipher" text,
  "BankAccountMasked" text, "BankName" text, "CreatedAt" timestamptz NOT NULL, "UpdatedAt" timestamptz NOT NULL, "IdAreaCode" varchar(6));
CREATE UNIQUE INDEX ON bt ("IdNumberHash"); CREATE INDEX ON bt ("RegionCode");
CREATE TABLE src AS SELECT g,
  (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid AS id, sha256(g::text::bytea) AS hash,
  encode(sha256(('c' || g)::bytea) || sha256(('d' || g)::bytea), 'base64') AS idc, '2102**********0011' AS masked, '张三丰' AS name,
  date '1960-01-01' + (g % 20000) AS birth, g % 2 = 0 AS male, '2102831010' || lpad((g % 30)::text, 2, '0') AS region,
  encode(sha256(('e' || g)::bytea) || sha256(('f' || g)::bytea), 'base64') AS acc, '6217************1234' AS accm, '中国农业银行' AS bank,
  now() AS created, '210283' AS area
  FROM generate_series(1, 1000000) g;
COPY (SELECT id, hash, idc, masked, name, birth, male, region, acc, accm, bank, created, created, area FROM src ORDER BY g) TO '/tmp/onecard-exp-b.bin' (FORMAT binary);
SQL
for i in $(seq 0 99); do
  echo "COPY (SELECT id, hash, idc, masked, name, birth, male, region, acc, accm, bank, created, created, area FROM src WHERE g > $((i*10000)) AND g <= $(((i+1)*10000)) ORDER BY g) TO '/tmp/onecard-exp-b$i.bin' (FORMAT binary);"
done
for round in 1 2; do
cat <<'SQL'
TRUNCATE bt; CHECKPOINT;
\echo V1 direct COPY 1M
BEGIN; COPY bt FROM '/tmp/onecard-exp-b.bin' (FORMAT binary); COMMIT;
TRUNCATE bt; CHECKPOINT;
\echo V1b direct COPY 100 x 10k
\timing off
SELECT clock_timestamp() AS t0 \gset
BEGIN;
SQL
for i in $(seq 0 99); do echo "COPY bt FROM '/tmp/onecard-exp-b$i.bin' (FORMAT binary);"; done
cat <<'SQL'
COMMIT;
SELECT clock_timestamp() - :'t0'::timestamptz AS v1b;
SQL
  staged_upsert "V2 staging + upsert RETURNING all, 100 x 10k" v2 'INSERT INTO bt SELECT * FROM st %s RETURNING "Id", "IdNumberHash";'
  staged_upsert "V3 staging + upsert RETURNING only the known, 100 x 10k" v3 'WITH up AS (INSERT INTO bt SELECT * FROM st %s RETURNING "Id", "IdNumberHash") SELECT up."Id", up."IdNumberHash" FROM up WHERE NOT EXISTS (SELECT 1 FROM st s WHERE s."Id" = up."Id");'
  cat <<'SQL'
\timing on
SQL
done
