//! What reports read: aggregates computed in SQL (GROUP BY, never a million rows into
//! memory), and narrow streams of rows for the checks whose rules live in the domain.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::{Row, params_from_iter};
use rust_decimal::Decimal;

use super::{Result, Store};
use crate::domain::Field;
use crate::domain::choice::{Choice, Stage};
use crate::domain::contact::ContactField;
use crate::domain::region::Region;
use crate::domain::report::Window;
use crate::domain::report::dist::{Bucket, Dim};
use crate::domain::report::movement;
use crate::domain::report::quality::{CHECKED, StoredCustomer};
use crate::domain::report::review::{Facts, Required};
use crate::domain::report::tiers::Pair;

/// Which customers a report covers; every part is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub stage: Option<Stage>,
    pub region: Option<Region>,
    pub province: Option<String>,
    /// A section letter (`C`) matches the whole section; a full code (`C39`) one division.
    pub industry: Option<String>,
    pub owner: Option<String>,
    /// The spellings a stored tier may have (see `domain::report::tier_spellings`).
    pub tier: Vec<String>,
}

impl ReportFilter {
    /// ` AND …` clauses over the customers table aliased `c`, pushing their values in order.
    fn sql(&self, args: &mut Vec<Value>) -> String {
        let mut sql = String::new();
        let mut add = |clause: &str, value: String| {
            sql.push_str(clause);
            args.push(Value::Text(value));
        };
        if let Some(stage) = self.stage {
            add(" AND c.stage = ?", stage.key().into());
        }
        if let Some(region) = self.region {
            add(" AND c.region = ?", region.en().into());
        }
        if let Some(p) = &self.province {
            add(" AND c.province = ?", p.clone());
        }
        if let Some(i) = &self.industry {
            if i.len() == 1 {
                add(" AND c.industry_section = ?", i.clone());
            } else {
                add(" AND c.industry = ?", i.clone());
            }
        }
        if let Some(o) = &self.owner {
            add(" AND c.owner = ?", o.clone());
        }
        if !self.tier.is_empty() {
            let marks = vec!["?"; self.tier.len()].join(", ");
            sql.push_str(&format!(" AND c.tier IN ({marks})"));
            args.extend(self.tier.iter().cloned().map(Value::Text));
        }
        sql
    }

    pub fn is_empty(&self) -> bool {
        self.stage.is_none()
            && self.region.is_none()
            && self.province.is_none()
            && self.industry.is_none()
            && self.owner.is_none()
            && self.tier.is_empty()
    }
}

/// A grading run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeRun {
    pub id: i64,
    pub as_of: String,
    pub model_name: String,
    pub started_at: String,
}

/// A customer whose tier differs between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TierMove {
    pub code: String,
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub score_from: Option<Decimal>,
    pub score_to: Option<Decimal>,
}

/// One phone or e-mail found on contacts of several customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    pub field: ContactField,
    pub value: String,
    /// (code, name) of each customer, by code.
    pub customers: Vec<(String, String)>,
}

/// A customer not updated for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub code: String,
    pub name: String,
    pub owner: Option<String>,
    pub updated_at: String,
}

/// Per-tier figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TierFigures {
    pub tier: Option<String>,
    pub customers: i64,
    pub satisfaction_sum: Decimal,
    pub satisfaction_known: i64,
    pub score_sum: Decimal,
    pub score_known: i64,
    pub complaints: i64,
    pub complaining_customers: i64,
    pub referrals: i64,
}

/// A graded customer who may be close to the next tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub code: String,
    pub name: String,
    pub owner: Option<String>,
    pub tier: String,
    pub score: Decimal,
    pub has_deal: bool,
}

fn dim_column(dim: &Dim) -> &'static str {
    match dim {
        Dim::Region => "c.region",
        Dim::Province => "c.province",
        Dim::City => "c.city",
        Dim::Industry => "c.industry_section",
        Dim::Division => "c.industry",
        Dim::Tier => "c.tier",
        Dim::Stage => "c.stage",
        Dim::Source => "c.source",
        Dim::Nature => "c.nature",
        Dim::Size => "c.size",
        Dim::Intent => "c.intent",
        Dim::Owner => "c.owner",
        Dim::Secrecy => "c.secrecy",
        Dim::Tag(_) => unreachable!("tag dimensions are joined"),
    }
}

