//! The store: the only code that touches SQLite.
//!
//! [`Store::open`] sets the connection up (WAL, foreign keys, busy timeout), creates or
//! upgrades the schema ([`migrate`]) and refuses a database newer than this binary. Reads are
//! methods on [`Store`]; every change goes through [`Store::write`], which runs one
//! `BEGIN IMMEDIATE` transaction and hands out a [`Writer`] — the only way to change data,
//! and the one place that appends to the change log, so a change and its log entry commit
//! or roll back together.

mod customers;
mod dedupe;
mod deferred;
mod error;
mod grade;
mod grade_tiers;
mod import;
mod log;
mod migrate;
mod query;
mod report;
mod tags;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use customers::{CustomerFile, ListFilter, Sort, Stored, StoredContact};
pub use dedupe::{Merged, Undone};
pub use error::Error;
pub use grade::{
    GradeFilter, Graded, Growth, PinOf, Run, RunCounts, RunResult, RunSpec, Subject, score_text,
};
pub use import::{Batch, OnExisting, Outcome, PossibleDuplicate, UndoneBatch};
pub use log::{Broken, LogEntry, LogFilter};
pub use query::GroupBy;
pub use report::{GradeRun, ReportFilter, Scored, Shared, Stale, TierFigures, TierMove};
pub use tags::{CustomerKey, DERIVED, MANUAL, MODEL, ReadyTag, TagCount, TagRow};

pub type Result<T> = std::result::Result<T, Error>;

/// Who is changing things, and when. Every write carries one.
#[derive(Debug, Clone)]
pub struct Actor {
    pub operator: String,
    pub now: DateTime<Utc>,
}

