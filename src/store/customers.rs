//! Customers and what hangs off them: contacts, orders, interactions, stage moves.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use rust_decimal::Decimal;

use super::tags::TagRow;
use super::{Error, LogEntry, LogFilter, Result, Store, Writer};
use crate::domain::choice::{Choice, Intent, Nature, Secrecy, Size, Source, Stage};
use crate::domain::code::CodePattern;
use crate::domain::contact::{Contact, Interaction, Order};
use crate::domain::industry::parse_industry;
use crate::domain::query::{Range, Word};
use crate::domain::region::{Region, parse_province};
use crate::domain::tag::TagCond;
use crate::domain::{Change, Customer, Field};

/// A customer as stored: the record plus what the store keeps about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub id: i64,
    pub customer: Customer,
    pub created_at: String,
    pub updated_at: String,
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredContact {
    pub id: i64,
    pub contact: Contact,
    pub left_date: Option<String>,
}

/// Everything `kehu show` prints about one customer.
#[derive(Debug, Clone)]
pub struct CustomerFile {
    pub stored: Stored,
    pub contacts: Vec<StoredContact>,
    pub orders: Vec<Order>,
    pub order_count: i64,
    pub order_total_fen: i64,
    pub interactions: Vec<Interaction>,
    pub stage_moves: Vec<StageMove>,
    pub tags: Vec<TagRow>,
    pub changes: Vec<LogEntry>,
    /// The latest grading run that set the tier, and this customer's result in it.
    pub grade: Option<(super::Run, super::RunResult)>,
    pub pin: Option<crate::domain::grade::Pin>,
}

/// One move between stages.
#[derive(Debug, Clone, PartialEq)]
pub struct StageMove {
    pub from: Option<String>,
    pub to: String,
    pub date: String,
    pub reason: Option<String>,
    pub operator: String,
}

/// How `list` orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Code,
    Name,
    Updated,
    Created,
    Amount,
    Score,
    FirstCoop,
    LastCoop,
}

/// The filters of `kehu list` (and of changes over a filter); every one is optional and
/// they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub stage: Option<Stage>,
    pub region: Option<Region>,
    pub province: Option<String>,
    /// A section letter (`C`) matches the whole section; a full code (`C39`) one division.
    pub industry: Option<String>,
    pub owner: Option<String>,
    /// A tier key (`core` …) or another model's class as stored.
    pub tier: Option<String>,
    pub intent: Option<Intent>,
    pub source: Option<Source>,
    /// The spellings the city may be stored under (`深圳`, `深圳市`); empty for any city.
    pub city: Vec<String>,
    /// Tags the customer has all of, any of, none of.
    pub all_tags: Vec<TagCond>,
    pub any_tags: Vec<TagCond>,
    pub no_tags: Vec<TagCond>,
    pub first_coop: Range<NaiveDate>,
    pub last_coop: Range<NaiveDate>,
    pub amount_fen: Range<i64>,
    pub score: Range<Decimal>,
    /// Only customers last updated before this day (`--stale`).
    pub stale_before: Option<NaiveDate>,
    /// Free-text words; every one must match.
    pub text: Vec<Word>,
    pub sort: Sort,
    pub descending: bool,
    pub limit: Option<usize>,
}

impl ListFilter {
    /// Whether the filter has no condition at all, and so selects every customer.
    pub fn is_everything(&self) -> bool {
        self.stage.is_none()
            && self.region.is_none()
            && self.province.is_none()
            && self.industry.is_none()
            && self.owner.is_none()
            && self.tier.is_none()
            && self.intent.is_none()
            && self.source.is_none()
            && self.city.is_empty()
            && self.all_tags.is_empty()
            && self.any_tags.is_empty()
            && self.no_tags.is_empty()
            && self.first_coop.is_open()
            && self.last_coop.is_open()
            && self.amount_fen.is_open()
            && self.score.is_open()
            && self.stale_before.is_none()
            && self.text.is_empty()
    }
}

/// A customer `c`'s score (schema step 3: scores have a table of their own, as a grading run
/// rewrites many of them).
macro_rules! score_of_c {
    () => {
        "(SELECT s.score FROM customer_scores s WHERE s.customer_id = c.id)"
    };
}
pub(super) use score_of_c;
pub(super) const SCORE_OF_C: &str = score_of_c!();

