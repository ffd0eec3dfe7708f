//! Grading runs, their per-customer results, pins and the industry-growth table.
//!
//! A run is one streaming pass in one transaction: customers in id order, merged with their
//! orders read in (customer, date) order from the covering index `orders_customer_date`, each
//! customer handed to the grader, its result and any log entry written as it comes, many to
//! a statement. On a database file the reading and grading ([`Pass`]) run in a thread of
//! their own, on a second connection, and hand results over a chunk at a time to the
//! writing ([`Sink`]), so the two halves overlap on two cores. The new tiers reach
//! `customers`, and the new scores `customer_scores`, a few statements per chunk
//! ([`super::grade_tiers`]). Memory stays flat, and a run that is killed leaves the previous
//! run as it was.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;

use super::grade_tiers::TierWrites;
use super::log::LogBatch;
use super::{Error, Result, Store, Stored, Writer};
use crate::domain::Change;
use crate::domain::choice::{Choice, Stage};
use crate::domain::grade::{Declared, GrowthTable, Model, OrderLine, Pin};
use crate::domain::region::Region;

/// Which customers a run grades; empty means all.
#[derive(Debug, Clone, Default)]
pub struct GradeFilter {
    /// Customer codes (upper case).
    pub codes: Vec<String>,
    pub stage: Option<Stage>,
    pub region: Option<Region>,
    /// A section letter (`C`) or division code (`C39`).
    pub industry: Option<String>,
}

impl GradeFilter {
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty() && self.stage.is_none() && self.region.is_none() && self.industry.is_none()
    }

    /// ` AND …` conditions on `customers`, numbering their parameters from `?first`, and
    /// the values to bind.
    fn sql(&self, first: usize) -> (String, Vec<String>) {
        let mut clauses = String::new();
        let mut args: Vec<String> = Vec::new();
        let mut add = |clause: &str, value: String| {
            clauses.push_str(&format!(
                " AND {}",
                clause.replace('?', &format!("?{}", first + args.len()))
            ));
            args.push(value);
        };
        if let Some(stage) = self.stage {
            add("stage = ?", stage.key().into());
        }
        if let Some(region) = self.region {
            add("region = ?", region.en().into());
        }
        if let Some(i) = &self.industry {
            if i.len() == 1 {
                add("industry_section = ?", i.clone());
            } else {
                add("industry = ?", i.clone());
            }
        }
        if !self.codes.is_empty() {
            let marks: Vec<String> = (0..self.codes.len())
                .map(|k| format!("?{}", first + args.len() + k))
                .collect();
            clauses.push_str(&format!(" AND code IN ({})", marks.join(", ")));
            args.extend(self.codes.iter().cloned());
        }
        (clauses, args)
    }
}

/// What a run is: the model, the date, and where the result goes.
pub struct RunSpec<'a> {
    pub model: &'a Model,
    pub as_of: NaiveDate,
    /// Write the result as this tag dimension instead of the customer's tier.
    pub as_tag: Option<&'a str>,
    pub filter: &'a GradeFilter,
}

/// One customer handed to the grader.
pub struct Subject<'a> {
    pub id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub declared: &'a Declared,
    /// Orders up to as-of, by date.
    pub orders: &'a [OrderLine],
    pub pin: Option<&'a Pin>,
    /// The tier (or tag value) before this run.
    pub before: Option<&'a str>,
    /// The industry-growth table, as read in the run's transaction.
    pub growth: &'a GrowthTable,
}

/// The grader's answer for one customer. The store hands the same one to the grader for
/// every customer, so its strings are reused rather than allocated each time.
#[derive(Debug, Clone, Default)]
pub struct Graded {
    /// Tier key (a tag run writes its label).
    pub tier: String,
    pub label: String,
    pub model_tier: String,
    pub score: Option<Decimal>,
    pub incomplete: bool,
    pub pinned: bool,
    /// The per-customer record (JSON) kept with the run.
    pub record: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub customers: u64,
    /// Customers per tier key.
    pub tiers: BTreeMap<String, u64>,
    /// Customers whose tier (or tag) changed.
    pub changed: u64,
    pub incomplete: u64,
    pub pinned: u64,
}

impl RunCounts {
    fn json(&self) -> String {
        serde_json::json!({
            "customers": self.customers,
            "tiers": self.tiers,
            "changed": self.changed,
            "incomplete": self.incomplete,
            "pinned": self.pinned,
        })
        .to_string()
    }

