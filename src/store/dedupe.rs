//! Duplicates: reading customers as match candidates, merging customers, undoing a merge,
//! and pairs dismissed as "not the same".
//!
//! A merge is one transaction. It first snapshots every row it will touch — the customers
//! and every row of every table that refers to them (found from the schema's foreign keys,
//! so tables added later are covered, and `grade_results`, which has none) — into
//! `merges.snapshot`, then moves the children to the survivor, deletes the absorbed
//! customers and stores the merged record. Undo puts the snapshot back exactly, ids included.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::{Map, Value as Json, json};

use super::{Error, Result, Store, Stored, Writer};
use crate::domain::dedupe::{Candidate, Version, survive};
use crate::domain::industry::parse_industry;
use crate::domain::region::parse_province;
use crate::domain::{Change, Customer};

/// What a merge did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub merge_id: i64,
    pub survivor: String,
    pub absorbed: Vec<String>,
    /// The survivor's fields before and after.
    pub changes: Vec<Change>,
    /// Rows moved to the survivor, per table (tables with none are left out).
    pub moved: Vec<(String, usize)>,
    /// Rows dropped because the survivor already had them (the same tag, the same order).
    pub dropped: Vec<(String, usize)>,
}

/// What an undo restored.
#[derive(Debug, Clone, PartialEq)]
pub struct Undone {
    pub merge_id: i64,
    pub survivor: String,
    pub restored: Vec<String>,
}

/// A contact as read: name, mobile, landline, e-mail.
type ContactRow = (String, Option<String>, Option<String>, Option<String>);

/// A customer row as read, before it becomes a [`Candidate`].
struct Row {
    id: i64,
    code: String,
    name: String,
    short: Option<String>,
    uscc: Option<String>,
    province: Option<String>,
    city: Option<String>,
    industry: Option<String>,
    contacts: Vec<ContactRow>,
}

impl Row {
    fn candidate(self) -> Candidate {
        let mut c = Candidate::new(self.id, &self.code, &self.name, self.short.as_deref());
        c.set_uscc(self.uscc.as_deref());
        let province = self.province.and_then(|p| parse_province(&p).ok());
        c = c.with_place(province, self.city.as_deref());
        c.industry = self.industry.and_then(|i| parse_industry(&i).ok());
        for (n, m, l, e) in &self.contacts {
            c.add_contact(Some(n), m.as_deref(), l.as_deref(), e.as_deref());
        }
        c.finish()
    }
}

/// How many rows are read before they are turned into candidates (on every core).
const BLOCK: usize = 50_000;

/// Turns a block of rows into candidates, splitting the work over the available cores.
fn candidates(rows: Vec<Row>, out: &mut Vec<Candidate>) {
    // A handful of rows (an import's lookup) is not worth a thread, nor asking the system
    // for its cores: that reads cgroup files every time.
    if rows.len() < 1000 {
        out.extend(rows.into_iter().map(Row::candidate));
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 {
        out.extend(rows.into_iter().map(Row::candidate));
        return;
    }
    let size = rows.len().div_ceil(threads);
    let mut chunks: Vec<Vec<Row>> = Vec::new();
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<Row> = rows.by_ref().take(size).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| s.spawn(move || chunk.into_iter().map(Row::candidate).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            out.extend(h.join().expect("building candidates does not panic"));
        }
    });
}

