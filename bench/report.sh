#!/usr/bin/env bash
# Times `kehu report` on N generated customers (default 1,000,000, ~PER orders each) against
# the sqlite3 CLI running the same aggregate SQL on the same database, in the same run.
#
#   bench/report.sh            # 1,000,000 customers, 1 order each on average
#   bench/report.sh 100000 2   # smaller, more orders
#
# The database is built with examples/gen.rs and the sqlite3 CLI (bench/load.sql: staging
# tables + INSERT … SELECT storing what kehu stores), kept in target/bench/ and reused while
# N, PER and the loader are unchanged. Targets on 1,000,000 customers: `report dist --by
# region --by tier` ≤ 0.5 s for the whole process, the full `report quality` ≤ 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
PER=${2:-1}
RUNS=${RUNS:-3}
DIR=target/bench
mkdir -p "$DIR"
DB="$DIR/report-$N-$PER.db"
KEHU=target/release/kehu
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 CLI" >&2; exit 1; }

cargo build --release --quiet --bin kehu --example gen
STAMP="$DIR/report-$N-$PER.stamp"
SIG=$(cat schema.sql src/store/migrations/*.sql bench/load.sql bench/load-customers.sql examples/gen.rs | sha256sum | cut -c1-16)
if [[ ! -f "$DB" || "$(cat "$STAMP" 2>/dev/null)" != "$SIG" ]]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    echo "building $DB ($N customers, ~$PER orders each)…" >&2
    start=$(date +%s.%N)
    target/release/examples/gen customers "$N" > "$DIR/customers.csv"
    target/release/examples/gen orders "$N" "$PER" > "$DIR/orders.csv"
    sqlite3 "$DB" <<SQL
.bail on
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
.read schema.sql
PRAGMA user_version = 1;
.import --csv $DIR/customers.csv staging_customers
.import --csv $DIR/orders.csv staging_orders
.import --csv src/domain/data/provinces.csv staging_provinces
BEGIN;
.read bench/load.sql
COMMIT;
SQL
    rm -f "$DIR/customers.csv" "$DIR/orders.csv"
    # kehu brings the version-1 database up to its own schema version once, before timing.
    "$KEHU" --db "$DB" --quiet tag list > /dev/null
    echo "$SIG" > "$STAMP"
    echo "built in $(echo "$(date +%s.%N) - $start" | bc) s" >&2
fi
# Warm the page cache so both sides read from memory.
cat "$DB" > /dev/null

export KEHU_DB=$DB KEHU_NOW=2024-12-31T09:00:00Z KEHU_OPERATOR=bench
best() { # "wall cpu rss" of the fastest of RUNS runs of "$@" (output discarded); cpu = user + sys
    local out wall cpu rss bw=999999 bc=0 br=0
    for _ in $(seq "$RUNS"); do
        out=$( { /usr/bin/time -f "%e %U %S %M" "$@" > /dev/null; } 2>&1 | tail -1)
        read -r wall u s rss <<< "$out"
        cpu=$(echo "$u + $s" | bc)
        if (( $(echo "$wall < $bw" | bc) )); then bw=$wall; bc=$cpu; br=$rss; fi
    done
    echo "$bw $bc $br"
}
row() { # label, kehu "wall cpu rss", sqlite3 "wall cpu rss"
    read -r kw kc kr <<< "$2"
    read -r sw sc _ <<< "$3"
    printf "%-40s %7s s (%5s) %7s s (%5s) %6sx %8s KiB\n" "$1" "$kw" "$kc" "$sw" "$sc" \
        "$(echo "scale=2; $kw / $sw" | bc)" "$kr"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; times are the best of $RUNS, (cpu) = user + sys"
printf "%-40s %17s %17s %7s %12s\n" "$N customers, ~$PER orders each" "kehu" "sqlite3" "ratio" "kehu RSS"

# `report dist --by region --by tier` (window 2024-01-01 … 2024-12-31). kehu sums each
# customer's orders in the window once and lets the GROUP BY over customers call that up;
# sqlite3 gets the same figures the plain way, a GROUP BY joining each order to its customer.
DIST_SQL="SELECT c.region, c.tier, count(*) FROM customers c GROUP BY c.region, c.tier ORDER BY c.region, c.tier;
SELECT c.region, c.tier, sum(o.amount_fen) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.date > '2023-12-31' AND o.date <= '2024-12-31' GROUP BY c.region, c.tier ORDER BY c.region, c.tier;"
COUNT_SQL="SELECT c.region, c.tier, count(*) FROM customers c GROUP BY c.region, c.tier ORDER BY c.region, c.tier;"
row "report dist --by region --by tier" \
    "$(best $KEHU report dist --by region --by tier)" \
    "$(best sqlite3 "$DB" "$DIST_SQL")"
row "  (sqlite3: the count GROUP BY alone)" \
    "$(best $KEHU report dist --by region --by tier)" \
    "$(best sqlite3 "$DB" "$COUNT_SQL")"

# `report quality`: kehu reads every customer and contact once (re-checking the stored values
# with the input rules and counting filled fields as they stream by), then the shared phones
# and e-mails and the stale records; sqlite3 runs the same SQL and only reads the rows. Lists
# are capped at 100 rows (every check still runs; printing 750,000 stale rows is another
# matter — see the last line).
SHARED() { echo "SELECT k.$1, c.code, c.name FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.$1 IN (SELECT $1 FROM contacts WHERE $1 IS NOT NULL GROUP BY $1 HAVING min(customer_id) < max(customer_id)) GROUP BY k.$1, c.code ORDER BY k.$1, c.code;"; }
QUALITY_SQL="SELECT c.code, c.name, c.industry_section, c.region, c.total_amount_fen, c.trade_12m_fen, c.referrals_12m, c.complaints_12m, c.short_name, c.city, c.uscc, c.industry, c.province, c.nature, c.size, c.source, c.stage, c.stage_date, c.intent, c.first_coop_date, c.last_coop_date, c.tenure_years, c.satisfaction, c.budget_growth, c.secrecy, c.name, c.owner FROM customers c WHERE 1 = 1 ORDER BY c.id;
SELECT k.customer_id, k.name, k.mobile, k.landline, k.email, k.active FROM contacts k WHERE 1 = 1 ORDER BY k.id;
$(SHARED mobile) $(SHARED landline) $(SHARED email)
SELECT count(*) FROM customers c WHERE c.updated_at < '2024-07-04';
SELECT c.code, c.name, c.owner, c.updated_at FROM customers c WHERE c.updated_at < '2024-07-04' ORDER BY c.updated_at, c.code LIMIT 100;"
row "report quality --limit 100 (json)" \
    "$(best $KEHU report quality --format json --limit 100)" \
    "$(best sqlite3 "$DB" "$QUALITY_SQL")"

# The others, for reference (no target).
PAIRS="FROM (SELECT ra.customer_id AS id, ra.tier AS ta, rb.tier AS tb, ra.score AS sa, rb.score AS sb FROM grade_results ra LEFT JOIN grade_results rb ON rb.run_id = 2 AND rb.customer_id = ra.customer_id WHERE ra.run_id = 1 UNION ALL SELECT rb.customer_id, NULL, rb.tier, NULL, rb.score FROM grade_results rb WHERE NOT EXISTS (SELECT 1 FROM grade_results ra WHERE ra.run_id = 1 AND ra.customer_id = rb.customer_id) AND rb.run_id = 2) p JOIN customers c ON c.id = p.id WHERE 1 = 1"
MOVE_SQL="SELECT p.ta, p.tb, count(*) $PAIRS GROUP BY p.ta, p.tb ORDER BY p.ta, p.tb;
SELECT c.code, c.name, p.ta, p.tb, p.sa, p.sb $PAIRS AND p.ta IS NOT p.tb ORDER BY c.code;"
row "report movement (json)" \
    "$(best $KEHU report movement --format json)" \
    "$(best sqlite3 "$DB" "$MOVE_SQL")"
echo "(kehu alone, one run each:)"
for r in "review --limit 100" "tiers --limit 100" "quality"; do
    read -r w c m <<< "$(RUNS=1 best $KEHU report $r --format json)"
    printf "%-40s %7s s (%5s) %37s KiB\n" "report $r (json)" "$w" "$c" "$m"
done
