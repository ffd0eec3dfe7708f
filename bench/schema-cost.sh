#!/usr/bin/env bash
# What kehu's schema costs by itself, with no parsing, validation or matching at all: the
# sqlite3 CLI copies the rows a `kehu import` stored (customers, contacts, stage moves, change
# log) into a fresh database of kehu's schema, the way kehu's bulk import writes them (in a
# rollback journal, the eleven set-aside indexes built at the end, the two search indexes
# and the tag counts filled once from their views), and times each step. For scale it also
# times `.import --csv` of the file into a plain table, and kehu's own import of it.
#
#   bench/schema-cost.sh [ROWS]        (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-200000}
out=bench/out
mkdir -p "$out"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
cargo build --release --quiet --bin kehu --example gen
kehu=./target/release/kehu

csv="$out/customers-$rows.csv"
[ -f "$csv" ] || ./target/release/examples/gen customers "$rows" > "$csv"
seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }

rm -f "$out/plain.db"*
plain_s=$(seconds sqlite3 "$out/plain.db" ".import --csv $csv customers")
rm -f "$out/stored.db"*
kehu_s=$(seconds env KEHU_NOW=2024-12-31 "$kehu" --quiet --db "$out/stored.db" import "$csv")
sqlite3 "$out/stored.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

rm -f "$out/copy.db"*
schema=(".read schema.sql")
for step in src/store/migrations/*.sql; do schema+=(".read $step"); done
sqlite3 "$out/copy.db" "${schema[@]}"
# The indexes kehu's bulk import sets aside, read from its source (BULK_INDEXES), and the
# triggers of its deferred set (DEFERRED_TRIGGERS) that an insert fires.
set_aside=$(sed -n '/^const BULK_INDEXES/,/^];/p' src/store/deferred.rs | grep -o '"[a-z_]*"' |
    tr '"' "'" | paste -sd,)
list() { sqlite3 "$out/copy.db" "SELECT group_concat($1, char(10)) FROM sqlite_master WHERE $2"; }
cat > "$out/copy.sql" <<SQL
BEGIN;
$(list "'DROP TRIGGER ' || name || ';'" "type = 'trigger' AND name IN
  ('customers_search_insert', 'customers_counts_insert', 'contacts_search_insert')")
$(list "'DROP INDEX ' || name || ';'" "name IN ($set_aside)")
INSERT INTO import_batches SELECT * FROM k.import_batches;
INSERT INTO customers SELECT * FROM k.customers ORDER BY id;
INSERT INTO contacts SELECT * FROM k.contacts ORDER BY id;
INSERT INTO stage_moves SELECT * FROM k.stage_moves ORDER BY id;
INSERT INTO change_log SELECT * FROM k.change_log ORDER BY id;
$(list "sql || ';'" "name IN ($set_aside)")
INSERT INTO customer_search(rowid, name, short_name, remarks, phones) SELECT * FROM customer_search_source;
INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms;
DELETE FROM tag_counts;
INSERT INTO tag_counts SELECT * FROM tag_counts_source;
COMMIT;
SQL
# .echo names each statement, .timer follows it with its time; summed by what it writes.
sqlite3 "$out/copy.db" "PRAGMA journal_mode = DELETE" "PRAGMA cache_size = -65536" \
    "ATTACH '$out/stored.db' AS k" ".echo on" ".timer on" ".read $out/copy.sql" | awk \
    -v plain="$plain_s" -v kehu="$kehu_s" -v rows="$rows" '
    /^INSERT INTO customers /        { step = "customer rows" }
    /^INSERT INTO contacts /         { step = "contact rows" }
    /^INSERT INTO stage_moves /      { step = "stage moves" }
    /^INSERT INTO change_log /       { step = "change log" }
    /^CREATE INDEX /                 { step = "the eleven set-aside indexes" }
    /^INSERT INTO customer_search\(/ { step = "trigram search index" }
    /^INSERT INTO customer_tag_index/ { step = "tag search index" }
    /^(DELETE FROM|INSERT INTO) tag_counts/ { step = "tag counts" }
    /^COMMIT/                        { step = "commit" }
    /^(BEGIN|DROP|INSERT INTO import_batches)/ { step = "" }
    /^Run Time:/ && step != ""       { if (!(step in t)) order[n++] = step; t[step] += $4; total += $4 }
    END {
        printf "%d rows\n", rows
        printf "sqlite3 .import into a plain table:      %7.2f s\n", plain
        printf "kehu import:                             %7.2f s  (%.2f× .import)\n", kehu, kehu / plain
        printf "sqlite3 copying what kehu stored:        %7.2f s  (%.2f× .import)\n", total, total / plain
        for (i = 0; i < n; i++) printf "  %-38s %7.2f s\n", order[i], t[order[i]]
    }'
rm -f "$out/plain.db"* "$out/stored.db"* "$out/copy.db"* "$out/copy.sql"
