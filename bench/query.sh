#!/bin/sh
# Ad-hoc query benchmark: kehu list / list --count / show on N customers with ~5 tags each,
# each timed against the sqlite3 CLI on the same file in the same run.
#
#   bench/query.sh [N]          N customers (default 1000000)
#   BENCH_DIR=…  REBUILD=1      where the data goes (default target/bench-query); rebuild it
#   RUNS=30                     timed runs per command
#
# Building the database. A million customers and five million tags load faster by SQL than
# through `kehu import` and `kehu tag`, so the data is loaded with the sqlite3 CLI straight
# into kehu's schema:
#   1. `gen stored-customers N` and `gen tags N` (examples/gen.rs) write customers already in
#      the form kehu stores them (English keys, full province names, ISO dates, fen) with one
#      primary contact each, and ~5.0 tags per customer drawn from a fixed distribution
#      (价值 and 潜力 for everyone, origin model; 意向 60%, 活跃度 70%, 紧急度 45%, 需求 ~70%
#      multi-valued, six plain labels ~54%; see TAG_DIMS in examples/gen.rs).
#   2. `kehu tag dim add` creates the database and declares the single-valued dimensions.
#   3. sqlite3 drops kehu's index-maintenance triggers, imports both CSVs into staging tables,
#      INSERT … SELECTs them into customers, contacts and customer_tags (empty cells → NULL),
#      fills the two search indexes and the tag counts once from their defining views, merges
#      each index into one segment (as Store::rebuild_search_indexes does) and puts the
#      triggers back.
#   4. kehu itself then edits and tags the customer that `show` is timed on, so its change
#      log and provenance lookups are real. The bulk-loaded rows have no change-log entries.
#
# Timing: hyperfine (installed with apt-get when missing and possible), else a loop of RUNS
# runs; the median wall time of the whole process is reported, and with hyperfine kehu's CPU
# time (user + system), which does not depend on how busy the machine is. The sqlite3 side runs two
# statements: the one kehu runs (from `kehu list --explain`, so the same plan without kehu's
# own work) and the plain SQL a person would write against the base tables.
set -eu

N=${1:-1000000}
RUNS=${RUNS:-30}
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${BENCH_DIR:-$ROOT/target/bench-query}
DB=$WORK/query-$N.db
mkdir -p "$WORK"

command -v sqlite3 >/dev/null || { echo "bench/query.sh needs the sqlite3 CLI" >&2; exit 1; }
if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi

cargo build --release --quiet --bin kehu --example gen
KEHU=$ROOT/target/release/kehu
GEN=$ROOT/target/release/examples/gen
kehu() { "$KEHU" --db "$DB" --quiet "$@"; }

