//! `kehu list`'s filters turned into one SQL statement that starts from the most selective
//! index.
//!
//! Every condition is a predicate on the customer row `c`. Some can also be answered by an
//! index: the tag index (`customer_tag_index`: stored tags and dimensions, region, industry
//! section, stage, all ANDed/ORed/NOTed in one FTS5 query), the text index
//! (`customer_search`: substrings of three or more characters) or a column index (province,
//! owner, tier, industry division, updated_at). Shorter words are checked on the rows.
//!
//! The plan measures each such source — how many rows it gives, counting no further than it
//! needs to — and starts from the smallest, checking the other conditions on each row. When
//! only the first `limit` rows of an indexed order are wanted and even the smallest source
//! gives more than about √(limit × customers) rows, walking that order and stopping at the
//! limit reads fewer rows, so the plan does that instead (hiding the broad columns from
//! SQLite's planner so it does not pick them over the sort index).

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::customers::{COLUMNS, SCORE_OF_C};
use super::tags::{check_cond, derived_column, dim_known, tag_id};
use super::{CustomerKey, ListFilter, Result, Sort, Store, Stored, Writer};
use crate::domain::choice::Choice;
use crate::domain::query::{Range, Word};
use crate::domain::tag::{Derived, DerivedValue, Tag, TagCond};

/// Sources are first measured up to this many rows…
const SMALL: i64 = 20_000;
/// …and, when every one gives more, again up to this.
const LARGE: i64 = 400_000;

/// A condition on the customer row, and the index that can answer it, if any.
#[derive(Debug, Clone)]
struct Cond {
    sql: String,
    args: Vec<Value>,
    /// The same predicate with its column hidden from SQLite's planner (`+c.region = ?`).
    scan_sql: Option<String>,
    /// An FTS5 term of `customer_tag_index` equivalent to the predicate.
    term: Option<String>,
    /// Whether a column index answers the predicate (and no tag-index term does).
    indexed: bool,
}

impl Cond {
    fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Cond {
            sql: sql.into(),
            args,
            scan_sql: None,
            term: None,
            indexed: false,
        }
    }

    /// `c.<column> = ?`: answered by the tag index when `term` is given, else by the column's
    /// index when `indexed`.
    fn column(column: &str, value: impl Into<Value>, term: Option<String>, indexed: bool) -> Self {
        Cond {
            sql: format!("c.{column} = ?"),
            args: vec![value.into()],
            scan_sql: Some(format!("+c.{column} = ?")),
            indexed: indexed && term.is_none(),
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
    /// All must hold.
    all: Vec<Cond>,
    /// Tag-index terms that must not hold (their row predicates are in `all` as `NOT …`).
    not_terms: Vec<(usize, String)>,
    /// Free-text words: the row predicate and, when the text index can answer it, its query.
    words: Vec<(Cond, Option<String>)>,
}

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// An FTS5 table and query; `tags` says which one.
    Index { tags: bool, expr: String },
    /// The column index of `all[i]`.
    Column(usize),
}

/// A planned statement: `FROM … WHERE …`, with its arguments in order.
#[derive(Debug)]
pub(super) struct Plan {
    from: String,
    from_args: Vec<Value>,
    /// `from` as `--explain` shows it: the index query rather than the ids it gave.
    shown_from: String,
    shown_from_args: Vec<Value>,
    wheres: Vec<String>,
    where_args: Vec<Value>,
    /// The count, when the source alone answers the filter and was counted in full.
    known_count: Option<i64>,
    /// The source, when it alone answers the filter: count it without reading rows.
    alone: Option<Source>,
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

