//! `kehu list`'s filters turned into one SQL statement that starts from the most selective
//! index.
//!
//! Every condition is a predicate on the customer row `c`. Conditions that the tag index
//! (`customer_tag_index`: stored tags, region, industry section, stage) or the text index
//! (`customer_search`: trigram substrings of 3+ characters) can answer also get an FTS5 term.
//! The plan:
//!
//! 1. With tag-index terms, count the matches up to [`SMALL`]; if fewer, drive from the tag
//!    index (its rowids, in order, joined to `c`) and check the rest on each row.
//! 2. Else the same with the text index.
//! 3. Else, when a `LIMIT` is asked and the sort has an index, walk that index and check
//!    every condition on each row until the limit is reached (no index is then used for the
//!    broad column conditions, so SQLite does not pick them over the sort index).
//! 4. Else drive from whichever index exists, or let SQLite plan the plain `WHERE`.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::tags::{check_cond, derived_column, tag_id};
use super::{CustomerKey, ListFilter, Result, Sort, Store, Stored, Writer};
use crate::domain::choice::Choice;
use crate::domain::query::{Range, Word};
use crate::domain::tag::{Derived, DerivedValue, TagCond};

/// Below this many index matches, starting from the index beats walking the sort order.
const SMALL: i64 = 20_000;

/// A condition on the customer row, and the index term that means the same, if any.
#[derive(Debug, Clone)]
struct Cond {
    sql: String,
    args: Vec<Value>,
    /// The same predicate with its column hidden from the planner (`+c.region = ?`).
    scan_sql: Option<String>,
    /// An FTS5 term of `customer_tag_index` equivalent to the predicate.
    term: Option<String>,
}

impl Cond {
    fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Cond {
            sql: sql.into(),
            args,
            scan_sql: None,
            term: None,
        }
    }

    /// `c.<column> = ?`, with its index term when it has one.
    fn column(column: &str, value: impl Into<Value>, term: Option<String>) -> Self {
        Cond {
            sql: format!("c.{column} = ?"),
            args: vec![value.into()],
            scan_sql: term.as_ref().map(|_| format!("+c.{column} = ?")),
            term,
        }
    }

    fn never() -> Self {
        Cond::new("0", vec![])
    }

    fn is_never(&self) -> bool {
        self.sql == "0"
    }
}

/// The filter's conditions, grouped by what can answer them.
#[derive(Debug, Default)]
struct Conds {
    /// All must hold; some have tag-index terms.
    all: Vec<Cond>,
    /// Tag-index terms that must not hold (with their row predicates in `all` as `NOT …`).
    not_terms: Vec<(usize, String)>,
    /// Free-text words: the row predicate and, for 3+ characters, a text-index expression.
    words: Vec<(Cond, Option<String>)>,
}

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Driver {
    Plain { scan: bool },
    TagIndex(String),
    TextIndex(String),
}

/// A planned statement: `FROM … WHERE …`, with its arguments in order.
#[derive(Debug)]
pub(super) struct Plan {
    from: String,
    from_args: Vec<Value>,
    wheres: Vec<String>,
    where_args: Vec<Value>,
    /// The count, when the index alone answered it while planning.
    known_count: Option<i64>,
}

