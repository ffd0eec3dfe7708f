//! Setting the search indexes and tag counts aside for a large write.
//!
//! The triggers that keep `customer_search` and `customer_tag_index` current update an FTS5
//! index per row, and FTS5 writes its pending terms out at every statement; any trigger on a
//! row insert also makes SQLite keep a statement journal. A 100,000-row import spent most of
//! its time there. [`Writer::defer_search_indexes`] drops, for the rest of the transaction,
//! the search triggers and the tag-count trigger on inserts. Rows inserted meanwhile are
//! known by their ids (above the largest id before); customers updated or deleted meanwhile
//! are noted by temporary triggers. Committing brings both indexes up to date for exactly
//! those customers, adds the new customers to the tag counts, and puts the triggers back.
//! Dropping and creating triggers is part of the transaction, so a rollback leaves the
//! schema as it was.
//!
//! A write that adds more customers than were stored before it, and many, goes further:
//! [`Writer::defer_indexes_if_bulk`] drops the secondary indexes that none of its lookups
//! reads, and committing builds them again. Building an index sorts its keys once; keeping it
//! row by row costs a B-tree descent per row into pages that, at a million customers, no
//! longer fit the page cache.
//!
//! Such a write, when it is known to be one before it starts (an import of a file of that
//! many rows), also runs in a rollback journal instead of the WAL: [`Store::load`]. In WAL
//! mode every page it writes goes to the WAL, again each time it is written after the page
//! cache gave it up, and once more into the database at the checkpoint; in a rollback
//! journal a page the database did not have before is written once, in place. A million
//! rows into an empty database: 126 s in WAL mode, 100 s so. Other kehu commands read the
//! database as it was until the write goes into the file (mostly at its commit), and then
//! wait for it; in WAL mode they could read throughout.

use rusqlite::{Connection, OptionalExtension};

use super::{Actor, Result, Store, Writer};

/// The triggers set aside: every one that writes the two FTS5 indexes, and the tag counts'
/// insert trigger (their update and delete triggers stay).
const DEFERRED_TRIGGERS: &[&str] = &[
    "customers_search_insert",
    "customers_counts_insert",
    "customers_search_update",
    "customers_terms_update",
    "customers_search_delete",
    "contacts_search_insert",
    "contacts_search_update",
    "contacts_search_delete",
];

/// The secondary indexes a bulk write sets aside: those no lookup of an import or of the
/// triggers reads. Customers are found by code, USCC and id (their own unique indexes), by
/// name core (`customers_name_key`, also for an exact name: see `store::import`), and by
/// contact phone; contacts and stage moves by customer.
const BULK_INDEXES: &[&str] = &[
    "customers_name",
    "customers_region_tier",
    "customers_province",
    "customers_industry",
    "customers_stage",
    "customers_owner",
    "customers_updated",
    "customers_tier",
    "contacts_email",
    "change_log_at",
    "change_log_customer",
];

/// A write sets the indexes aside once it has added this many customers, and more than
/// were stored before it: below that, building them again over the whole table costs more
/// than keeping them up to date. Both are counted by ids (new ids run on from the largest
/// before, which is at least the number stored), so gaps left by deletions only make a
/// write wait longer.
const BULK_CUSTOMERS: i64 = 50_000;

/// The page cache while the set-aside indexes are built, in KiB (as `PRAGMA cache_size`
/// takes it, negative).
const SORT_CACHE_KIB: i64 = -8192;

/// The page cache of a bulk write, in KiB, from the moment the table holds
/// `BULK_CACHE_CUSTOMERS` customers until the transaction ends: twice the usual 64 MiB. The
/// indexes it still reads at random (code, USCC, name core, contact phones) outgrow the usual
/// cache at a million customers, and with the eleven others set aside it holds less else.
/// 1M rows, back to back: 144 s without it, 116 s with it, at a peak of 171 MB with the
/// system allocator (the commit's index builds sort on disk).
const BULK_CACHE_KIB: i64 = -131072;

/// How many customers the table holds before a bulk write enlarges the page cache. Those
/// indexes take about 150 KB per thousand customers, so below this they fit the usual cache
/// and a larger one would only be memory held: a 100,000-row workbook peaked at 199 MB with
/// it from the start.
const BULK_CACHE_CUSTOMERS: i64 = 300_000;