    fn parse(text: &str) -> RunCounts {
        let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        let n = |k: &str| v.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
        RunCounts {
            customers: n("customers"),
            tiers: v
                .get("tiers")
                .and_then(|t| t.as_object())
                .map(|t| {
                    t.iter()
                        .map(|(k, c)| (k.clone(), c.as_u64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default(),
            changed: n("changed"),
            incomplete: n("incomplete"),
            pinned: n("pinned"),
        }
    }
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: i64,
    pub as_of: NaiveDate,
    pub model_name: String,
    pub model_sha256: String,
    pub operator: String,
    pub started_at: String,
    pub counts: RunCounts,
    pub as_tag: Option<String>,
}

/// One customer's result in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub score: Option<String>,
    pub tier: String,
    pub model_tier: String,
    pub incomplete: bool,
    pub record: String,
}

/// A stored pin and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinOf {
    pub code: String,
    pub name: String,
    pub pin: Pin,
}

/// A row of the industry-growth table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    pub industry: String,
    pub growth: Decimal,
    pub updated_at: String,
}

/// `YYYY-MM-DD` as stored, read without the general date parser (the hot loop reads
/// millions).
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return s.parse().ok();
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

fn decimal(text: Option<&str>) -> Option<Decimal> {
    text.and_then(|t| t.parse().ok())
}

/// The score as stored: two decimals at most, trailing zeros dropped (`86.67`, `90`).
pub fn score_text(score: Decimal) -> String {
    score.normalize().to_string()
}

const RUN_COLUMNS: &str = "id, as_of, model_name, model_sha256, operator, started_at, counts, as_tag";

fn run_row(r: &Row) -> rusqlite::Result<Run> {
    let as_of: String = r.get(1)?;
    let counts: String = r.get(6)?;
    Ok(Run {
        id: r.get(0)?,
        as_of: iso_date(&as_of).unwrap_or_default(),
        model_name: r.get(2)?,
        model_sha256: r.get(3)?,
        operator: r.get(4)?,
        started_at: r.get(5)?,
        counts: RunCounts::parse(&counts),
        as_tag: r.get(7)?,
    })
}

fn pin_row(r: &Row, at: usize) -> rusqlite::Result<Pin> {
    let until: Option<String> = r.get(at + 2)?;
    Ok(Pin {
        tier: r.get(at)?,
        reason: r.get(at + 1)?,
        until: until.as_deref().and_then(iso_date),
        operator: r.get(at + 3)?,
        created_at: r.get(at + 4)?,
    })
}

fn pin_of(conn: &Connection, customer_id: i64) -> Result<Option<Pin>> {
    Ok(conn
        .prepare_cached("SELECT tier, reason, until, operator, created_at FROM pins WHERE customer_id = ?1")?
        .query_row([customer_id], |r| pin_row(r, 0))
        .optional()?)
}

// One customer's results. `grade_results` has no index by customer (schema step 5): they are
// found through the runs, newest first, each a primary-key lookup (a dozen runs a year).
// CROSS JOIN keeps the runs outside; left to itself, SQLite would read every result instead.

/// The latest result of customer `?1` in a run that set tiers (not a tag run), when `?2`, or
/// in any run: (run id, model tier).
const LATEST_RESULT: &str = "SELECT g.id, r.model_tier
     FROM grade_runs g CROSS JOIN grade_results r ON r.run_id = g.id AND r.customer_id = ?1
     WHERE (?2 = 0 OR g.as_tag IS NULL) ORDER BY g.id DESC LIMIT 1";

/// Customer `?2`'s result in run `?1`, with its code and name.
const RESULT: &str =
    "SELECT r.customer_id, c.code, c.name, r.score, r.tier, r.model_tier, r.incomplete, r.indicators
     FROM grade_results r JOIN customers c ON c.id = r.customer_id
     WHERE r.run_id = ?1 AND r.customer_id = ?2";

/// The condition on `grade_results` that picks the results of the `n` customers bound as
/// `?first`, `?first + 1`, …: a primary-key lookup per run and customer.
pub(super) fn results_of(first: usize, n: usize) -> String {
    let marks: Vec<String> = (first..first + n).map(|i| format!("?{i}")).collect();
    format!(
        "run_id IN (SELECT id FROM grade_runs) AND customer_id IN ({})",
        marks.join(", ")
    )
}

/// Deletes the results of customers `ids`, which are being deleted: no reference to
/// customers does it.
pub(super) fn delete_results_of(conn: &Connection, ids: &[i64]) -> Result<usize> {
    Ok(conn
        .prepare_cached(&format!(
            "DELETE FROM grade_results WHERE {}",
            results_of(1, ids.len())
        ))?
        .execute(rusqlite::params_from_iter(ids))?)
}

/// The latest result of a customer, in a run that set tiers when `tier_runs_only`:
/// (run id, model tier).
fn latest_result(conn: &Connection, customer_id: i64, tier_runs_only: bool) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(LATEST_RESULT)?
        .query_row(params![customer_id, tier_runs_only], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// What a statement reads in full, from its query plan: the tables (or their aliases) it
/// scans.
#[cfg(test)]
pub(super) fn full_scans(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let mut rows = stmt.raw_query();
    let mut scans = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let detail: String = r.get(3).unwrap();
        if let Some(what) = detail.strip_prefix("SCAN ") {
            scans.push(what.split(' ').next().unwrap_or_default().to_string());
        }
    }
    scans
}

impl Store {
    /// Runs, newest first.
    pub fn grade_runs(&self, limit: Option<usize>) -> Result<Vec<Run>> {
        let mut sql = format!("SELECT {RUN_COLUMNS} FROM grade_runs ORDER BY id DESC");
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], run_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn grade_run(&self, id: i64) -> Result<Run> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM grade_runs WHERE id = ?1"),
                [id],
                run_row,
            )
            .optional()?
            .ok_or_else(|| Error::NotFoundOther(format!("no grading run {id}")))
    }

    /// The text of a model a run used.
    pub fn grade_model_text(&self, sha256: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT text FROM grade_models WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// A customer's result in a run.
    pub fn grade_result(&self, run_id: i64, customer_id: i64) -> Result<Option<RunResult>> {
        Ok(self
            .conn
            .query_row(RESULT, [run_id, customer_id], result_row)
            .optional()?)
    }

    /// The latest run (of any kind) that graded the customer.
    pub fn latest_grade_of(
        &self,
        customer_id: i64,
        tier_runs_only: bool,
    ) -> Result<Option<(Run, RunResult)>> {
        let Some((run_id, _)) = latest_result(&self.conn, customer_id, tier_runs_only)? else {
            return Ok(None);
        };
        let run = self.grade_run(run_id)?;
        Ok(self.grade_result(run_id, customer_id)?.map(|r| (run, r)))
    }

    /// The ids of the customers a run graded, in id order.
    pub fn grade_run_customers(&self, run_id: i64, tier: Option<&str>) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT customer_id FROM grade_results WHERE run_id = ?1 AND (?2 IS NULL OR tier = ?2)
             ORDER BY customer_id",
        )?;
        let rows = stmt.query_map(params![run_id, tier], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Results of a run for the given customers, by code.
    pub fn grade_results_of(&self, run_id: i64, customer_ids: &[i64]) -> Result<Vec<RunResult>> {
        let mut stmt = self.conn.prepare_cached(RESULT)?;
        let mut out = Vec::with_capacity(customer_ids.len());
        for id in customer_ids {
            if let Some(r) = stmt.query_row([run_id, *id], result_row).optional()? {
                out.push(r);
            }
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }

    pub fn pin(&self, customer_id: i64) -> Result<Option<Pin>> {
        pin_of(&self.conn, customer_id)
    }

    /// Every pin, by customer code.
    pub fn pins(&self) -> Result<Vec<PinOf>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.code, c.name, p.tier, p.reason, p.until, p.operator, p.created_at
             FROM pins p JOIN customers c ON c.id = p.customer_id ORDER BY c.code",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PinOf {
                code: r.get(0)?,
                name: r.get(1)?,
                pin: pin_row(r, 2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The industry-growth table, by industry code.
    pub fn industry_growth(&self) -> Result<Vec<Growth>> {
        industry_growth(&self.conn)
    }

    /// What grading reads about one customer: its declared values and its orders up to
    /// `as_of`, by date.
    pub fn grade_inputs(&self, customer_id: i64, as_of: NaiveDate) -> Result<(Declared, Vec<OrderLine>)> {
        let declared = self.conn.query_row(
            &format!("SELECT {CURRENT_COLUMNS} FROM customers c WHERE c.id = ?1"),
            [customer_id],
            declared,
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT date, amount_fen FROM orders WHERE customer_id = ?1 AND date <= ?2 ORDER BY date, id",
        )?;
        let rows = stmt.query_map(params![customer_id, as_of.to_string()], |r| {
            let date: String = r.get(0)?;
            Ok(iso_date(&date).map(|date| OrderLine {
                date,
                amount_fen: r.get::<_, i64>(1).unwrap_or_default(),
            }))
        })?;
        let orders = rows
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        Ok((declared, orders))
    }

    /// Customers a run over `filter` would grade.
    pub fn count_graded(&self, filter: &GradeFilter) -> Result<u64> {
        let (clauses, args) = filter.sql(1);
        let n: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM customers WHERE 1 = 1{clauses}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

/// One industry's stored growth rate, as text.
pub(super) fn growth_of(conn: &Connection, industry: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT growth FROM industry_growth WHERE industry = ?1")?
        .query_row([industry], |r| r.get(0))
        .optional()?)
}

fn industry_growth(conn: &Connection) -> Result<Vec<Growth>> {
    let mut stmt =
        conn.prepare("SELECT industry, growth, updated_at FROM industry_growth ORDER BY industry")?;
    let rows = stmt.query_map([], |r| {
        let growth: String = r.get(1)?;
        Ok(Growth {
            industry: r.get(0)?,
            growth: growth.parse().unwrap_or_default(),
            updated_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn result_row(r: &Row) -> rusqlite::Result<RunResult> {
    Ok(RunResult {
        customer_id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        score: r.get(3)?,
        tier: r.get(4)?,
        model_tier: r.get(5)?,
        incomplete: r.get(6)?,
        record: r.get(7)?,
    })
}

/// What grading reads of `customers c`.
const CURRENT_COLUMNS: &str = concat!(
    "c.id, c.code, c.name, c.industry, c.first_coop_date, c.trade_12m_fen, c.total_amount_fen, ",
    "c.tenure_years, c.satisfaction, c.referrals_12m, c.complaints_12m, c.budget_growth, c.tier, ",
    super::customers::score_of_c!()
);

/// Results written per `INSERT` statement: fewer statement runs for a million results.
const RESULT_BATCH: usize = 64;

fn insert_results_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = r * 7;
            format!(
                "(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7
            )
        })
        .collect();
    format!(
        "INSERT INTO grade_results(run_id, customer_id, score, tier, model_tier, incomplete, indicators) VALUES {}",
        values.join(", ")
    )
}

/// Customers handed from the pass to the writes at a time (a multiple of [`RESULT_BATCH`]).
pub(super) const CHUNK: usize = 16 * RESULT_BATCH;

/// Chunks in circulation between the two halves of a run: one being filled, the rest
/// waiting to be written or to be filled again.
const CHUNKS: usize = 4;

/// One customer's result on its way from the pass to the writes. Items are reused from chunk
/// to chunk, and their strings with them.
#[derive(Default)]
struct Item {
    customer_id: i64,
    code: String,
    /// The tier and score before the run.
    tier_before: Option<String>,
    score_before: Option<String>,
    score: Option<String>,
    graded: Graded,
}

/// Sets `to` to `from`, keeping the allocation.
fn set_text(to: &mut Option<String>, from: Option<&str>) {
    match from {
        None => *to = None,
        Some(from) => {
            let to = to.get_or_insert_with(String::new);
            to.clear();
            to.push_str(from);
        }
    }
}

/// Items, of which the first `len` are filled.
#[derive(Default)]
struct Chunk {
    items: Vec<Item>,
    len: usize,
}

impl Chunk {
    fn next_slot(&mut self) -> &mut Item {
        if self.items.len() == self.len {
            self.items.push(Item::default());
        }
        self.len += 1;
        &mut self.items[self.len - 1]
    }

    fn filled(&self) -> &[Item] {
        &self.items[..self.len]
    }
}

/// The reading half of a run: customers in id order merged with their orders, each graded.
struct Pass<'a> {
    spec: &'a RunSpec<'a>,
    pins: &'a HashMap<i64, Pin>,
    tags: &'a HashMap<i64, String>,
    growth: &'a GrowthTable,
}

impl Pass<'_> {
    /// Grades every customer of the run, handing them to `deliver` a chunk at a time; it
    /// gives back an empty chunk to fill, or `None` to stop.
    fn run(
        &self,
        conn: &Connection,
        mut grader: impl FnMut(&Subject, &mut Graded),
        mut deliver: impl FnMut(Chunk) -> Result<Option<Chunk>>,
    ) -> Result<()> {
        let spec = self.spec;
        let as_of = spec.as_of.to_string();
        let (clauses, args) = spec.filter.sql(1);
        let mut customers = conn.prepare(&format!(
            "SELECT {CURRENT_COLUMNS} FROM customers c WHERE 1 = 1{clauses} ORDER BY c.id"
        ))?;
        // Orders come from the covering index (customer_id, date, amount_fen) in its order.
        let (order_clauses, _) = spec.filter.sql(2);
        let mut orders = conn.prepare(&if spec.filter.is_empty() {
            "SELECT customer_id, date, amount_fen FROM orders WHERE date <= ?1 ORDER BY customer_id, date"
                .to_string()
        } else {
            format!(
                "SELECT customer_id, date, amount_fen FROM orders
                 WHERE date <= ?1 AND customer_id IN (SELECT id FROM customers WHERE 1 = 1{order_clauses})
                 ORDER BY customer_id, date"
            )
        })?;
        let mut order_args: Vec<&str> = vec![as_of.as_str()];
        order_args.extend(args.iter().map(String::as_str));
        let mut order_rows = orders.query(rusqlite::params_from_iter(order_args.iter()))?;
        let mut next_order: Option<(i64, OrderLine)> = None;
        let mut pending = true;
        let mut lines: Vec<OrderLine> = Vec::new();
        let mut rows = customers.query(rusqlite::params_from_iter(args.iter()))?;
        let mut chunk = Chunk::default();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let (code, name) = (
                text(row, 1)?.unwrap_or_default(),
                text(row, 2)?.unwrap_or_default(),
            );
            let c_declared = declared(row)?;
            let (c_tier, c_score) = (text(row, 12)?, text(row, 13)?);
            lines.clear();
            loop {
                if next_order.is_none() && pending {
                    match order_rows.next()? {
                        Some(o) => {
                            let date: &str = o.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                            if let Some(date) = iso_date(date) {
                                next_order = Some((
                                    o.get(0)?,
                                    OrderLine {
                                        date,
                                        amount_fen: o.get(2)?,
                                    },
                                ));
                            }
                            continue;
                        }
                        None => pending = false,
                    }
                }
                match next_order {
                    Some((of, line)) if of == id => {
                        lines.push(line);
                        next_order = None;
                    }
                    Some((of, _)) if of < id => next_order = None,
                    _ => break,
                }
            }
            let item = chunk.next_slot();
            grader(
                &Subject {
                    id,
                    code,
                    name,
                    declared: &c_declared,
                    orders: &lines,
                    pin: self.pins.get(&id),
                    before: match spec.as_tag {
                        None => c_tier,
                        Some(_) => self.tags.get(&id).map(String::as_str),
                    },
                    growth: self.growth,
                },
                &mut item.graded,
            );
            item.customer_id = id;
            item.code.clear();
            item.code.push_str(code);
            set_text(&mut item.tier_before, c_tier);
            set_text(&mut item.score_before, c_score);
            set_text(&mut item.score, item.graded.score.map(score_text).as_deref());
            if chunk.len == CHUNK {
                match deliver(chunk)? {
                    Some(empty) => chunk = empty,
                    None => return Ok(()),
                }
            }
        }
        if chunk.len > 0 {
            deliver(chunk)?;
        }
        Ok(())
    }
}

impl Pass<'_> {
    /// Runs the pass on `conn` in a second thread, handing its chunks to `write` on this
    /// one: the run takes the time of the slower half. `conn` sees the database as the
    /// writing transaction found it: no other writer can commit while that one holds the
    /// write lock.
    fn run_beside(
        &self,
        conn: Connection,
        grader: impl FnMut(&Subject, &mut Graded) + Send,
        mut write: impl FnMut(&Chunk) -> Result<()>,
    ) -> Result<()> {
        std::thread::scope(|scope| {
            let (full_tx, full_rx) = mpsc::sync_channel::<Chunk>(CHUNKS);
            let (empty_tx, empty_rx) = mpsc::sync_channel::<Chunk>(CHUNKS);
            for _ in 1..CHUNKS {
                empty_tx.send(Chunk::default()).expect("room for every chunk");
            }
            let reading = scope.spawn(move || {
                let tx = conn.unchecked_transaction()?;
                self.run(&tx, grader, |full| {
                    // Either channel closes only when the writing side has stopped.
                    Ok(full_tx.send(full).ok().and_then(|()| empty_rx.recv().ok()))
                })
            });
            let written = full_rx.iter().try_for_each(|mut chunk| {
                write(&chunk)?;
                chunk.len = 0;
                // The reader may have finished and gone.
                let _ = empty_tx.send(chunk);
                Ok(())
            });
            // A writing error stops the reader at its next hand-over.
            drop((full_rx, empty_tx));
            let read = reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written.and(read)
        })
    }
}

/// The writing half of a run: results in batches, tier changes noted for the end, each
/// change logged (or, for a tag run, the tag rewritten), the counts kept.
struct Sink<'t> {
    tx: &'t Connection,
    spec: &'t RunSpec<'t>,
    tags: &'t HashMap<i64, String>,
    run_id: i64,
    run_text: String,
    operator: &'t str,
    stamp: String,
    insert: rusqlite::CachedStatement<'t>,
    clear_tag: rusqlite::CachedStatement<'t>,
    add_tag: rusqlite::CachedStatement<'t>,
    counts: RunCounts,
    /// What changes on `customers` and `customer_scores`, written a chunk at a time.
    tiers: TierWrites,
    logged: LogBatch,
}