impl Plan {
    fn body(&self) -> String {
        let mut sql = self.from.clone();
        if !self.wheres.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.wheres.join(" AND "));
        }
        sql
    }

    fn args(&self) -> Vec<Value> {
        self.from_args.iter().chain(&self.where_args).cloned().collect()
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// `"…"` with inner quotes doubled: an FTS5 string.
fn fts_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn range<T: Clone>(conds: &mut Vec<Cond>, column: &str, r: &Range<T>, value: impl Fn(T) -> Value) {
    if let Some(min) = &r.min {
        conds.push(Cond::new(format!("{column} >= ?"), vec![value(min.clone())]));
    }
    if let Some(max) = &r.max {
        conds.push(Cond::new(format!("{column} <= ?"), vec![value(max.clone())]));
    }
}

/// The condition for one tag (stored or derived).
fn tag_cond(conn: &Connection, cond: &TagCond) -> Result<Cond> {
    let cond = check_cond(conn, cond)?;
    Ok(match &cond {
        TagCond::Stored(tag) => match tag_id(conn, tag)? {
            None => Cond::never(),
            Some(id) => Cond {
                sql:
                    "EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = ? AND value = ?)"
                        .into(),
                args: vec![text(&tag.dim), text(&tag.value)],
                scan_sql: None,
                term: Some(format!("t{id}")),
            },
        },
        TagCond::StoredDim(dim) => Cond::new(
            "EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = ?)",
            vec![text(dim)],
        ),
        TagCond::Derived(v) => derived_cond(v),
        TagCond::DerivedDim(d) => Cond::new(format!("c.{} IS NOT NULL", derived_column(*d)), vec![]),
    })
}

fn derived_cond(v: &DerivedValue) -> Cond {
    match v {
        DerivedValue::Region(r) => Cond::column("region", text(r.en()), Some(format!("zr{}", r.en()))),
        DerivedValue::Province(p) => Cond::column("province", text(p.name), None),
        DerivedValue::Industry(i) => match i.division {
            None => Cond::column(
                "industry_section",
                text(i.section.to_string()),
                Some(format!("zi{}", i.section)),
            ),
            Some(_) => Cond::new(
                "c.industry_section = ? AND c.industry = ?",
                vec![text(i.section.to_string()), text(i.code())],
            ),
        },
        DerivedValue::Stage(s) => Cond::column("stage", text(s.key()), Some(format!("zs{}", s.key()))),
        DerivedValue::Tier(t) => Cond::column("tier", text(t), None),
    }
}

fn word_cond(word: &Word) -> (Cond, Option<String>) {
    let mut sql =
        "(instr(lower(c.name), ?) > 0 OR instr(lower(c.short_name), ?) > 0 OR instr(lower(c.remarks), ?) > 0"
            .to_string();
    let mut args = vec![text(&word.text), text(&word.text), text(&word.text)];
    if let Some(phone) = &word.phone {
        sql.push_str(
            " OR EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id AND (instr(k.mobile, ?) > 0 OR instr(k.landline, ?) > 0))",
        );
        args.extend([text(phone), text(phone)]);
    }
    sql.push(')');
    let term = (word.text.chars().count() >= 3).then(|| {
        let mut t = format!("{{name short_name remarks}} : {}", fts_string(&word.text));
        if let Some(phone) = &word.phone {
            t = format!("({t} OR {{phones}} : {})", fts_string(phone));
        }
        t
    });
    (Cond::new(sql, args), term)
}

fn conditions(conn: &Connection, f: &ListFilter) -> Result<Conds> {
    let mut all: Vec<Cond> = Vec::new();
    if let Some(stage) = f.stage {
        all.push(derived_cond(&DerivedValue::Stage(stage)));
    }
    if let Some(region) = f.region {
        all.push(derived_cond(&DerivedValue::Region(region)));
    }
    if let Some(p) = &f.province {
        all.push(Cond::column("province", text(p), None));
    }
    if let Some(i) = &f.industry {
        all.push(match crate::domain::industry::parse_industry(i) {
            Ok(industry) => derived_cond(&DerivedValue::Industry(industry)),
            Err(_) => Cond::column("industry", text(i), None),
        });
    }
    if let Some(o) = &f.owner {
        all.push(Cond::column("owner", text(o), None));
    }
    if let Some(t) = &f.tier {
        all.push(Cond::column("tier", text(t), None));
    }
    if let Some(i) = f.intent {
        all.push(Cond::column("intent", text(i.key()), None));
    }
    if let Some(s) = f.source {
        all.push(Cond::column("source", text(s.key()), None));
    }
    if !f.city.is_empty() {
        let marks = vec!["?"; f.city.len()].join(", ");
        all.push(Cond::new(
            format!("c.city IN ({marks})"),
            f.city.iter().map(text).collect(),
        ));
    }
    let date = |d: chrono::NaiveDate| text(d.to_string());
    range(&mut all, "c.first_coop_date", &f.first_coop, date);
    range(&mut all, "c.last_coop_date", &f.last_coop, date);
    range(&mut all, "c.total_amount_fen", &f.amount_fen, Value::Integer);
    range(&mut all, "CAST(c.score AS REAL)", &f.score, |d| {
        Value::Real(d.to_string().parse().unwrap_or(0.0))
    });
    if let Some(day) = f.stale_before {
        all.push(Cond::new("c.updated_at < ?", vec![text(day.to_string())]));
    }
    for t in &f.all_tags {
        all.push(tag_cond(conn, t)?);
    }
    if !f.any_tags.is_empty() {
        let members: Vec<Cond> = f
            .any_tags
            .iter()
            .map(|t| tag_cond(conn, t))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|c| !c.is_never())
            .collect();
        all.push(if members.is_empty() {
            Cond::never()
        } else {
            let term = members
                .iter()
                .map(|m| m.term.clone())
                .collect::<Option<Vec<_>>>()
                .map(|ts| format!("({})", ts.join(" OR ")));
            Cond {
                sql: format!(
                    "({})",
                    members
                        .iter()
                        .map(|m| m.sql.as_str())
                        .collect::<Vec<_>>()
                        .join(" OR ")
                ),
                args: members.iter().flat_map(|m| m.args.clone()).collect(),
                scan_sql: None,
                term,
            }
        });
    }
    let mut not_terms = Vec::new();
    for t in &f.no_tags {
        let c = tag_cond(conn, t)?;
        if c.is_never() {
            continue;
        }
        if let Some(term) = &c.term {
            not_terms.push((all.len(), term.clone()));
        }
        all.push(Cond::new(format!("NOT ({})", c.sql), c.args));
    }
    let words = f.text.iter().map(word_cond).collect();
    Ok(Conds {
        all,
        not_terms,
        words,
    })
}

