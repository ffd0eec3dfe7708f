#!/usr/bin/env bash
# Times `kehu import` against the sqlite3 CLI's own `.import --csv` of the same file into a
# plain table (no validation, no indexes), in the same run, and prints the ratio and kehu's
# peak memory. Then does the same for an xlsx workbook against reading it with calamine alone.
# For scale, it also times the sqlite3 CLI putting the same rows into kehu's own schema
# (indexes, search index, tag counts) with INSERT … SELECT (bench/load-customers.sql: no
# validation, no duplicate matching, no change log): what the schema alone costs. It does so
# as kehu does a first load: in a rollback journal, with kehu's page cache, and the two
# search indexes written once at the end from their source views rather than by a trigger
# per row.
#
#   bench/import.sh [ROWS] [XLSX_ROWS]        (defaults 1000000 and 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
xlsx_rows=${2:-100000}
out=bench/out
mkdir -p "$out"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
cargo build --release --quiet --bin kehu --example gen --example read_xlsx
kehu=./target/release/kehu

csv="$out/customers-$rows.csv"
[ -f "$csv" ] || ./target/release/examples/gen customers "$rows" > "$csv"
echo "file: $csv ($(du -h "$csv" | cut -f1), $rows rows, $(head -1 "$csv" | tr ',' '\n' | wc -l) columns)"

# wall seconds, peak RSS (KB), CPU seconds (user + system: steadier on a shared machine)
seconds() { /usr/bin/time -f "%e %M %U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{ print $1, $2, $3 + $4 }'; }

rm -f "$out/ref.db"
read -r ref_s _ ref_cpu < <(seconds sqlite3 "$out/ref.db" ".import --csv $csv customers")
rm -f "$out/kehu.db"*
read -r kehu_s kehu_kb kehu_cpu < <(seconds env KEHU_NOW=2024-12-31 "$kehu" --quiet --db "$out/kehu.db" import "$csv")
imported=$(sqlite3 "$out/kehu.db" "SELECT count(*) FROM customers")
rm -f "$out/floor.db"*
schema=(".read schema.sql")
for step in src/store/migrations/*.sql; do schema+=(".read $step"); done
read -r floor_s _ < <(seconds sqlite3 "$out/floor.db" "${schema[@]}" \
    "PRAGMA journal_mode = DELETE" "PRAGMA cache_size = -65536" \
    ".import --csv $csv staging_customers" ".import --csv src/domain/data/provinces.csv staging_provinces" \
    "BEGIN" "DROP TRIGGER customers_search_insert" "DROP TRIGGER contacts_search_insert" \
    ".read bench/load-customers.sql" \
    "INSERT INTO customer_search(rowid, name, short_name, remarks, phones) SELECT * FROM customer_search_source" \
    "INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms" "COMMIT")
printf 'csv  sqlite3 .import: %6.2f s  (cpu %.2f s)\n' "$ref_s" "$ref_cpu"
printf 'csv  sqlite3 .import + INSERT … SELECT into kehu'"'"'s schema: %6.2f s (%.2f× .import)\n' \
    "$floor_s" "$(echo "$floor_s / $ref_s" | bc -l)"
printf 'csv  kehu import:     %6.2f s  (cpu %.2f s; %s customers, peak RSS %d MB)\n' "$kehu_s" "$kehu_cpu" "$imported" $((kehu_kb / 1024))
printf 'csv  ratio kehu/sqlite3: %.2f wall, %.2f cpu (target <= 1.5; peak RSS target <= 200 MB)\n' \
    "$(echo "$kehu_s / $ref_s" | bc -l)" "$(echo "$kehu_cpu / $ref_cpu" | bc -l)"
printf 'csv  kehu against sqlite3 into kehu'"'"'s schema: %.2f wall\n' "$(echo "$kehu_s / $floor_s" | bc -l)"

xlsx="$out/customers-$xlsx_rows.xlsx"
[ -f "$xlsx" ] || ./target/release/examples/gen xlsx "$xlsx_rows" "$xlsx"
read -r read_s _ read_cpu < <(seconds ./target/release/examples/read_xlsx "$xlsx")
rm -f "$out/kehu-x.db"*
read -r kx_s kx_kb kx_cpu < <(seconds env KEHU_NOW=2024-12-31 "$kehu" --quiet --db "$out/kehu-x.db" import "$xlsx")
printf 'xlsx calamine read:   %6.2f s  (cpu %.2f s; %s rows)\n' "$read_s" "$read_cpu" "$xlsx_rows"
printf 'xlsx kehu import:     %6.2f s  (cpu %.2f s; peak RSS %d MB)\n' "$kx_s" "$kx_cpu" $((kx_kb / 1024))
printf 'xlsx ratio kehu/calamine: %.2f wall, %.2f cpu (target <= 1.5)\n' \
    "$(echo "$kx_s / $read_s" | bc -l)" "$(echo "$kx_cpu / $read_cpu" | bc -l)"
# The databases are 3 GB at a million rows; the generated files are kept for the next run.
rm -f "$out/ref.db"* "$out/floor.db"* "$out/kehu.db"* "$out/kehu-x.db"*
