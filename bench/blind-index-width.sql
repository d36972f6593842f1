-- The blind index's width: 64 hex characters (as OneCard stores it) against 32 bytes, on plain tables; REGISTRY.md quotes the figures.
-- Run: scripts/with-postgres.sh bash -c 'psql -h 127.0.0.1 -p <port from $ONECARD_TEST_POSTGRES> -U postgres -f bench/blind-index-width.sql'
\timing on
SET max_parallel_workers_per_gather = 0;
CREATE TABLE rt (snap int, rowno int, h text, region text, alive bool, PRIMARY KEY (snap, rowno));
CREATE TABLE rb (snap int, rowno int, h bytea, region text, alive bool, PRIMARY KEY (snap, rowno));
CREATE INDEX ON rt (h);
CREATE INDEX ON rb (h);
-- 5,000,000 registry rows: SM3-sized keys as 64 hex characters vs 32 bytes
INSERT INTO rt SELECT 1, g, encode(sha256(g::text::bytea), 'hex'), '210124101', g % 1000 <> 3 FROM generate_series(1, 5000000) g;
INSERT INTO rb SELECT 1, g, sha256(g::text::bytea), '210124101', g % 1000 <> 3 FROM generate_series(1, 5000000) g;
ANALYZE rt; ANALYZE rb;
SELECT pg_size_pretty(pg_relation_size('rt')) rt_heap, pg_size_pretty(pg_relation_size('rt_h_idx')) rt_idx,
       pg_size_pretty(pg_relation_size('rb')) rb_heap, pg_size_pretty(pg_relation_size('rb_h_idx')) rb_idx;
-- 1,000,000 lines' keys
CREATE TEMP TABLE lt AS SELECT encode(sha256(g::text::bytea), 'hex') h FROM generate_series(1, 1000000) g;
CREATE TEMP TABLE lb AS SELECT sha256(g::text::bytea) h FROM generate_series(1, 1000000) g;
ANALYZE lt; ANALYZE lb;
-- a million probes (nested loop) and a hash join, each way
SET enable_hashjoin = off; SET enable_mergejoin = off;
SELECT count(*) FROM lt JOIN rt ON rt.h = lt.h;
SELECT count(*) FROM lb JOIN rb ON rb.h = lb.h;
RESET enable_hashjoin; RESET enable_mergejoin; SET enable_nestloop = off; SET enable_mergejoin = off;
SELECT count(*) FROM lt JOIN rt ON rt.h = lt.h;
SELECT count(*) FROM lb JOIN rb ON rb.h = lb.h;