/// The columns [`stored`] reads, of `customers c`.
pub(super) const COLUMNS: &str = concat!(
    "c.id, c.code, c.name, c.short_name, c.uscc, c.industry, c.province, c.city, c.nature, c.size, ",
    "c.source, c.stage, c.stage_date, c.intent, c.owner, c.first_coop_date, c.last_coop_date, ",
    "c.total_amount_fen, c.trade_12m_fen, c.tenure_years, c.satisfaction, c.referrals_12m, ",
    "c.complaints_12m, c.budget_growth, c.secrecy, c.tier, ",
    score_of_c!(),
    ", c.remarks, c.extra, c.created_at, c.updated_at"
);

fn parse_col<T>(value: Option<String>, parse: impl Fn(&str) -> std::result::Result<T, String>) -> Option<T> {
    // Stored values were normalised on the way in; one that no longer parses (edited by hand)
    // shows as empty rather than failing the whole read.
    value.and_then(|v| parse(&v).ok())
}

fn decimal(value: Option<String>) -> Option<Decimal> {
    parse_col(value, |v| v.parse::<Decimal>().map_err(|e| e.to_string()))
}

fn date(value: Option<String>) -> Option<NaiveDate> {
    parse_col(value, |v| v.parse::<NaiveDate>().map_err(|e| e.to_string()))
}

pub(super) fn stored(r: &Row) -> rusqlite::Result<Stored> {
    let extra: Option<String> = r.get(28)?;
    let customer = Customer {
        code: r.get(1)?,
        name: r.get(2)?,
        short_name: r.get(3)?,
        uscc: r.get(4)?,
        industry: parse_col(r.get(5)?, parse_industry),
        province: parse_col(r.get(6)?, parse_province),
        city: r.get(7)?,
        nature: parse_col(r.get(8)?, Nature::parse),
        size: parse_col(r.get(9)?, Size::parse),
        source: parse_col(r.get(10)?, Source::parse),
        stage: parse_col(r.get(11)?, Stage::parse).unwrap_or(Stage::Prospect),
        stage_date: date(r.get(12)?),
        intent: parse_col(r.get(13)?, Intent::parse),
        owner: r.get(14)?,
        first_coop_date: date(r.get(15)?),
        last_coop_date: date(r.get(16)?),
        total_amount_fen: r.get(17)?,
        trade_12m_fen: r.get(18)?,
        tenure_years: decimal(r.get(19)?),
        satisfaction: decimal(r.get(20)?),
        referrals_12m: r.get(21)?,
        complaints_12m: r.get(22)?,
        budget_growth: decimal(r.get(23)?),
        secrecy: parse_col(r.get(24)?, Secrecy::parse).unwrap_or(Secrecy::Internal),
        tier: r.get(25)?,
        score: decimal(r.get(26)?),
        remarks: r.get(27)?,
        extra: extra_from(extra),
    };
    Ok(Stored {
        id: r.get(0)?,
        customer,
        created_at: r.get(29)?,
        updated_at: r.get(30)?,
    })
}

/// The values bound for [`WRITE_COLUMNS`]; `name_key` is [`crate::domain::dedupe::name_key`]
/// of the name, passed in because an import has it already.
pub(super) fn values<'a>(c: &'a Customer, name_key: &'a str) -> Vec<Box<dyn ToSql + 'a>> {
    let v = |f: Field| c.value(f);
    vec![
        Box::new(c.code.as_str()),
        Box::new(c.name.as_str()),
        Box::new(v(Field::ShortName)),
        Box::new(v(Field::Uscc)),
        Box::new(v(Field::Industry)),
        Box::new(v(Field::Province)),
        Box::new(v(Field::City)),
        Box::new(v(Field::Nature)),
        Box::new(v(Field::Size)),
        Box::new(v(Field::Source)),
        Box::new(c.stage.key()),
        Box::new(v(Field::StageDate)),
        Box::new(v(Field::Intent)),
        Box::new(v(Field::Owner)),
        Box::new(v(Field::FirstCoopDate)),
        Box::new(v(Field::LastCoopDate)),
        Box::new(c.total_amount_fen),
        Box::new(c.trade_12m_fen),
        Box::new(v(Field::TenureYears)),
        Box::new(v(Field::Satisfaction)),
        Box::new(c.referrals_12m),
        Box::new(c.complaints_12m),
        Box::new(v(Field::BudgetGrowth)),
        Box::new(c.secrecy.key()),
        Box::new(c.tier.clone()),
        Box::new(c.remarks.clone()),
        Box::new(extra_to(&c.extra)),
        Box::new(c.industry.map(|i| i.section.to_string())),
        Box::new(c.region().map(|r| r.en())),
        Box::new(name_key),
    ]
}

