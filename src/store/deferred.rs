//! Setting the search indexes aside for a large write.
//!
//! The triggers that keep `customer_search` and `customer_tag_index` current update an FTS5
//! index per row, and FTS5 writes its pending terms out at every statement: a 100,000-row
//! import spends most of its time there. [`Writer::defer_search_indexes`] drops those
//! triggers for the rest of the transaction and notes which customers change instead;
//! committing brings both indexes up to date for exactly those customers in two statements
//! and puts the triggers back. Dropping and creating triggers is part of the transaction, so
//! a rollback leaves the schema as it was.

use rusqlite::Connection;

use super::{Result, Writer};

/// The triggers that write the two FTS5 indexes (the tag-count triggers stay).
const SEARCH_TRIGGERS: &[&str] = &[
    "customers_search_insert",
    "customers_search_update",
    "customers_terms_update",
    "customers_search_delete",
    "contacts_search_insert",
    "contacts_search_update",
    "contacts_search_delete",
];

/// While deferred, these note the customers whose index rows are out of date.
const NOTE_STALE: &str = "
    CREATE TEMP TABLE search_stale (id INTEGER PRIMARY KEY);
    CREATE TEMP TRIGGER search_stale_insert AFTER INSERT ON main.customers BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (new.id);
    END;
    CREATE TEMP TRIGGER search_stale_update
    AFTER UPDATE OF name, short_name, remarks, region, industry_section, stage ON main.customers BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (new.id);
    END;
    CREATE TEMP TRIGGER search_stale_delete AFTER DELETE ON main.customers BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (old.id);
    END;
    CREATE TEMP TRIGGER search_stale_contact_insert AFTER INSERT ON main.contacts BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (new.customer_id);
    END;
    CREATE TEMP TRIGGER search_stale_contact_update
    AFTER UPDATE OF customer_id, mobile, landline ON main.contacts BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (old.customer_id), (new.customer_id);
    END;
    CREATE TEMP TRIGGER search_stale_contact_delete AFTER DELETE ON main.contacts BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (old.customer_id);
    END;";

/// Rewrites the stale customers' index rows from the indexes' source views, then drops the
/// notes. A deleted customer's rows are removed and not rewritten (the views have no row).
const CATCH_UP: &str = "
    DELETE FROM customer_search WHERE rowid IN (SELECT id FROM temp.search_stale);
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid IN (SELECT id FROM temp.search_stale);
    DELETE FROM customer_tag_index WHERE rowid IN (SELECT id FROM temp.search_stale);
    INSERT INTO customer_tag_index(rowid, terms)
        SELECT * FROM customer_tag_terms WHERE rowid IN (SELECT id FROM temp.search_stale);
    DROP TABLE temp.search_stale;";

/// The dropped triggers' SQL, to create them again.
#[derive(Debug)]
pub(super) struct Deferred {
    triggers: Vec<String>,
}

impl Writer<'_> {
    /// Drops the search-index triggers until this transaction commits, which brings the
    /// indexes up to date for every customer changed in between. For writes of many rows;
    /// calling it twice is harmless.
    pub fn defer_search_indexes(&mut self) -> Result<()> {
        if self.deferred.is_some() {
            return Ok(());
        }
        let mut triggers = Vec::with_capacity(SEARCH_TRIGGERS.len());
        for name in SEARCH_TRIGGERS {
            let sql: String = self.tx.query_row(
                "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            )?;
            self.tx.execute_batch(&format!("DROP TRIGGER main.{name}"))?;
            triggers.push(sql);
        }
        self.tx.execute_batch(NOTE_STALE)?;
        self.deferred = Some(Deferred { triggers });
        Ok(())
    }
}

/// Brings the indexes up to date and restores the triggers (before commit).
pub(super) fn catch_up(conn: &Connection, deferred: &Deferred) -> Result<()> {
    conn.execute_batch(CATCH_UP)?;
    for sql in &deferred.triggers {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Customer;
    use crate::domain::contact::Contact;
    use crate::store::{Store, test_actor};

    fn customer(name: &str, remarks: &str) -> Customer {
        let mut c = Customer::new(name).unwrap();
        c.remarks = Some(remarks.into());
        c
    }

    /// The FTS rows the triggers would have written, as (rowid, name, remarks, phones).
    fn search_rows(store: &Store) -> Vec<(i64, String, Option<String>, Option<String>)> {
        let mut stmt = store
            .conn
            .prepare("SELECT rowid, name, remarks, phones FROM customer_search ORDER BY rowid")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn triggers(store: &Store) -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// Writes the same changes with and without deferral and returns both stores.
    fn both(changes: impl Fn(&mut Writer, bool)) -> (Store, Store) {
        let mut plain = Store::open_in_memory().unwrap();
        let mut deferred = Store::open_in_memory().unwrap();
        for (store, defer) in [(&mut plain, false), (&mut deferred, true)] {
            store
                .write(&test_actor(), |w| {
                    changes(w, defer);
                    Ok(())
                })
                .unwrap();
        }
        (plain, deferred)
    }

    #[test]
    fn deferred_indexes_end_as_the_triggers_would_leave_them() {
        let (plain, deferred) = both(|w, defer| {
            let kept = w
                .insert_customer(customer("北京星辰科技有限公司", "老客户"), "add", None)
                .unwrap();
            w.insert_customer(customer("上海海川贸易有限公司", "待删"), "add", None)
                .unwrap();
            if defer {
                w.defer_search_indexes().unwrap();
                w.defer_search_indexes().unwrap();
            }
            let mut contact = Contact::new("王经理").unwrap();
            contact.mobile = Some("13812345678".into());
            w.add_contact(&kept, &contact, None).unwrap();
            let mut renamed = kept.customer.clone();
            renamed.name = "北京星辰智能科技有限公司".into();
            w.update_customer(&kept, renamed, "edit", None).unwrap();
            w.insert_customer(customer("广州南粤物流有限公司", "新客户"), "add", None)
                .unwrap();
            w.tx.execute("DELETE FROM customers WHERE name = '上海海川贸易有限公司'", [])
                .unwrap();
        });
        let rows = search_rows(&deferred);
        assert_eq!(rows, search_rows(&plain));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, "北京星辰智能科技有限公司");
        assert_eq!(rows[0].3.as_deref(), Some("13812345678"));
        assert_eq!(triggers(&deferred), triggers(&plain));
        let hits: i64 = deferred
            .conn
            .query_row(
                "SELECT count(*) FROM customer_search WHERE customer_search MATCH '\"星辰智能\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 1);
    }

    #[test]
    fn a_rolled_back_deferral_leaves_the_triggers_in_place() {
        let mut store = Store::open_in_memory().unwrap();
        let before = triggers(&store);
        store
            .dry_run(&test_actor(), |w| {
                w.defer_search_indexes()?;
                w.insert_customer(customer("北京星辰科技有限公司", ""), "add", None)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(triggers(&store), before);
        store
            .write(&test_actor(), |w| {
                w.insert_customer(customer("北京星辰科技有限公司", ""), "add", None)
            })
            .unwrap();
        assert_eq!(search_rows(&store).len(), 1);
    }
}
