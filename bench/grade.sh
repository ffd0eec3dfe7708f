#!/usr/bin/env bash
# Benchmark: `kehu grade` against a hand-written sqlite3 INSERT … SELECT that computes the
# same indicators (last-12-month trade, tenure, industry and budget growth, satisfaction,
# referrals, complaints), the standard model's weighted score and tier into a table.
#
#   bench/grade.sh [CUSTOMERS] [ORDERS_PER_CUSTOMER]      # default 1000000 10
#
# Data comes from examples/gen.rs. Ten million orders load faster by SQL than through
# `kehu import`, so the CSVs are loaded with the sqlite3 CLI into staging tables of a database
# kehu created (so the schema is kehu's),
# and INSERT … SELECT puts into `customers` and `orders` the values kehu stores: stage and
# closed-set keys, dates as YYYY-MM-DD (the generator writes 2023/1/5, 2023年1月5日,
# 2023.01.05), amounts as integer fen (累计合作金额 is in 万元), industry section and
# region derived. Contacts are not loaded: grading does not read them.
#
# Timed, in the same run and on the same file: the SQL as of 2024-12-31; `kehu grade` as of
# 2024-11-30 (the first run: every customer gets its first tier, each change logged); as of
# 2024-12-31 (the monthly cron run: some tiers move and are logged, many scores change); and
# the same again (nothing changes, nothing is logged). GNU time gives wall time, CPU time
# (user + sys: steadier than wall on a shared machine) and kehu's peak RSS. The loaded
# database is kept in target/bench-grade, so running the script again skips the load.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
PER=${2:-10}
AS_OF=2024-12-31
WORK=${BENCH_DIR:-target/bench-grade}
mkdir -p "$WORK"
DB="$WORK/grade.db"

cargo build --release --quiet --bin kehu --example gen
KEHU=target/release/kehu
GEN=target/release/examples/gen

if [[ ! -f "$WORK/customers-$N.csv" ]]; then
    "$GEN" customers "$N" > "$WORK/customers-$N.csv"
fi
if [[ ! -f "$WORK/orders-$N-$PER.csv" ]]; then
    "$GEN" orders "$N" "$PER" > "$WORK/orders-$N-$PER.csv"
fi

export KEHU_OPERATOR=bench KEHU_NOW=2025-01-15T02:00:00Z
rm -f "$DB" "$DB-wal" "$DB-shm"
# The loaded database is kept, so a second benchmark skips the slow load.
LOADED="$WORK/loaded-$N-$PER.db"
if [[ -f "$LOADED" ]]; then
    cp "$LOADED" "$DB"
else
    # kehu creates the database (its own schema) and the industry-growth table.
    for row in C:8 C39:16 I:18 I65:22 F:3 G:5 E:2 R:6 L:11 H:4 K:-2; do
        "$KEHU" --db "$DB" --quiet grade growth set "${row%%:*}" "${row#*:}"
    done

    load_start=$(date +%s.%N)
    sqlite3 "$DB" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
.import --csv $WORK/customers-$N.csv stage_customers
.import --csv $WORK/orders-$N-$PER.csv stage_orders
.import --csv src/domain/data/provinces.csv stage_provinces

-- YYYY-MM-DD from 2023/1/5, 2023年1月5日, 2023.01.05 or 2023-01-05.
CREATE TEMP VIEW stage_dates AS
SELECT "客户编号" AS code, which, raw,
       CASE WHEN raw = '' THEN NULL ELSE printf('%04d-%02d-%02d',
           substr(s, 1, 4),
           substr(s, 6, instr(substr(s, 6), '-') - 1),
           substr(substr(s, 6), instr(substr(s, 6), '-') + 1)) END AS iso
FROM (
    SELECT "客户编号", 'first' AS which, "首次合作日期" AS raw,
           replace(replace(replace(replace(replace("首次合作日期", '年', '-'), '月', '-'), '日', ''), '/', '-'), '.', '-') AS s
    FROM stage_customers
    UNION ALL
    SELECT "客户编号", 'last', "最近合作日期",
           replace(replace(replace(replace(replace("最近合作日期", '年', '-'), '月', '-'), '日', ''), '/', '-'), '.', '-')
    FROM stage_customers
);

BEGIN;
INSERT INTO customers(code, name, short_name, uscc, industry, industry_section, province, region,
    nature, size, source, stage, intent, owner, first_coop_date, last_coop_date, total_amount_fen,
    satisfaction, referrals_12m, complaints_12m, budget_growth, remarks, created_at, updated_at)