fn field_column(field: Field) -> &'static str {
    match field {
        Field::Code => "code",
        Field::Name => "name",
        Field::ShortName => "short_name",
        Field::Uscc => "uscc",
        Field::Industry => "industry",
        Field::Province => "province",
        Field::City => "city",
        Field::Region => "region",
        Field::Nature => "nature",
        Field::Size => "size",
        Field::Source => "source",
        Field::Stage => "stage",
        Field::StageDate => "stage_date",
        Field::Intent => "intent",
        Field::Owner => "owner",
        Field::FirstCoopDate => "first_coop_date",
        Field::LastCoopDate => "last_coop_date",
        Field::TotalAmount => "total_amount_fen",
        Field::Trade12m => "trade_12m_fen",
        Field::TenureYears => "tenure_years",
        Field::Satisfaction => "satisfaction",
        Field::Referrals12m => "referrals_12m",
        Field::Complaints12m => "complaints_12m",
        Field::BudgetGrowth => "budget_growth",
        Field::Secrecy => "secrecy",
        Field::Tier => "tier",
        Field::Score => "score",
        Field::Remarks => "remarks",
        Field::CreatedAt => "created_at",
        Field::UpdatedAt => "updated_at",
    }
}

fn decimal(v: Option<String>) -> Option<Decimal> {
    v.and_then(|s| s.parse().ok())
}

fn date(v: Option<String>) -> Option<NaiveDate> {
    v.and_then(|s| s.get(..10).and_then(|d| d.parse().ok()))
}

/// A text column borrowed from the row (no copy); numbers read as text are refused.
fn text_ref<'r>(r: &'r Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(r.get_ref(i)?.as_str_or_null().ok().flatten())
}

fn limit_sql(limit: Option<usize>) -> String {
    limit.map_or(String::new(), |n| format!(" LIMIT {n}"))
}

/// Trade per customer id: a dense table while ids are small (they are row ids, so
/// usually 1…N), a hash map beyond.
#[derive(Debug, Default)]
struct Trade {
    dense: Vec<i64>,
    sparse: HashMap<i64, i64>,
}

impl Trade {
    /// Ids below this live in the dense table (8 MiB per million).
    const DENSE_LIMIT: i64 = 1 << 23;

    fn add(&mut self, id: i64, fen: i64) {
        if (0..Trade::DENSE_LIMIT).contains(&id) {
            let i = id as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, 0);
            }
            self.dense[i] += fen;
        } else {
            *self.sparse.entry(id).or_default() += fen;
        }
    }

    fn get(&self, id: i64) -> i64 {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(fen) => *fen,
            None => self.sparse.get(&id).copied().unwrap_or(0),
        }
    }
}

/// The SQL function [`Store::with_trade`] registers.
const TRADE_FN: &str = "kehu_trade";

/// Whether a customer has a deal: an order, a first cooperation date or a trade amount.
const HAS_DEAL: &str = "(c.first_coop_date IS NOT NULL OR coalesce(c.total_amount_fen, 0) > 0 \
    OR coalesce(c.trade_12m_fen, 0) > 0 OR EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id))";

