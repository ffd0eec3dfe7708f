-- Loads examples/gen.rs output into a kehu database with the sqlite3 CLI, storing what kehu
-- stores (canonical values: province full names, region and stage keys, mobiles as 11 digits,
-- dates YYYY-MM-DD, money in fen). Used by bench/report.sh until `kehu import` can build a
-- million-row database itself. Run inside a database that already has schema.sql applied,
-- after `.import`ing customers.csv into staging_customers, orders.csv into staging_orders
-- and src/domain/data/provinces.csv into staging_provinces.
--
-- Not stored: change-log entries (no report reads them). Tiers and scores come from two
-- stand-in grading runs (below), because `kehu grade` is not part of this benchmark.

CREATE TEMP TABLE region_keys(zh TEXT PRIMARY KEY, en TEXT NOT NULL);
INSERT INTO region_keys VALUES ('华北','north'),('东北','northeast'),('华东','east'),('华中','central'),
  ('华南','south'),('西南','southwest'),('西北','northwest'),('港澳台','hmt');
CREATE TEMP TABLE choice_keys(zh TEXT PRIMARY KEY, en TEXT NOT NULL);
INSERT INTO choice_keys VALUES
  ('民营企业','private'),('民企','private'),('国有企业','state'),('外资企业','foreign'),
  ('合资企业','joint_venture'),('上市公司','listed'),
  ('大型','large'),('中型','medium'),('小型','small'),('微型','micro'),
  ('展会','exhibition'),('线上广告','online_ad'),('客户转介绍','referral'),('主动咨询','inbound'),
  ('电话营销','telemarketing'),('官网','website'),
  ('潜在','prospect'),('意向','intent'),('成交','customer'),('流失','churned'),
  ('高','high'),('中','medium'),('低','low');

-- Dates as clerks wrote them (2023/1/5, 2023年1月5日, 2023.01.05, 2023-01-05) → Y-M-D.
CREATE TEMP VIEW s1 AS
SELECT rowid AS n, *,
  replace(replace(replace(replace(replace("首次合作日期",'年','-'),'月','-'),'日',''),'/','-'),'.','-') AS f1,
  replace(replace(replace(replace(replace("最近合作日期",'年','-'),'月','-'),'日',''),'/','-'),'.','-') AS l1
FROM staging_customers;

CREATE TEMP VIEW s2 AS
SELECT *,
  CASE WHEN f1 = '' THEN NULL ELSE printf('%s-%02d-%02d', substr(f1, 1, 4),
    CAST(substr(f1, 6, instr(substr(f1, 6), '-') - 1) AS INTEGER),
    CAST(substr(f1, 6 + instr(substr(f1, 6), '-')) AS INTEGER)) END AS first_date,
  CASE WHEN l1 = '' THEN NULL ELSE printf('%s-%02d-%02d', substr(l1, 1, 4),
    CAST(substr(l1, 6, instr(substr(l1, 6), '-') - 1) AS INTEGER),
    CAST(substr(l1, 6 + instr(substr(l1, 6), '-')) AS INTEGER)) END AS last_date,
  -- Created over the two years before 2024-12-31, updated some days after.
  date('2024-12-31', '-' || (n * 7919 % 730) || ' days') || 'T09:00:00Z' AS stamp
FROM s1;

INSERT INTO customers(id, code, name, short_name, uscc, industry, industry_section, province, city,
    region, nature, size, source, stage, stage_date, intent, owner, first_coop_date, last_coop_date,
    total_amount_fen, satisfaction, referrals_12m, complaints_12m, budget_growth, secrecy, remarks,
    created_at, updated_at)
SELECT s.n, s."客户编号", s."客户名称", nullif(s."简称", ''), s."统一社会信用代码", s."所属行业",
    substr(s."所属行业", 1, 1), p.name, nullif(s."城市", ''), r.en,
    (SELECT en FROM choice_keys WHERE zh = s."企业性质"), (SELECT en FROM choice_keys WHERE zh = s."企业规模"),
    (SELECT en FROM choice_keys WHERE zh = s."来源渠道"), (SELECT en FROM choice_keys WHERE zh = s."合作阶段"),
    CASE WHEN s."合作阶段" <> '潜在' THEN substr(s.stamp, 1, 10) END,
    (SELECT en FROM choice_keys WHERE zh = s."意向度"), s."负责人", s.first_date, s.last_date,
    CASE WHEN s."累计合作金额(万元)" <> '' THEN CAST(round(CAST(s."累计合作金额(万元)" AS REAL) * 1000000) AS INTEGER) END,
    nullif(s."满意度", ''), CAST(nullif(s."近12个月转介绍数", '') AS INTEGER),
    CAST(nullif(s."近12个月投诉数", '') AS INTEGER), nullif(s."预算增长(%)", ''), 'internal',
    nullif(s."备注", ''), s.stamp, s.stamp
FROM s2 s
JOIN staging_provinces p ON p.name = s."省份" OR p.short_name = s."省份"
JOIN region_keys r ON r.zh = p.region
ORDER BY s.n;

INSERT INTO contacts(customer_id, name, title, mobile, email, is_primary, active, created_at)
SELECT s.n, s."联系人", nullif(s."职务", ''),
    replace(replace(replace(s."手机", '+86 ', ''), '-', ''), ' ', ''), lower(nullif(s."邮箱", '')),
    1, 1, s.stamp
FROM s2 s ORDER BY s.n;

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

DROP TABLE staging_customers;
DROP TABLE staging_orders;
DROP TABLE staging_provinces;
