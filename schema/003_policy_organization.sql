-- 003: policies.organization_name, the report's organization-name copied to each of its policy
-- entries (like start_time and reporter), so that the analysis reads the policies alone instead of
-- joining every entry to its report. Filled for the rows already there.
ALTER TABLE policies ADD COLUMN organization_name TEXT;
UPDATE policies SET organization_name =
    (SELECT r.organization_name FROM reports AS r WHERE r.id = policies.report);