impl<'t> Sink<'t> {
    fn new(
        tx: &'t Connection,
        actor: &'t super::Actor,
        spec: &'t RunSpec<'t>,
        run_id: i64,
        tags: &'t HashMap<i64, String>,
    ) -> Result<Self> {
        Ok(Sink {
            tx,
            spec,
            tags,
            run_id,
            run_text: run_id.to_string(),
            operator: &actor.operator,
            stamp: actor.stamp(),
            insert: tx.prepare_cached(&insert_results_sql(RESULT_BATCH))?,
            clear_tag: tx.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1 AND dim = ?2")?,
            add_tag: tx.prepare_cached(
                "INSERT INTO customer_tags(customer_id, dim, value, origin, set_by, set_at)
                 VALUES (?1, ?2, ?3, 'model', ?4, ?5)",
            )?,
            counts: RunCounts::default(),
            tiers: TierWrites::default(),
            logged: LogBatch::new(
                actor,
                if spec.as_tag.is_none() {
                    "grade"
                } else {
                    "grade.tag"
                },
            ),
        })
    }

    /// What the run counted and has still to write.
    fn finish(self) -> (RunCounts, TierWrites, LogBatch) {
        (self.counts, self.tiers, self.logged)
    }

    /// Writes a chunk of results; `head` is the change log's head in this transaction.
    fn take(&mut self, chunk: &Chunk, head: &mut Option<(i64, String)>) -> Result<()> {
        let items = chunk.filled();
        for batch in items.chunks(RESULT_BATCH) {
            let values = Item::params(self.run_id, batch);
            if batch.len() == RESULT_BATCH {
                self.insert.execute(rusqlite::params_from_iter(values))?;
            } else {
                self.tx
                    .prepare(&insert_results_sql(batch.len()))?
                    .execute(rusqlite::params_from_iter(values))?;
            }
        }
        for item in items {
            self.count(item, head)?;
        }
        if self.spec.as_tag.is_none() {
            self.tiers.write_so_far(self.tx, self.run_id)?;
        }
        Ok(())
    }