/// Reads candidates in blocks: customers in id order, their contacts merged in as they come.
fn load_candidates(
    conn: &Connection,
    filter: &str,
    args: &[Value],
    capacity: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Candidate>> {
    let mut customers = conn.prepare_cached(&format!(
        "SELECT id, code, name, short_name, uscc, province, city, industry FROM customers {filter} ORDER BY id"
    ))?;
    let contact_filter = filter.replace("WHERE id", "WHERE customer_id");
    let mut contacts = conn.prepare_cached(&format!(
        "SELECT customer_id, name, mobile, landline, email FROM contacts {contact_filter} ORDER BY customer_id, id"
    ))?;
    let mut rows = customers.query(params_from_iter(args))?;
    let mut people = contacts.query(params_from_iter(args))?;
    let mut pending = people.next()?;
    let mut out = Vec::with_capacity(capacity);
    let mut block: Vec<Row> = Vec::with_capacity(BLOCK.min(capacity));
    while let Some(r) = rows.next()? {
        let mut row = Row {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            short: r.get(3)?,
            uscc: r.get(4)?,
            province: r.get(5)?,
            city: r.get(6)?,
            industry: r.get(7)?,
            contacts: Vec::new(),
        };
        while let Some(p) = pending {
            let owner: i64 = p.get(0)?;
            if owner > row.id {
                break;
            }
            if owner == row.id {
                row.contacts.push((p.get(1)?, p.get(2)?, p.get(3)?, p.get(4)?));
            }
            pending = people.next()?;
        }
        block.push(row);
        if block.len() == BLOCK {
            candidates(std::mem::take(&mut block), &mut out);
            progress(out.len());
        }
    }
    candidates(block, &mut out);
    progress(out.len());
    Ok(out)
}

/// Stored customers that may be `probe`: the same USCC, the same name core (or short name
/// core), or a shared mobile or landline. `probe.id` is left out.
/// At most this many stored customers are taken per key: a name core or phone shared by more
/// companies than this says little, and a cap keeps an import's work per row bounded as the
/// store grows.
const CANDIDATES_PER_KEY: usize = 32;

/// How [`match_candidates`] finds stored customers by each key (a bulk import keeps the
/// indexes these read: `store::deferred`).
pub(super) const CANDIDATE_LOOKUPS: [&str; 5] = [
    "SELECT id FROM customers WHERE uscc = ?1 LIMIT 32",
    // A probe with a USCC can only be a customer without one (see `evaluate`): the index on
    // (name_key, uscc) finds those without reading the others.
    "SELECT id FROM customers WHERE name_key = ?1 AND uscc IS NULL ORDER BY id DESC LIMIT 32",
    // Each in the order of its index, newest last, so that however many share the key,
    // taking 32 reads 32 entries and sorts none.
    "SELECT id FROM customers WHERE name_key = ?1 ORDER BY uscc DESC, id DESC LIMIT 32",
    "SELECT DISTINCT customer_id FROM contacts WHERE mobile = ?1 ORDER BY customer_id DESC LIMIT 32",
    "SELECT DISTINCT customer_id FROM contacts WHERE landline = ?1 ORDER BY customer_id DESC LIMIT 32",
];

fn match_candidates(conn: &Connection, probe: &Candidate) -> Result<Vec<Candidate>> {
    let [by_uscc, by_name_without_uscc, by_name, by_mobile, by_landline] = CANDIDATE_LOOKUPS;
    let mut ids: Vec<i64> = Vec::new();
    let found = |sql: &str, value: &str| -> Result<Vec<i64>> {
        debug_assert!(sql.ends_with(&format!("LIMIT {CANDIDATES_PER_KEY}")));
        let mut stmt = conn.prepare_cached(sql)?;
        Ok(stmt
            .query_map([value], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<_>>()?)
    };
    let mut add = |sql: &str, value: &str| -> Result<()> {
        ids.extend(found(sql, value)?);
        Ok(())
    };
    if let Some(u) = probe.uscc() {
        add(by_uscc, u)?;
    }
    let by_name = if probe.uscc().is_some() {
        by_name_without_uscc
    } else {
        by_name
    };
    for key in std::iter::once(probe.core()).chain(probe.short()) {
        add(by_name, key)?;
    }
    // A phone that many customers carry (a switchboard, a salesman's own mobile, a dummy
    // 13800000000) tells none of them from the others: comparing every new row with each of
    // them would only cost, the more so the more rows carry it.
    let phones = probe
        .mobiles()
        .map(|m| (by_mobile, m))
        .chain(probe.landlines().map(|l| (by_landline, l)));
    for (sql, phone) in phones {
        let shared = found(sql, phone)?;
        if shared.len() < CANDIDATES_PER_KEY {
            ids.extend(shared);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids.retain(|&id| id != probe.id);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One statement for any number of ids, so it is prepared once and cached.
    let ids = serde_json::to_string(&ids).expect("ids serialise");
    load_candidates(
        conn,
        "WHERE id IN (SELECT value FROM json_each(?1))",
        &[Value::Text(ids)],
        0,
        &mut |_| {},
    )
}

impl Store {
    /// Every customer as a match candidate, in id order; `progress` hears how many were read.
    pub fn dedupe_candidates(&self, progress: &mut dyn FnMut(usize)) -> Result<Vec<Candidate>> {
        // Counted first so a million candidates are not copied as their list doubles.
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
        load_candidates(&self.conn, "", &[], count as usize, progress)
    }

    /// The stored customers an incoming record may duplicate (see [`Writer::match_candidates`]).
    pub fn match_candidates(&self, probe: &Candidate) -> Result<Vec<Candidate>> {
        match_candidates(&self.conn, probe)
    }

    /// Pairs of codes dismissed as "not the same", in order.
    pub fn dismissed_pairs(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT code_a, code_b FROM dedupe_dismissed ORDER BY code_a, code_b")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The tables whose rows belong to a customer, with the column that says which one: those
/// that refer to customers, and `grade_results`, which does not (schema step 5).
fn child_tables(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f.\"table\" = 'customers'
         UNION SELECT 'grade_results', 'customer_id' ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The condition on `table` that picks the rows of the `n` customers bound as `?first`,
/// `?first + 1`, …, by `column`.
fn rows_of(table: &str, column: &str, first: usize, n: usize) -> String {
    if table == "grade_results" {
        return super::grade::results_of(first, n);
    }
    let marks: Vec<String> = (first..first + n).map(|i| format!("?{i}")).collect();
    format!("\"{column}\" IN ({})", marks.join(", "))
}

fn to_json(v: Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => json!(i),
        Value::Real(f) => json!(f),
        Value::Text(t) => Json::String(t),
        Value::Blob(b) => json!({ "blob": b.iter().map(|x| format!("{x:02x}")).collect::<String>() }),
    }
}

fn from_json(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or_default())),
        Json::String(s) => Value::Text(s.clone()),
        Json::Object(o) => {
            let hex = o.get("blob").and_then(Json::as_str).unwrap_or_default();
            Value::Blob(
                (0..hex.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                    .collect(),
            )
        }
        other => Value::Text(other.to_string()),
    }
}

/// `{columns, rows}` of `table` where `column` is one of `ids`.
fn snapshot_table(conn: &Connection, table: &str, column: &str, ids: &[i64]) -> Result<Json> {
    let mut stmt = conn.prepare(&format!(
        "SELECT * FROM \"{table}\" WHERE {} ORDER BY 1, 2",
        rows_of(table, column, 1, ids.len())
    ))?;
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let n = columns.len();
    let rows: Vec<Json> = stmt
        .query_map(params_from_iter(ids), |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i).map(to_json))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(Json::Array)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(json!({ "column": column, "columns": columns, "rows": rows }))
}

/// Snapshot `tables` as the schema now has them: a merge recorded before schema step 3 kept
/// each customer's score in `customers`, where `customer_scores` holds it now.
fn scores_apart(mut tables: Json) -> Json {
    let customers = &mut tables["customers"];
    let Some(at) = customers["columns"]
        .as_array()
        .and_then(|c| c.iter().position(|c| c == "score"))
    else {
        return tables;
    };
    if let Some(columns) = customers["columns"].as_array_mut() {
        columns.remove(at);
    }
    let mut scores = Vec::new();
    for row in customers["rows"].as_array_mut().into_iter().flatten() {
        if let Some(row) = row.as_array_mut().filter(|r| r.len() > at) {
            let score = row.remove(at);
            if !score.is_null() {
                scores.push(json!([row[0], score]));
            }
        }
    }
    tables["customer_scores"] = json!({ "columns": ["customer_id", "score"], "rows": scores });
    tables
}

fn insert_rows(conn: &Connection, table: &str, snap: &Json) -> Result<()> {
    let columns: Vec<String> = snap["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(|c| format!("\"{c}\"")))
        .collect();
    let marks = vec!["?"; columns.len()].join(", ");
    let sql = format!(
        "INSERT INTO \"{table}\" ({}) VALUES ({marks})",
        columns.join(", ")
    );
    for row in snap["rows"].as_array().into_iter().flatten() {
        let values: Vec<Value> = row.as_array().into_iter().flatten().map(from_json).collect();
        conn.prepare_cached(&sql)?
            .execute(params_from_iter(values))
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => Error::Conflict(format!(
                    "cannot restore a row of {table}: a row with the same key was added since the merge ({e})"
                )),
                _ => e.into(),
            })?;
    }
    Ok(())
}