    /// The statement body and arguments as `--explain` shows them.
    fn shown(&self) -> (String, Vec<Value>) {
        let mut sql = self.shown_from.clone();
        if !self.wheres.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.wheres.join(" AND "));
        }
        let args = self
            .shown_from_args
            .iter()
            .chain(&self.where_args)
            .cloned()
            .collect();
        (sql, args)
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
    let stored = |sql: &str, args: Vec<Value>, tag: &Tag| -> Result<Cond> {
        Ok(match tag_id(conn, tag)? {
            None => Cond::never(),
            Some(id) => Cond {
                term: Some(format!("t{id}")),
                ..Cond::new(sql, args)
            },
        })
    };
    match &cond {
        TagCond::Stored(tag) => stored(
            "EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = ? AND value = ?)",
            vec![text(&tag.dim), text(&tag.value)],
            tag,
        ),
        TagCond::StoredDim(dim) => stored(
            "EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND dim = ?)",
            vec![text(dim)],
            &Tag::new(dim, ""),
        ),
        TagCond::Derived(v) => Ok(derived_cond(v)),
        TagCond::DerivedDim(d) => Ok(Cond::new(format!("c.{} IS NOT NULL", derived_column(*d)), vec![])),
    }
}

fn derived_cond(v: &DerivedValue) -> Cond {
    match v {
        DerivedValue::Region(r) => Cond::column("region", text(r.en()), Some(format!("zr{}", r.en())), true),
        DerivedValue::Province(p) => Cond::column("province", text(p.name), None, true),
        DerivedValue::Industry(i) => match i.division {
            None => Cond::column(
                "industry_section",
                text(i.section.to_string()),
                Some(format!("zi{}", i.section)),
                true,
            ),
            Some(_) => Cond {
                scan_sql: Some("+c.industry_section = ? AND +c.industry = ?".into()),
                indexed: true,
                ..Cond::new(
                    "c.industry_section = ? AND c.industry = ?",
                    vec![text(i.section.to_string()), text(i.code())],
                )
            },
        },
        DerivedValue::Stage(s) => Cond::column("stage", text(s.key()), Some(format!("zs{}", s.key())), true),
        DerivedValue::Tier(t) => Cond::column("tier", text(t), None, true),
    }
}

fn word_cond(word: &Word) -> (Cond, Option<String>) {
    // Only ASCII letters have case here (words are ASCII-lowercased), so only then does the
    // row need lowering; that halves the cost of a scan.
    let mut sql = if word.text.bytes().any(|b| b.is_ascii_alphabetic()) {
        "(instr(lower(c.name), ?) > 0 OR instr(lower(c.short_name), ?) > 0 OR instr(lower(c.remarks), ?) > 0"
    } else {
        "(instr(c.name, ?) > 0 OR instr(c.short_name, ?) > 0 OR instr(c.remarks, ?) > 0"
    }
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
        all.push(Cond::column("province", text(p), None, true));
    }
    if let Some(i) = &f.industry {
        all.push(match crate::domain::industry::parse_industry(i) {
            Ok(industry) => derived_cond(&DerivedValue::Industry(industry)),
            Err(_) => Cond::column("industry", text(i), None, false),
        });
    }
    if let Some(o) = &f.owner {
        all.push(Cond::column("owner", text(o), None, true));
    }
    if let Some(t) = &f.tier {
        all.push(Cond::column("tier", text(t), None, true));
    }
    if let Some(i) = f.intent {
        all.push(Cond::column("intent", text(i.key()), None, false));
    }
    if let Some(s) = f.source {
        all.push(Cond::column("source", text(s.key()), None, false));
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
    range(&mut all, &format!("CAST({SCORE_OF_C} AS REAL)"), &f.score, |d| {
        Value::Real(d.to_string().parse().unwrap_or(0.0))
    });
    if let Some(day) = f.stale_before {
        all.push(Cond {
            scan_sql: Some("+c.updated_at < ?".into()),
            indexed: true,
            ..Cond::new("c.updated_at < ?", vec![text(day.to_string())])
        });
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
                term,
                ..Cond::new(
                    format!(
                        "({})",
                        members
                            .iter()
                            .map(|m| m.sql.as_str())
                            .collect::<Vec<_>>()
                            .join(" OR ")
                    ),
                    members.iter().flat_map(|m| m.args.clone()).collect(),
                )
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
        Sort::Score => nullable(&format!("CAST({SCORE_OF_C} AS REAL)")),
        Sort::FirstCoop => nullable("c.first_coop_date"),
        Sort::LastCoop => nullable("c.last_coop_date"),
    }
}