/// While deferred, these note the customers whose index rows go out of date when updated
/// or deleted, and keep the values a customer inserted since deferring had when inserted
/// (its first update or delete sees them), which the tag-count triggers subtract.
///
/// A row inserted since deferring is one whose id is above `deferral_floor`: the smallest
/// largest id the table has had since. SQLite gives a new row the largest id plus one, so
/// after the top rows are deleted their ids come round again, to new rows; the floor goes
/// down with every delete, and every row above it is new.
const NOTE_CHANGES: &str = "
    CREATE TEMP TABLE deferral_floor (customers INTEGER NOT NULL, contacts INTEGER NOT NULL);
    INSERT INTO deferral_floor VALUES (
        (SELECT coalesce(max(id), 0) FROM main.customers),
        (SELECT coalesce(max(id), 0) FROM main.contacts));
    CREATE TEMP TABLE search_stale (id INTEGER PRIMARY KEY);
    CREATE TEMP TABLE inserted_first (
        id INTEGER PRIMARY KEY, region, province, industry_section, stage, tier
    );
    CREATE TEMP TRIGGER search_stale_update AFTER UPDATE ON main.customers BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (new.id);
        INSERT OR IGNORE INTO inserted_first
            SELECT old.id, old.region, old.province, old.industry_section, old.stage, old.tier
             WHERE old.id > (SELECT customers FROM deferral_floor);
    END;
    CREATE TEMP TRIGGER search_stale_delete AFTER DELETE ON main.customers BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (old.id);
        INSERT OR IGNORE INTO inserted_first
            SELECT old.id, old.region, old.province, old.industry_section, old.stage, old.tier
             WHERE old.id > (SELECT customers FROM deferral_floor);
        UPDATE deferral_floor
           SET customers = min(customers, (SELECT coalesce(max(id), 0) FROM main.customers));
    END;
    CREATE TEMP TRIGGER search_stale_contact_update
    AFTER UPDATE OF customer_id, mobile, landline ON main.contacts BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (old.customer_id), (new.customer_id);
    END;
    CREATE TEMP TRIGGER search_stale_contact_delete AFTER DELETE ON main.contacts BEGIN
        INSERT OR IGNORE INTO search_stale(id) VALUES (old.customer_id);
        UPDATE deferral_floor
           SET contacts = min(contacts, (SELECT coalesce(max(id), 0) FROM main.contacts));
    END;";

/// Adds to the stale notes the stored customers given a contact since deferring (the new
/// customers' rows are all written below).
const NOTE_INSERTED: &str = "
    INSERT OR IGNORE INTO temp.search_stale(id)
        SELECT customer_id FROM contacts
         WHERE id > (SELECT contacts FROM temp.deferral_floor)
           AND customer_id <= (SELECT customers FROM temp.deferral_floor)";

/// Rewrites the index rows of the stale customers and writes those of the new ones (above
/// the floor), from the indexes' source views, then drops the notes and the triggers that
/// took them, so later writes on the connection neither note nor defer. A deleted customer's
/// rows are removed and not rewritten (the views have no row).
const CATCH_UP: &str = "
    DELETE FROM customer_search WHERE rowid IN (SELECT id FROM temp.search_stale);
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid IN (
            SELECT id FROM temp.search_stale WHERE id <= (SELECT customers FROM temp.deferral_floor));
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid > (SELECT customers FROM temp.deferral_floor);
    DELETE FROM customer_tag_index WHERE rowid IN (SELECT id FROM temp.search_stale);
    INSERT INTO customer_tag_index(rowid, terms)
        SELECT * FROM customer_tag_terms WHERE rowid IN (
            SELECT id FROM temp.search_stale WHERE id <= (SELECT customers FROM temp.deferral_floor));
    INSERT INTO customer_tag_index(rowid, terms)
        SELECT * FROM customer_tag_terms WHERE rowid > (SELECT customers FROM temp.deferral_floor);
    DROP TRIGGER temp.search_stale_update;
    DROP TRIGGER temp.search_stale_delete;
    DROP TRIGGER temp.search_stale_contact_update;
    DROP TRIGGER temp.search_stale_contact_delete;
    DROP TABLE temp.search_stale;
    DROP TABLE temp.inserted_first;
    DROP TABLE temp.deferral_floor;";