fn codes_list(codes: &[String]) -> String {
    codes.join(", ")
}

impl Writer<'_> {
    /// The stored customers an incoming record may duplicate: same USCC, same name core or
    /// short-name core, or a shared mobile or landline. Compare each with
    /// [`crate::domain::dedupe::compare`]: a `sure` match is the same customer (update it), a
    /// `review` match a possible duplicate (insert, and report it).
    pub fn match_candidates(&self, probe: &Candidate) -> Result<Vec<Candidate>> {
        match_candidates(&self.tx, probe)
    }

    /// Merges `codes` into one customer: `keep`, or else the oldest. Refuses the same code
    /// twice, unknown codes, and customers with different USCCs unless `force` (a reason).
    pub fn merge_customers(
        &mut self,
        codes: &[String],
        keep: Option<&str>,
        force: Option<&str>,
    ) -> Result<Merged> {
        let codes: Vec<String> = codes.iter().map(|c| c.trim().to_uppercase()).collect();
        for (i, c) in codes.iter().enumerate() {
            if codes[..i].contains(c) {
                return Err(Error::Conflict(format!("cannot merge {c} with itself")));
            }
        }
        if codes.len() < 2 {
            return Err(Error::Conflict("a merge needs at least two customers".into()));
        }
        let mut records: Vec<Stored> = Vec::new();
        for c in &codes {
            records.push(self.customer(c)?);
        }
        let usccs: Vec<(&str, &str)> = records
            .iter()
            .filter_map(|s| s.customer.uscc.as_deref().map(|u| (s.customer.code.as_str(), u)))
            .collect();
        if let Some(&(other_code, other)) = usccs.iter().find(|(_, u)| *u != usccs[0].1)
            && force.is_none()
        {
            return Err(Error::Conflict(format!(
                "{} (uscc {}) and {other_code} (uscc {other}) have different USCCs: they are different companies \
                 (use --force --reason … to merge them anyway)",
                usccs[0].0, usccs[0].1
            )));
        }
        let survivor = match keep {
            Some(k) => {
                let k = k.trim().to_uppercase();
                records.iter().position(|s| s.customer.code == k).ok_or_else(|| {
                    Error::Conflict(format!("--keep {k} is not one of the customers being merged"))
                })?
            }
            None => (0..records.len())
                .min_by(|&a, &b| {
                    (&records[a].created_at, records[a].id).cmp(&(&records[b].created_at, records[b].id))
                })
                .expect("at least two"),
        };
        let surv = records[survivor].clone();
        let absorbed: Vec<&Stored> = records.iter().filter(|s| s.id != surv.id).collect();
        let absorbed_ids: Vec<i64> = absorbed.iter().map(|s| s.id).collect();
        let absorbed_codes: Vec<String> = absorbed.iter().map(|s| s.customer.code.clone()).collect();
        let all_ids: Vec<i64> = records.iter().map(|s| s.id).collect();

        // Orders with one contract number must agree, or one of them is wrong.
        let marks = vec!["?"; all_ids.len()].join(", ");
        let clash: Option<String> = self
            .tx
            .query_row(
                &format!(
                    "SELECT contract_no FROM orders WHERE customer_id IN ({marks}) AND contract_no IS NOT NULL
                     GROUP BY contract_no HAVING count(DISTINCT date || '|' || amount_fen) > 1
                     ORDER BY contract_no LIMIT 1"
                ),
                params_from_iter(&all_ids),
                |r| r.get(0),
            )
            .optional()?;
        if let Some(no) = clash {
            return Err(Error::Conflict(format!(
                "orders with contract number {no} differ in date or amount between these customers; correct one first"
            )));
        }

        let merge_id: i64 = self
            .tx
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM merges", [], |r| r.get(0))?;
        let children = child_tables(&self.tx)?;
        let mut tables = Map::new();
        tables.insert(
            "customers".into(),
            snapshot_table(&self.tx, "customers", "id", &all_ids)?,
        );
        for (table, column) in &children {
            tables.insert(table.clone(), snapshot_table(&self.tx, table, column, &all_ids)?);
        }

        let (mut moved, mut dropped) = (Vec::new(), Vec::new());
        let absorbed_marks = vec!["?"; absorbed_ids.len()].join(", ");
        for (table, column) in &children {
            let mut args = vec![surv.id];
            args.extend(&absorbed_ids);
            let n = self.tx.execute(
                &format!(
                    "UPDATE OR IGNORE \"{table}\" SET \"{column}\" = ?1 WHERE {}",
                    rows_of(table, column, 2, absorbed_ids.len())
                ),
                params_from_iter(&args),
            )?;
            let d = self.tx.execute(
                &format!(
                    "DELETE FROM \"{table}\" WHERE {}",
                    rows_of(table, column, 1, absorbed_ids.len())
                ),
                params_from_iter(&absorbed_ids),
            )?;
            if n > 0 {
                moved.push((table.clone(), n));
            }
            if d > 0 {
                dropped.push((table.clone(), d));
            }
        }
        // One primary contact: the survivor's own (the oldest).
        self.tx.execute(
            "UPDATE contacts SET is_primary = 0 WHERE customer_id = ?1 AND is_primary = 1
             AND id <> (SELECT min(id) FROM contacts WHERE customer_id = ?1 AND is_primary = 1)",
            [surv.id],
        )?;
        self.tx.execute(
            &format!("DELETE FROM customers WHERE id IN ({absorbed_marks})"),
            params_from_iter(&absorbed_ids),
        )?;

        let versions: Vec<Version> = records
            .iter()
            .map(|s| Version {
                customer: &s.customer,
                updated_at: &s.updated_at,
            })
            .collect();
        let merged: Customer = survive(&versions, survivor);
        let changes = Customer::diff(&surv.customer, &merged);
        self.store_customer(surv.id, &merged)?;

        let mut logged = vec![
            Change::new("merge", None, Some(merge_id.to_string())),
            Change::new("absorbed", None, Some(codes_list(&absorbed_codes))),
        ];
        logged.extend(changes.iter().cloned());
        logged.extend(
            moved
                .iter()
                .map(|(t, n)| Change::new(format!("moved.{t}"), None, Some(n.to_string()))),
        );
        self.log("merge", Some(&surv.customer.code), None, &logged)?;
        for code in &absorbed_codes {
            self.log(
                "merge",
                Some(code),
                None,
                &[
                    Change::new("merge", None, Some(merge_id.to_string())),
                    Change::new("merged_into", None, Some(surv.customer.code.clone())),
                ],
            )?;
        }
        let log_id: i64 = self
            .tx
            .query_row("SELECT coalesce(max(id), 0) FROM change_log", [], |r| r.get(0))?;
        let snapshot = json!({
            "survivor": {"id": surv.id, "code": surv.customer.code},
            "absorbed": absorbed.iter().map(|s| json!({"id": s.id, "code": s.customer.code})).collect::<Vec<_>>(),
            "log_id": log_id,
            "tables": Json::Object(tables),
        });
        self.tx.execute(
            "INSERT INTO merges(id, survivor_id, absorbed, snapshot, reason, operator, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                merge_id,
                surv.id,
                serde_json::to_string(&absorbed_codes).expect("codes serialise"),
                snapshot.to_string(),
                force,
                self.actor.operator,
                self.actor.stamp()
            ],
        )?;
        Ok(Merged {
            merge_id,
            survivor: surv.customer.code,
            absorbed: absorbed_codes,
            changes,
            moved,
            dropped,
        })
    }

    /// Overwrites customer `id` with `c`, score included.
    fn store_customer(&mut self, id: i64, c: &Customer) -> Result<()> {
        self.overwrite_customer(id, c)?;
        self.put_score(id, c)
    }

    /// Puts back every row merge `id` touched, exactly as it was. Refuses a merge already
    /// undone, one whose survivor was merged again or changed since, and one whose customers'
    /// codes were taken since.
    pub fn undo_merge(&mut self, id: i64) -> Result<Undone> {
        let row: Option<(String, Option<String>)> = self
            .tx
            .query_row(
                "SELECT snapshot, undone_at FROM merges WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((snapshot, undone_at)) = row else {
            return Err(Error::NotFoundOther(format!("no merge {id}")));
        };
        if let Some(at) = undone_at {
            return Err(Error::Conflict(format!("merge {id} was already undone at {at}")));
        }
        let snap: Json = serde_json::from_str(&snapshot)
            .map_err(|e| Error::Conflict(format!("merge {id} has an unreadable snapshot: {e}")))?;
        let surv_id = snap["survivor"]["id"].as_i64().unwrap_or_default();
        let surv_code = snap["survivor"]["code"].as_str().unwrap_or_default().to_string();
        let log_id = snap["log_id"].as_i64().unwrap_or_default();
        let absorbed: Vec<(i64, String)> = snap["absorbed"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a["id"].as_i64().unwrap_or_default(),
                    a["code"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();

        let later: Option<(i64, i64, String)> = self
            .tx
            .query_row(
                "SELECT m.id, m.survivor_id, m.absorbed FROM merges m
                 WHERE m.id > ?1 AND m.undone_at IS NULL
                   AND (m.survivor_id = ?2 OR EXISTS (SELECT 1 FROM json_each(m.absorbed) WHERE value = ?3))
                 ORDER BY m.id LIMIT 1",
                params![id, surv_id, surv_code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((later_id, later_survivor, _)) = later {
            let what = if later_survivor == surv_id {
                format!("{surv_code} took in more customers in merge {later_id} since")
            } else {
                format!("{surv_code} was merged into another customer by merge {later_id} since")
            };
            return Err(Error::Conflict(format!(
                "cannot undo merge {id}: {what}; undo merge {later_id} first"
            )));
        }
        let changed: Option<(i64, String)> = self
            .tx
            .query_row(
                "SELECT id, action FROM change_log WHERE customer_code = ?1 AND id > ?2
                 AND action NOT IN ('merge', 'merge.undo', 'dedupe.dismiss') ORDER BY id LIMIT 1",
                params![surv_code, log_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((entry, action)) = changed {
            return Err(Error::Conflict(format!(
                "cannot undo merge {id}: {surv_code} changed since (change log entry {entry}, {action}); \
                 undoing would lose that change"
            )));
        }
        for (aid, code) in &absorbed {
            let taken: Option<String> = self
                .tx
                .query_row(
                    "SELECT code FROM customers WHERE id = ?1 OR code = ?2",
                    params![aid, code],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = taken {
                return Err(Error::Conflict(format!(
                    "cannot undo merge {id}: {other} now holds the code or id {code} had"
                )));
            }
        }
        let before = self.customer(&surv_code)?;

        let tables = &scores_apart(snap["tables"].clone());
        let all_ids: Vec<i64> = std::iter::once(surv_id)
            .chain(absorbed.iter().map(|(i, _)| *i))
            .collect();
        let children = child_tables(&self.tx)?;
        for (table, column) in &children {
            self.tx.execute(
                &format!(
                    "DELETE FROM \"{table}\" WHERE {}",
                    rows_of(table, column, 1, all_ids.len())
                ),
                params_from_iter(&all_ids),
            )?;
        }
        // The survivor's row back first (it may hold a USCC an absorbed customer had).
        let customers = &tables["customers"];
        let columns: Vec<&str> = customers["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect();
        for row in customers["rows"].as_array().into_iter().flatten() {
            let values: Vec<Value> = row.as_array().into_iter().flatten().map(from_json).collect();
            if values.first() == Some(&Value::Integer(surv_id)) {
                let sets: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .skip(1)
                    .map(|(i, c)| format!("\"{c}\" = ?{}", i + 1))
                    .collect();
                self.tx.execute(
                    &format!("UPDATE customers SET {} WHERE id = ?1", sets.join(", ")),
                    params_from_iter(values),
                )?;
            }
        }
        let absorbed_only = json!({
            "columns": customers["columns"],
            "rows": customers["rows"].as_array().into_iter().flatten()
                .filter(|r| r[0].as_i64() != Some(surv_id)).cloned().collect::<Vec<_>>(),
        });
        insert_rows(&self.tx, "customers", &absorbed_only)?;
        for (table, _) in &children {
            if let Some(t) = tables.get(table) {
                insert_rows(&self.tx, table, t)?;
            }
        }
        self.tx.execute(
            "UPDATE merges SET undone_at = ?1 WHERE id = ?2",
            params![self.actor.stamp(), id],
        )?;
        let after = self.customer(&surv_code)?;
        let mut changes = vec![Change::new("merge", None, Some(id.to_string()))];
        changes.extend(Customer::diff(&before.customer, &after.customer));
        self.log("merge.undo", Some(&surv_code), None, &changes)?;
        for (_, code) in &absorbed {
            self.log(
                "merge.undo",
                Some(code),
                None,
                &[Change::new("restored", None, Some(format!("merge {id}")))],
            )?;
        }
        Ok(Undone {
            merge_id: id,
            survivor: surv_code,
            restored: absorbed.into_iter().map(|(_, c)| c).collect(),
        })
    }

    /// Records that `a` and `b` are not the same customer. Returns false when already recorded.
    pub fn dismiss_pair(&mut self, a: &str, b: &str) -> Result<bool> {
        let (a, b) = (self.customer(a)?, self.customer(b)?);
        if a.id == b.id {
            return Err(Error::Conflict(format!(
                "{} and {} are the same code",
                a.customer.code, b.customer.code
            )));
        }
        let (x, y) = if a.customer.code < b.customer.code {
            (&a.customer.code, &b.customer.code)
        } else {
            (&b.customer.code, &a.customer.code)
        };
        let n = self.tx.execute(
            "INSERT OR IGNORE INTO dedupe_dismissed(code_a, code_b, operator, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![x, y, self.actor.operator, self.actor.stamp()],
        )?;
        if n > 0 {
            self.log(
                "dedupe.dismiss",
                Some(x),
                None,
                &[Change::new("not_same_as", None, Some(y.clone()))],
            )?;
        }
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::Contact;
    use crate::domain::dedupe::{Level, compare};
    use crate::domain::grade::Model;
    use crate::store::{GradeFilter, Graded, RunSpec, Subject, test_actor as actor};

    /// A grading run over `codes` (all when empty): each customer's tier is `tier` and its
    /// score its id.
    fn grade(store: &mut Store, codes: &[&str], tier: &str) {
        let model = Model::standard();
        let filter = GradeFilter {
            codes: codes.iter().map(|c| c.to_string()).collect(),
            ..GradeFilter::default()
        };
        let spec = RunSpec {
            model: &model,
            as_of: "2024-06-30".parse().unwrap(),
            as_tag: None,
            filter: &filter,
        };
        store
            .write(&actor(), |w| {
                w.grade(&spec, |s: &Subject, g: &mut Graded| {
                    g.tier = tier.into();
                    g.model_tier = tier.into();
                    g.label = tier.into();
                    g.score = Some(s.id.into());
                    g.record = "[]".into();
                })
            })
            .unwrap();
    }

    /// Every grading result, as `run customer tier score`, in key order.
    fn results(store: &Store) -> Vec<String> {
        crate::store::texts(
            &store.conn,
            "SELECT run_id || ' ' || customer_id || ' ' || tier || ' ' || score FROM grade_results
             ORDER BY run_id, customer_id",
        )
    }

    #[test]
    fn a_merge_finds_the_rows_of_its_customers_without_reading_any_table_in_full() {
        let store = Store::open_in_memory().unwrap();
        let children = child_tables(&store.conn).unwrap();
        assert!(children.contains(&("grade_results".into(), "customer_id".into())));
        assert!(children.contains(&("orders".into(), "customer_id".into())));
        for (table, column) in &children {
            for sql in [
                format!(
                    "SELECT * FROM \"{table}\" WHERE {} ORDER BY 1, 2",
                    rows_of(table, column, 1, 3)
                ),
                format!(
                    "UPDATE OR IGNORE \"{table}\" SET \"{column}\" = ?1 WHERE {}",
                    rows_of(table, column, 2, 2)
                ),
                format!("DELETE FROM \"{table}\" WHERE {}", rows_of(table, column, 1, 3)),
            ] {
                let scans = super::super::grade::full_scans(&store.conn, &sql);
                assert!(
                    scans.iter().all(|t| t == "grade_runs"),
                    "{sql}\nreads in full: {scans:?}"
                );
            }
        }
    }

    #[test]
    fn a_merge_gives_the_survivor_the_results_it_lacks_and_its_undo_puts_them_all_back() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| {
                for name in ["甲公司", "乙公司", "丙公司"] {
                    w.insert_customer(Customer::new(name).unwrap(), "add", None)?;
                }
                Ok(())
            })
            .unwrap();
        let (a, b, c) = ("CST20240001", "CST20240002", "CST20240003");
        // Run 1 grades all three, run 2 the two to be absorbed, run 3 the last one.
        grade(&mut store, &[], "ordinary");
        grade(&mut store, &[b, c], "important");
        grade(&mut store, &[c], "core");
        let before = results(&store);
        assert_eq!(
            before,
            [
                "1 1 ordinary 1",
                "1 2 ordinary 2",
                "1 3 ordinary 3",
                "2 2 important 2",
                "2 3 important 3",
                "3 3 core 3"
            ]
        );

        let merged = store
            .write(&actor(), |w| {
                w.merge_customers(&[a.into(), b.into(), c.into()], None, None)
            })
            .unwrap();
        assert_eq!(merged.survivor, a);
        // The survivor keeps its own result of run 1 and takes the first absorbed
        // customer's where it has none.
        assert_eq!(
            results(&store),
            ["1 1 ordinary 1", "2 1 important 2", "3 1 core 3"]
        );
        assert_eq!(merged.moved, [("grade_results".to_string(), 2)]);
        assert_eq!(
            merged.dropped,
            [
                ("customer_scores".to_string(), 2),
                ("grade_results".to_string(), 3)
            ]
        );
        let (run, result) = store.latest_grade_of(1, true).unwrap().unwrap();
        assert_eq!((run.id, result.tier.as_str()), (3, "core"));
        // The snapshot holds the results as every merge has kept them: all columns, in key
        // order.
        let snapshot: String = store
            .conn
            .query_row("SELECT snapshot FROM merges WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        let snapshot: Json = serde_json::from_str(&snapshot).unwrap();
        let kept = &snapshot["tables"]["grade_results"];
        assert_eq!(kept["column"], "customer_id");
        assert_eq!(
            kept["columns"],
            json!([
                "run_id",
                "customer_id",
                "score",
                "tier",
                "model_tier",
                "incomplete",
                "indicators"
            ])
        );
        assert_eq!(
            kept["rows"][4],
            json!([2, 3, "3", "important", "important", 0, "[]"])
        );
        let keys: Vec<(i64, i64)> = kept["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_i64().unwrap(), r[1].as_i64().unwrap()))
            .collect();
        assert_eq!(keys, [(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (3, 3)]);

        store.write(&actor(), |w| w.undo_merge(1)).unwrap();
        assert_eq!(results(&store), before);
        let (run, result) = store.latest_grade_of(1, true).unwrap().unwrap();
        assert_eq!((run.id, result.tier.as_str()), (1, "ordinary"));
    }

    #[test]
    fn a_snapshot_from_before_scores_had_a_table_is_read_with_them_apart() {
        let old = json!({
            "customers": {"columns": ["id", "code", "score", "tier"],
                          "rows": [[1, "C1", "91.5", "core"], [2, "C2", null, null]]},
            "orders": {"columns": ["id", "customer_id"], "rows": [[7, 2]]},
        });
        let now = scores_apart(old.clone());
        assert_eq!(now["customers"]["columns"], json!(["id", "code", "tier"]));
        assert_eq!(
            now["customers"]["rows"],
            json!([[1, "C1", "core"], [2, "C2", null]])
        );
        assert_eq!(now["customer_scores"]["rows"], json!([[1, "91.5"]]));
        assert_eq!(now["orders"], old["orders"]);
        assert_eq!(
            scores_apart(now.clone()),
            now,
            "a current snapshot is left as it is"
        );
    }

    /// A switchboard 32 contacts of one company share still finds that company; one 32
    /// companies share finds none of them.
    #[test]
    fn a_phone_counts_as_shared_by_customers_not_by_contacts() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| {
                let one = w.insert_customer(Customer::new("星河电子有限公司").unwrap(), "add", None)?;
                for i in 0..32 {
                    let mut c = Contact::new(&format!("员工{i}")).unwrap();
                    c.landline = Some("02012345678".into());
                    w.add_contact(&one, &c, None)?;
                }
                for i in 0..32 {
                    let other =
                        w.insert_customer(Customer::new(&format!("门店{i}号")).unwrap(), "add", None)?;
                    let mut c = Contact::new("店长").unwrap();
                    c.mobile = Some("13800000000".into());
                    w.add_contact(&other, &c, None)?;
                }
                Ok(())
            })
            .unwrap();
        let mut probe = Candidate::new(0, "", "完全不同的公司", None);
        probe.add_contact(None, None, Some("02012345678"), None);
        let found = store.match_candidates(&probe).unwrap();
        assert_eq!(
            found.iter().map(|c| c.code()).collect::<Vec<_>>(),
            ["CST20240001"]
        );
        let mut probe = Candidate::new(0, "", "完全不同的公司", None);
        probe.add_contact(None, Some("13800000000"), None, None);
        assert!(store.match_candidates(&probe).unwrap().is_empty());
    }

    #[test]
    fn an_incoming_record_finds_its_stored_twin_by_name_key_and_by_mobile() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| {
                let a = w.insert_customer(Customer::new("北京某某科技有限公司").unwrap(), "add", None)?;
                let mut wang = Contact::new("王总").unwrap();
                wang.mobile = Some("13812345678".into());
                w.add_contact(&a, &wang, None)?;
                w.insert_customer(Customer::new("远洋物流有限公司").unwrap(), "add", None)?;
                let c = w.insert_customer(Customer::new("毫不相干").unwrap(), "add", None)?;
                let mut li = Contact::new("李经理").unwrap();
                li.mobile = Some("13912345678".into());
                w.add_contact(&c, &li, None)
            })
            .unwrap();
        assert_eq!(
            store
                .conn
                .query_row("SELECT name_key FROM customers WHERE id = 1", [], |r| r
                    .get::<_, String>(0))
                .unwrap(),
            "某某科技"
        );
        let mut probe = Candidate::new(0, "", "某某科技有限责任公司", None);
        probe.add_contact(Some("王经理"), Some("13812345678"), None, None);
        let found = store.match_candidates(&probe).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code(), "CST20240001");
        assert_eq!(compare(&probe, &found[0]).level, Some(Level::Sure));
        // A shared mobile alone brings a candidate too; the comparison then says no.
        let mut stranger = Candidate::new(0, "", "完全不同的公司", None);
        stranger.add_contact(Some("李经理"), Some("13912345678"), None, None);
        let found = store.match_candidates(&stranger).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(compare(&stranger, &found[0]).level, None);
    }

    #[test]
    fn candidates_carry_contacts_place_and_industry() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| {
                let mut c = Customer::new("华兴科技有限公司").unwrap();
                c.set(
                    crate::domain::Field::Province,
                    "广东",
                    crate::domain::money::Unit::Yuan,
                )?;
                c.set(
                    crate::domain::Field::City,
                    "深圳市",
                    crate::domain::money::Unit::Yuan,
                )?;
                c.set(
                    crate::domain::Field::Industry,
                    "I65",
                    crate::domain::money::Unit::Yuan,
                )?;
                let s = w.insert_customer(c, "add", None)?;
                w.add_contact(&s, &Contact::new("陈工").unwrap(), None)?;
                w.insert_customer(Customer::new("其他公司").unwrap(), "add", None)
            })
            .unwrap();
        let mut seen = Vec::new();
        let cands = store.dedupe_candidates(&mut |n| seen.push(n)).unwrap();
        assert_eq!(seen.last(), Some(&2));
        assert_eq!(cands[0].core(), "华兴科技");
        assert_eq!(cands[0].province.map(|p| p.code), Some("44"));
        assert_eq!(cands[0].city(), Some("深圳"));
        assert_eq!(cands[0].industry.map(|i| i.code()), Some("I65".to_string()));
        assert_eq!(cands[0].people().next().map(|p| p.surname), Some("陈"));
        assert_eq!(cands[1].people().count(), 0);
    }
}