    fn count(&mut self, item: &Item, head: &mut Option<(i64, String)>) -> Result<()> {
        let (id, graded, counts) = (item.customer_id, &item.graded, &mut self.counts);
        counts.customers += 1;
        match counts.tiers.get_mut(&graded.tier) {
            Some(n) => *n += 1,
            None => {
                counts.tiers.insert(graded.tier.clone(), 1);
            }
        }
        counts.incomplete += u64::from(graded.incomplete);
        counts.pinned += u64::from(graded.pinned);
        let (score, score_before) = (item.score.as_deref(), item.score_before.as_deref());
        match self.spec.as_tag {
            None => {
                self.tiers.saw();
                let before = item.tier_before.as_deref();
                if score_before != score {
                    self.tiers.rescore(id);
                }
                if before != Some(graded.tier.as_str()) {
                    self.tiers.retier(id, before, &graded.tier);
                    counts.changed += 1;
                    let mut changes = vec![Change::new(
                        "tier",
                        before.map(str::to_string),
                        Some(graded.tier.clone()),
                    )];
                    if score_before != score {
                        changes.push(Change::new(
                            "score",
                            score_before.map(str::to_string),
                            score.map(str::to_string),
                        ));
                    }
                    changes.push(Change::new("grade.run", None, Some(self.run_text.clone())));
                    self.logged.push(self.tx, head, &item.code, &changes)?;
                }
            }
            Some(dim) => {
                let before = self.tags.get(&id).map(String::as_str);
                if before != Some(graded.label.as_str()) {
                    counts.changed += 1;
                    self.clear_tag.execute(params![id, dim])?;
                    self.add_tag
                        .execute(params![id, dim, graded.label, self.operator, self.stamp])?;
                    let changes = [
                        Change::new(
                            format!("tag.{dim}"),
                            before.map(str::to_string),
                            Some(graded.label.clone()),
                        ),
                        Change::new("grade.run", None, Some(self.run_text.clone())),
                    ];
                    self.logged.push(self.tx, head, &item.code, &changes)?;
                }
            }
        }
        Ok(())
    }
}

