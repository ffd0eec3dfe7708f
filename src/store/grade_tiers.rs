//! A tier run's new tiers and scores, written a chunk of results at a time.
//!
//! Row by row, every changed tier fired `customers_counts_update` (an UPDATE of
//! `tag_counts` through a subquery) and every changed row paid for a statement of its own.
//! Instead, while a run streams its results into `grade_results`, [`TierWrites`] notes which
//! customers changed tier and which changed score, and tallies how many customers leave and
//! join each tier. After each chunk of results one `UPDATE … FROM grade_results` sets the
//! tier of the first (the count trigger set aside meanwhile, the 等级 counts moved once per
//! tier by the tallies at the end), and one upsert copies the scores of the second into
//! `customer_scores`, a narrow table apart from the records; the writes overlap the pass,
//! which reads on another thread. When most customers change tier (a first run, a new
//! model) their tiers wait for the end, where the two indexes holding the tier are built
//! afresh instead of updated entry by entry.
//!
//! The trigger and those indexes are dropped and recreated from their own SQL inside the
//! run's transaction, so a failed or dry run leaves the schema as it was.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rusqlite::{Connection, params};

use super::Result;

/// The trigger that keeps the derived counts current row by row (schema.sql). A run
/// changes only `tier` and `score`, so only its 等级 part has work to redo.
const COUNTS_TRIGGER: &str = "customers_counts_update";

/// The indexes of `customers` that hold the tier.
const TIER_INDEXES: &[&str] = &["customers_region_tier", "customers_tier"];

/// Drops a trigger or index and returns its SQL, to create it again.
fn set_aside(conn: &Connection, kind: &str, name: &str) -> Result<String> {
    let sql: String = conn.query_row(
        "SELECT sql FROM main.sqlite_master WHERE type = ?1 AND name = ?2",
        [kind, name],
        |r| r.get(0),
    )?;
    conn.execute_batch(&format!("DROP {} main.{name}", kind.to_uppercase()))?;
    Ok(sql)
}

/// Customer ids as a JSON array, built as they come (a first run notes a million).
#[derive(Default)]
struct Ids {
    json: String,
    n: u64,
}

impl Ids {
    fn push(&mut self, id: i64) {
        self.json.push(if self.n == 0 { '[' } else { ',' });
        let _ = write!(self.json, "{id}");
        self.n += 1;
    }

    /// The ids so far, as JSON, and none left.
    fn take(&mut self) -> String {
        self.json.push(']');
        self.n = 0;
        std::mem::take(&mut self.json)
    }
}

/// What a tier run writes to `customers` and `customer_scores`, noted during its pass.
#[derive(Default)]
pub(super) struct TierWrites {
    /// Customers whose tier changes, not yet written.
    retiered: Ids,
    /// Customers whose score changes (or goes), not yet written.
    rescored: Ids,
    /// Customers seen, and those whose tier changed, so far.
    seen: u64,
    changed: u64,
    /// Per tier key, customers gained minus customers lost.
    moves: BTreeMap<String, i64>,
    /// The SQL of what was set aside, to put back at the end.
    aside: Vec<String>,
}

impl TierWrites {
    /// Notes customer `id`, whose tier goes from `from` to `to`.
    pub(super) fn retier(&mut self, id: i64, from: Option<&str>, to: &str) {
        self.retiered.push(id);
        self.changed += 1;
        if let Some(from) = from {
            *self.moves.entry(from.to_string()).or_default() -= 1;
        }
        match self.moves.get_mut(to) {
            Some(n) => *n += 1,
            None => {
                self.moves.insert(to.to_string(), 1);
            }
        }
    }

    /// Notes customer `id`, whose score changes.
    pub(super) fn rescore(&mut self, id: i64) {
        self.rescored.push(id);
    }

    /// Notes a customer graded, whatever changed.
    pub(super) fn saw(&mut self) {
        self.seen += 1;
    }

    /// Whether most customers so far changed tier (a first run, a new model): their tiers
    /// wait for the end, where the tier indexes are built afresh rather than updated.
    fn most_changed(&self) -> bool {
        self.changed * 2 > self.seen
    }