/// Sets the derived tag counts right for every value a customer inserted since deferring
/// was inserted with: they were never added, and an
/// update or delete since may have tried to take one off (the update and delete triggers
/// stay in place, but cannot take from a count that is not there). Each such count is
/// counted afresh on the column's index; the dimensions are `customers_counts_insert`'s.
const COUNT_INSERTED: &str = "
    WITH inserted(region, province, industry_section, stage, tier) AS (
        SELECT region, province, industry_section, stage, tier FROM customers
         WHERE id > (SELECT customers FROM temp.deferral_floor)
           AND id NOT IN (SELECT id FROM temp.inserted_first)
        UNION ALL
        SELECT region, province, industry_section, stage, tier FROM temp.inserted_first),
    touched(d, v) AS (
        SELECT DISTINCT d, v FROM (
            SELECT '区域' AS d, region AS v FROM inserted
            UNION ALL SELECT '省份', province FROM inserted
            UNION ALL SELECT '行业', industry_section FROM inserted
            UNION ALL SELECT '阶段', stage FROM inserted
            UNION ALL SELECT '等级', tier FROM inserted)
         WHERE v IS NOT NULL)
    INSERT INTO tag_counts(dim, value, origin, n)
        SELECT d, v, 'derived', CASE d
            WHEN '区域' THEN (SELECT count(*) FROM customers WHERE region = v)
            WHEN '省份' THEN (SELECT count(*) FROM customers WHERE province = v)
            WHEN '行业' THEN (SELECT count(*) FROM customers WHERE industry_section = v)
            WHEN '阶段' THEN (SELECT count(*) FROM customers WHERE stage = v)
            WHEN '等级' THEN (SELECT count(*) FROM customers WHERE tier = v) END
          FROM touched WHERE true
        ON CONFLICT (dim, value, origin) DO UPDATE SET n = excluded.n";

/// What was set aside, to create it again: the dropped triggers' SQL and, after a bulk
/// write, the dropped indexes'.
#[derive(Debug)]
pub(super) struct Deferred {
    triggers: Vec<String>,
    /// Set once a bulk write has set its indexes aside.
    indexes: Option<Vec<String>>,
    /// The largest customer id before deferring: customers above it were added since.
    floor: i64,
    /// The page cache before a bulk write enlarged it, to restore when the transaction ends.
    cache: Option<i64>,
}

impl Store {
    /// Runs `f` as [`Store::transaction`] does, for a write of about `rows` rows. A bulk
    /// write by the measure of [`Writer::defer_indexes_if_bulk`] (at least `BULK_CUSTOMERS`
    /// rows, and more than the customers stored) runs in a rollback journal, if no other
    /// connection is using the database; the database is back in WAL mode afterwards,
    /// whether the write committed or not.
    pub fn load<T>(
        &mut self,
        actor: &Actor,
        rows: u64,
        f: impl FnOnce(&mut Writer) -> Result<(T, bool)>,
    ) -> Result<T> {
        self.load_from(BULK_CUSTOMERS, actor, rows, f)
    }

    fn load_from<T>(
        &mut self,
        bulk: i64,
        actor: &Actor,
        rows: u64,
        f: impl FnOnce(&mut Writer) -> Result<(T, bool)>,
    ) -> Result<T> {
        let rows = i64::try_from(rows).unwrap_or(i64::MAX);
        let stored: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM main.customers", [], |r| {
                    r.get(0)
                })?;
        let journal = rows >= bulk && rows > stored && self.set_journal("DELETE")?;
        let result = self.transaction(actor, f);
        if journal {
            // Should another connection hold the database now, the next to open it sets WAL.
            let _ = self.set_journal("WAL");
        }
        result
    }
}