impl Item {
    /// The bound values of `rows`, in the order of [`insert_results_sql`].
    fn params(run_id: i64, rows: &[Item]) -> impl Iterator<Item = Bound<'_>> {
        rows.iter().flat_map(move |p| {
            [
                Bound::Int(run_id),
                Bound::Int(p.customer_id),
                Bound::Text(p.score.as_deref()),
                Bound::Text(Some(&p.graded.tier)),
                Bound::Text(Some(&p.graded.model_tier)),
                Bound::Int(i64::from(p.graded.incomplete)),
                Bound::Text(Some(&p.graded.record)),
            ]
        })
    }
}

/// A value bound to a batched statement, without boxing each one.
enum Bound<'a> {
    Int(i64),
    Text(Option<&'a str>),
}

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Bound::Int(i) => i.to_sql(),
            Bound::Text(t) => t.to_sql(),
        }
    }
}

/// The declared values of a row of [`CURRENT_COLUMNS`].
fn declared(r: &Row) -> rusqlite::Result<Declared> {
    let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
        Ok(r.get_ref(i)?.as_str_or_null()?.and_then(iso_date))
    };
    let dec =
        |i: usize| -> rusqlite::Result<Option<Decimal>> { Ok(decimal(r.get_ref(i)?.as_str_or_null()?)) };
    Ok(Declared {
        industry: r.get(3)?,
        first_coop_date: date(4)?,
        trade_12m_fen: r.get(5)?,
        total_amount_fen: r.get(6)?,
        tenure_years: dec(7)?,
        satisfaction: dec(8)?,
        referrals_12m: r.get(9)?,
        complaints_12m: r.get(10)?,
        budget_growth: dec(11)?,
    })
}

