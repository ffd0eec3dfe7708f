//! Schema versions, tracked with `PRAGMA user_version`.
//!
//! Version 1 is `schema.sql` at the top of the repository. Later versions append a step to
//! [`STEPS`]; a shipped step is never edited. A new database gets every step; an older one
//! the missing steps, all in one transaction; a newer one is refused.

use rusqlite::Connection;

use super::{Error, Result};

/// The ordered schema steps; step `i` brings the database to version `i + 1`.
const STEPS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("migrations/002_search_triggers.sql"),
    include_str!("migrations/003_customer_scores.sql"),
    include_str!("migrations/004_name_key_uscc.sql"),
    include_str!("migrations/005_grade_results_by_run.sql"),
    include_str!("migrations/006_batch_links.sql"),
    include_str!("migrations/007_record_extras.sql"),
    include_str!("migrations/008_import_met.sql"),
    include_str!("migrations/009_contact_confirmations.sql"),
];

/// The schema version this binary writes.
pub const VERSION: i64 = STEPS.len() as i64;

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(Error::TooNew {
            found,
            supported: VERSION,
        });
    }
    if found == VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have migrated while this one waited for the lock.
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for step in &STEPS[found.clamp(0, VERSION) as usize..] {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_the_current_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION);
        // Idempotent.
        migrate(&mut conn).unwrap();
    }

    #[test]
    fn scores_move_out_of_the_customer_records_at_version_3() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &STEPS[..2] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO customers(code, name, stage, tier, score, created_at, updated_at) VALUES
               ('C1', '甲公司', 'customer', 'core', '91.5', 't', 't'),
               ('C2', '乙公司', 'prospect', NULL, NULL, 't', 't');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let scores: Vec<(String, String)> = conn
            .prepare("SELECT c.code, s.score FROM customer_scores s JOIN customers c ON c.id = s.customer_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(scores, [("C1".to_string(), "91.5".to_string())]);
        let tier: String = conn
            .query_row("SELECT tier FROM customers WHERE code = 'C1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tier, "core", "the tier stays on the record");
        assert!(conn.prepare("SELECT score FROM customers").is_err());
    }

    /// A version-6 database keeps its orders, interactions and contacts at version 8: with no
    /// extra columns yet, and no record of rows met again.
    #[test]
    fn records_gain_extra_columns_and_batches_a_met_table_at_versions_7_and_8() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &STEPS[..6] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        conn.execute_batch(
            "INSERT INTO customers(id, code, name, stage, created_at, updated_at)
               VALUES (1, 'C1', '甲公司', 'customer', 't', 't');
             INSERT INTO contacts(customer_id, name, mobile, created_at) VALUES (1, '王总', '13812345678', 't');
             INSERT INTO orders(customer_id, date, amount_fen, contract_no, created_at)
               VALUES (1, '2024-06-01', 500000, 'HT-1', 't');
             INSERT INTO interactions(customer_id, date, summary, created_at) VALUES (1, '2024-06-03', '催款', 't');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION);
        assert_eq!(
            strings(
                &conn,
                "SELECT coalesce(extra, 'none') FROM contacts
                 UNION ALL SELECT coalesce(extra, 'none') || contract_no FROM orders
                 UNION ALL SELECT coalesce(extra, 'none') || summary FROM interactions"
            ),
            ["none", "noneHT-1", "none催款"]
        );
        assert!(strings(&conn, "SELECT kind FROM import_met").is_empty());
    }

    fn strings(conn: &Connection, sql: &str) -> Vec<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn grade_results_lose_their_index_and_reference_by_customer_at_version_5() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for step in &STEPS[..4] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute_batch(
            "INSERT INTO customers(code, name, stage, tier, created_at, updated_at) VALUES
               ('C1', '甲公司', 'customer', 'core', 't', 't'),
               ('C2', '乙公司', 'customer', 'ordinary', 't', 't');
             INSERT INTO grade_runs(id, as_of, model_name, model_sha256, operator, started_at, counts) VALUES
               (1, '2024-05-31', 'standard', 'x', 'o', 't', '{}'),
               (2, '2024-06-30', 'standard', 'x', 'o', 't', '{}');
             INSERT INTO grade_results(run_id, customer_id, score, tier, model_tier, incomplete, indicators) VALUES
               (2, 1, '91.5', 'core', 'core', 0, '[1]'),
               (1, 2, NULL, 'ordinary', 'potential', 1, '[2]'),
               (1, 1, '88', 'important', 'important', 0, '[3]'),
               (2, 2, '55', 'ordinary', 'ordinary', 0, '[4]');",
        )
        .unwrap();
        let all = "SELECT run_id || ' ' || customer_id || ' ' || coalesce(score, '-') || ' ' || tier || ' '
                   || model_tier || ' ' || incomplete || ' ' || indicators FROM grade_results";
        let before = strings(&conn, &format!("{all} ORDER BY run_id, customer_id"));
        migrate(&mut conn).unwrap();
        assert_eq!(strings(&conn, all), before, "every result kept, in key order");
        assert_eq!(
            strings(
                &conn,
                "SELECT name FROM pragma_index_list('grade_results') ORDER BY name"
            ),
            ["sqlite_autoindex_grade_results_1"],
            "the primary key is the only index"
        );
        assert_eq!(
            strings(
                &conn,
                "SELECT \"table\" || '.' || \"to\" || ' ' || on_delete FROM pragma_foreign_key_list('grade_results')"
            ),
            ["grade_runs.id CASCADE"],
            "the results refer to their run only"
        );
        assert!(
            conn.prepare("SELECT rowid FROM grade_results").is_err(),
            "still WITHOUT ROWID"
        );
        // A deleted run takes its results along; a deleted customer leaves them to the store.
        conn.execute_batch("DELETE FROM grade_runs WHERE id = 1; DELETE FROM customers WHERE code = 'C2';")
            .unwrap();
        assert_eq!(
            strings(
                &conn,
                "SELECT run_id || ' ' || customer_id FROM grade_results ORDER BY 1"
            ),
            ["2 1", "2 2"]
        );
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1).unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(
            matches!(err, Error::TooNew { found, supported } if found == VERSION + 1 && supported == VERSION)
        );
    }
}