pub(super) const WRITE_COLUMNS: &str = "code, name, short_name, uscc, industry, province, city, nature, size, source, \
    stage, stage_date, intent, owner, first_coop_date, last_coop_date, total_amount_fen, trade_12m_fen, \
    tenure_years, satisfaction, referrals_12m, complaints_12m, budget_growth, secrecy, tier, \
    remarks, extra, industry_section, region, name_key";
pub(super) const WRITE_COUNT: usize = 30;

fn get_by(conn: &rusqlite::Connection, column: &str, value: &dyn ToSql) -> Result<Option<Stored>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM customers c WHERE c.{column} = ?1"
        ))?
        .query_row([value], stored)
        .optional()?)
}

/// The merge (not undone) that took customer `code` away, and the code of the customer it
/// went into, if that one is still stored.
pub(super) fn merged_into(conn: &Connection, code: &str) -> Result<Option<(i64, Option<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.id, s.code FROM merges m, json_each(m.absorbed) a
               LEFT JOIN customers s ON s.id = m.survivor_id
              WHERE a.value = ?1 AND m.undone_at IS NULL
              ORDER BY m.id DESC LIMIT 1",
        )?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// No customer has `code`: said so, and where it went if a merge took it away.
fn not_found(conn: &Connection, code: String) -> Result<Error> {
    Ok(match merged_into(conn, &code)? {
        None => Error::NotFound(code),
        Some((merge, into)) => Error::NotFoundOther(format!(
            "no customer with code {code}: {} (merge {merge}; kehu dedupe undo {merge} brings it back)",
            merged_text(&code, into.as_deref())
        )),
    })
}

/// `CST1 was merged into CST2`, for the messages that meet a merged-away code.
pub(super) fn merged_text(code: &str, into: Option<&str>) -> String {
    match into {
        Some(into) => format!("{code} was merged into {into}"),
        None => format!("{code} was merged into a customer since removed"),
    }
}

impl Store {
    pub fn customer(&self, code: &str) -> Result<Stored> {
        let code = code.trim().to_uppercase();
        match get_by(&self.conn, "code", &code)? {
            Some(stored) => Ok(stored),
            None => Err(not_found(&self.conn, code)?),
        }
    }

    pub fn customer_by_uscc(&self, uscc: &str) -> Result<Option<Stored>> {
        get_by(&self.conn, "uscc", &uscc)
    }