/// Text borrowed from a row (no copy: the streaming pass reads millions).
fn text<'r>(r: &'r Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(r.get_ref(i)?.as_str_or_null()?)
}

impl Writer<'_> {
    /// Grades every customer matching the run's filter in one pass, recording the run and
    /// each result, updating tiers (or the tag dimension) and logging each change. Returns
    /// the run id and its counts.
    pub fn grade(
        &mut self,
        spec: &RunSpec,
        grader: impl FnMut(&Subject, &mut Graded) + Send,
    ) -> Result<(i64, RunCounts)> {
        let model = spec.model;
        self.tx.execute(
            "INSERT OR IGNORE INTO grade_models(sha256, name, text) VALUES (?1, ?2, ?3)",
            params![model.sha256, model.name, model.text],
        )?;
        self.tx.execute(
            "INSERT INTO grade_runs(as_of, model_name, model_sha256, operator, started_at, counts, as_tag)
             VALUES (?1, ?2, ?3, ?4, ?5, '{}', ?6)",
            params![
                spec.as_of.to_string(),
                model.name,
                model.sha256,
                self.actor.operator,
                self.actor.stamp(),
                spec.as_tag
            ],
        )?;
        let run_id = self.tx.last_insert_rowid();
        let run_text = run_id.to_string();
        let growth = GrowthTable::new(
            industry_growth(&self.tx)?
                .into_iter()
                .map(|g| (g.industry, g.growth)),
        );
        let pins: HashMap<i64, Pin> = if spec.as_tag.is_some() {
            HashMap::new()
        } else {
            let mut stmt = self
                .tx
                .prepare("SELECT customer_id, tier, reason, until, operator, created_at FROM pins ORDER BY customer_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, pin_row(r, 1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let tags: HashMap<i64, String> = match spec.as_tag {
            None => HashMap::new(),
            Some(dim) => {
                // A model's result is one value per customer: a single-valued dimension.
                self.tx.execute(
                    "INSERT OR IGNORE INTO tag_dims(name, single) VALUES (?1, 1)",
                    [dim],
                )?;
                let mut stmt = self.tx.prepare(
                    "SELECT customer_id, value FROM customer_tags WHERE dim = ?1 ORDER BY customer_id, value",
                )?;
                let rows = stmt.query_map([dim], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            }
        };

        let as_of = spec.as_of.to_string();
        let pass = Pass {
            spec,
            pins: &pins,
            tags: &tags,
            growth: &growth,
        };
        let mut sink = Sink::new(&self.tx, &self.actor, spec, run_id, &tags)?;
        let head = &mut self.head;
        let mut write = |chunk: &Chunk| sink.take(chunk, head);
        match super::reader(&self.tx)? {
            Some(conn) => pass.run_beside(conn, grader, write)?,
            None => pass.run(&self.tx, grader, |mut chunk| {
                write(&chunk)?;
                chunk.len = 0;
                Ok(Some(chunk))
            })?,
        }
        let (counts, tiers, mut logged) = sink.finish();
        logged.flush(&self.tx)?;
        tiers.finish(&self.tx, run_id, spec.filter.is_empty())?;
        self.tx.execute(
            "UPDATE grade_runs SET counts = ?1 WHERE id = ?2",
            params![counts.json(), run_id],
        )?;
        let mut changes = vec![
            Change::new("grade.run", None, Some(run_text)),
            Change::new("as_of", None, Some(as_of)),
            Change::new("model", None, Some(model.name.clone())),
            Change::new("model_sha256", None, Some(model.sha256.clone())),
            Change::new("customers", None, Some(counts.customers.to_string())),
            Change::new("changed", None, Some(counts.changed.to_string())),
        ];
        if let Some(dim) = spec.as_tag {
            changes.push(Change::new("as_tag", None, Some(dim.to_string())));
        }
        self.log("grade.run", None, None, &changes)?;
        Ok((run_id, counts))
    }

    /// Pins `customer` to `pin.tier`, replacing any earlier pin; the customer's tier follows
    /// at once.
    pub fn set_pin(&mut self, customer: &Stored, pin: &Pin) -> Result<()> {
        let before = pin_of(&self.tx, customer.id)?;
        self.tx.execute(
            "INSERT INTO pins(customer_id, tier, reason, until, operator, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(customer_id) DO UPDATE SET tier = excluded.tier, reason = excluded.reason,
               until = excluded.until, operator = excluded.operator, created_at = excluded.created_at",
            params![
                customer.id,
                pin.tier,
                pin.reason,
                pin.until.map(|d| d.to_string()),
                pin.operator,
                pin.created_at
            ],
        )?;
        let mut changes = vec![
            Change::new(
                "pin.tier",
                before.as_ref().map(|p| p.tier.clone()),
                Some(pin.tier.clone()),
            ),
            Change::new(
                "pin.reason",
                before.as_ref().map(|p| p.reason.clone()),
                Some(pin.reason.clone()),
            ),
            Change::new(
                "pin.until",
                before.as_ref().and_then(|p| p.until).map(|d| d.to_string()),
                pin.until.map(|d| d.to_string()),
            ),
        ];
        changes.retain(|c| c.before != c.after);
        if customer.customer.tier.as_deref() != Some(pin.tier.as_str()) {
            self.tx.execute(
                "UPDATE customers SET tier = ?1 WHERE id = ?2",
                params![pin.tier, customer.id],
            )?;
            changes.push(Change::new(
                "tier",
                customer.customer.tier.clone(),
                Some(pin.tier.clone()),
            ));
        }
        self.log("grade.pin", Some(&customer.customer.code), None, &changes)
    }

    /// Removes a customer's pin; its tier goes back to what the latest run's model said (or
    /// none). Returns the pin removed.
    pub fn remove_pin(&mut self, customer: &Stored) -> Result<Pin> {
        let Some(pin) = pin_of(&self.tx, customer.id)? else {
            return Err(Error::NotFoundOther(format!(
                "{} has no pin",
                customer.customer.code
            )));
        };
        self.tx
            .execute("DELETE FROM pins WHERE customer_id = ?1", [customer.id])?;
        let mut changes = vec![
            Change::new("pin.tier", Some(pin.tier.clone()), None),
            Change::new("pin.reason", Some(pin.reason.clone()), None),
        ];
        if let Some(until) = pin.until {
            changes.push(Change::new("pin.until", Some(until.to_string()), None));
        }
        let model_tier = latest_result(&self.tx, customer.id, true)?.map(|(_, t)| t);
        if customer.customer.tier != model_tier {
            self.tx.execute(
                "UPDATE customers SET tier = ?1 WHERE id = ?2",
                params![model_tier, customer.id],
            )?;
            changes.push(Change::new("tier", customer.customer.tier.clone(), model_tier));
        }
        self.log("grade.unpin", Some(&customer.customer.code), None, &changes)?;
        Ok(pin)
    }

    /// Sets an industry's growth (percent); `industry` is a section letter or division code.
    /// Logs the change; returns whether anything changed. `batch` ties it to an import.
    pub fn set_industry_growth(
        &mut self,
        industry: &str,
        growth: Decimal,
        batch: Option<i64>,
    ) -> Result<bool> {
        let growth = growth.normalize().to_string();
        let before = growth_of(&self.tx, industry)?;
        if before.as_deref() == Some(growth.as_str()) {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "INSERT INTO industry_growth(industry, growth, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(industry) DO UPDATE SET growth = excluded.growth, updated_at = excluded.updated_at",
            )?
            .execute(params![industry, growth, self.actor.stamp()])?;
        self.log(
            "industry_growth",
            None,
            batch,
            &[Change::new(
                format!("industry_growth.{industry}"),
                before,
                Some(growth),
            )],
        )?;
        Ok(true)
    }

    /// Removes an industry's growth row; returns whether there was one.
    pub fn remove_industry_growth(&mut self, industry: &str) -> Result<bool> {
        let before = growth_of(&self.tx, industry)?;
        let Some(before) = before else {
            return Ok(false);
        };
        self.tx
            .execute("DELETE FROM industry_growth WHERE industry = ?1", [industry])?;
        self.log(
            "industry_growth",
            None,
            None,
            &[Change::new(
                format!("industry_growth.{industry}"),
                Some(before),
                None,
            )],
        )?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_read_fast_and_right() {
        assert_eq!(iso_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(iso_date("2023-02-29"), None);
        assert_eq!(iso_date("2024-1x-01"), None);
        assert_eq!(iso_date("2024-01-05"), NaiveDate::from_ymd_opt(2024, 1, 5));
    }

    #[test]
    fn one_customers_results_are_found_through_the_runs_not_by_reading_every_result() {
        let store = Store::open_in_memory().unwrap();
        let statements = [
            LATEST_RESULT.to_string(),
            RESULT.to_string(),
            format!(
                "SELECT * FROM grade_results WHERE {} ORDER BY 1, 2",
                results_of(1, 3)
            ),
            format!(
                "UPDATE OR IGNORE grade_results SET customer_id = ?1 WHERE {}",
                results_of(2, 2)
            ),
            format!("DELETE FROM grade_results WHERE {}", results_of(1, 1)),
            // Nothing that refers to customers is read in full when one is deleted.
            "DELETE FROM customers WHERE id = ?1".to_string(),
        ];
        for sql in &statements {
            let scans = full_scans(&store.conn, sql);
            assert!(
                scans.iter().all(|t| t == "g" || t == "grade_runs"),
                "{sql}\nreads in full: {scans:?}"
            );
        }
        // The check sees a scan where there is one.
        assert_eq!(
            full_scans(
                &store.conn,
                "SELECT r.run_id FROM grade_results r JOIN grade_runs g ON g.id = r.run_id WHERE r.customer_id = ?1"
            ),
            ["r"]
        );
    }

    #[test]
    fn a_filter_becomes_bound_conditions() {
        let f = GradeFilter {
            codes: vec!["A".into(), "B".into()],
            stage: Some(Stage::Customer),
            ..GradeFilter::default()
        };
        let (sql, args) = f.sql(2);
        assert_eq!(sql, " AND stage = ?2 AND code IN (?3, ?4)");
        assert_eq!(args, ["customer", "A", "B"]);
    }
}