impl Actor {
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// The timestamp written to the database, `YYYY-MM-DDTHH:MM:SSZ`. An import writes it
    /// three times a row, so it is not made through a format string read each time.
    pub fn stamp(&self) -> String {
        self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// The actor the store's unit tests write as.
#[cfg(test)]
pub(crate) fn test_actor() -> Actor {
    Actor {
        operator: "tester".into(),
        now: "2024-06-30T08:00:00Z".parse().expect("a valid time"),
    }
}

/// The first column of every row `sql` returns, as text (the store's unit tests).
#[cfg(test)]
pub(crate) fn texts(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// How many SQLite virtual machine steps pass between looks at [`Store::stop_when`]'s flag.
/// SQLite counts them per statement, so a statement shorter than this is never stopped:
/// small enough for one row's insert, and a look is one atomic load.
const STOP_CHECK_STEPS: std::ffi::c_int = 100;

/// An open kehu database.
pub struct Store {
    conn: Connection,
    /// How long a statement waits for another connection's lock.
    busy_timeout: Duration,
    /// Raised when the transaction under way should stop and roll back ([`Store::stop_when`]).
    stop: Option<&'static AtomicBool>,
}

/// Whether a command may create the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read-only commands: a missing file is an error.
    Existing,
    /// Commands that write: a missing file is created.
    Create,
}

impl Store {
    /// Opens (or, in [`Mode::Create`], creates) the database at `path`. Returns the store and
    /// whether the file was created.
    pub fn open(path: &Path, mode: Mode, busy_timeout: Duration) -> Result<(Store, bool)> {
        let exists = path.exists();
        if !exists && mode == Mode::Existing {
            return Err(Error::Missing(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        let store = Store::init(conn, busy_timeout)?;
        Ok((store, !exists))
    }

    /// A fresh database in memory (tests, and a dry run with no database yet).
    pub fn open_in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?, Duration::from_secs(1))
    }

    fn init(conn: Connection, busy_timeout: Duration) -> Result<Store> {
        conn.busy_timeout(busy_timeout)?;
        let mut store = Store {
            conn,
            busy_timeout,
            stop: None,
        };
        // WAL lets a reader (a person's `list`) run while a cron job writes. A database in
        // another journal mode is one a bulk load is writing (see `Store::load`), or one it
        // left when stopped: WAL is set back when no one else is using it, and meanwhile
        // this connection reads and writes in the mode it finds.
        store.set_journal("WAL")?;
        let conn = &store.conn;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache: a large import or grading run stays in memory until commit.
        // Temporary files (the sorts that build an index) stay SQLite's default, on disk:
        // in memory, building one index on a million names took 90 MB.
        conn.pragma_update(None, "cache_size", -65536)?;
        // Plans do not depend on bound values, so a cached statement is never re-prepared
        // because a new value was bound to it (an import binds millions).
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        migrate::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Sets the journal mode (`WAL` or `DELETE`) if no other connection is using the database,
    /// without waiting for one that is, and `synchronous` to what that mode needs to survive a
    /// power cut (NORMAL for WAL, FULL for a rollback journal). Returns whether the database
    /// is now in `mode`.
    fn set_journal(&mut self, mode: &str) -> Result<bool> {
        self.conn.busy_timeout(Duration::ZERO)?;
        let set = self
            .conn
            .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| {
                r.get::<_, String>(0)
            });
        self.conn.busy_timeout(self.busy_timeout)?;
        let now = match set.map_err(Error::from) {
            Ok(now) => now,
            Err(Error::Busy) => self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
            Err(e) => return Err(e),
        };
        let wal = now.eq_ignore_ascii_case("wal");
        self.conn
            .pragma_update(None, "synchronous", if wal { "NORMAL" } else { "FULL" })?;
        Ok(now.eq_ignore_ascii_case(mode))
    }

    /// Runs `f` in one immediate transaction; commits if it returns `Ok`, rolls back otherwise.
    pub fn write<T>(&mut self, actor: &Actor, f: impl FnOnce(&mut Writer) -> Result<T>) -> Result<T> {
        self.transaction(actor, |w| f(w).map(|v| (v, true)))
    }

    /// Like [`Store::write`] but always rolls back: a dry run of the same code path.
    pub fn dry_run<T>(&mut self, actor: &Actor, f: impl FnOnce(&mut Writer) -> Result<T>) -> Result<T> {
        self.transaction(actor, |w| f(w).map(|v| (v, false)))
    }

    /// From now on, a transaction stops once `flag` is raised: the statement running fails
    /// with [`Error::Interrupted`] and the transaction rolls back. The caller's own loops
    /// should look at `flag` too, between statements.
    pub fn stop_when(&mut self, flag: &'static AtomicBool) {
        self.stop = Some(flag);
    }

    /// Runs `f` in one immediate transaction; commits only if it returns `Ok((_, true))`.
    pub fn transaction<T>(
        &mut self,
        actor: &Actor,
        f: impl FnOnce(&mut Writer) -> Result<(T, bool)>,
    ) -> Result<T> {
        if let Some(flag) = self.stop {
            self.conn
                .progress_handler(STOP_CHECK_STEPS, Some(move || flag.load(Ordering::Relaxed)))?;
        }
        let result = self.transaction_inner(actor, f);
        if self.stop.is_some() {
            // Whatever runs after the transaction (reading back what it stored) must not
            // fail because of a Ctrl-C that came once it had committed. Removing a handler
            // fails only when SQLite cannot allocate, and what the caller must hear then is
            // still whether the transaction committed.
            let _ = self.conn.progress_handler(0, None::<fn() -> bool>);
        }
        result
    }

    fn transaction_inner<T>(
        &mut self,
        actor: &Actor,
        f: impl FnOnce(&mut Writer) -> Result<(T, bool)>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut writer = Writer {
            tx,
            actor: actor.clone(),
            head: None,
            deferred: None,
            met: fixedbitset::FixedBitSet::new(),
            met_contacts: fixedbitset::FixedBitSet::new(),
            met_industries: std::collections::HashSet::new(),
            primaries: std::collections::HashMap::new(),
        };
        let outcome = f(&mut writer);
        let cache = writer.cache_to_restore();
        let result = outcome.and_then(|(value, commit)| {
            if commit {
                writer.finish()?;
            }
            // Otherwise `writer` drops here and its transaction rolls back.
            Ok(value)
        });
        if let Some(kib) = cache {
            // Best effort: a cache left large costs memory, not data, and what the caller
            // must hear is whether the transaction committed.
            let _ = self.conn.pragma_update(None, "cache_size", kib);
        }
        result
    }

    /// A setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        setting(&self.conn, key)
    }
}

/// A second connection to the database file of `conn`, only for reading, so a long pass can
/// read on another thread while `conn` writes; `None` for a database in memory.
fn reader(conn: &Connection) -> Result<Option<Connection>> {
    let Some(path) = conn.path().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let reader = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    reader.busy_timeout(Duration::from_secs(5))?;
    reader.pragma_update(None, "query_only", true)?;
    Ok(Some(reader))
}

fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The handle every change goes through; see [`Store::write`].
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    actor: Actor,
    /// The change log's last (id, hash), once read in this transaction.
    head: Option<(i64, String)>,
    /// Set while the search indexes wait for the commit ([`Writer::defer_search_indexes`]).
    deferred: Option<deferred::Deferred>,
    /// The customers an import's rows have come to so far, by id ([`Writer::import_row`]).
    met: fixedbitset::FixedBitSet,
    /// The contacts added or given again so far in this transaction, by id: an import's
    /// rows may not change what an earlier row of the same file left.
    met_contacts: fixedbitset::FixedBitSet,
    /// The industries an import's growth rows have given a rate so far, by code: a later
    /// row of the same table may repeat a rate but not change it.
    met_industries: std::collections::HashSet<String>,
    /// The contact an import's row made each customer's primary one so far, by customer id:
    /// the contact's id and name. A later row of the same file may not make another one so.
    primaries: std::collections::HashMap<i64, (i64, String)>,
}

impl Writer<'_> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        setting(&self.tx, key)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if let Some(d) = &self.deferred {
            deferred::catch_up(&self.tx, d)?;
        }
        if let Some((id, hash)) = &self.head {
            log::save_head(&self.tx, *id, hash)?;
        }
        self.tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Actor, test_actor};

    #[test]
    fn a_stamp_is_utc_to_the_second() {
        assert_eq!(test_actor().stamp(), "2024-06-30T08:00:00Z");
        let late = Actor {
            operator: "tester".into(),
            now: "2024-12-31T23:59:59.999+08:00".parse().expect("a valid time"),
        };
        assert_eq!(late.stamp(), "2024-12-31T15:59:59Z");
    }

    /// A raised stop flag fails the statement running with `Interrupted`, rolls the
    /// transaction back, and no longer counts once the transaction is over.
    #[test]
    fn a_raised_stop_flag_rolls_the_transaction_back() {
        use std::sync::atomic::{AtomicBool, Ordering};
        static STOP: AtomicBool = AtomicBool::new(false);
        let mut store = super::Store::open_in_memory().unwrap();
        store.stop_when(&STOP);
        let customer = || crate::domain::customer::Customer::new("甲公司").unwrap();
        let err = store
            .write(&test_actor(), |w| {
                w.insert_customer(customer(), "add", None)?;
                STOP.store(true, Ordering::Relaxed);
                w.insert_customer(customer(), "add", None)
            })
            .unwrap_err();
        assert!(matches!(err, super::Error::Interrupted), "{err:?}");
        assert!(super::texts(&store.conn, "SELECT name FROM customers").is_empty());
        assert!(super::texts(&store.conn, "SELECT action FROM change_log").is_empty());
        STOP.store(false, Ordering::Relaxed);
        store
            .write(&test_actor(), |w| w.insert_customer(customer(), "add", None))
            .unwrap();
        STOP.store(true, Ordering::Relaxed);
        assert_eq!(
            super::texts(&store.conn, "SELECT name FROM customers"),
            ["甲公司"],
            "read after the transaction, the raised flag stops nothing"
        );
    }

    /// Held in memory, the runs of the sort that builds an index on a million names took
    /// 90 MB: the peak of a bulk import's commit.
    #[test]
    fn temporary_files_stay_on_disk() {
        let store = super::Store::open_in_memory().unwrap();
        let temp_store: i64 = store
            .conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            temp_store, 0,
            "0 is SQLite's default: files, unless compiled otherwise"
        );
    }
}
