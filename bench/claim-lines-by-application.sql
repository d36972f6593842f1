-- The bank results' update of claim lines, filtered by the batch's application or not, on a plain table of ten cases'
-- lines (3,000,000; each case's lines together, as a roster stores them), 300,000 moved; each variant twice, alternating,
-- with the dead rows of the one before vacuumed. PAYMENTS.md quotes the figures.
-- Run: scripts/with-postgres.sh bash -c 'psql -h 127.0.0.1 -p <port from $ONECARD_TEST_POSTGRES> -U postgres -f bench/claim-lines-by-application.sql'
CREATE TABLE lines (id uuid PRIMARY KEY, app int NOT NULL, line_no int NOT NULL, outcome text, payload text) WITH (fillfactor=60);
CREATE UNIQUE INDEX ON lines (app, line_no);
INSERT INTO lines SELECT md5('l'||g)::uuid, g / 300000, g % 300000, 'Eligible', repeat('x', 300) FROM generate_series(1, 3000000) g;
VACUUM ANALYZE lines;
CREATE TEMP TABLE moved AS SELECT id AS line_id, true AS paid FROM lines WHERE app = 3;
ANALYZE moved;
\timing on
BEGIN; UPDATE lines l SET outcome = 'Paid' FROM moved m WHERE l.id = m.line_id AND l.app = 3; ROLLBACK;
VACUUM lines;
BEGIN; UPDATE lines l SET outcome = 'Paid' FROM moved m WHERE l.id = m.line_id; ROLLBACK;
VACUUM lines;
BEGIN; UPDATE lines l SET outcome = 'Paid' FROM moved m WHERE l.id = m.line_id AND l.app = 3; ROLLBACK;
VACUUM lines;
BEGIN; UPDATE lines l SET outcome = 'Paid' FROM moved m WHERE l.id = m.line_id; ROLLBACK;
