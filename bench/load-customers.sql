-- Loads examples/gen.rs customers into a kehu database with the sqlite3 CLI, storing what
-- kehu stores (canonical values: province full names, region and stage keys, mobiles as 11
-- digits, dates YYYY-MM-DD, money in fen), one contact per customer. Run inside a database
-- that already has kehu's schema, after `.import`ing customers.csv into staging_customers
-- and src/domain/data/provinces.csv into staging_provinces. No validation, no duplicate
-- matching, no change log: bench/import.sh times it as the floor of what kehu's schema
-- costs, and bench/load.sql builds on it.

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

DROP TABLE staging_customers;
DROP TABLE staging_provinces;