SELECT s."客户编号", s."客户名称", nullif(s."简称", ''), s."统一社会信用代码", s."所属行业",
    substr(s."所属行业", 1, 1), p.name,
    CASE p.region WHEN '华北' THEN 'north' WHEN '东北' THEN 'northeast' WHEN '华东' THEN 'east'
        WHEN '华中' THEN 'central' WHEN '华南' THEN 'south' WHEN '西南' THEN 'southwest'
        WHEN '西北' THEN 'northwest' WHEN '港澳台' THEN 'hmt' END,
    CASE s."企业性质" WHEN '民营企业' THEN 'private' WHEN '民企' THEN 'private' WHEN '国有企业' THEN 'state'
        WHEN '外资企业' THEN 'foreign' WHEN '合资企业' THEN 'joint_venture' WHEN '上市公司' THEN 'listed' END,
    CASE s."企业规模" WHEN '大型' THEN 'large' WHEN '中型' THEN 'medium' WHEN '小型' THEN 'small'
        WHEN '微型' THEN 'micro' END,
    CASE s."来源渠道" WHEN '展会' THEN 'exhibition' WHEN '线上广告' THEN 'online_ad'
        WHEN '客户转介绍' THEN 'referral' WHEN '主动咨询' THEN 'inbound' WHEN '电话营销' THEN 'telemarketing'
        WHEN '官网' THEN 'website' END,
    CASE s."合作阶段" WHEN '潜在' THEN 'prospect' WHEN '意向' THEN 'intent' WHEN '成交' THEN 'customer'
        WHEN '流失' THEN 'churned' END,
    CASE s."意向度" WHEN '高' THEN 'high' WHEN '中' THEN 'medium' WHEN '低' THEN 'low' END,
    nullif(s."负责人", ''), f.iso, l.iso,
    CASE WHEN s."累计合作金额(万元)" = '' THEN NULL
        ELSE CAST(round(CAST(s."累计合作金额(万元)" AS REAL) * 1000000) AS INTEGER) END,
    nullif(s."满意度", ''),
    CAST(nullif(s."近12个月转介绍数", '') AS INTEGER),
    CAST(nullif(s."近12个月投诉数", '') AS INTEGER),
    nullif(s."预算增长(%)", ''),
    nullif(s."备注", ''),
    '2025-01-15T02:00:00Z', '2025-01-15T02:00:00Z'
FROM stage_customers s
LEFT JOIN stage_provinces p ON p.name = s."省份" OR p.short_name = s."省份"
LEFT JOIN stage_dates f ON f.code = s."客户编号" AND f.which = 'first'
LEFT JOIN stage_dates l ON l.code = s."客户编号" AND l.which = 'last'
ORDER BY s.rowid;
COMMIT;
BEGIN;
-- 合同金额(元) is written with two decimals: the digits are the fen.
INSERT INTO orders(customer_id, date, amount_fen, contract_no, created_at)
SELECT c.id, o."签约日期", CAST(replace(o."合同金额(元)", '.', '') AS INTEGER), o."合同编号",
       '2025-01-15T02:00:00Z'
FROM stage_orders o JOIN customers c ON c.code = o."客户编号"
ORDER BY o.rowid;
COMMIT;
DROP TABLE stage_customers;
DROP TABLE stage_orders;
DROP TABLE stage_provinces;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);
VACUUM;
SQL
    load_end=$(date +%s.%N)
    printf 'loaded the data in %.1f s\n' "$(echo "$load_end - $load_start" | bc)"
    cp "$DB" "$LOADED"
fi
# A kept database from an older kehu is brought up to its schema version before timing.
"$KEHU" --db "$DB" --quiet tag list > /dev/null
customers=$(sqlite3 "$DB" "SELECT count(*) FROM customers")
orders=$(sqlite3 "$DB" "SELECT count(*) FROM orders")

