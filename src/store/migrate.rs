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