impl Writer<'_> {
    /// Sets the search-index triggers and the tag-count insert trigger aside until this
    /// transaction commits, which brings the indexes and counts up to date for every
    /// customer changed in between. For writes of many rows; calling it twice is harmless.
    pub fn defer_search_indexes(&mut self) -> Result<()> {
        if self.deferred.is_some() {
            return Ok(());
        }
        let triggers = drop_all(&self.tx, "trigger", DEFERRED_TRIGGERS)?;
        self.tx.execute_batch(NOTE_CHANGES)?;
        let floor = self
            .tx
            .query_row("SELECT customers FROM temp.deferral_floor", [], |r| r.get(0))?;
        self.deferred = Some(Deferred {
            triggers,
            indexes: None,
            floor,
            cache: None,
        });
        Ok(())
    }

    /// With the search indexes deferred: once this transaction has added at least
    /// `BULK_CUSTOMERS` customers, and more than there were before it, sets aside until
    /// commit the secondary indexes no import lookup reads (`BULK_INDEXES`), and from
    /// `BULK_CACHE_CUSTOMERS` customers on gives it a larger page cache. Cheap to call often;
    /// does nothing before or after those points.
    pub fn defer_indexes_if_bulk(&mut self) -> Result<()> {
        self.defer_indexes_after(BULK_CUSTOMERS, BULK_CACHE_CUSTOMERS)
    }

    /// Sets the indexes aside once `bulk` customers are added, and enlarges the page cache
    /// of a bulk write once the table holds `big`.
    fn defer_indexes_after(&mut self, bulk: i64, big: i64) -> Result<()> {
        let Some(deferred) = &mut self.deferred else {
            return Ok(());
        };
        if deferred.cache.is_some() {
            return Ok(());
        }
        let top: i64 = self
            .tx
            .prepare_cached("SELECT coalesce(max(id), 0) FROM main.customers")?
            .query_row([], |r| r.get(0))?;
        let added = top - deferred.floor;
        if deferred.indexes.is_none() && added >= bulk && added > deferred.floor {
            deferred.indexes = Some(drop_all(&self.tx, "index", BULK_INDEXES)?);
        }
        if deferred.indexes.is_some() && top >= big {
            deferred.cache = Some(self.tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?);
            self.tx.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        }
        Ok(())
    }

    /// The page cache to restore once this transaction has ended (committed or not): a
    /// bulk write enlarges it, and a cache size outlasts the transaction.
    pub(super) fn cache_to_restore(&self) -> Option<i64> {
        self.deferred.as_ref().and_then(|d| d.cache)
    }
}

/// Drops those of the named triggers or indexes that the database has, returning their SQL.
fn drop_all(conn: &Connection, kind: &str, names: &[&str]) -> Result<Vec<String>> {
    let mut dropped = Vec::with_capacity(names.len());
    for name in names {
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM main.sqlite_master WHERE type = ?1 AND name = ?2",
                [kind, name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            conn.execute_batch(&format!("DROP {kind} main.{name}"))?;
            dropped.push(sql);
        }
    }
    Ok(dropped)
}