# The reference: one INSERT … SELECT over the covering index orders(customer_id, date,
# amount_fen) that kehu's schema has, writing trade, tenure start, score and tier per
# customer. Same windows as kehu: trade after 2023-12-31 up to 2024-12-31; tenure from the
# earlier of the first order and the declared first-cooperation date.
SQL_REF=$(cat <<'SQL'
DROP TABLE IF EXISTS ref_grade;
CREATE TABLE ref_grade(customer_id INTEGER PRIMARY KEY, trade_fen INTEGER, tenure_start TEXT,
                       score REAL, tier TEXT);
INSERT INTO ref_grade
WITH o AS (
    SELECT customer_id,
           sum(CASE WHEN date > '2023-12-31' THEN amount_fen ELSE 0 END) AS trade,
           min(date) AS first
    FROM orders WHERE date <= '2024-12-31' GROUP BY customer_id
), b AS (
    SELECT c.id,
        CASE WHEN o.customer_id IS NOT NULL THEN o.trade ELSE c.trade_12m_fen END AS trade,
        CASE WHEN o.first IS NULL THEN
                 CASE WHEN c.first_coop_date <= '2024-12-31' THEN c.first_coop_date END
             WHEN c.first_coop_date IS NULL OR c.first_coop_date > '2024-12-31' THEN o.first
             ELSE min(o.first, c.first_coop_date) END AS start,
        CAST(coalesce(g1.growth, g2.growth) AS REAL) AS ig,
        CAST(c.budget_growth AS REAL) AS bg,
        CAST(c.satisfaction AS REAL) AS sat,
        c.referrals_12m AS ref, c.complaints_12m AS comp,
        (o.customer_id IS NOT NULL OR coalesce(c.first_coop_date <= '2024-12-31', 0)
            OR coalesce(c.trade_12m_fen, 0) > 0 OR coalesce(c.total_amount_fen, 0) > 0
            OR coalesce(CAST(c.tenure_years AS REAL), 0) > 0) AS deal
    FROM customers c
    LEFT JOIN o ON o.customer_id = c.id
    LEFT JOIN industry_growth g1 ON g1.industry = c.industry
    LEFT JOIN industry_growth g2 ON g2.industry = c.industry_section
), s AS (
    SELECT id, trade, start, deal,
        0.5 * ((CASE WHEN trade >= 50000000 THEN 100 WHEN trade >= 10000000 THEN 80
                     WHEN trade >= 1000000 THEN 60 ELSE 40 END)
             + (CASE WHEN start <= '2022-12-31' THEN 100 WHEN start <= '2023-12-31' THEN 80
                     WHEN start < '2024-12-31' THEN 60 ELSE 40 END)) / 2.0
      + 0.3 * ((CASE WHEN ig > 15 THEN 100 WHEN ig >= 10 THEN 80 WHEN ig >= 5 THEN 60 ELSE 40 END)
             + (CASE WHEN bg > 20 THEN 100 WHEN bg >= 10 THEN 80 WHEN bg >= 0 THEN 60 ELSE 40 END)) / 2.0
      + 0.2 * ((CASE WHEN sat >= 9 THEN 100 WHEN sat >= 8 THEN 80 WHEN sat >= 7 THEN 60 ELSE 40 END)
             + (CASE WHEN ref >= 2 THEN 100 WHEN ref = 1 THEN 80 WHEN ref = 0 THEN 60 ELSE 40 END)
             + (CASE WHEN comp = 0 THEN 100 WHEN comp = 1 THEN 80 WHEN comp = 2 THEN 60 ELSE 40 END)) / 3.0
        AS score
    FROM b
)
SELECT id, trade, start, score,
    CASE WHEN NOT deal THEN 'potential' WHEN score >= 90 THEN 'core' WHEN score >= 70 THEN 'important'
         WHEN score >= 50 THEN 'ordinary' ELSE 'potential' END
FROM s;
SQL
)

# Times one command: "wall cpu rss" (seconds, seconds, kB) via GNU time; its stdout is
# kept in $WORK/out.txt.
timed() {
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" > "$WORK/out.txt"
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$WORK/time.txt"
}
changed() { sed -n 's/.*"changed": *\([0-9]*\).*/\1/p' "$WORK/out.txt"; }
grade() { timed "$KEHU" --db "$DB" --quiet --format jsonl grade --as-of "$1"; }

read -r sql_wall sql_cpu _ < <(timed sqlite3 "$DB" "$SQL_REF")
# First run, a month earlier: every customer gets its first tier, each one logged.
read -r first_wall first_cpu first_rss < <(grade 2024-11-30)
first_changed=$(changed)
# The monthly cron run, as of the SQL's date: some tiers move, many scores do.
read -r month_wall month_cpu month_rss < <(grade "$AS_OF")
month_changed=$(changed)
# The same again: nothing changes, nothing is logged.
read -r again_wall again_cpu again_rss < <(grade "$AS_OF")
again_changed=$(changed)

# Check the two agree on the tiers.
disagree=$(sqlite3 "$DB" "SELECT count(*) FROM ref_grade r JOIN customers c ON c.id = r.customer_id
                          WHERE r.tier IS NOT c.tier")

ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
printf '\n%s customers, %s orders (wall and CPU = user + sys seconds)\n' "$customers" "$orders"
printf '%-44s wall %7.2f  cpu %7.2f\n' "sqlite3 INSERT … SELECT, as of $AS_OF" "$sql_wall" "$sql_cpu"
line() {
    printf '%-44s wall %7.2f  cpu %7.2f  ratio wall %s cpu %s  peak RSS %d MB\n' \
        "$1" "$2" "$3" "$(ratio "$2" "$sql_wall")" "$(ratio "$3" "$sql_cpu")" "$(($4 / 1024))"
}
line "kehu grade, first run ($first_changed tiers set)" "$first_wall" "$first_cpu" "$first_rss"
line "kehu grade, a month on ($month_changed tiers moved)" "$month_wall" "$month_cpu" "$month_rss"
line "kehu grade, again ($again_changed tiers moved)" "$again_wall" "$again_cpu" "$again_rss"
printf 'customers whose tier differs between kehu and the SQL: %s\n' "$disagree"