    /// Writes what was noted so far (run `run_id`'s results must be in), unless most
    /// customers change tier. A run calls it as it goes, so these writes overlap its pass
    /// instead of waiting for its end.
    pub(super) fn write_so_far(&mut self, conn: &Connection, run_id: i64) -> Result<()> {
        self.write_scores(conn, run_id)?;
        if self.most_changed() || self.retiered.n == 0 {
            return Ok(());
        }
        if self.aside.is_empty() {
            self.aside.push(set_aside(conn, "trigger", COUNTS_TRIGGER)?);
        }
        self.write_tiers(conn, run_id)
    }

    fn write_scores(&mut self, conn: &Connection, run_id: i64) -> Result<()> {
        if self.rescored.n == 0 {
            return Ok(());
        }
        let ids = self.rescored.take();
        conn.prepare_cached(
            "INSERT INTO customer_scores(customer_id, score)
             SELECT r.customer_id, r.score
               FROM json_each(?2) j CROSS JOIN grade_results r ON r.run_id = ?1 AND r.customer_id = j.value
              WHERE r.score IS NOT NULL
             ON CONFLICT (customer_id) DO UPDATE SET score = excluded.score",
        )?
        .execute(params![run_id, ids])?;
        conn.prepare_cached(
            "DELETE FROM customer_scores WHERE customer_id IN (
               SELECT r.customer_id
                 FROM json_each(?2) j CROSS JOIN grade_results r ON r.run_id = ?1 AND r.customer_id = j.value
                WHERE r.score IS NULL)",
        )?
        .execute(params![run_id, ids])?;
        Ok(())
    }

    fn write_tiers(&mut self, conn: &Connection, run_id: i64) -> Result<()> {
        conn.prepare_cached(
            "UPDATE customers SET tier = r.tier
               FROM json_each(?2) j CROSS JOIN grade_results r ON r.run_id = ?1 AND r.customer_id = j.value
              WHERE customers.id = j.value",
        )?
        .execute(params![run_id, self.retiered.take()])?;
        Ok(())
    }

    /// Writes what is left of run `run_id`'s tiers and scores, rebuilding the tier indexes
    /// when most customers changed tier in a run over all of them (`whole_run`), and moves
    /// the 等级 counts as the trigger would have, a customer at a time.
    pub(super) fn finish(mut self, conn: &Connection, run_id: i64, whole_run: bool) -> Result<()> {
        self.write_scores(conn, run_id)?;
        if self.retiered.n > 0 {
            if self.aside.is_empty() {
                self.aside.push(set_aside(conn, "trigger", COUNTS_TRIGGER)?);
            }
            if whole_run && self.most_changed() {
                for name in TIER_INDEXES {
                    self.aside.push(set_aside(conn, "index", name)?);
                }
            }
            self.write_tiers(conn, run_id)?;
        }
        for sql in &self.aside {
            conn.execute_batch(sql)?;
        }
        for (tier, n) in &self.moves {
            // As the trigger: a count that loses customers only goes down where it exists.
            if *n > 0 {
                conn.execute(
                    "INSERT INTO tag_counts(dim, value, origin, n) VALUES ('等级', ?1, 'derived', ?2)
                     ON CONFLICT (dim, value, origin) DO UPDATE SET n = n + excluded.n",
                    params![tier, n],
                )?;
            } else if *n < 0 {
                conn.execute(
                    "UPDATE tag_counts SET n = n + ?2 WHERE dim = '等级' AND value = ?1 AND origin = 'derived'",
                    params![tier, n],
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Customer;
    use crate::domain::grade::Model;
    use std::time::Duration;

    use crate::store::grade::CHUNK;
    use crate::store::{GradeFilter, Graded, Mode, RunCounts, RunSpec, Store, Subject, test_actor};

    /// A store with `n` customers (ids 1…n).
    fn store(n: usize) -> Store {
        fill(Store::open_in_memory().unwrap(), n)
    }

    /// The same in a database file: a run then reads on a second connection, in a thread.
    fn file_store(dir: &tempfile::TempDir, n: usize) -> Store {
        let path = dir.path().join("kehu.db");
        let (store, _) = Store::open(&path, Mode::Create, Duration::from_secs(1)).unwrap();
        fill(store, n)
    }

    fn fill(mut store: Store, n: usize) -> Store {
        store
            .write(&test_actor(), |w| {
                for i in 0..n {
                    w.insert_customer(
                        Customer::new(&format!("客户{i}贸易有限公司")).unwrap(),
                        "add",
                        None,
                    )?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    /// Grades every customer with `grader` under the standard model's name, writing or (when
    /// `dry`) rolling back.
    fn run_with(
        store: &mut Store,
        dry: bool,
        grader: impl FnMut(&Subject, &mut Graded) + Send,
    ) -> crate::store::Result<RunCounts> {
        let model = Model::standard();
        let filter = GradeFilter::default();
        let spec = RunSpec {
            model: &model,
            as_of: "2024-06-30".parse().unwrap(),
            as_tag: None,
            filter: &filter,
        };
        let f = |w: &mut crate::store::Writer| w.grade(&spec, grader).map(|(_, counts)| counts);
        if dry {
            store.dry_run(&test_actor(), f)
        } else {
            store.write(&test_actor(), f)
        }
    }

    /// Grades every customer as `grade(id)` says: (tier, score).
    fn run(
        store: &mut Store,
        dry: bool,
        grade: impl Fn(i64) -> (&'static str, &'static str) + Sync,
    ) -> RunCounts {
        run_with(store, dry, |s: &Subject, g: &mut Graded| {
            let (tier, score) = grade(s.id);
            g.tier = tier.into();
            g.model_tier = tier.into();
            g.label = tier.into();
            g.score = Some(score.parse().unwrap());
            g.record = "[]".into();
        })
        .unwrap()
    }

    fn rows(store: &Store, sql: &str) -> Vec<String> {
        crate::store::texts(&store.conn, sql)
    }

    /// The 等级 counts kept in `tag_counts` (zeros left out) and those counted afresh.
    fn tier_counts(store: &Store) -> (Vec<String>, Vec<String>) {
        (
            rows(
                store,
                "SELECT value || ' ' || n FROM tag_counts WHERE dim = '等级' AND n > 0 ORDER BY value",
            ),
            rows(
                store,
                "SELECT value || ' ' || n FROM tag_counts_source WHERE dim = '等级' ORDER BY value",
            ),
        )
    }

    fn schema(store: &Store) -> Vec<String> {
        rows(
            store,
            "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name",
        )
    }

    /// Tier and score of each customer, as `id tier score`.
    fn customers(store: &Store) -> Vec<String> {
        rows(
            store,
            "SELECT c.id || ' ' || coalesce(c.tier, '-') || ' ' || coalesce(s.score, '-') FROM customers c LEFT JOIN customer_scores s ON s.customer_id = c.id ORDER BY c.id",
        )
    }

    #[test]
    fn tiers_scores_and_tier_counts_end_as_row_by_row_writes_would_leave_them() {
        let mut store = store(150);
        let before = schema(&store);
        // A first run: every customer gets a tier, so the tier indexes are rebuilt; 150
        // entries cross the log's batches.
        let first = |id: i64| match id % 3 {
            0 => ("core", "95"),
            1 => ("ordinary", "55"),
            _ => ("potential", "40"),
        };
        let counts = run(&mut store, false, first);
        assert_eq!((counts.customers, counts.changed), (150, 150));
        let (kept, fresh) = tier_counts(&store);
        assert_eq!(kept, ["core 50", "ordinary 50", "potential 50"]);
        assert_eq!(kept, fresh);
        assert_eq!(schema(&store), before);
        assert_eq!(
            customers(&store)[..3],
            ["1 ordinary 55", "2 potential 40", "3 core 95"]
        );
        // A later run: customer 1 moves up, 2 gets a new score in its tier, the rest stay.
        let later = |id: i64| match id {
            1 => ("important", "75.5"),
            2 => ("potential", "45"),
            _ => first(id),
        };
        let counts = run(&mut store, false, later);
        assert_eq!(counts.changed, 1);
        let (kept, fresh) = tier_counts(&store);
        assert_eq!(kept, ["core 50", "important 1", "ordinary 49", "potential 50"]);
        assert_eq!(kept, fresh);
        assert_eq!(schema(&store), before);
        assert_eq!(
            customers(&store)[..3],
            ["1 important 75.5", "2 potential 45", "3 core 95"]
        );
        // Only the tier change is logged, and the chain holds across the batches.
        assert_eq!(
            rows(
                &store,
                "SELECT customer_code FROM change_log WHERE action = 'grade' AND changes LIKE '%\"2\"]]'"
            ),
            ["CST20240001"]
        );
        assert_eq!(store.verify_log().unwrap(), Ok(150 + 150 + 1 + 1 + 1));
        // The trigger is back: a tier set outside a run still moves the counts.
        store
            .conn
            .execute("UPDATE customers SET tier = 'core' WHERE id = 1", [])
            .unwrap();
        let (kept, fresh) = tier_counts(&store);
        assert_eq!(kept, ["core 51", "ordinary 49", "potential 50"]);
        assert_eq!(kept, fresh);
    }

    /// Every run's results, as `run customer score tier model_tier incomplete indicators`.
    fn results(store: &Store) -> Vec<String> {
        rows(
            store,
            "SELECT concat_ws(' ', run_id, customer_id, score, tier, model_tier, incomplete, indicators)
               FROM grade_results ORDER BY run_id, customer_id",
        )
    }

    #[test]
    fn a_run_reading_on_a_second_connection_writes_what_one_connection_does() {
        // Enough customers for several hand-overs between the reading and the writing thread,
        // and a last chunk that is not full.
        let n = 2 * CHUNK + 77;
        let dir = tempfile::tempdir().unwrap();
        let (mut file, mut memory) = (file_store(&dir, n), store(n));
        let first = |id: i64| match id % 4 {
            0 => ("core", "91"),
            1 => ("important", "72.25"),
            2 => ("ordinary", "55"),
            _ => ("potential", "12.5"),
        };
        let later = |id: i64| {
            if id % 7 == 0 {
                ("ordinary", "60")
            } else {
                first(id)
            }
        };
        // Few changes in the first chunk, written as the run goes; then nearly all, which
        // wait for the end and its rebuilt indexes.
        let turn = |id: i64| {
            if id as usize > CHUNK {
                ("core", "99")
            } else {
                later(id)
            }
        };
        type Grade<'g> = &'g (dyn Fn(i64) -> (&'static str, &'static str) + Sync);
        for (run_id, grade) in [(1, &first as Grade), (2, &later), (3, &turn)] {
            let counts = run(&mut file, false, grade);
            assert_eq!(counts, run(&mut memory, false, grade));
            assert_eq!(counts.customers, n as u64);
            // The records carry the run's tiers and scores, and the counts agree with them.
            let (kept, fresh) = tier_counts(&file);
            assert_eq!(kept, fresh);
            let differ = format!(
                "SELECT CAST(count(*) AS TEXT) FROM customers c
                   JOIN grade_results r ON r.run_id = {run_id} AND r.customer_id = c.id
                   LEFT JOIN customer_scores s ON s.customer_id = c.id
                  WHERE c.tier IS NOT r.tier OR s.score IS NOT r.score"
            );
            assert_eq!(rows(&file, &differ), ["0"], "run {run_id}");
        }
        assert_eq!(results(&file), results(&memory));
        assert_eq!(results(&file).len(), 3 * n);
        assert_eq!(customers(&file), customers(&memory));
        assert_eq!(tier_counts(&file), tier_counts(&memory));
        assert_eq!(file.verify_log().unwrap(), memory.verify_log().unwrap());
    }

    #[test]
    fn a_write_failing_mid_run_stops_the_reading_thread_and_leaves_nothing() {
        let n = 3 * CHUNK;
        let dir = tempfile::tempdir().unwrap();
        let mut store = file_store(&dir, n);
        run(&mut store, false, |_| ("ordinary", "60"));
        let (results_before, customers_before) = (results(&store), customers(&store));
        // The writing side fails in the second chunk while the reader is still going.
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER fail AFTER INSERT ON grade_results WHEN new.customer_id = 1500
                 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
            )
            .unwrap();
        let error = run_with(&mut store, false, |_: &Subject, g: &mut Graded| {
            g.tier = "core".into();
            g.model_tier = "core".into();
            g.score = Some(95.into());
            g.record = "[]".into();
        })
        .unwrap_err();
        assert!(error.to_string().contains("disk on fire"), "{error}");
        assert_eq!(results(&store), results_before);
        assert_eq!(customers(&store), customers_before);
    }

    #[test]
    fn a_dry_run_leaves_tiers_counts_and_schema_as_they_were() {
        let mut store = store(4);
        run(&mut store, false, |_| ("ordinary", "60"));
        let (schema_before, counts_before, customers_before) =
            (schema(&store), tier_counts(&store), customers(&store));
        let counts = run(&mut store, true, |_| ("core", "91"));
        assert_eq!(counts.changed, 4);
        assert_eq!(schema(&store), schema_before);
        assert_eq!(tier_counts(&store), counts_before);
        assert_eq!(customers(&store), customers_before);
    }
}
