WITH r AS (
  INSERT INTO reports_report (id, reference, request_fingerprint, created_at, updated_at, source,description,public_description,address,lat,lon,accuracy_m,h3_r7,h3_r8,h3_r9,h3_r10,status,priority,visibility,due_at,support_count,closed_at,category_id,commune_id,district_id,reporter_id,unit_id,acknowledged_at,assignee_id,escalation_level,merged_into_id,rated_at,rating,rating_comment,reopened_count,resolved_at,waiting_since,managing_district_id,attributes)
  SELECT gen_random_uuid(), upper(substr(md5(random()::text), 1, 12)), 'pgbench-floor', now(), now(), source,description,public_description,address,lat,lon,accuracy_m,h3_r7,h3_r8,h3_r9,h3_r10,status,priority,visibility,due_at,support_count,closed_at,category_id,commune_id,district_id,reporter_id,unit_id,acknowledged_at,assignee_id,escalation_level,merged_into_id,rated_at,rating,rating_comment,reopened_count,resolved_at,waiting_since,managing_district_id,attributes
  FROM reports_report WHERE id = 'd690ac91-696a-484b-8d23-fc0255bda2e7' RETURNING id, reporter_id
), e AS (
  INSERT INTO reports_reportevent (kind, is_public, message, data, created_at, actor_id, report_id)
  SELECT k.kind, k.pub, '', '{}', now(), NULL, r.id FROM r CROSS JOIN (VALUES ('created', true), ('routed', true), ('screened', false)) AS k(kind, pub)
)
INSERT INTO reports_follower (report_id, user_id, supported, created_at) SELECT r.id, r.reporter_id, false, now() FROM r;
