-- The database's share of a new report, alone: the rows one creation writes
-- (the report with its indexes, three timeline entries, the follower), one
-- transaction each, with no Python and no reads. The floor under any way of
-- taking reports synchronously on this machine:
--
--   pgbench -h 127.0.0.1 -U postgres -n -c 32 -j 2 -T 10 -f bench/creation_writes.sql civic_bench
--
-- The rows it makes are marked; remove them after, in one transaction that
-- skips the foreign-key checks (nothing refers to these rows, and checking the
-- unindexed merged_into for each of ~20,000 deleted reports scans the table
-- each time: minutes instead of half a second):
--   psql -h 127.0.0.1 -U postgres civic_bench -c "BEGIN; SET LOCAL session_replication_role = replica;
--     CREATE TEMP TABLE floor ON COMMIT DROP AS SELECT id FROM reports_report WHERE request_fingerprint = 'pgbench-floor';
--     DELETE FROM reports_follower f USING floor WHERE f.report_id = floor.id;
--     DELETE FROM reports_reportevent e USING floor WHERE e.report_id = floor.id;
--     DELETE FROM reports_report r USING floor WHERE r.id = floor.id; COMMIT;"
WITH r AS (
  INSERT INTO reports_report (id, reference, request_fingerprint, created_at, updated_at, source,description,public_description,address,lat,lon,accuracy_m,h3_r7,h3_r8,h3_r9,h3_r10,status,priority,visibility,due_at,support_count,closed_at,category_id,area_id,reporter_id,unit_id,acknowledged_at,assignee_id,escalation_level,merged_into_id,rated_at,rating,rating_comment,reopened_count,resolved_at,waiting_since,managing_area_id,attributes)
  SELECT gen_random_uuid(), upper(substr(md5(random()::text), 1, 12)), 'pgbench-floor', now(), now(), source,description,public_description,address,lat,lon,accuracy_m,h3_r7,h3_r8,h3_r9,h3_r10,status,priority,visibility,due_at,support_count,closed_at,category_id,area_id,reporter_id,unit_id,acknowledged_at,assignee_id,escalation_level,merged_into_id,rated_at,rating,rating_comment,reopened_count,resolved_at,waiting_since,managing_area_id,attributes
  FROM reports_report WHERE id = (SELECT id FROM reports_report WHERE unit_id IS NOT NULL LIMIT 1)
  RETURNING id, reporter_id
), e AS (
  INSERT INTO reports_reportevent (kind, is_public, message, data, created_at, actor_id, report_id)
  SELECT k.kind, k.pub, '', '{}', now(), NULL, r.id FROM r CROSS JOIN (VALUES ('created', true), ('routed', true), ('screened', false)) AS k(kind, pub)
)
INSERT INTO reports_follower (report_id, user_id, supported, created_at) SELECT r.id, r.reporter_id, false, now() FROM r;