if [ ! -f "$DB" ] || [ "${REBUILD:-0}" = 1 ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    echo "generating $N customers and their tags…" >&2
    "$GEN" stored-customers "$N" > "$WORK/customers.csv"
    "$GEN" tags "$N" > "$WORK/tags.csv"
    kehu tag dim add 价值 --single --values 高,中,低
    kehu tag dim add 潜力 --single --values A类,B类,C类
    kehu tag dim add 意向 --single --values 高,中,低
    kehu tag dim add 活跃度 --single --values 高频,中频,低频
    kehu tag dim add 紧急度 --single --values 紧急,一般,长期
    echo "loading into $DB…" >&2
    start=$(date +%s)
    sqlite3 "$DB" <<SQL
.bail on
.headers off
.mode list
.output $WORK/drop-triggers.sql
SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger' ORDER BY name;
.output $WORK/create-triggers.sql
SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger' ORDER BY name;
.output stdout
.read $WORK/drop-triggers.sql
PRAGMA foreign_keys = ON;
.import --csv $WORK/customers.csv staging_customers
.import --csv $WORK/tags.csv staging_tags
BEGIN;
INSERT INTO customers(code, name, short_name, uscc, industry, industry_section, province, region,
                      nature, size, source, stage, intent, owner, first_coop_date, last_coop_date,
                      total_amount_fen, remarks, created_at, updated_at)
SELECT code, name, nullif(short_name, ''), uscc, industry, industry_section, province, region,
       nullif(nature, ''), nullif(size, ''), nullif(source, ''), stage, nullif(intent, ''), owner,
       nullif(first_coop_date, ''), nullif(last_coop_date, ''),
       CAST(nullif(total_amount_fen, '') AS INTEGER), nullif(remarks, ''), created_at, updated_at
  FROM staging_customers ORDER BY code;
INSERT INTO contacts(customer_id, name, title, mobile, is_primary, active, created_at)
SELECT c.id, s.contact_name, nullif(s.contact_title, ''), s.mobile, 1, 1, s.created_at
  FROM staging_customers s JOIN customers c ON c.code = s.code ORDER BY c.id;
INSERT INTO customer_tags(customer_id, dim, value, origin, set_by, set_at)
SELECT c.id, t.dim, t.value, t.origin, 'bench', '2024-06-01T00:00:00Z'
  FROM staging_tags t JOIN customers c ON c.code = t.code ORDER BY c.id;
INSERT OR IGNORE INTO tag_ids(dim, value)
    SELECT DISTINCT dim, value FROM customer_tags UNION SELECT DISTINCT dim, '' FROM customer_tags;
INSERT INTO customer_search(rowid, name, short_name, remarks, phones) SELECT * FROM customer_search_source;
INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms;
DELETE FROM tag_counts;
INSERT INTO tag_counts(dim, value, origin, n) SELECT * FROM tag_counts_source;
INSERT INTO customer_search(customer_search) VALUES ('optimize');
INSERT INTO customer_tag_index(customer_tag_index) VALUES ('optimize');
DROP TABLE staging_customers;
DROP TABLE staging_tags;
.read $WORK/create-triggers.sql
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
    echo "loaded in $(( $(date +%s) - start )) s" >&2
    # The customer `show` is timed on gets a real history through kehu.
    kehu edit G0000123 --set owner=张伟 --add-remark 电话回访，需要报价
    kehu tag add G0000123 重点跟进 意向:高
    kehu tag rm G0000123 紧急度:*
fi
# A kept database from an older kehu is brought up to its schema version before timing.
kehu tag list > /dev/null

rows=$(sqlite3 "$DB" "SELECT count(*) FROM customers")
tags=$(sqlite3 "$DB" "SELECT count(*) FROM customer_tags")
size=$(du -m "$DB" | cut -f1)

# Times a command: sets MED (median wall ms) and CPU (mean user+sys ms, hyperfine only).
measure() {
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$WORK/h.json" "$1" >/dev/null 2>&1
        MED=$(awk '/"median"/ { gsub(/[^0-9.e-]/, "", $2); printf "%.1f", $2 * 1000; exit }' "$WORK/h.json")
        CPU=$(awk '/"user"/ { gsub(/[^0-9.e-]/, "", $2); u = $2 } /"system"/ { gsub(/[^0-9.e-]/, "", $2); s = $2 }
                   END { printf "%.1f", (u + s) * 1000 }' "$WORK/h.json")
    else
        i=0
        while [ $i -lt 3 ]; do sh -c "$1" >/dev/null 2>&1; i=$((i + 1)); done
        i=0
        : > "$WORK/times"
        while [ $i -lt "$RUNS" ]; do
            t0=$(date +%s%N)
            sh -c "$1" >/dev/null 2>&1
            t1=$(date +%s%N)
            echo $(( (t1 - t0) / 1000 )) >> "$WORK/times"
            i=$((i + 1))
        done
        MED=$(sort -n "$WORK/times" | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }')
        CPU="-"
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

report() { # name kehu-command sqlite-same-plan sqlite-plain target
    measure "$2"; k=$MED; kcpu=$CPU
    measure "$3"; s=$MED
    printf '%-20s kehu %7s ms (cpu %5s ms)   sqlite3 same plan %7s ms   ratio %5s' "$1" "$k" "$kcpu" "$s" "$(ratio "$k" "$s")"
    if [ -n "$4" ]; then measure "$4"; printf '   sqlite3 plain SQL %8s ms' "$MED"; fi
    printf '   target ≤ %s ms\n' "$5"
}

FILTER="--tag 价值:高 --tag 需求:采购设备 --tag 意向:高 --region 华东 --q 科技"
LIST_SQL=$(kehu list $FILTER --limit 50 --explain | head -n 1)
COUNT_SQL=$(kehu list $FILTER --count --explain | head -n 1)
PLAIN_WHERE="c.region = 'east'
  AND EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = '价值' AND value = '高')
  AND EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = '需求' AND value = '采购设备')
  AND EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = '意向' AND value = '高')
  AND (c.name LIKE '%科技%' OR c.short_name LIKE '%科技%' OR c.remarks LIKE '%科技%')"
PLAIN_LIST="SELECT c.* FROM customers c WHERE $PLAIN_WHERE ORDER BY c.code LIMIT 50"
PLAIN_COUNT="SELECT count(*) FROM customers c WHERE $PLAIN_WHERE"
SHOW_SQL="SELECT * FROM customers WHERE code = 'G0000123';
SELECT * FROM contacts WHERE customer_id = (SELECT id FROM customers WHERE code = 'G0000123');
SELECT * FROM customer_tags WHERE customer_id = (SELECT id FROM customers WHERE code = 'G0000123');
SELECT * FROM change_log WHERE customer_code = 'G0000123' ORDER BY id DESC LIMIT 10;"

q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

echo "kehu ad-hoc query benchmark: $rows customers, $tags tags, database $size MB"
echo "machine: $(nproc) cores, load average$(uptime | sed 's/.*load average//'), $(sqlite3 --version | cut -d' ' -f1) CLI"
echo "filter: $FILTER"
echo "plan:"; kehu list $FILTER --limit 50 --explain | tail -n +2
echo "matches: $(kehu list $FILTER --count)"
report "list --limit 50" \
    "$KEHU --db $DB list $FILTER --limit 50" \
    "sqlite3 $DB $(q "$LIST_SQL")" \
    "sqlite3 $DB $(q "$PLAIN_LIST")" 50
report "list --count" \
    "$KEHU --db $DB list $FILTER --count" \
    "sqlite3 $DB $(q "$COUNT_SQL")" \
    "sqlite3 $DB $(q "$PLAIN_COUNT")" 200
report "show G0000123" \
    "$KEHU --db $DB show G0000123" \
    "sqlite3 $DB $(q "$SHOW_SQL")" "" 10
