#!/bin/sh
# Duplicate detection at scale: quality (pairwise precision and recall against the truth the
# generator writes) and speed (time, peak memory) of `kehu dedupe`, beside the sqlite3 CLI
# doing the naive raw equivalent (pairs with the exact same name or the same mobile).
#
#   sh bench/dedupe.sh                 # 100,000 and 1,000,000 records
#   sh bench/dedupe.sh 20000           # other sizes
#
# The records are stored the way kehu stores them (every value validated and normalised,
# name_key kept, one change-log entry per customer and contact) by `dedupe_eval load`, a
# small example binary that calls the store (it loads the generator's labelled records and
# their truth file in one step). Loading is not timed.
set -e
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin kehu --example gen --example dedupe_eval
bin=target/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=${*:-100000 1000000}

seconds() { # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34" → 62.34
    sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'
}
cpu() { # user + system seconds: what the run cost, whoever else shares the machine
    awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}
rss_mb() {
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.0f", $1 / 1024 }'
}

for n in $sizes; do
    echo "== $n records"
    "$bin/examples/gen" dupes "$n" --truth "$work/truth.csv" > "$work/dupes.csv"
    rm -f "$work/kehu.db"*
    "$bin/examples/dedupe_eval" load "$work/dupes.csv" "$work/kehu.db"

    /usr/bin/time -v "$bin/kehu" --db "$work/kehu.db" --quiet dedupe --format jsonl \
        > "$work/groups.jsonl" 2> "$work/kehu.time"
    echo "kehu dedupe:   $(seconds "$work/kehu.time") s wall, $(cpu "$work/kehu.time") s CPU, peak RSS $(rss_mb "$work/kehu.time") MB, $(wc -l < "$work/groups.jsonl") groups (load average $(cut -d' ' -f1 /proc/loadavg))"
    "$bin/examples/dedupe_eval" score "$work/truth.csv" "$work/groups.jsonl"

    /usr/bin/time -v sqlite3 -csv "$work/kehu.db" "
        SELECT a.code, b.code FROM customers a JOIN customers b ON a.name = b.name AND a.id < b.id
        UNION
        SELECT ca.code, cb.code FROM contacts x
          JOIN contacts y ON x.mobile = y.mobile AND x.customer_id < y.customer_id
          JOIN customers ca ON ca.id = x.customer_id JOIN customers cb ON cb.id = y.customer_id;" \
        > "$work/pairs.csv" 2> "$work/sqlite.time"
    echo "sqlite3 exact name or mobile: $(seconds "$work/sqlite.time") s wall, $(cpu "$work/sqlite.time") s CPU, peak RSS $(rss_mb "$work/sqlite.time") MB"
    "$bin/examples/dedupe_eval" pairs "$work/truth.csv" "$work/pairs.csv"
    awk -v k="$(seconds "$work/kehu.time")" -v s="$(seconds "$work/sqlite.time")" \
        'BEGIN { printf "ratio kehu/sqlite3: %.2f\n", (s > 0 ? k / s : 0) }'

    echo "pure matcher straight from the CSV (parse + match, no database):"
    "$bin/examples/dedupe_eval" matcher "$work/dupes.csv" "$work/truth.csv"
done