/// Whether the sort can walk an index (and so stop at the limit).
fn indexed_sort(sort: Sort) -> bool {
    matches!(sort, Sort::Code | Sort::Name | Sort::Updated)
}

fn order_by(f: &ListFilter) -> String {
    let dir = if f.descending { "DESC" } else { "ASC" };
    let nullable = |col: &str| format!("{col} {dir} NULLS LAST, c.code");
    match f.sort {
        Sort::Code => format!("c.code {dir}"),
        Sort::Name => format!("c.name {dir}, c.code"),
        Sort::Updated => format!("c.updated_at {dir}, c.code"),
        Sort::Created => format!("c.created_at {dir}, c.code"),
        Sort::Amount => nullable("c.total_amount_fen"),
        Sort::Score => nullable("CAST(c.score AS REAL)"),
        Sort::FirstCoop => nullable("c.first_coop_date"),
        Sort::LastCoop => nullable("c.last_coop_date"),
    }
}

/// How many rows match `expr` in an FTS5 table, counting no further than [`SMALL`].
fn probe(conn: &Connection, table: &str, expr: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ?1 LIMIT ?2)"
        ))?
        .query_row(rusqlite::params![expr, SMALL], |r| r.get(0))?)
}

/// Plans the filter: which index to start from and what to check on each row.
pub(super) fn plan(conn: &Connection, f: &ListFilter, limited: bool) -> Result<Plan> {
    let conds = conditions(conn, f)?;
    let tag_terms: Vec<(usize, &String)> = conds
        .all
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.term.as_ref().map(|t| (i, t)))
        .collect();
    let tag_expr = (!tag_terms.is_empty()).then(|| {
        let positive = tag_terms
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" AND ");
        if conds.not_terms.is_empty() {
            positive
        } else {
            let negative: Vec<&str> = conds.not_terms.iter().map(|(_, t)| t.as_str()).collect();
            format!("({positive}) NOT ({})", negative.join(" OR "))
        }
    });
    let text_terms: Vec<&String> = conds.words.iter().filter_map(|(_, t)| t.as_ref()).collect();
    let text_expr = (!text_terms.is_empty()).then(|| {
        text_terms
            .iter()
            .map(|t| format!("({t})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    });
    let never = conds.all.iter().any(Cond::is_never);

    let mut known_count = None;
    let mut driver = None;
    if !never {
        for (expr, is_tag) in [(&tag_expr, true), (&text_expr, false)] {
            let Some(expr) = expr else { continue };
            let table = if is_tag {
                "customer_tag_index"
            } else {
                "customer_search"
            };
            let n = probe(conn, table, expr)?;
            if n < SMALL {
                let only = if is_tag {
                    conds.all.len() == tag_terms.len() + conds.not_terms.len() && conds.words.is_empty()
                } else {
                    conds.all.is_empty() && conds.words.iter().all(|(_, t)| t.is_some())
                };
                known_count = only.then_some(n);
                driver = Some(if is_tag {
                    Driver::TagIndex(expr.clone())
                } else {
                    Driver::TextIndex(expr.clone())
                });
                break;
            }
        }
    }
    let driver = match driver {
        Some(d) => d,
        None if never => Driver::Plain { scan: false },
        None if limited && indexed_sort(f.sort) => Driver::Plain { scan: true },
        None => match (tag_expr, text_expr) {
            (Some(e), _) => Driver::TagIndex(e),
            (None, Some(e)) => Driver::TextIndex(e),
            (None, None) => Driver::Plain { scan: false },
        },
    };

    let mut plan = Plan {
        from: "FROM customers c".into(),
        from_args: vec![],
        wheres: vec![],
        where_args: vec![],
        known_count,
    };
    let covered_by_tags: Vec<usize> = match &driver {
        Driver::TagIndex(expr) => {
            plan.from =
                "FROM (SELECT rowid AS id FROM customer_tag_index WHERE customer_tag_index MATCH ?) m \
                         CROSS JOIN customers c ON c.id = m.id"
                    .into();
            plan.from_args.push(text(expr));
            tag_terms
                .iter()
                .map(|(i, _)| *i)
                .chain(conds.not_terms.iter().map(|(i, _)| *i))
                .collect()
        }
        Driver::TextIndex(expr) => {
            plan.from = "FROM (SELECT rowid AS id FROM customer_search WHERE customer_search MATCH ?) m \
                         CROSS JOIN customers c ON c.id = m.id"
                .into();
            plan.from_args.push(text(expr));
            vec![]
        }
        Driver::Plain { .. } => vec![],
    };
    let scan = driver == Driver::Plain { scan: true };
    for (i, c) in conds.all.iter().enumerate() {
        if covered_by_tags.contains(&i) {
            continue;
        }
        let sql = match (&c.scan_sql, scan) {
            (Some(s), true) => s.clone(),
            _ => c.sql.clone(),
        };
        plan.wheres.push(sql);
        plan.where_args.extend(c.args.iter().cloned());
    }
    let text_driven = matches!(driver, Driver::TextIndex(_));
    for (c, term) in &conds.words {
        if text_driven && term.is_some() {
            continue;
        }
        plan.wheres.push(c.sql.clone());
        plan.where_args.extend(c.args.iter().cloned());
    }
    Ok(plan)
}

fn qualified_columns() -> String {
    super::customers::COLUMNS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(conn: &Connection, f: &ListFilter) -> Result<Vec<Stored>> {
    let plan = plan(conn, f, f.limit.is_some())?;
    let mut sql = format!(
        "SELECT {} {} ORDER BY {}",
        qualified_columns(),
        plan.body(),
        order_by(f)
    );
    if let Some(limit) = f.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan.args()), super::customers::stored)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn count(conn: &Connection, f: &ListFilter) -> Result<i64> {
    let plan = plan(conn, f, false)?;
    if let Some(n) = plan.known_count {
        return Ok(n);
    }
    let sql = format!("SELECT count(*) {}", plan.body());
    Ok(conn.query_row(&sql, rusqlite::params_from_iter(plan.args()), |r| r.get(0))?)
}

/// What `--group-by` counts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// A derived dimension (its record column).
    Derived(Derived),
    /// A stored dimension: a customer with two values counts under both, one with none
    /// under no value.
    Dim(String),
    /// A record column (`owner`, `source`, …).
    Column(&'static str),
}

fn group(conn: &Connection, f: &ListFilter, by: &GroupBy) -> Result<Vec<(Option<String>, i64)>> {
    let plan = plan(conn, f, false)?;
    let mut args = plan.from_args.clone();
    let (key, join) = match by {
        GroupBy::Derived(d) => (format!("c.{}", derived_column(*d)), String::new()),
        GroupBy::Column(col) => (format!("c.{col}"), String::new()),
        GroupBy::Dim(dim) => {
            args.push(text(dim));
            (
                "g.value".to_string(),
                " LEFT JOIN customer_tags g ON g.customer_id = c.id AND g.dim = ?".to_string(),
            )
        }
    };
    args.extend(plan.where_args.iter().cloned());
    let mut sql = format!("SELECT {key}, count(*) {}{join}", plan.from);
    if !plan.wheres.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&plan.wheres.join(" AND "));
    }
    sql.push_str(" GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r: &Row| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn keys(conn: &Connection, f: &ListFilter) -> Result<Vec<CustomerKey>> {
    let plan = plan(conn, f, false)?;
    let sql = format!("SELECT c.id, c.code {} ORDER BY c.id", plan.body());
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan.args()), |r| {
        Ok(CustomerKey {
            id: r.get(0)?,
            code: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The SQL a filter runs and SQLite's plan for it (for `kehu list --explain`).
fn explain(conn: &Connection, f: &ListFilter) -> Result<(String, Vec<String>)> {
    let plan = plan(conn, f, f.limit.is_some())?;
    let mut sql = format!("SELECT c.id {} ORDER BY {}", plan.body(), order_by(f));
    if let Some(limit) = f.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let steps = stmt
        .query_map(rusqlite::params_from_iter(plan.args()), |r| r.get::<_, String>(3))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut args = plan.args().into_iter();
    let mut shown = String::with_capacity(sql.len());
    for ch in sql.chars() {
        match ch {
            '?' => shown.push_str(&match args.next() {
                Some(Value::Text(s)) => format!("'{}'", s.replace('\'', "''")),
                Some(Value::Integer(i)) => i.to_string(),
                Some(Value::Real(r)) => r.to_string(),
                _ => "NULL".into(),
            }),
            c => shown.push(c),
        }
    }
    Ok((shown, steps))
}

impl Store {
    /// Customers matching `filter`, in a stable order.
    pub fn list_customers(&self, filter: &ListFilter) -> Result<Vec<Stored>> {
        list(&self.conn, filter)
    }

    /// How many customers match `filter`.
    pub fn count_customers(&self, filter: &ListFilter) -> Result<i64> {
        count(&self.conn, filter)
    }

    /// Matching customers counted by a dimension or column, largest group first.
    pub fn group_customers(&self, filter: &ListFilter, by: &GroupBy) -> Result<Vec<(Option<String>, i64)>> {
        group(&self.conn, filter, by)
    }

    /// Whether a stored tag dimension exists (declared or in use).
    pub fn has_tag_dim(&self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM tag_dims WHERE name = ?1)
                     OR EXISTS(SELECT 1 FROM customer_tags WHERE dim = ?1)",
            )?
            .query_row([name], |r| r.get(0))?)
    }

    /// The statement a filter runs, with its arguments written in, and SQLite's plan for it.
    pub fn explain_list(&self, filter: &ListFilter) -> Result<(String, Vec<String>)> {
        explain(&self.conn, filter)
    }

    /// Rebuilds the search indexes from their views (after loading data behind kehu's back).
    pub fn rebuild_search_indexes(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE;
             INSERT OR IGNORE INTO tag_ids(dim, value) SELECT dim, value FROM customer_tags ORDER BY dim, value;
             DELETE FROM customer_search;
             INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
                 SELECT * FROM customer_search_source;
             DELETE FROM customer_tag_index;
             INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms;
             COMMIT;",
        )?;
        Ok(())
    }
}

impl Writer<'_> {
    /// The customers matching `filter`, in id order (for changes over a filter).
    pub fn customer_keys(&self, filter: &ListFilter) -> Result<Vec<CustomerKey>> {
        keys(&self.tx, filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Customer;
    use crate::domain::Field;
    use crate::domain::money::Unit;
    use crate::domain::query::parse_text;
    use crate::domain::region::Region;
    use crate::domain::tag::Tag;
    use crate::store::Actor;
    use crate::store::tags::MANUAL;

    fn actor() -> Actor {
        Actor {
            operator: "tester".into(),
            now: "2024-06-30T08:00:00Z".parse().unwrap(),
        }
    }

    /// 甲 (浙江, C, 意向:高 VIP), 乙 (广东, I65, 意向:高), 丙 (浙江, F, VIP), each with a contact.
    fn sample() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let rows: [(&str, &str, &str, &[&str], &str); 3] = [
            (
                "杭州甲科技有限公司",
                "浙江",
                "C34",
                &["意向:高", "VIP"],
                "13812345678",
            ),
            (
                "深圳乙信息技术有限公司",
                "广东",
                "I65",
                &["意向:高"],
                "13900001111",
            ),
            ("宁波丙贸易有限公司", "浙江", "F51", &["VIP"], "02161234567"),
        ];
        store
            .write(&actor(), |w| {
                for (name, province, industry, tags, phone) in rows {
                    let mut c = Customer::new(name).unwrap();
                    c.set(Field::Province, province, Unit::Yuan).unwrap();
                    c.set(Field::Industry, industry, Unit::Yuan).unwrap();
                    let s = w.insert_customer(c, "add", None)?;
                    let mobile = phone.starts_with('1').then(|| phone.to_string());
                    let landline = (!phone.starts_with('1')).then(|| phone.to_string());
                    let contact = crate::domain::contact::Contact {
                        name: "王".into(),
                        mobile,
                        landline,
                        ..Default::default()
                    };
                    w.add_contact(&s, &contact, None)?;
                    let tags: Vec<Tag> = tags.iter().map(|t| Tag::parse(t).unwrap()).collect();
                    let (ready, _) = w.prepare_tags(&tags)?;
                    w.add_tags(&CustomerKey::from(&s), &ready, MANUAL)?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    fn names(store: &Store, f: &ListFilter) -> Vec<String> {
        let mut by_list: Vec<String> = store
            .list_customers(f)
            .unwrap()
            .into_iter()
            .map(|s| s.customer.name.chars().nth(2).unwrap().to_string())
            .collect();
        assert_eq!(
            store.count_customers(f).unwrap(),
            by_list.len() as i64,
            "count agrees"
        );
        by_list.sort();
        by_list
    }

    fn tag(s: &str) -> TagCond {
        TagCond::parse(s).unwrap()
    }

    #[test]
    fn tags_combine_all_any_and_none() {
        let store = sample();
        let f = |all: &[&str], any: &[&str], none: &[&str]| ListFilter {
            all_tags: all.iter().map(|t| tag(t)).collect(),
            any_tags: any.iter().map(|t| tag(t)).collect(),
            no_tags: none.iter().map(|t| tag(t)).collect(),
            ..ListFilter::default()
        };
        assert_eq!(names(&store, &f(&["意向:高"], &[], &[])), ["乙", "甲"]);
        assert_eq!(names(&store, &f(&["意向:高", "VIP"], &[], &[])), ["甲"]);
        assert_eq!(names(&store, &f(&["意向:高", "区域:华东"], &[], &[])), ["甲"]);
        assert_eq!(
            names(&store, &f(&[], &["行业:制造业", "行业:批发"], &[])),
            ["丙", "甲"]
        );
        assert_eq!(names(&store, &f(&["VIP"], &[], &["意向:高"])), ["丙"]);
        assert_eq!(names(&store, &f(&[], &[], &["VIP"])), ["乙"]);
        assert_eq!(names(&store, &f(&["意向:*"], &[], &[])), ["乙", "甲"]);
        assert_eq!(names(&store, &f(&["行业:IT服务业"], &[], &[])), ["乙"]);
        assert_eq!(names(&store, &f(&["地区:广东"], &[], &[])), ["乙"]);
        assert!(names(&store, &f(&["从未用过的标签"], &[], &[])).is_empty());
        assert_eq!(
            names(&store, &f(&[], &["从未用过的标签", "VIP"], &[])),
            ["丙", "甲"]
        );
    }

    #[test]
    fn text_matches_substrings_of_any_length_and_phone_numbers() {
        let store = sample();
        let q = |s: &str| ListFilter {
            text: parse_text(s).unwrap(),
            ..ListFilter::default()
        };
        assert_eq!(names(&store, &q("科技")), ["甲"]);
        assert_eq!(names(&store, &q("信息技术")), ["乙"]);
        assert_eq!(names(&store, &q("有限公司")), ["丙", "乙", "甲"]);
        assert_eq!(names(&store, &q("杭州 科技")), ["甲"]);
        assert_eq!(names(&store, &q("138-1234-5678")), ["甲"]);
        assert_eq!(names(&store, &q("+86 139 0000 1111")), ["乙"]);
        assert_eq!(names(&store, &q("021-6123 4567")), ["丙"]);
        assert_eq!(names(&store, &q("5678")), ["甲"]);
        assert!(names(&store, &q("上海")).is_empty());
        let both = ListFilter {
            text: parse_text("有限公司").unwrap(),
            all_tags: vec![tag("VIP")],
            region: Some(Region::East),
            ..ListFilter::default()
        };
        assert_eq!(names(&store, &both), ["丙", "甲"]);
    }

    #[test]
    fn the_indexes_follow_every_change() {
        let mut store = sample();
        let f = ListFilter {
            all_tags: vec![tag("区域:华南")],
            text: parse_text("乙信息").unwrap(),
            ..ListFilter::default()
        };
        assert_eq!(names(&store, &f), ["乙"]);
        let before = store.customer("CST20240002").unwrap();
        let mut after = before.customer.clone();
        after.set(Field::Province, "江苏", Unit::Yuan).unwrap();
        after
            .set(Field::Name, "南京乙信息技术有限公司", Unit::Yuan)
            .unwrap();
        store
            .write(&actor(), |w| w.update_customer(&before, after, "edit", None))
            .unwrap();
        assert!(names(&store, &f).is_empty());
        let east = ListFilter {
            all_tags: vec![tag("区域:华东"), tag("意向:高")],
            text: parse_text("南京").unwrap(),
            ..ListFilter::default()
        };
        assert_eq!(names(&store, &east), ["乙"]);
        // The indexes equal a rebuild from their views.
        let snapshot = |s: &Store| -> Vec<String> {
            let mut stmt = s
                .conn
                .prepare(
                    "SELECT 'tag ' || rowid || ' ' || terms FROM customer_tag_index
                     UNION ALL SELECT 'text ' || rowid || ' ' || name || '|' || coalesce(phones, '') FROM customer_search
                     ORDER BY 1",
                )
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        let incremental = snapshot(&store);
        store.rebuild_search_indexes().unwrap();
        assert_eq!(snapshot(&store), incremental);
        store
            .conn
            .execute_batch(
                "INSERT INTO customer_search(customer_search) VALUES ('integrity-check');
                 INSERT INTO customer_tag_index(customer_tag_index) VALUES ('integrity-check');",
            )
            .unwrap();
    }

    #[test]
    fn deleting_a_customer_empties_its_index_rows() {
        let store = sample();
        store
            .conn
            .execute("DELETE FROM customers WHERE code = 'CST20240001'", [])
            .unwrap();
        let n: i64 = store
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM customer_tag_index) + (SELECT count(*) FROM customer_search)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 4);
    }

    #[test]
    fn groups_count_by_derived_stored_and_column() {
        let store = sample();
        let f = ListFilter::default();
        let g = store
            .group_customers(&f, &GroupBy::Derived(Derived::Region))
            .unwrap();
        assert_eq!(g, vec![(Some("east".into()), 2), (Some("south".into()), 1)]);
        let g = store.group_customers(&f, &GroupBy::Dim("意向".into())).unwrap();
        assert_eq!(g, vec![(Some("高".into()), 2), (None, 1)]);
        let vip = ListFilter {
            all_tags: vec![tag("VIP")],
            ..ListFilter::default()
        };
        let g = store.group_customers(&vip, &GroupBy::Column("province")).unwrap();
        assert_eq!(g, vec![(Some("浙江省".into()), 2)]);
    }

    #[test]
    fn plans_start_from_the_tag_index_when_it_is_selective() {
        let store = sample();
        let f = ListFilter {
            all_tags: vec![tag("意向:高"), tag("VIP")],
            region: Some(Region::East),
            text: parse_text("科技").unwrap(),
            limit: Some(50),
            ..ListFilter::default()
        };
        let (sql, steps) = store.explain_list(&f).unwrap();
        assert!(
            sql.contains("customer_tag_index MATCH 'zreast AND t1 AND t2'"),
            "{sql}"
        );
        assert!(steps[0].contains("VIRTUAL TABLE"), "{steps:?}");
        assert!(
            steps.iter().any(|s| s.contains("INTEGER PRIMARY KEY")),
            "{steps:?}"
        );
    }

    #[test]
    fn unknown_dimensions_and_values_are_refused() {
        let store = sample();
        let f = ListFilter {
            all_tags: vec![tag("意像:高")],
            ..ListFilter::default()
        };
        let err = store.list_customers(&f).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("tag 意像:高: unknown tag dimension 意像 (dimensions: 区域"),
            "{err}"
        );
    }
}