fn fts_table(tags: bool) -> &'static str {
    if tags {
        "customer_tag_index"
    } else {
        "customer_search"
    }
}

/// The first `cap` customer ids a source gives, in id order.
fn probe(conn: &Connection, conds: &Conds, source: &Source, cap: i64) -> Result<Vec<i64>> {
    let (sql, args) = match source {
        Source::Index { tags, expr } => {
            let t = fts_table(*tags);
            (
                format!("SELECT rowid FROM {t} WHERE {t} MATCH ? LIMIT {cap}"),
                vec![text(expr)],
            )
        }
        Source::Column(i) => {
            let c = &conds.all[*i];
            (
                format!("SELECT c.id FROM customers c WHERE {} LIMIT {cap}", c.sql),
                c.args.clone(),
            )
        }
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// How many rows a source gives, counting no further than `cap` (`None`: all of them).
fn measure(conn: &Connection, conds: &Conds, source: &Source, cap: Option<i64>) -> Result<i64> {
    let limit = cap.map_or(String::new(), |c| format!(" LIMIT {c}"));
    let (inner, args) = match source {
        Source::Index { tags, expr } => {
            let t = fts_table(*tags);
            (format!("SELECT 1 FROM {t} WHERE {t} MATCH ?"), vec![text(expr)])
        }
        Source::Column(i) => {
            let c = &conds.all[*i];
            (
                format!("SELECT 1 FROM customers c WHERE {}", c.sql),
                c.args.clone(),
            )
        }
    };
    let sql = format!("SELECT count(*) FROM ({inner}{limit})");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?)
}

/// Plans the filter: which source to start from and what to check on each row. `limited`:
/// only the first rows in the filter's order are wanted.
pub(super) fn plan(conn: &Connection, f: &ListFilter, limited: bool) -> Result<Plan> {
    let conds = conditions(conn, f)?;
    let tag_terms: Vec<usize> = (0..conds.all.len())
        .filter(|&i| conds.all[i].term.is_some())
        .collect();
    let mut sources = Vec::new();
    if !tag_terms.is_empty() {
        let positive = tag_terms
            .iter()
            .map(|&i| conds.all[i].term.as_deref().expect("has a term"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let expr = if conds.not_terms.is_empty() {
            positive
        } else {
            let negative: Vec<&str> = conds.not_terms.iter().map(|(_, t)| t.as_str()).collect();
            format!("({positive}) NOT ({})", negative.join(" OR "))
        };
        sources.push(Source::Index { tags: true, expr });
    }
    let text_terms: Vec<&String> = conds.words.iter().filter_map(|(_, t)| t.as_ref()).collect();
    if !text_terms.is_empty() {
        let expr = text_terms
            .iter()
            .map(|t| format!("({t})"))
            .collect::<Vec<_>>()
            .join(" AND ");
        sources.push(Source::Index { tags: false, expr });
    }
    sources.extend(
        (0..conds.all.len())
            .filter(|&i| conds.all[i].indexed)
            .map(Source::Column),
    );

    // What each source answers on its own.
    let covered = |s: &Source| -> (Vec<usize>, bool) {
        match s {
            Source::Index { tags: true, .. } => (
                tag_terms
                    .iter()
                    .copied()
                    .chain(conds.not_terms.iter().map(|(i, _)| *i))
                    .collect(),
                false,
            ),
            Source::Index { tags: false, .. } => (vec![], true),
            Source::Column(i) => (vec![*i], false),
        }
    };
    let answers_alone = |s: &Source| {
        let (idx, words) = covered(s);
        idx.len() == conds.all.len()
            && (conds.words.is_empty() || (words && conds.words.iter().all(|(_, t)| t.is_some())))
    };

    let never = conds.all.iter().any(Cond::is_never);
    // Walking an indexed sort order to the limit reads about limit × customers / matches
    // rows; starting from a source reads its rows. Walk when that is fewer.
    let walk_above = match f.limit {
        Some(limit) if limited && indexed_sort(f.sort) => {
            let customers: i64 =
                conn.query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| r.get(0))?;
            Some((((limit.max(1) as f64) * (customers.max(1) as f64)).sqrt() as i64).max(1))
        }
        _ => None,
    };
    let mut chosen: Option<(Source, i64)> = None;
    // The chosen source's rows, when its probe read them all.
    let mut ids: Option<Vec<i64>> = None;
    let mut scan = false;
    if !never && !sources.is_empty() {
        // Each source is read only as far as the best one so far: reaching that, it cannot
        // be better, and a dense source reaches it quickly.
        let first_cap = walk_above.map_or(SMALL, |w| w.min(SMALL));
        let mut smallest: Option<(Source, Vec<i64>)> = None;
        for s in &sources {
            let cap = smallest
                .as_ref()
                .map_or(first_cap, |(_, found)| found.len() as i64);
            let found = probe(conn, &conds, s, cap)?;
            if (found.len() as i64) < cap || smallest.is_none() {
                smallest = Some((s.clone(), found));
            }
        }
        let (source, found) = smallest.expect("sources is not empty");
        if (found.len() as i64) < first_cap {
            chosen = Some((source, found.len() as i64));
            ids = Some(found);
        } else if walk_above.is_some() {
            scan = true;
        } else {
            let mut sizes = Vec::new();
            for s in &sources {
                sizes.push((s.clone(), measure(conn, &conds, s, Some(LARGE))?));
            }
            chosen = sizes.into_iter().min_by_key(|(_, n)| *n);
        }
    } else if !never && walk_above.is_some() {
        scan = true;
    }

    let mut plan = Plan {
        from: "FROM customers c".into(),
        from_args: vec![],
        shown_from: "FROM customers c".into(),
        shown_from_args: vec![],
        wheres: vec![],
        where_args: vec![],
        known_count: None,
        alone: None,
    };
    let (skip, skip_words) = match &chosen {
        Some((source, n)) => {
            if answers_alone(source) {
                plan.alone = Some(source.clone());
                plan.known_count = (*n < SMALL).then_some(*n);
            }
            if let Source::Index { tags, expr } = source {
                let t = fts_table(*tags);
                plan.shown_from = format!(
                    "FROM (SELECT rowid AS id FROM {t} WHERE {t} MATCH ?) m CROSS JOIN customers c ON c.id = m.id"
                );
                plan.shown_from_args.push(text(expr));
            }
            if let Some(ids) = &ids {
                // Start from the rows the probe already read rather than asking the index again.
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                plan.from = "FROM json_each(?) m CROSS JOIN customers c ON c.id = m.value".into();
                plan.from_args.push(text(format!("[{}]", list.join(","))));
            } else {
                plan.from = plan.shown_from.clone();
                plan.from_args = plan.shown_from_args.clone();
            }
            covered(source)
        }
        None => (vec![], false),
    };
    let driving_column = match &chosen {
        Some((Source::Column(i), _)) => Some(*i),
        _ => None,
    };
    for (i, c) in conds.all.iter().enumerate() {
        if skip.contains(&i) && driving_column != Some(i) {
            continue;
        }
        // Starting from a column index, or walking the sort order: hide the other columns
        // from SQLite's planner so it keeps to that plan.
        let hide = scan || (driving_column.is_some() && driving_column != Some(i));
        let sql = match (&c.scan_sql, hide) {
            (Some(s), true) => s.clone(),
            _ => c.sql.clone(),
        };
        plan.wheres.push(sql);
        plan.where_args.extend(c.args.iter().cloned());
    }
    for (c, term) in &conds.words {
        if skip_words && term.is_some() {
            continue;
        }
        plan.wheres.push(c.sql.clone());
        plan.where_args.extend(c.args.iter().cloned());
    }
    Ok(plan)
}

fn list(conn: &Connection, f: &ListFilter) -> Result<Vec<Stored>> {
    let plan = plan(conn, f, f.limit.is_some())?;
    let mut sql = format!("SELECT {} {} ORDER BY {}", COLUMNS, plan.body(), order_by(f));
    if let Some(limit) = f.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan.args()), super::customers::stored)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn count(conn: &Connection, f: &ListFilter) -> Result<i64> {
    if f.is_everything() {
        return Ok(conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?);
    }
    let conds = conditions(conn, f)?;
    if !conds.all.is_empty() && conds.not_terms.len() == conds.all.len() && conds.words.is_empty() {
        // Only none-of tags: everyone but those with any of them.
        let terms: Vec<&str> = conds.not_terms.iter().map(|(_, t)| t.as_str()).collect();
        let with = Source::Index {
            tags: true,
            expr: terms.join(" OR "),
        };
        let total: i64 = conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
        return Ok(total - measure(conn, &conds, &with, None)?);
    }
    let plan = plan(conn, f, false)?;
    if let Some(n) = plan.known_count {
        return Ok(n);
    }
    if let Some(source) = &plan.alone {
        return measure(conn, &conds, source, None);
    }
    let sql = format!("SELECT count(*) {}", plan.body());
    Ok(conn.query_row(&sql, rusqlite::params_from_iter(plan.args()), |r| r.get(0))?)
}

/// Counts by group: the value (`None`: customers without one) and how many.
pub type Groups = Vec<(Option<String>, i64)>;

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

/// Counts by a dimension over every customer, from `tag_counts`: the values, then the
/// customers with none.
fn group_everyone(conn: &Connection, by: &GroupBy) -> Result<Option<Groups>> {
    let (dim, derived) = match by {
        GroupBy::Derived(d) => (d.zh().to_string(), true),
        GroupBy::Dim(dim) => (dim.clone(), false),
        GroupBy::Column(_) => return Ok(None),
    };
    let mut groups: Groups = conn
        .prepare_cached(
            "SELECT value, sum(n) FROM tag_counts WHERE dim = ?1 AND (origin = 'derived') = ?2 AND n > 0
              GROUP BY value ORDER BY 2 DESC, 1",
        )?
        .query_map(rusqlite::params![dim, derived], |r| {
            Ok((Some(r.get(0)?), r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total: i64 = conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
    let with_value = if derived {
        groups.iter().map(|(_, n)| n).sum()
    } else {
        match tag_id(conn, &Tag::new(&dim, ""))? {
            None => 0,
            Some(id) => conn.query_row(
                "SELECT count(*) FROM customer_tag_index WHERE customer_tag_index MATCH ?1",
                [format!("t{id}")],
                |r| r.get(0),
            )?,
        }
    };
    if total > with_value {
        groups.push((None, total - with_value));
    }
    Ok(Some(groups))
}

fn group(conn: &Connection, f: &ListFilter, by: &GroupBy) -> Result<Groups> {
    if f.is_everything()
        && let Some(groups) = group_everyone(conn, by)?
    {
        return Ok(groups);
    }
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

/// The statement `list` (or, with `count`, `--count`) runs for a filter, with its arguments
/// written in, and SQLite's plan for it.
fn explain(conn: &Connection, f: &ListFilter, count: bool) -> Result<(String, Vec<String>)> {
    let plan = plan(conn, f, f.limit.is_some() && !count)?;
    let (body, args) = plan.shown();
    let sql = if count {
        format!("SELECT count(*) {body}")
    } else {
        let mut sql = format!("SELECT {} {body} ORDER BY {}", COLUMNS, order_by(f));
        if let Some(limit) = f.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        sql
    };
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let steps = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(3))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut args = args.into_iter();
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
    pub fn group_customers(&self, filter: &ListFilter, by: &GroupBy) -> Result<Groups> {
        group(&self.conn, filter, by)
    }

    /// Whether a stored tag dimension exists (declared or in use).
    pub fn has_tag_dim(&self, name: &str) -> Result<bool> {
        dim_known(&self.conn, name)
    }

    /// The statement a filter runs, with its arguments written in, and SQLite's plan for it.
    pub fn explain_list(&self, filter: &ListFilter, count: bool) -> Result<(String, Vec<String>)> {
        explain(&self.conn, filter, count)
    }

    /// Rebuilds the search indexes and tag counts from their views (after loading data
    /// behind kehu's back), each index merged into one segment.
    pub fn rebuild_search_indexes(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE;
             INSERT OR IGNORE INTO tag_ids(dim, value)
                 SELECT DISTINCT dim, value FROM customer_tags UNION SELECT DISTINCT dim, '' FROM customer_tags;
             DELETE FROM customer_search;
             INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
                 SELECT * FROM customer_search_source;
             DELETE FROM customer_tag_index;
             INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms;
             DELETE FROM tag_counts;
             INSERT INTO tag_counts(dim, value, origin, n) SELECT * FROM tag_counts_source;
             INSERT INTO customer_search(customer_search) VALUES ('optimize');
             INSERT INTO customer_tag_index(customer_tag_index) VALUES ('optimize');
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
    use crate::store::tags::MANUAL;
    use crate::store::test_actor as actor;

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
        assert_eq!(names(&store, &q("杭州甲")), ["甲"]);
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
                     UNION ALL SELECT 'count ' || dim || ':' || value || '/' || origin || '=' || n FROM tag_counts WHERE n > 0
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
        let (sql, steps) = store.explain_list(&f, false).unwrap();
        assert!(
            sql.contains("customer_tag_index MATCH 'zreast AND t1 AND t3'"),
            "{sql}"
        );
        assert!(steps[0].contains("VIRTUAL TABLE"), "{steps:?}");
        assert!(
            steps.iter().any(|s| s.contains("INTEGER PRIMARY KEY")),
            "{steps:?}"
        );
    }

    #[test]
    fn plans_start_from_a_column_index_or_walk_the_sort_order() {
        let store = sample();
        let province = ListFilter {
            province: Some("广东省".into()),
            region: Some(Region::South),
            ..ListFilter::default()
        };
        let (sql, steps) = store.explain_list(&province, false).unwrap();
        assert!(
            steps.iter().any(|s| s.contains("VIRTUAL TABLE")),
            "{sql} {steps:?}"
        );
        let owner = ListFilter {
            province: Some("浙江省".into()),
            ..ListFilter::default()
        };
        let (_, steps) = store.explain_list(&owner, false).unwrap();
        assert!(
            steps.iter().any(|s| s.contains("customers_province")),
            "{steps:?}"
        );
        // Two of three customers match: for the first one in code order, walk the order.
        let walk = ListFilter {
            all_tags: vec![tag("意向:高")],
            limit: Some(1),
            ..ListFilter::default()
        };
        let (sql, steps) = store.explain_list(&walk, false).unwrap();
        assert!(!sql.contains("MATCH"), "{sql}");
        assert!(
            steps.iter().any(|s| s.contains("autoindex_customers_1")),
            "{steps:?}"
        );
        assert_eq!(
            store.list_customers(&walk).unwrap()[0].customer.code,
            "CST20240001"
        );
    }

    #[test]
    fn text_ignores_the_case_of_latin_letters() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| {
                w.insert_customer(Customer::new("ABC Technology Ltd").unwrap(), "add", None)
            })
            .unwrap();
        for q in ["abc", "TECH", "Te"] {
            let f = ListFilter {
                text: parse_text(q).unwrap(),
                ..ListFilter::default()
            };
            assert_eq!(store.count_customers(&f).unwrap(), 1, "{q}");
        }
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