impl Store {
    fn rows<T>(
        &self,
        sql: &str,
        args: &[Value],
        f: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), f)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many customers `filter` covers.
    pub fn report_count(&self, filter: &ReportFilter) -> Result<i64> {
        let mut args = Vec::new();
        let sql = format!(
            "SELECT count(*) FROM customers c WHERE 1 = 1{}",
            filter.sql(&mut args)
        );
        Ok(self
            .conn
            .query_row(&sql, params_from_iter(args.iter()), |r| r.get(0))?)
    }

    /// Whether any customer carries a tag of dimension `dim`.
    pub fn tag_dim_in_use(&self, dim: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM customer_tags WHERE dim = ?1)",
            [dim],
            |r| r.get(0),
        )?)
    }

    /// Runs `f` with the SQL function `kehu_trade(customer_id)` giving each customer's
    /// trade in `window` (the sum of its orders dated in it, 0 without). The sums come from
    /// one pass over the window's orders (index `orders_date`); aggregates over customers
    /// then call the function instead of looking each order's customer up, which on a
    /// million customers is several times faster.
    fn with_trade<T>(&self, window: Window, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut trade = Trade::default();
        {
            let mut stmt = self.conn.prepare(
                "SELECT customer_id, amount_fen FROM orders WHERE date > ?1 AND date <= ?2 \
                 ORDER BY date, customer_id",
            )?;
            let mut rows = stmt.query([window.after.to_string(), window.until.to_string()])?;
            while let Some(r) = rows.next()? {
                trade.add(r.get(0)?, r.get(1)?);
            }
        }
        let trade = Arc::new(trade);
        self.conn.create_scalar_function(
            TRADE_FN,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            move |ctx| Ok(trade.get(ctx.get::<i64>(0)?)),
        )?;
        let out = f();
        self.conn.remove_function(TRADE_FN, 1)?;
        out
    }

    /// Customers and their trade in `window` (orders dated in it), grouped by `dims`, and
    /// the totals (customers, trade) over everything `filter` covers. A tag dimension counts
    /// a customer once per value it has, and once under no value if none.
    pub fn distribution(
        &self,
        dims: &[Dim],
        filter: &ReportFilter,
        window: Window,
    ) -> Result<(Vec<Bucket>, i64, i64)> {
        let mut joins = String::new();
        let mut args = Vec::new();
        let keys: Vec<String> = dims
            .iter()
            .enumerate()
            .map(|(i, d)| match d {
                Dim::Tag(name) => {
                    joins.push_str(&format!(
                        " LEFT JOIN customer_tags t{i} ON t{i}.customer_id = c.id AND t{i}.dim = ?"
                    ));
                    args.push(Value::Text(name.clone()));
                    format!("t{i}.value")
                }
                _ => dim_column(d).to_string(),
            })
            .collect();
        let keys = keys.join(", ");
        let n = dims.len();
        let filter_sql = filter.sql(&mut args);
        self.with_trade(window, || {
            let buckets = self.rows(
                &format!(
                    "SELECT {keys}, count(*), sum({TRADE_FN}(c.id)) FROM customers c{joins} \
                     WHERE 1 = 1{filter_sql} GROUP BY {keys} ORDER BY {keys}"
                ),
                &args,
                |r| {
                    Ok(Bucket {
                        keys: (0..n).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?,
                        count: r.get(n)?,
                        trade_fen: r.get(n + 1)?,
                    })
                },
            )?;
            // Each customer sits in exactly one bucket unless a tag dimension repeats it.
            if !dims.iter().any(|d| matches!(d, Dim::Tag(_))) {
                let customers = buckets.iter().map(|b| b.count).sum();
                let trade = buckets.iter().map(|b| b.trade_fen).sum();
                return Ok((buckets, customers, trade));
            }
            let mut args = Vec::new();
            let sql = format!(
                "SELECT count(*), coalesce(sum({TRADE_FN}(c.id)), 0) FROM customers c WHERE 1 = 1{}",
                filter.sql(&mut args)
            );
            let (customers, trade) = self.conn.query_row(&sql, params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            Ok((buckets, customers, trade))
        })
    }

    /// Every grading run, oldest first.
    pub fn report_runs(&self) -> Result<Vec<GradeRun>> {
        self.rows(
            "SELECT id, as_of, model_name, started_at FROM grade_runs ORDER BY id",
            &[],
            |r| {
                Ok(GradeRun {
                    id: r.get(0)?,
                    as_of: r.get(1)?,
                    model_name: r.get(2)?,
                    started_at: r.get(3)?,
                })
            },
        )
    }

    /// The two runs' results side by side as `p(id, ta, tb, sa, sb)` joined to customers `c`:
    /// each graded customer once, with either side empty when the customer was not graded in
    /// that run. (Two primary-key joins rather than a FULL JOIN of subqueries, which SQLite
    /// would run as a nested scan.)
    fn paired_runs(a: i64, b: i64, filter: &ReportFilter, args: &mut Vec<Value>) -> String {
        args.extend([
            Value::Integer(b),
            Value::Integer(a),
            Value::Integer(a),
            Value::Integer(b),
        ]);
        format!(
            "FROM (SELECT ra.customer_id AS id, ra.tier AS ta, rb.tier AS tb, ra.score AS sa, rb.score AS sb \
                   FROM grade_results ra LEFT JOIN grade_results rb \
                     ON rb.run_id = ? AND rb.customer_id = ra.customer_id \
                   WHERE ra.run_id = ? \
                 UNION ALL \
                 SELECT rb.customer_id, NULL, rb.tier, NULL, rb.score FROM grade_results rb \
                   WHERE NOT EXISTS (SELECT 1 FROM grade_results ra WHERE ra.run_id = ? AND ra.customer_id = rb.customer_id) \
                     AND rb.run_id = ?) p \
             JOIN customers c ON c.id = p.id \
             WHERE 1 = 1{}",
            filter.sql(args)
        )
    }

    /// The from → to tier counts between runs `a` and `b`.
    pub fn movement_cells(&self, a: i64, b: i64, filter: &ReportFilter) -> Result<Vec<movement::Cell>> {
        let mut args = Vec::new();
        let from = Store::paired_runs(a, b, filter, &mut args);
        self.rows(
            &format!("SELECT p.ta, p.tb, count(*) {from} GROUP BY p.ta, p.tb ORDER BY p.ta, p.tb"),
            &args,
            |r| {
                Ok(movement::Cell {
                    from: r.get(0)?,
                    to: r.get(1)?,
                    count: r.get(2)?,
                })
            },
        )
    }

    /// The customers whose tier differs between runs `a` and `b` (new and gone included),
    /// by code.
    pub fn moved_customers(
        &self,
        a: i64,
        b: i64,
        filter: &ReportFilter,
        limit: Option<usize>,
    ) -> Result<Vec<TierMove>> {
        let mut args = Vec::new();
        let from = Store::paired_runs(a, b, filter, &mut args);
        self.rows(
            &format!(
                "SELECT c.code, c.name, p.ta, p.tb, p.sa, p.sb {from} AND p.ta IS NOT p.tb \
                 ORDER BY c.code{}",
                limit_sql(limit)
            ),
            &args,
            |r| {
                Ok(TierMove {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    from: r.get(2)?,
                    to: r.get(3)?,
                    score_from: decimal(r.get(4)?),
                    score_to: decimal(r.get(5)?),
                })
            },
        )
    }

    /// The tiers runs `a` and `b` gave, in text order.
    pub fn run_tiers(&self, a: i64, b: i64) -> Result<Vec<String>> {
        self.rows(
            "SELECT DISTINCT tier FROM grade_results WHERE run_id IN (?, ?) ORDER BY tier",
            &[Value::Integer(a), Value::Integer(b)],
            |r| r.get(0),
        )
    }

    /// Key customers of two runs (a tier in `key_tiers` in either) whose tier changed or
    /// whose score may have fallen (a coarse pre-filter; the domain decides exactly), by code.
    pub fn run_pairs(&self, a: i64, b: i64, key_tiers: &[&str], filter: &ReportFilter) -> Result<Vec<Pair>> {
        let mut args = Vec::new();
        let from = Store::paired_runs(a, b, filter, &mut args);
        let marks = vec!["?"; key_tiers.len()].join(", ");
        args.extend(key_tiers.iter().map(|t| Value::Text((*t).to_string())));
        args.extend(key_tiers.iter().map(|t| Value::Text((*t).to_string())));
        self.rows(
            &format!(
                "SELECT c.code, c.name, p.ta, p.tb, p.sa, p.sb {from} \
                 AND p.ta IS NOT NULL AND p.tb IS NOT NULL AND (p.ta IN ({marks}) OR p.tb IN ({marks})) \
                 AND (p.ta <> p.tb OR CAST(p.sb AS REAL) < CAST(p.sa AS REAL) + 0.001) \
                 ORDER BY c.code"
            ),
            &args,
            |r| {
                Ok(Pair {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    tier_before: r.get(2)?,
                    tier_now: r.get(3)?,
                    score_before: decimal(r.get(4)?),
                    score_now: decimal(r.get(5)?),
                })
            },
        )
    }

    /// Streams every covered customer's stored values for re-checking, in id order.
    pub fn each_stored_customer(
        &self,
        filter: &ReportFilter,
        mut f: impl FnMut(&StoredCustomer),
    ) -> Result<()> {
        let checked: Vec<String> = CHECKED
            .iter()
            .map(|f| format!("c.{}", field_column(*f)))
            .collect();
        let mut args = Vec::new();
        let sql = format!(
            "SELECT c.code, c.name, c.industry_section, c.region, c.total_amount_fen, c.trade_12m_fen, \
               c.referrals_12m, c.complaints_12m, c.short_name, c.city, {} \
             FROM customers c WHERE 1 = 1{} ORDER BY c.id",
            checked.join(", "),
            filter.sql(&mut args)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let mut values = [None; CHECKED.len()];
            for (i, v) in values.iter_mut().enumerate() {
                *v = text_ref(r, 10 + i)?;
            }
            f(&StoredCustomer {
                code: text_ref(r, 0)?.unwrap_or_default(),
                name: text_ref(r, 1)?.unwrap_or_default(),
                industry_section: text_ref(r, 2)?,
                region: text_ref(r, 3)?,
                total_amount_fen: r.get(4)?,
                trade_12m_fen: r.get(5)?,
                referrals_12m: r.get(6)?,
                complaints_12m: r.get(7)?,
                short_name: text_ref(r, 8)?,
                city: text_ref(r, 9)?,
                values,
            });
        }
        Ok(())
    }

    /// Streams every contact of the covered customers: (customer id, whether active, contact
    /// name, [mobile, landline, email]), in contact order.
    pub fn each_contact(
        &self,
        filter: &ReportFilter,
        mut f: impl FnMut(i64, bool, &str, &[(ContactField, Option<&str>)]),
    ) -> Result<()> {
        let mut args = Vec::new();
        let join = if filter.is_empty() {
            String::new()
        } else {
            " JOIN customers c ON c.id = k.customer_id".to_string()
        };
        let sql = format!(
            "SELECT k.customer_id, k.name, k.mobile, k.landline, k.email, k.active FROM contacts k{join} \
             WHERE 1 = 1{} ORDER BY k.id",
            filter.sql(&mut args)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let values = [
                (ContactField::Mobile, text_ref(r, 2)?),
                (ContactField::Landline, text_ref(r, 3)?),
                (ContactField::Email, text_ref(r, 4)?),
            ];
            f(r.get(0)?, r.get(5)?, text_ref(r, 1)?.unwrap_or_default(), &values);
        }
        Ok(())
    }

    /// The ids of the customers `filter` covers, in order.
    pub fn report_customer_ids(&self, filter: &ReportFilter) -> Result<Vec<i64>> {
        let mut args = Vec::new();
        let sql = format!(
            "SELECT c.id FROM customers c WHERE 1 = 1{} ORDER BY c.id",
            filter.sql(&mut args)
        );
        self.rows(&sql, &args, |r| r.get(0))
    }

    /// The code and name of each customer id given, by id.
    pub fn codes_and_names(&self, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        let list = serde_json::to_string(ids).expect("ids serialise");
        self.rows(
            "SELECT id, code, name FROM customers WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            &[Value::Text(list)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Mobiles, landlines and e-mails found on contacts of more than one customer.
    pub fn shared_contact_values(&self, filter: &ReportFilter) -> Result<Vec<Shared>> {
        let mut out = Vec::new();
        for field in [ContactField::Mobile, ContactField::Landline, ContactField::Email] {
            let column = field.key();
            let mut args = Vec::new();
            let sql = format!(
                "SELECT k.{column}, c.code, c.name FROM contacts k JOIN customers c ON c.id = k.customer_id \
                 WHERE k.{column} IN (SELECT {column} FROM contacts WHERE {column} IS NOT NULL \
                     GROUP BY {column} HAVING min(customer_id) < max(customer_id)){} \
                 GROUP BY k.{column}, c.code ORDER BY k.{column}, c.code",
                filter.sql(&mut args)
            );
            let rows: Vec<(String, String, String)> =
                self.rows(&sql, &args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            for (value, code, name) in rows {
                match out.last_mut() {
                    Some(Shared {
                        field: f,
                        value: v,
                        customers,
                    }) if *f == field && *v == value => customers.push((code, name)),
                    _ => out.push(Shared {
                        field,
                        value,
                        customers: vec![(code, name)],
                    }),
                }
            }
        }
        Ok(out)
    }

    /// Customers last updated before `cutoff` (oldest first), and how many there are.
    pub fn stale_customers(
        &self,
        cutoff: NaiveDate,
        filter: &ReportFilter,
        limit: Option<usize>,
    ) -> Result<(i64, Vec<Stale>)> {
        let mut args = vec![Value::Text(cutoff.to_string())];
        let where_ = format!("WHERE c.updated_at < ?{}", filter.sql(&mut args));
        let total = self.conn.query_row(
            &format!("SELECT count(*) FROM customers c {where_}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        // Many stale rows are read faster by one pass and a sort than through the index.
        let many = total > 50_000 && limit.is_none_or(|l| l > 10_000);
        let rows = self.rows(
            &format!(
                "SELECT c.code, c.name, c.owner, c.updated_at FROM customers c{} {where_} \
                 ORDER BY c.updated_at, c.code{}",
                if many { " NOT INDEXED" } else { "" },
                limit_sql(limit)
            ),
            &args,
            |r| {
                Ok(Stale {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    owner: r.get(2)?,
                    updated_at: r.get(3)?,
                })
            },
        )?;
        Ok((total, rows))
    }

    /// Streams what the monthly review needs about each covered customer, by code. Orders
    /// after `as_of` are left out.
    pub fn each_review_facts(
        &self,
        as_of: NaiveDate,
        filter: &ReportFilter,
        mut f: impl FnMut(Facts),
    ) -> Result<()> {
        let flags = [
            (Required::Uscc, "c.uscc IS NOT NULL"),
            (Required::Industry, "c.industry IS NOT NULL"),
            (Required::Province, "c.province IS NOT NULL"),
            (Required::City, "c.city IS NOT NULL"),
            (Required::Nature, "c.nature IS NOT NULL"),
            (Required::Size, "c.size IS NOT NULL"),
            (Required::Source, "c.source IS NOT NULL"),
            (Required::Owner, "c.owner IS NOT NULL"),
            (Required::Phone, "coalesce(k.reachable, 0) > 0"),
        ];
        let flag_sql: Vec<&str> = flags.iter().map(|(_, s)| *s).collect();
        let mut args = vec![Value::Text(as_of.to_string())];
        let sql = format!(
            "SELECT c.code, c.name, c.owner, c.stage, c.nature, o.n, o.last, \
               coalesce(k.active, 0), coalesce(k.reachable, 0), k.stalest, k.confirmed, \
               CASE WHEN c.stage = 'churned' THEN coalesce((SELECT coalesce(m.reason, '') FROM stage_moves m \
                   WHERE m.customer_id = c.id AND m.to_stage = 'churned' ORDER BY m.date DESC, m.id DESC LIMIT 1), '') END, \
               {} \
             FROM customers c \
             LEFT JOIN (SELECT customer_id, count(*) AS n, max(date) AS last FROM orders WHERE date <= ? \
                 GROUP BY customer_id) o ON o.customer_id = c.id \
             LEFT JOIN (SELECT customer_id, count(*) AS active, \
                   count(CASE WHEN mobile IS NOT NULL OR landline IS NOT NULL THEN 1 END) AS reachable, \
                   min(coalesce(confirmed_at, created_at)) AS confirmed, name AS stalest \
                 FROM contacts WHERE active = 1 GROUP BY customer_id) k ON k.customer_id = c.id \
             WHERE 1 = 1{} ORDER BY c.code",
            flag_sql.join(", "),
            filter.sql(&mut args)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let stalest: Option<String> = r.get(9)?;
            let confirmed = date(r.get(10)?);
            let mut filled = Vec::new();
            for (i, (req, _)) in flags.iter().enumerate() {
                if r.get::<_, bool>(12 + i)? {
                    filled.push(*req);
                }
            }
            f(Facts {
                code: r.get(0)?,
                name: r.get(1)?,
                owner: r.get(2)?,
                stage: r.get(3)?,
                nature: r.get(4)?,
                orders: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                last_order: date(r.get(6)?),
                active_contacts: r.get(7)?,
                reachable_contacts: r.get(8)?,
                stalest_contact: stalest.zip(confirmed),
                churn_reason: r.get(11)?,
                filled,
            });
        }
        Ok(())
    }

    /// Per current tier: customers, satisfaction, score, complaints and referrals (sums
    /// exact: decimals are summed per distinct value).
    pub fn tier_figures(&self, filter: &ReportFilter) -> Result<Vec<TierFigures>> {
        let mut args = Vec::new();
        let where_ = format!("WHERE 1 = 1{}", filter.sql(&mut args));
        let mut figures: Vec<TierFigures> = self.rows(
            &format!(
                "SELECT c.tier, count(*), coalesce(sum(c.complaints_12m), 0), \
                   count(CASE WHEN c.complaints_12m > 0 THEN 1 END), coalesce(sum(c.referrals_12m), 0) \
                 FROM customers c {where_} GROUP BY c.tier ORDER BY c.tier"
            ),
            &args,
            |r| {
                Ok(TierFigures {
                    tier: r.get(0)?,
                    customers: r.get(1)?,
                    complaints: r.get(2)?,
                    complaining_customers: r.get(3)?,
                    referrals: r.get(4)?,
                    ..TierFigures::default()
                })
            },
        )?;
        for (column, value) in [("satisfaction", "c.satisfaction"), ("score", "s.score")] {
            let sums: Vec<(Option<String>, Option<String>, i64)> = self.rows(
                &format!(
                    "SELECT c.tier, {value}, count(*) \
                     FROM customers c LEFT JOIN customer_scores s ON s.customer_id = c.id \
                     {where_} AND {value} IS NOT NULL GROUP BY c.tier, {value} ORDER BY c.tier, {value}"
                ),
                &args,
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            for (tier, value, count) in sums {
                let (Some(fig), Some(v)) = (figures.iter_mut().find(|f| f.tier == tier), decimal(value))
                else {
                    continue;
                };
                if column == "score" {
                    fig.score_sum += v * Decimal::from(count);
                    fig.score_known += count;
                } else {
                    fig.satisfaction_sum += v * Decimal::from(count);
                    fig.satisfaction_known += count;
                }
            }
        }
        Ok(figures)
    }

    /// Graded, unpinned customers at one of `bounds`' tiers with a score of at least its
    /// minimum (a coarse pre-filter; the domain decides exactly), by code.
    pub fn scored_customers(&self, bounds: &[(&str, Decimal)], filter: &ReportFilter) -> Result<Vec<Scored>> {
        if bounds.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = Vec::new();
        let ors: Vec<&str> = bounds
            .iter()
            .map(|(tier, min)| {
                args.push(Value::Text((*tier).to_string()));
                args.push(Value::Text(min.to_string()));
                "(c.tier = ? AND CAST(s.score AS REAL) >= CAST(? AS REAL) - 0.001)"
            })
            .collect();
        let sql = format!(
            "SELECT c.code, c.name, c.owner, c.tier, s.score, {HAS_DEAL} \
             FROM customers c JOIN customer_scores s ON s.customer_id = c.id \
             WHERE ({}) AND NOT EXISTS (SELECT 1 FROM pins p WHERE p.customer_id = c.id){} \
             ORDER BY c.code",
            ors.join(" OR "),
            filter.sql(&mut args)
        );
        let rows = self.rows(&sql, &args, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(code, name, owner, tier, score, has_deal)| {
                Some(Scored {
                    code,
                    name,
                    owner,
                    tier,
                    score: decimal(score)?,
                    has_deal,
                })
            })
            .collect())
    }
}