/// Brings the indexes and counts up to date and restores the triggers (before commit).
pub(super) fn catch_up(conn: &Connection, deferred: &Deferred) -> Result<()> {
    // First the indexes: the counts below are read through them. Each build sorts in memory
    // as much as the page cache holds, and writes the rest to temporary files; with the
    // cache cut down meanwhile, the pages it gives up hold the sort, and the peak stays
    // where the import had it.
    if let Some(indexes) = &deferred.indexes {
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", SORT_CACHE_KIB)?;
        for sql in indexes {
            conn.execute_batch(sql)?;
        }
        conn.pragma_update(None, "cache_size", cache)?;
    }
    conn.execute_batch(COUNT_INSERTED)?;
    conn.execute_batch(NOTE_INSERTED)?;
    conn.execute_batch(CATCH_UP)?;
    for sql in &deferred.triggers {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::domain::contact::Contact;
    use crate::domain::money::Unit;
    use crate::domain::{Customer, Field};
    use crate::store::{Store, test_actor};

    fn customer(name: &str, remarks: &str, province: &str) -> Customer {
        let mut c = Customer::new(name).unwrap();
        c.remarks = Some(remarks.into());
        c.set(Field::Province, province, Unit::Yuan).unwrap();
        c
    }

    /// What the triggers maintain, as text: the FTS rows and the tag counts.
    fn indexed(store: &Store) -> Vec<String> {
        let mut out = Vec::new();
        for sql in [
            "SELECT rowid, name, remarks, phones FROM customer_search ORDER BY rowid",
            "SELECT rowid, terms, NULL, NULL FROM customer_tag_index ORDER BY rowid",
            "SELECT dim, value, n, origin FROM tag_counts WHERE n > 0 ORDER BY dim, value",
        ] {
            let mut stmt = store.conn.prepare(sql).unwrap();
            let rows = stmt
                .query_map([], |r| {
                    let cell = |i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"));
                    Ok([cell(0)?, cell(1)?, cell(2)?, cell(3)?].join(" | "))
                })
                .unwrap();
            out.extend(rows.map(|r| r.unwrap()));
        }
        out
    }

    /// The SQL of every trigger or index (of the named `kind`) in the schema.
    fn schema_of(conn: &rusqlite::Connection, kind: &str) -> Vec<String> {
        crate::store::texts(
            conn,
            &format!("SELECT sql FROM sqlite_master WHERE type = '{kind}' AND sql IS NOT NULL ORDER BY name"),
        )
    }

    /// Whether the bulk indexes are set aside (one of them stands for all).
    fn set_aside(conn: &rusqlite::Connection) -> bool {
        !schema_of(conn, "index")
            .iter()
            .any(|sql| sql.contains("customers_province"))
    }

    fn triggers(store: &Store) -> Vec<String> {
        schema_of(&store.conn, "trigger")
    }

    fn number(conn: &rusqlite::Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn deferred_indexes_and_counts_end_as_the_triggers_would_leave_them() {
        let mut stores = Vec::new();
        for defer in [false, true] {
            let mut store = Store::open_in_memory().unwrap();
            store
                .write(&test_actor(), |w| {
                    let kept =
                        w.insert_customer(customer("北京星辰科技有限公司", "老客户", "北京"), "add", None)?;
                    w.insert_customer(customer("上海海川贸易有限公司", "待删", "上海"), "add", None)?;
                    if defer {
                        w.defer_search_indexes()?;
                        w.defer_search_indexes()?;
                    }
                    // A stored customer gets a contact and a new name; another is deleted.
                    let mut contact = Contact::new("王经理").unwrap();
                    contact.mobile = Some("13812345678".into());
                    w.add_contact(&kept, &contact, None)?;
                    let mut renamed = kept.customer.clone();
                    renamed.name = "北京星辰智能科技有限公司".into();
                    w.update_customer(&kept, renamed, "edit", None)?;
                    w.tx.execute("DELETE FROM customers WHERE name = '上海海川贸易有限公司'", [])?;
                    // New customers: one stays, one moves province twice, one is deleted.
                    w.insert_customer(customer("广州南粤物流有限公司", "新客户", "广东"), "add", None)?;
                    let moved =
                        w.insert_customer(customer("杭州西湖茶业有限公司", "", "浙江"), "add", None)?;
                    let mut after = moved.customer.clone();
                    after.set(Field::Province, "江苏", Unit::Yuan).unwrap();
                    w.update_customer(&moved, after.clone(), "edit", None)?;
                    let moved = w.customer(&after.code)?;
                    after.set(Field::Province, "四川", Unit::Yuan).unwrap();
                    w.update_customer(&moved, after, "edit", None)?;
                    let gone =
                        w.insert_customer(customer("成都锦江酒店有限公司", "", "四川"), "add", None)?;
                    w.tx.execute("DELETE FROM customers WHERE id = ?1", [gone.id])?;
                    Ok(())
                })
                .unwrap();
            stores.push(store);
        }
        let (plain, deferred) = (&stores[0], &stores[1]);
        let rows = indexed(deferred);
        assert_eq!(rows, indexed(plain));
        assert!(
            rows.iter()
                .any(|r| r.contains("北京星辰智能科技有限公司") && r.contains("13812345678"))
        );
        assert!(rows.iter().any(|r| r.contains("省份")
            && r.contains("四川省")
            && r.ends_with("| Integer(1) | Text(\"derived\")")));
        assert!(
            !rows
                .iter()
                .any(|r| r.contains("浙江省") || r.contains("江苏省") || r.contains("上海"))
        );
        assert_eq!(triggers(deferred), triggers(plain));
        let hits = "SELECT count(*) FROM customer_search WHERE customer_search MATCH '\"星辰智能\"'";
        assert_eq!(number(&deferred.conn, hits), 1);
    }

    #[test]
    fn a_bulk_write_sets_indexes_aside_only_past_its_threshold_and_builds_them_again() {
        let mut store = Store::open_in_memory().unwrap();
        let schema = schema_of(&store.conn, "index");
        store
            .write(&test_actor(), |w| {
                w.insert_customer(customer("北京星辰科技有限公司", "", "北京"), "add", None)?;
                w.defer_search_indexes()?;
                w.insert_customer(customer("上海海川贸易有限公司", "", "上海"), "add", None)?;
                // One added, one stored before: not more than were there.
                w.defer_indexes_after(1, i64::MAX)?;
                assert!(!set_aside(&w.tx));
                w.insert_customer(customer("广州南粤物流有限公司", "", "广东"), "add", None)?;
                w.defer_indexes_after(3, i64::MAX)?;
                assert!(!set_aside(&w.tx), "two added, below the threshold of three");
                w.defer_indexes_after(2, i64::MAX)?;
                assert!(set_aside(&w.tx));
                w.defer_indexes_after(2, i64::MAX)?;
                w.insert_customer(customer("成都锦江酒店有限公司", "", "四川"), "add", None)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(schema_of(&store.conn, "index"), schema);
        let check: String = store
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        // The rebuilt index answers, and the count of the customer added after it was set
        // aside is there.
        let by_index =
            "SELECT count(*) FROM customers INDEXED BY customers_province WHERE province = '四川省'";
        assert_eq!(number(&store.conn, by_index), 1);
        let counted = "SELECT n FROM tag_counts WHERE dim = '省份' AND value = '四川省'";
        assert_eq!(number(&store.conn, counted), 1);

        // A rolled-back bulk write leaves every index in place.
        store
            .dry_run(&test_actor(), |w| {
                w.defer_search_indexes()?;
                for name in [
                    "杭州西湖茶业有限公司",
                    "南京钟山化工有限公司",
                    "武汉江城建材有限公司",
                    "西安古城文化有限公司",
                    "重庆山城火锅有限公司",
                ] {
                    w.insert_customer(customer(name, "", "浙江"), "add", None)?;
                }
                w.defer_indexes_after(5, i64::MAX)?;
                assert!(set_aside(&w.tx));
                Ok(())
            })
            .unwrap();
        assert_eq!(schema_of(&store.conn, "index"), schema);
    }

    #[test]
    fn a_bulk_write_enlarges_the_page_cache_until_it_ends_however_it_ends() {
        let mut store = Store::open_in_memory().unwrap();
        let cache = |c: &rusqlite::Connection| {
            c.query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0))
                .unwrap()
        };
        let before = cache(&store.conn);
        assert_ne!(before, super::BULK_CACHE_KIB);
        for (commit, fail) in [(false, false), (false, true), (true, false)] {
            let result = store.transaction(&test_actor(), |w| {
                w.defer_search_indexes()?;
                w.insert_customer(customer("北京星辰科技有限公司", "", "北京"), "add", None)?;
                w.defer_indexes_after(2, 1)?;
                assert_eq!(cache(&w.tx), before, "not before the write is bulk");
                w.insert_customer(customer("上海海川贸易有限公司", "", "上海"), "add", None)?;
                w.defer_indexes_after(2, 3)?;
                assert!(set_aside(&w.tx));
                assert_eq!(cache(&w.tx), before, "not while the table is small");
                w.insert_customer(customer("广州南粤物流有限公司", "", "广东"), "add", None)?;
                w.defer_indexes_after(2, 3)?;
                assert_eq!(cache(&w.tx), super::BULK_CACHE_KIB);
                if fail {
                    return Err(crate::store::Error::Conflict("stopped".into()));
                }
                Ok(((), commit))
            });
            assert_eq!(result.is_err(), fail);
            assert_eq!(cache(&store.conn), before, "commit {commit}, fail {fail}");
        }
    }

    #[test]
    fn a_bulk_write_on_a_database_without_one_of_the_indexes_leaves_it_without() {
        let mut store = Store::open_in_memory().unwrap();
        store.conn.execute_batch("DROP INDEX customers_owner").unwrap();
        let schema = schema_of(&store.conn, "index");
        store
            .write(&test_actor(), |w| {
                w.defer_search_indexes()?;
                w.insert_customer(customer("北京星辰科技有限公司", "", "北京"), "add", None)?;
                w.defer_indexes_after(1, i64::MAX)?;
                assert!(set_aside(&w.tx));
                Ok(())
            })
            .unwrap();
        assert_eq!(schema_of(&store.conn, "index"), schema);
    }

    #[test]
    fn the_lookups_of_an_import_read_none_of_the_indexes_a_bulk_write_sets_aside() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .dry_run(&test_actor(), |w| {
                super::drop_all(&w.tx, "index", super::BULK_INDEXES)?;
                let lookups = crate::store::dedupe::CANDIDATE_LOOKUPS
                    .into_iter()
                    .chain([crate::store::import::CUSTOMERS_BY_NAME]);
                for sql in lookups {
                    assert_eq!(
                        crate::store::grade::full_scans(&w.tx, sql),
                        Vec::<String>::new(),
                        "{sql}"
                    );
                    // Nor do the candidate lookups sort what they find: a phone 20,000
                    // customers share would be sorted for every row that carries it.
                    if !crate::store::dedupe::CANDIDATE_LOOKUPS.contains(&sql) {
                        continue;
                    }
                    let mut stmt = w.tx.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let mut rows = stmt.raw_query();
                    while let Some(row) = rows.next()? {
                        let detail: String = row.get(3)?;
                        assert!(!detail.contains("TEMP B-TREE"), "{sql}: {detail}");
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_rolled_back_deferral_leaves_the_triggers_in_place() {
        let mut store = Store::open_in_memory().unwrap();
        let before = triggers(&store);
        store
            .dry_run(&test_actor(), |w| {
                w.defer_search_indexes()?;
                w.insert_customer(customer("北京星辰科技有限公司", "", "北京"), "add", None)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(triggers(&store), before);
        store
            .write(&test_actor(), |w| {
                w.insert_customer(customer("北京星辰科技有限公司", "", "北京"), "add", None)
            })
            .unwrap();
        assert_eq!(indexed(&store).iter().filter(|r| r.contains("星辰")).count(), 1);
    }

    /// A load of many rows into a database of few customers runs in a rollback journal,
    /// unless another connection is using the database; any load ends back in WAL mode.
    #[test]
    fn a_bulk_load_runs_in_a_rollback_journal_when_the_database_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kehu.db");
        let (mut store, _) = Store::open(
            &path,
            crate::store::Mode::Create,
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        let journal = |w: &crate::store::Writer| -> String {
            w.tx.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap()
        };
        let load = |store: &mut Store, rows: u64, name: &str| {
            store
                .load_from(2, &test_actor(), rows, |w| {
                    w.insert_customer(Customer::new(name)?, "import", None)?;
                    Ok((journal(w), true))
                })
                .unwrap()
        };
        assert_eq!(load(&mut store, 1, "甲公司"), "wal", "too few rows");
        assert_eq!(load(&mut store, 2, "乙公司"), "delete");
        assert_eq!(number(&store.conn, "SELECT count(*) FROM customers"), 2);
        assert_eq!(load(&mut store, 2, "丙公司"), "wal", "no more rows than stored");
        assert_eq!(load(&mut store, 4, "丁公司"), "delete");

        // Someone reading meanwhile keeps the WAL, and the load goes on in it.
        let reader = rusqlite::Connection::open(&path).unwrap();
        let read = reader.unchecked_transaction().unwrap();
        let _: i64 = read
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(load(&mut store, 100, "戊公司"), "wal");
        drop(read);
        drop(reader);

        // A load that fails rolls back and leaves WAL mode too.
        let failed = store.load_from(2, &test_actor(), 100, |w| {
            w.insert_customer(Customer::new("己公司")?, "import", None)?;
            assert_eq!(journal(w), "delete");
            Err::<((), bool), _>(crate::store::Error::Interrupted)
        });
        assert!(matches!(failed, Err(crate::store::Error::Interrupted)));
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(number(&store.conn, "SELECT count(*) FROM customers"), 5);
    }
}