    /// The whole file of one customer.
    pub fn customer_file(&self, code: &str, recent: usize) -> Result<CustomerFile> {
        let stored = self.customer(code)?;
        let id = stored.id;
        let contacts = contacts(&self.conn, id)?;
        let (order_count, order_total_fen) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(amount_fen), 0) FROM orders WHERE customer_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let orders = self
            .conn
            .prepare("SELECT date, amount_fen, contract_no, extra FROM orders WHERE customer_id = ?1 ORDER BY date DESC, id DESC LIMIT ?2")?
            .query_map(params![id, recent as i64], |r| {
                Ok(Order {
                    date: r.get(0)?,
                    amount_fen: r.get(1)?,
                    contract_no: r.get(2)?,
                    extra: extra_from(r.get(3)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let interactions = self
            .conn
            .prepare("SELECT date, channel, summary, operator, extra FROM interactions WHERE customer_id = ?1 ORDER BY date DESC, id DESC LIMIT ?2")?
            .query_map(params![id, recent as i64], |r| {
                Ok(Interaction {
                    date: r.get(0)?,
                    channel: r.get(1)?,
                    summary: r.get(2)?,
                    operator: r.get(3)?,
                    extra: extra_from(r.get(4)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let stage_moves = self
            .conn
            .prepare("SELECT from_stage, to_stage, date, reason, operator FROM stage_moves WHERE customer_id = ?1 ORDER BY date, id")?
            .query_map([id], |r| {
                Ok(StageMove {
                    from: r.get(0)?,
                    to: r.get(1)?,
                    date: r.get(2)?,
                    reason: r.get(3)?,
                    operator: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let tags = self.customer_tags(&stored)?;
        let changes = self.log_entries(&LogFilter {
            customer: Some(stored.customer.code.clone()),
            limit: Some(recent),
            newest_first: true,
            ..LogFilter::default()
        })?;
        Ok(CustomerFile {
            stored,
            contacts,
            orders,
            order_count,
            order_total_fen,
            interactions,
            stage_moves,
            tags,
            changes,
            grade: self.latest_grade_of(id, true)?,
            pin: self.pin(id)?,
        })
    }
}

fn contacts(conn: &rusqlite::Connection, customer_id: i64) -> Result<Vec<StoredContact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, title, mobile, landline, email, is_primary, active, left_date, extra
         FROM contacts WHERE customer_id = ?1 ORDER BY active DESC, is_primary DESC, id",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        Ok(StoredContact {
            id: r.get(0)?,
            contact: Contact {
                name: r.get(1)?,
                title: r.get(2)?,
                mobile: r.get(3)?,
                landline: r.get(4)?,
                email: r.get(5)?,
                is_primary: r.get(6)?,
                active: r.get(7)?,
                extra: extra_from(r.get(9)?),
            },
            left_date: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Writer<'_> {
    pub fn customer(&self, code: &str) -> Result<Stored> {
        let code = code.trim().to_uppercase();
        match get_by(&self.tx, "code", &code)? {
            Some(stored) => Ok(stored),
            None => Err(not_found(&self.tx, code)?),
        }
    }

    pub fn find_customer(&self, code: &str) -> Result<Option<Stored>> {
        get_by(&self.tx, "code", &code.trim().to_uppercase())
    }

    pub fn customer_by_uscc(&self, uscc: &str) -> Result<Option<Stored>> {
        get_by(&self.tx, "uscc", &uscc)
    }

    pub fn has_orders(&self, customer_id: i64) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM orders WHERE customer_id = ?1)")?
            .query_row([customer_id], |r| r.get(0))?)
    }

    /// The next free code from the configured pattern; the sequence only moves forward.
    fn next_code(&mut self) -> Result<String> {
        let pattern = match self.setting("code_pattern")? {
            Some(p) => CodePattern::parse(&p).map_err(Error::Conflict)?,
            None => CodePattern::default(),
        };
        let today = self.actor.today();
        let period = pattern.period(today);
        let mut last: u64 = self
            .tx
            .prepare_cached("SELECT last FROM code_sequences WHERE period = ?1")?
            .query_row([&period], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0) as u64;
        let code = loop {
            last += 1;
            let code = pattern.render(today, last);
            // A code typed in by hand (or imported) may already sit on this number.
            if get_by(&self.tx, "code", &code)?.is_none() {
                break code;
            }
        };
        self.tx
            .prepare_cached(
                "INSERT INTO code_sequences(period, last) VALUES (?1, ?2)
             ON CONFLICT(period) DO UPDATE SET last = excluded.last",
            )?
            .execute(params![period, last as i64])?;
        Ok(code)
    }

    /// Adds a new customer (giving it a code when it has none), logging every field under
    /// `action`. Refuses a code or USCC that is already taken.
    pub fn insert_customer(
        &mut self,
        customer: Customer,
        action: &str,
        batch: Option<i64>,
    ) -> Result<Stored> {
        self.insert_customer_with_contact(customer, None, action, batch)
    }

    /// Adds a new customer and, optionally, its first contact, logged as one entry.
    pub fn insert_customer_with_contact(
        &mut self,
        customer: Customer,
        contact: Option<&Contact>,
        action: &str,
        batch: Option<i64>,
    ) -> Result<Stored> {
        let key = crate::domain::dedupe::name_key(&customer.name);
        self.insert_keyed_customer(customer, &key, contact, action, batch)
    }

    /// [`Self::insert_customer_with_contact`], given the name's key.
    pub(super) fn insert_keyed_customer(
        &mut self,
        mut customer: Customer,
        name_key: &str,
        contact: Option<&Contact>,
        action: &str,
        batch: Option<i64>,
    ) -> Result<Stored> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        if customer.code.is_empty() {
            customer.code = self.next_code()?;
        }
        let stamp = self.actor.stamp();
        let sql = SQL.get_or_init(|| {
            let placeholders: Vec<String> = (1..=WRITE_COUNT + 2).map(|i| format!("?{i}")).collect();
            format!(
                "INSERT INTO customers({WRITE_COLUMNS}, created_at, updated_at) VALUES ({})",
                placeholders.join(", ")
            )
        });
        {
            let mut vals = values(&customer, name_key);
            vals.push(Box::new(stamp.clone()));
            vals.push(Box::new(stamp.clone()));
            let inserted = self
                .tx
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(vals.iter().map(|b| b.as_ref())));
            // The unique columns refuse a taken code or USCC; only then is it worth finding
            // whose it is (an import inserts a million rows that are free).
            if let Err(e) = inserted {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    if let Some(other) = self.find_customer(&customer.code)? {
                        return Err(Error::Conflict(format!(
                            "code {} is already used by {}",
                            other.customer.code, other.customer.name
                        )));
                    }
                    self.check_uscc_free(&customer, None)?;
                }
                return Err(e.into());
            }
        }
        let id = self.tx.last_insert_rowid();
        if customer.score.is_some() {
            self.put_score(id, &customer)?;
        }
        let mut changes = customer.as_changes();
        if let Some(contact) = contact {
            self.insert_contact_row(id, contact, batch)?;
            changes.extend(contact.as_changes());
        }
        self.log(action, Some(&customer.code), batch, &changes)?;
        Ok(Stored {
            id,
            customer,
            created_at: stamp.clone(),
            updated_at: stamp,
        })
    }

    fn check_uscc_free(&self, customer: &Customer, id: Option<i64>) -> Result<()> {
        if let Some(uscc) = &customer.uscc
            && let Some(other) = self.customer_by_uscc(uscc)?
            && Some(other.id) != id
        {
            {
                {
                    return Err(Error::Conflict(format!(
                        "uscc {uscc} already belongs to {} {}",
                        other.customer.code, other.customer.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// Stores `after` over `before` (same id), logging each changed field under `action`.
    /// Returns the changes; nothing is written when there are none.
    pub fn update_customer(
        &mut self,
        before: &Stored,
        after: Customer,
        action: &str,
        batch: Option<i64>,
    ) -> Result<Vec<Change>> {
        let changes = Customer::diff(&before.customer, &after);
        if changes.is_empty() {
            return Ok(changes);
        }
        if after.code != before.customer.code
            && let Some(other) = self.find_customer(&after.code)?
        {
            {
                return Err(Error::Conflict(format!(
                    "code {} is already used by {}",
                    other.customer.code, other.customer.name
                )));
            }
        }
        self.check_uscc_free(&after, Some(before.id))?;
        self.overwrite_customer(before.id, &after)?;
        if after.score != before.customer.score {
            self.put_score(before.id, &after)?;
        }
        self.log(action, Some(&after.code), batch, &changes)?;
        Ok(changes)
    }

    /// Overwrites customer `id`'s record with `c` (every column but the id, the creation time
    /// and the score).
    pub(super) fn overwrite_customer(&mut self, id: i64, c: &Customer) -> Result<()> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let sets: Vec<String> = WRITE_COLUMNS
                .split(", ")
                .enumerate()
                .map(|(i, col)| format!("{col} = ?{}", i + 1))
                .collect();
            format!(
                "UPDATE customers SET {}, updated_at = ?{} WHERE id = ?{}",
                sets.join(", "),
                WRITE_COUNT + 1,
                WRITE_COUNT + 2
            )
        });
        let key = crate::domain::dedupe::name_key(&c.name);
        let mut vals = values(c, &key);
        vals.push(Box::new(self.actor.stamp()));
        vals.push(Box::new(id));
        self.tx
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(vals.iter().map(|b| b.as_ref())))?;
        Ok(())
    }

    /// Stores customer `id`'s score as `c` has it (none: removes it). Scores live apart from
    /// the record (schema step 3); [`WRITE_COLUMNS`] leaves them out.
    pub(super) fn put_score(&mut self, id: i64, c: &Customer) -> Result<()> {
        match c.value(Field::Score) {
            Some(score) => self
                .tx
                .prepare_cached(
                    "INSERT INTO customer_scores(customer_id, score) VALUES (?1, ?2)
                     ON CONFLICT (customer_id) DO UPDATE SET score = excluded.score",
                )?
                .execute(params![id, score])?,
            None => self
                .tx
                .prepare_cached("DELETE FROM customer_scores WHERE customer_id = ?1")?
                .execute([id])?,
        };
        Ok(())
    }

    /// Records a move between stages (the stage field itself is changed by the caller) and
    /// dates the customer's stage.
    pub fn record_stage_move(
        &mut self,
        customer_id: i64,
        from: Option<Stage>,
        to: Stage,
        date: NaiveDate,
        reason: Option<&str>,
        batch: Option<i64>,
    ) -> Result<()> {
        self.add_stage_move(customer_id, from, to, date, reason, batch)?;
        self.tx
            .prepare_cached("UPDATE customers SET stage_date = ?1 WHERE id = ?2")?
            .execute(params![date.to_string(), customer_id])?;
        Ok(())
    }

    /// Records a move between stages for a customer whose stage date the caller has set;
    /// `batch`, the import that made it.
    pub fn add_stage_move(
        &mut self,
        customer_id: i64,
        from: Option<Stage>,
        to: Stage,
        date: NaiveDate,
        reason: Option<&str>,
        batch: Option<i64>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO stage_moves(customer_id, from_stage, to_stage, date, reason, operator, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                customer_id,
                from.map(|s| s.key()),
                to.key(),
                date.to_string(),
                reason,
                self.actor.operator,
                batch
            ])?;
        Ok(())
    }

    pub fn contacts(&self, customer_id: i64) -> Result<Vec<StoredContact>> {
        contacts(&self.tx, customer_id)
    }

    /// Adds a contact. A primary contact takes the flag from any other.
    pub fn add_contact(&mut self, customer: &Stored, contact: &Contact, batch: Option<i64>) -> Result<i64> {
        if contact.is_primary {
            self.clear_primary(customer, None, batch)?;
        }
        let id = self.insert_contact_row(customer.id, contact, batch)?;
        self.touch(customer.id)?;
        self.log(
            "contact.add",
            Some(&customer.customer.code),
            batch,
            &contact.as_changes(),
        )?;
        Ok(id)
    }

    fn insert_contact_row(&mut self, customer_id: i64, contact: &Contact, batch: Option<i64>) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO contacts(customer_id, name, title, mobile, landline, email, is_primary, active, extra,
                                      created_at, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                customer_id,
                contact.name,
                contact.title,
                contact.mobile,
                contact.landline,
                contact.email,
                contact.is_primary,
                contact.active,
                extra_to(&contact.extra),
                self.actor.stamp(),
                batch
            ])?;
        let id = self.tx.last_insert_rowid();
        self.meet_contact(id);
        Ok(id)
    }

    /// Marks a customer's file as changed now: a contact, order or interaction is part of it.
    pub(super) fn touch(&mut self, customer_id: i64) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE customers SET updated_at = ?1 WHERE id = ?2")?
            .execute(params![self.actor.stamp(), customer_id])?;
        Ok(())
    }

    /// Takes the primary flag from the customer's contacts but `keeping` (the one about to
    /// have it). Each is logged as an edit of that contact: the log shows who stopped being
    /// the primary one, and an import undo makes them so again.
    fn clear_primary(&mut self, customer: &Stored, keeping: Option<i64>, batch: Option<i64>) -> Result<()> {
        let primaries: Vec<i64> = self
            .tx
            .prepare_cached(
                "SELECT id FROM contacts WHERE customer_id = ?1 AND is_primary AND id IS NOT ?2 ORDER BY id",
            )?
            .query_map(params![customer.id, keeping], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in primaries {
            self.tx
                .prepare_cached("UPDATE contacts SET is_primary = 0 WHERE id = ?1")?
                .execute([id])?;
            let id = Some(id.to_string());
            self.log(
                "contact.edit",
                Some(&customer.customer.code),
                batch,
                &[
                    Change::new("contact.id", id.clone(), id),
                    Change::new("contact.primary", Some("true".into()), Some("false".into())),
                ],
            )?;
        }
        Ok(())
    }

    /// Stores a changed contact; `left` marks it inactive as of that date.
    pub fn update_contact(
        &mut self,
        customer: &Stored,
        before: &StoredContact,
        after: &Contact,
        left: Option<NaiveDate>,
        batch: Option<i64>,
    ) -> Result<Vec<Change>> {
        let mut changes = Contact::diff(&before.contact, after);
        if let Some(d) = left {
            changes.push(Change::new(
                "contact.left_date",
                before.left_date.clone(),
                Some(d.to_string()),
            ));
        }
        // A contact given again, even unchanged, has its details confirmed as of now.
        self.tx
            .prepare_cached("UPDATE contacts SET confirmed_at = ?1 WHERE id = ?2")?
            .execute(params![self.actor.stamp(), before.id])?;
        if changes.is_empty() {
            return Ok(changes);
        }
        self.touch(customer.id)?;
        if after.is_primary && !before.contact.is_primary {
            self.clear_primary(customer, Some(before.id), batch)?;
        }
        self.tx
            .prepare_cached(
                "UPDATE contacts SET name = ?1, title = ?2, mobile = ?3, landline = ?4, email = ?5,
                 is_primary = ?6, active = ?7, left_date = coalesce(?8, left_date), extra = ?10 WHERE id = ?9",
            )?
            .execute(params![
                after.name,
                after.title,
                after.mobile,
                after.landline,
                after.email,
                after.is_primary,
                after.active,
                left.map(|d| d.to_string()),
                before.id,
                extra_to(&after.extra)
            ])?;
        // The contact's id lets an import undo find it again.
        let id = Some(before.id.to_string());
        let mut logged = vec![Change::new("contact.id", id.clone(), id)];
        logged.extend(changes.iter().cloned());
        self.log("contact.edit", Some(&customer.customer.code), batch, &logged)?;
        Ok(changes)
    }

    /// Adds an order; refuses a second order with the same contract number.
    pub fn add_order(&mut self, customer: &Stored, order: &Order, batch: Option<i64>) -> Result<()> {
        if let Some(no) = &order.contract_no {
            let exists: bool = self
                .tx
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM orders WHERE customer_id = ?1 AND contract_no = ?2)",
                )?
                .query_row(params![customer.id, no], |r| r.get(0))?;
            if exists {
                return Err(Error::Conflict(format!(
                    "{} already has an order with contract number {no}",
                    customer.customer.code
                )));
            }
        }
        self.tx
            .prepare_cached(
                "INSERT INTO orders(customer_id, date, amount_fen, contract_no, extra, batch_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                customer.id,
                order.date.to_string(),
                order.amount_fen,
                order.contract_no,
                extra_to(&order.extra),
                batch,
                self.actor.stamp()
            ])?;
        self.touch(customer.id)?;
        let mut changes = vec![
            Change::new("order.date", None, Some(order.date.to_string())),
            Change::new("order.amount", None, Some(order.amount())),
            Change::new("order.contract_no", None, order.contract_no.clone()),
        ];
        changes.extend(extra_changes("order", &order.extra));
        self.log("order.add", Some(&customer.customer.code), batch, &changes)
    }

    pub fn add_interaction(
        &mut self,
        customer: &Stored,
        interaction: &Interaction,
        batch: Option<i64>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO interactions(customer_id, date, channel, summary, operator, extra, batch_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                customer.id,
                interaction.date.to_string(),
                interaction.channel,
                interaction.summary,
                interaction.operator.as_ref().unwrap_or(&self.actor.operator),
                extra_to(&interaction.extra),
                batch,
                self.actor.stamp()
            ])?;
        self.touch(customer.id)?;
        // What the interaction has; a channel or summary it lacks is no change.
        let mut changes: Vec<Change> = [
            ("interaction.date", Some(interaction.date.to_string())),
            ("interaction.channel", interaction.channel.clone()),
            ("interaction.summary", interaction.summary.clone()),
            ("interaction.operator", interaction.operator.clone()),
        ]
        .into_iter()
        .filter(|(_, after)| after.is_some())
        .map(|(field, after)| Change::new(field, None, after))
        .collect();
        changes.extend(extra_changes("interaction", &interaction.extra));
        self.log("interaction.add", Some(&customer.customer.code), batch, &changes)
    }
}

/// A record's extra columns as stored: a JSON object, NULL when there are none.
pub(super) fn extra_to(extra: &BTreeMap<String, String>) -> Option<String> {
    (!extra.is_empty()).then(|| serde_json::to_string(extra).expect("extra serialises"))
}

pub(super) fn extra_from(stored: Option<String>) -> BTreeMap<String, String> {
    stored
        .and_then(|e| serde_json::from_str(&e).ok())
        .unwrap_or_default()
}

/// The change log's lines for a new record's extra columns: `order.extra.产品`.
fn extra_changes<'a>(
    record: &'a str,
    extra: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = Change> + 'a {
    extra
        .iter()
        .map(move |(k, v)| Change::new(format!("{record}.extra.{k}"), None, Some(v.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Unit;
    use crate::store::test_actor as actor;

    fn sample() -> Customer {
        let mut c = Customer::new("北京某某科技有限公司").unwrap();
        c.set(Field::Uscc, "91110000600037341L", Unit::Yuan).unwrap();
        c.set(Field::Province, "北京", Unit::Yuan).unwrap();
        c.set(Field::Industry, "I65", Unit::Yuan).unwrap();
        c.set(Field::TotalAmount, "12.5万", Unit::Yuan).unwrap();
        c.set(Field::Satisfaction, "8.5", Unit::Yuan).unwrap();
        c.extra.insert("微信".into(), "wx123".into());
        c
    }

    #[test]
    fn a_customer_round_trips_through_the_store() {
        let mut store = Store::open_in_memory().unwrap();
        let stored = store
            .write(&actor(), |w| w.insert_customer(sample(), "add", None))
            .unwrap();
        assert_eq!(stored.customer.code, "CST20240001");
        let read = store.customer("cst20240001").unwrap();
        assert_eq!(read.customer, stored.customer);
        assert_eq!(read.created_at, "2024-06-30T08:00:00Z");
    }

    #[test]
    fn codes_follow_the_sequence_and_are_never_reused() {
        let mut store = Store::open_in_memory().unwrap();
        let a = store
            .write(&actor(), |w| {
                w.insert_customer(Customer::new("甲公司").unwrap(), "add", None)
            })
            .unwrap();
        store
            .conn
            .execute("DELETE FROM customers WHERE id = ?1", [a.id])
            .unwrap();
        let b = store
            .write(&actor(), |w| {
                w.insert_customer(Customer::new("乙公司").unwrap(), "add", None)
            })
            .unwrap();
        assert_eq!(
            (a.customer.code.as_str(), b.customer.code.as_str()),
            ("CST20240001", "CST20240002")
        );
    }

    #[test]
    fn a_taken_uscc_is_refused_and_nothing_is_written() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| w.insert_customer(sample(), "add", None))
            .unwrap();
        let mut twin = sample();
        twin.name = "另一家公司".into();
        let err = store
            .write(&actor(), |w| w.insert_customer(twin, "add", None))
            .unwrap_err();
        assert!(
            err.to_string().contains("already belongs to CST20240001"),
            "{err}"
        );
        assert_eq!(store.list_customers(&ListFilter::default()).unwrap().len(), 1);
        assert_eq!(store.log_entries(&LogFilter::default()).unwrap().len(), 1);
    }

    #[test]
    fn an_update_logs_only_the_changed_fields() {
        let mut store = Store::open_in_memory().unwrap();
        let stored = store
            .write(&actor(), |w| w.insert_customer(sample(), "add", None))
            .unwrap();
        let mut after = stored.customer.clone();
        after.set(Field::Owner, "张三", Unit::Yuan).unwrap();
        let changes = store
            .write(&actor(), |w| w.update_customer(&stored, after, "edit", None))
            .unwrap();
        assert_eq!(changes, vec![Change::new("owner", None, Some("张三".into()))]);
        let log = store.log_entries(&LogFilter::default()).unwrap();
        assert_eq!(log.last().unwrap().changes, changes);
        assert_eq!(store.verify_log().unwrap(), Ok(2));
    }

    #[test]
    fn an_interaction_without_a_summary_logs_none() {
        let mut store = Store::open_in_memory().unwrap();
        let stored = store
            .write(&actor(), |w| w.insert_customer(sample(), "add", None))
            .unwrap();
        let call = Interaction::parse("2024-06-01", "电话", "", actor().today()).unwrap();
        store
            .write(&actor(), |w| w.add_interaction(&stored, &call, None))
            .unwrap();
        let log = store.log_entries(&LogFilter::default()).unwrap();
        assert_eq!(
            log.last().unwrap().changes,
            vec![
                Change::new("interaction.date", None, Some("2024-06-01".into())),
                Change::new("interaction.channel", None, Some("电话".into())),
            ]
        );
    }

    #[test]
    fn list_filters_by_region_and_industry_section() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(&actor(), |w| {
                w.insert_customer(sample(), "add", None)?;
                let mut c = Customer::new("广州某某贸易有限公司").unwrap();
                c.set(Field::Province, "广东", Unit::Yuan).unwrap();
                c.set(Field::Industry, "F51", Unit::Yuan).unwrap();
                w.insert_customer(c, "add", None)
            })
            .unwrap();
        let south = ListFilter {
            region: Some(Region::South),
            ..ListFilter::default()
        };
        let names: Vec<String> = store
            .list_customers(&south)
            .unwrap()
            .into_iter()
            .map(|s| s.customer.name)
            .collect();
        assert_eq!(names, vec!["广州某某贸易有限公司"]);
        let it = ListFilter {
            industry: Some("I".into()),
            ..ListFilter::default()
        };
        assert_eq!(store.list_customers(&it).unwrap().len(), 1);
    }
}
