-- Loads examples/gen.rs output into a kehu database with the sqlite3 CLI, storing what kehu
-- stores (canonical values: province full names, region and stage keys, mobiles as 11 digits,
-- dates YYYY-MM-DD, money in fen). Used by bench/report.sh: ten million orders load faster by
-- SQL than through `kehu import`. Run inside a database that already has schema.sql applied,
-- after `.import`ing customers.csv into staging_customers, orders.csv into staging_orders
-- and src/domain/data/provinces.csv into staging_provinces. The customers and contacts go in
-- by bench/load-customers.sql.
--
-- Not stored: change-log entries (no report reads them). Tiers and scores come from two
-- stand-in grading runs (below), because `kehu grade` is not part of this benchmark.

.read bench/load-customers.sql

INSERT INTO orders(customer_id, date, amount_fen, contract_no, created_at)
SELECT c.id, o."签约日期", CAST(round(CAST(o."合同金额(元)" AS REAL) * 100) AS INTEGER), o."合同编号",
    o."签约日期" || 'T09:00:00Z'
FROM staging_orders o JOIN customers c ON c.code = o."客户编号"
ORDER BY o.rowid;

-- Two stand-in grading runs: a score from the declared amount, satisfaction and complaints,
-- tiers on the standard thresholds, no deal → potential; the second run a month later moves
-- a tenth of the customers by a few points.
INSERT INTO grade_runs(id, as_of, model_name, model_sha256, operator, started_at, counts) VALUES
  (1, '2024-11-30', 'standard', 'bench', 'bench', '2024-11-30T09:00:00Z', '{}'),
  (2, '2024-12-31', 'standard', 'bench', 'bench', '2024-12-31T09:00:00Z', '{}');
CREATE TEMP TABLE scores AS
SELECT id, stage,
  40 + min(40, coalesce(total_amount_fen, 0) / 10000000) + coalesce(CAST(satisfaction AS INTEGER), 0)
     - 2 * coalesce(complaints_12m, 0) AS s1
FROM customers;
INSERT INTO grade_results(run_id, customer_id, score, tier, model_tier, indicators)
SELECT run, id, score,
  CASE WHEN stage NOT IN ('customer', 'churned') THEN 'potential'
       WHEN score >= 90 THEN 'core' WHEN score >= 70 THEN 'important' WHEN score >= 50 THEN 'ordinary'
       ELSE 'potential' END, '', '{}'
FROM (SELECT 1 AS run, id, stage, s1 AS score FROM scores
      UNION ALL SELECT 2, id, stage, s1 + CASE WHEN id % 10 = 0 THEN (id % 7) - 3 ELSE 0 END FROM scores)
ORDER BY run, id;
UPDATE grade_results SET model_tier = tier;
UPDATE customers SET (tier, score) = (SELECT tier, score FROM grade_results r
  WHERE r.run_id = 2 AND r.customer_id = customers.id);

DROP TABLE staging_orders;
