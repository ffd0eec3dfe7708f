//! Imports: recorded batches, applying one understood row to the stored records, and undoing
//! a whole batch from its change-log entries.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, named_params, params};
use serde::Serialize;

use super::customers::{extra_from, extra_to, merged_into, merged_text};
use super::{Error, LogEntry, Result, Store, Stored, StoredContact, Writer};
use crate::domain::choice::Stage;
use crate::domain::contact::{
    Contact, Found, Interaction, Order, extra_diff, extra_given_again, extra_restore, given_again,
};
use crate::domain::dedupe::{Candidate, Level, compare, name_key, same_company_named};
use crate::domain::import::{
    CustomerPart, Keys, NewCustomer, Row, RowBody, RowContact, RowError, contact_already_stored,
    contact_contradiction, contract_key, contradiction, extra_already_stored, extra_contradiction,
    growth_contradiction, mobile_of_another, plainly_different, second_primary,
};
use crate::domain::{Change, Customer};

/// What to do with a row that is an existing customer, or (a contacts row) that would change
/// an existing contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExisting {
    Update,
    Skip,
    Error,
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// `possible_duplicate`: a stored customer this one may be (a `review`-level match).
    Inserted {
        code: String,
        possible_duplicate: Option<PossibleDuplicate>,
    },
    Updated {
        code: String,
        fields: usize,
        renamed: bool,
    },
    Unchanged {
        code: String,
    },
    Skipped {
        code: String,
    },
    Rejected {
        error: RowError,
    },
    /// The row names a stored customer but is plainly another company: never applied.
    Conflict {
        code: String,
        stored: String,
        incoming: String,
        reason: String,
    },
}

/// A stored customer an inserted row resembles without being surely the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PossibleDuplicate {
    pub code: String,
    pub name: String,
    pub score: u8,
    pub reasons: Vec<String>,
}

/// A recorded import.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub id: i64,
    pub file: String,
    /// The workbook sheet read; `None` for a text file.
    pub sheet: Option<String>,
    pub sha256: String,
    pub kind: String,
    pub counts: serde_json::Value,
    pub operator: String,
    pub at: String,
    pub undone_at: Option<String>,
}

/// What an undo did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UndoneBatch {
    pub removed_customers: usize,
    pub restored_customers: usize,
    pub removed_contacts: usize,
    pub restored_contacts: usize,
    pub removed_orders: usize,
    pub removed_interactions: usize,
    /// Industry growth rates the batch set: removed where it added them, the old rate back
    /// where it changed one.
    pub restored_growth: usize,
    /// Customers, contacts, orders and interactions the batch added that a later batch, not
    /// undone, gave again: left to that batch.
    pub left_to_later_batches: usize,
}

/// Customers by exact name, found through the name core: a large import sets the index on
/// names aside (`store::deferred`), not the one on cores.
/// The earliest batch after `?3`, not undone, that met row `?2` of kind `?1` again.
const MET_LATER: &str = "SELECT min(m.batch_id) FROM import_met m JOIN import_batches b ON b.id = m.batch_id
                          WHERE m.kind = ?1 AND m.row_id = ?2 AND m.batch_id > ?3 AND b.undone_at IS NULL";

/// The rows of one kind a batch added that a later batch met again pass to the earliest such
/// batch.
fn pass_on_rows(table: &str, kind: &str) -> String {
    let later = format!(
        "SELECT min(m.batch_id) FROM import_met m JOIN import_batches b ON b.id = m.batch_id
          WHERE m.kind = '{kind}' AND m.row_id = {table}.id AND m.batch_id > ?1 AND b.undone_at IS NULL"
    );
    format!("UPDATE {table} SET batch_id = ({later}) WHERE batch_id = ?1 AND ({later}) IS NOT NULL")
}

pub(super) const CUSTOMERS_BY_NAME: &str =
    "SELECT code FROM customers WHERE name_key = ?1 AND name = ?2 ORDER BY id";

impl Store {
    pub fn batches(&self) -> Result<Vec<Batch>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file_name, sheet, sha256, kind, counts, operator, created_at, undone_at
             FROM import_batches ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let counts: String = r.get(5)?;
            Ok(Batch {
                id: r.get(0)?,
                file: r.get(1)?,
                sheet: r.get(2)?,
                sha256: r.get(3)?,
                kind: r.get(4)?,
                counts: serde_json::from_str(&counts).unwrap_or_default(),
                operator: r.get(6)?,
                at: r.get(7)?,
                undone_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Writer<'_> {
    /// Records an import of `file` (and of which `sheet`, for a workbook).
    pub fn begin_batch(&mut self, file: &str, sheet: Option<&str>, sha256: &str, kind: &str) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO import_batches(file_name, sheet, sha256, kind, counts, operator, created_at)
             VALUES (?1, ?2, ?3, ?4, '{}', ?5, ?6)",
            params![file, sheet, sha256, kind, self.actor.operator, self.actor.stamp()],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    pub fn finish_batch(&mut self, id: i64, counts: &serde_json::Value) -> Result<()> {
        self.tx.execute(
            "UPDATE import_batches SET counts = ?1 WHERE id = ?2",
            params![counts.to_string(), id],
        )?;
        self.log(
            "import",
            None,
            Some(id),
            &[Change::new("counts", None, Some(counts.to_string()))],
        )
    }

    /// The customers stored under exactly `name`.
    fn customers_by_name(&self, name: &str) -> Result<Vec<Stored>> {
        let mut stmt = self.tx.prepare_cached(CUSTOMERS_BY_NAME)?;
        let codes: Vec<String> = stmt
            .query_map([crate::domain::dedupe::name_key(name), name.to_string()], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<_>>()?;
        codes.iter().map(|c| self.customer(c)).collect()
    }

    /// The stored customer a row is about: by code, else USCC, else exact name. A code or
    /// USCC that points at a different company is a conflict, reported as `Err(Outcome)`.
    fn match_customer(&self, keys: &Keys) -> Result<std::result::Result<Option<Stored>, Outcome>> {
        let conflict = |stored: &Stored, reason: String| Outcome::Conflict {
            code: stored.customer.code.clone(),
            stored: format!(
                "{} {}",
                stored.customer.name,
                stored.customer.uscc.as_deref().unwrap_or("")
            )
            .trim()
            .to_string(),
            incoming: format!(
                "{} {}",
                keys.name.as_deref().unwrap_or(""),
                keys.uscc.as_deref().unwrap_or("")
            )
            .trim()
            .to_string(),
            reason,
        };
        if let Some(code) = &keys.code
            && let Some(stored) = self.find_customer(code)?
        {
            if let (Some(a), Some(b)) = (&stored.customer.uscc, &keys.uscc)
                && a != b
            {
                return Ok(Err(conflict(
                    &stored,
                    format!("code {code} is stored with USCC {a}, the row has {b}"),
                )));
            }
            // The same USCC on both sides vouches for a new name (a rename); a USCC the
            // stored customer lacks vouches for nothing.
            if let Some(name) = &keys.name
                && (keys.uscc.is_none() || stored.customer.uscc.is_none())
                && plainly_different(&stored.customer.name, name)
            {
                return Ok(Err(conflict(
                    &stored,
                    format!("code {code} belongs to {}", stored.customer.name),
                )));
            }
            // Another stored company's exact name under this code is that company's row
            // with a wrong code, unless the USCC both sides share vouches for a rename.
            if let Some(name) = &keys.name
                && !(keys.uscc.is_some() && keys.uscc == stored.customer.uscc)
                && *name != stored.customer.name
                && let Some(other) = self
                    .customers_by_name(name)?
                    .into_iter()
                    .find(|o| o.id != stored.id)
            {
                return Ok(Err(conflict(
                    &stored,
                    format!(
                        "code {code} belongs to {}; {name} is {}",
                        stored.customer.name, other.customer.code
                    ),
                )));
            }
            // A USCC new to the stored customer is taken only under its own name: under
            // 上海华兴贸易 it would give 北京华兴科技 another company's USCC.
            if let (Some(uscc), Some(name), None) = (&keys.uscc, &keys.name, &stored.customer.uscc)
                && name_key(name) != name_key(&stored.customer.name)
            {
                return Ok(Err(conflict(
                    &stored,
                    format!(
                        "code {code} belongs to {}; the row gives USCC {uscc} under another name",
                        stored.customer.name
                    ),
                )));
            }
            if let Some(uscc) = &keys.uscc
                && let Some(other) = self.customer_by_uscc(uscc)?
                && other.id != stored.id
            {
                return Ok(Err(conflict(
                    &stored,
                    format!(
                        "USCC {uscc} belongs to {} {}",
                        other.customer.code, other.customer.name
                    ),
                )));
            }
            return Ok(Ok(Some(stored)));
        }
        if let Some(uscc) = &keys.uscc {
            let stored = self.customer_by_uscc(uscc)?;
            // Likewise another stored company's name under this USCC, exact or with the same
            // core (乙二贸易有限责任公司 for 乙二贸易有限公司), is that company's row with a wrong
            // USCC (copied from the row above), not a rename into a twin.
            if let (Some(stored), Some(name)) = (&stored, &keys.name)
                && *name != stored.customer.name
            {
                let core = name_key(name);
                let other = match self
                    .customers_by_name(name)?
                    .into_iter()
                    .find(|o| o.id != stored.id)
                {
                    Some(other) => Some((other.customer.code, "is")),
                    None if core != name_key(&stored.customer.name) => self
                        .tx
                        .prepare_cached(
                            "SELECT code FROM customers WHERE name_key = ?1 AND id != ?2 ORDER BY id",
                        )?
                        .query_row(params![core, stored.id], |r| r.get(0))
                        .optional()?
                        .map(|code| (code, "is like")),
                    None => None,
                };
                if let Some((code, is)) = other {
                    return Ok(Err(conflict(
                        stored,
                        format!(
                            "USCC {uscc} belongs to {}; {name} {is} {code}",
                            stored.customer.name
                        ),
                    )));
                }
            }
            return Ok(Ok(stored));
        }
        if keys.code.is_none()
            && let Some(name) = &keys.name
        {
            let mut same = self.customers_by_name(name)?;
            if same.len() > 1 {
                // Which of them the row means is for the clerk to say, not for kehu to
                // guess; nor is it a new company, to be added as yet another twin.
                let codes: Vec<String> = same.iter().map(|s| s.customer.code.clone()).collect();
                return Ok(Err(Outcome::Rejected {
                    error: ambiguous_name(keys, &codes),
                }));
            }
            return Ok(Ok(same.pop()));
        }
        Ok(Ok(None))
    }

    /// Applies one understood row. `fresh` is the record a customers row creates when
    /// nothing matches, if the caller prepared it already ([`CustomerPart::new_customer`]).
    pub fn import_row(
        &mut self,
        row: &Row,
        fresh: Option<std::result::Result<NewCustomer, RowError>>,
        batch: i64,
        on_existing: OnExisting,
    ) -> Result<Outcome> {
        if let RowBody::Growth { industry, growth } = &row.body {
            let code = industry.code();
            let before = super::grade::growth_of(&self.tx, &code)?;
            // A table giving one industry twice (`C` and `制造业`) is applied once, as a
            // customers file giving one customer twice is; two rates for it are the clerk's
            // to choose between.
            let rate = growth.normalize().to_string();
            if !self.met_industries.insert(code.clone())
                && let Some(earlier) = &before
                && let Some(reason) = growth_contradiction(industry, earlier, &rate)
            {
                return Ok(Outcome::Conflict {
                    code,
                    stored: format!("{earlier}%"),
                    incoming: format!("{rate}%"),
                    reason,
                });
            }
            let existed = before.is_some();
            let changed = self.set_industry_growth(&code, *growth, Some(batch))?;
            return Ok(match (existed, changed) {
                (false, _) => Outcome::Inserted {
                    code,
                    possible_duplicate: None,
                },
                (true, true) => Outcome::Updated {
                    code,
                    fields: 1,
                    renamed: false,
                },
                (true, false) => Outcome::Unchanged { code },
            });
        }
        let matched = match self.match_customer(&row.keys)? {
            Ok(m) => m,
            Err(conflict) => return Ok(conflict),
        };
        match &row.body {
            RowBody::Customer(part) => {
                self.import_customer(&row.keys, part, fresh, matched, batch, on_existing)
            }
            RowBody::Contact(contact) => self.attach(matched, &row.keys, |w, c| {
                w.import_contact(c, contact, batch, on_existing)
            }),
            RowBody::Order(order) => self.attach(matched, &row.keys, |w, c| {
                w.import_order(c, order, batch, on_existing)
            }),
            RowBody::Growth { .. } => unreachable!("growth rows return above"),
            RowBody::Interaction(i) => self.attach(matched, &row.keys, |w, c| {
                w.import_interaction(c, i, batch, on_existing)
            }),
        }
    }

    fn attach(
        &mut self,
        matched: Option<Stored>,
        keys: &Keys,
        f: impl FnOnce(&mut Self, &Stored) -> Result<Outcome>,
    ) -> Result<Outcome> {
        match matched {
            Some(customer) => f(self, &customer),
            None => {
                let (column, value) = keys.first();
                let mut reason = format!("no stored customer has this {column}");
                // Sales lists keep a merged-away customer's code for months.
                if let Some(code) = &keys.code
                    && let Some((merge, into)) = merged_into(&self.tx, code)?
                {
                    reason = format!("{reason}: {} (merge {merge})", merged_text(code, into.as_deref()));
                    if into.is_some() {
                        reason.push_str("; use that code");
                    }
                }
                Ok(Outcome::Rejected {
                    error: RowError::new(column, value, reason),
                })
            }
        }
    }

    fn import_customer(
        &mut self,
        keys: &Keys,
        part: &CustomerPart,
        fresh: Option<std::result::Result<NewCustomer, RowError>>,
        matched: Option<Stored>,
        batch: i64,
        on_existing: OnExisting,
    ) -> Result<Outcome> {
        let today = self.actor.today();
        let stored = match matched {
            Some(stored) => stored,
            None => {
                // A merged-away code is not handed out again: the row means the customer it
                // went into, or is a code mistyped.
                if let Some(code) = &keys.code
                    && let Some((merge, into)) = merged_into(&self.tx, code)?
                {
                    let mut reason = format!("{} (merge {merge})", merged_text(code, into.as_deref()));
                    if into.is_some() {
                        reason.push_str("; use that code");
                    }
                    return Ok(Outcome::Rejected {
                        error: RowError::new("code", code.clone(), reason),
                    });
                }
                let NewCustomer { customer, probe } =
                    match fresh.unwrap_or_else(|| part.new_customer(keys, today)) {
                        Ok(c) => c,
                        Err(error) => return Ok(Outcome::Rejected { error }),
                    };
                match self.likely_matches(&probe)? {
                    // A sure duplicate under the same name is the same customer: update it;
                    // which of two such it means is for the clerk to say. Anything less (a
                    // name spelled alike with a shared phone) is inserted and reported for a
                    // person to merge, undoably, with `kehu dedupe`. A row that brings its
                    // own code is never folded into another code.
                    Some((_, same)) if keys.code.is_none() && same.len() > 1 => {
                        return Ok(Outcome::Rejected {
                            error: ambiguous_name(keys, &same),
                        });
                    }
                    Some((found, same)) if keys.code.is_none() && !same.is_empty() => {
                        self.customer(&found.code)?
                    }
                    found => {
                        return self.insert_new(customer, probe.core(), part, batch, found.map(|(d, _)| d));
                    }
                }
            }
        };
        let code = stored.customer.code.clone();
        match on_existing {
            OnExisting::Skip => return Ok(Outcome::Skipped { code }),
            OnExisting::Error => {
                let (column, value) = keys.first();
                return Ok(Outcome::Rejected {
                    error: RowError::new(
                        column,
                        value,
                        format!("already stored as {code} (--on-existing error)"),
                    ),
                });
            }
            OnExisting::Update => {}
        }
        let mut after = match part.apply(&stored.customer) {
            Ok(c) => c,
            Err(error) => return Ok(Outcome::Rejected { error }),
        };
        // A new name under the same USCC is a rename (企业名称变更); a row matched by code
        // or name alone does not rename.
        let renamed = keys.uscc.is_some()
            && keys.uscc == stored.customer.uscc
            && keys.name.as_ref().is_some_and(|n| *n != stored.customer.name);
        if renamed && let Some(name) = &keys.name {
            after.name = name.clone();
        }
        if after.uscc.is_none() {
            after.uscc = keys.uscc.clone();
        }
        after.complete();
        let has_orders = self.has_orders(stored.id)?;
        if let Err(e) = after.check(today, has_orders) {
            return Ok(Outcome::Rejected {
                error: part.error_for(e),
            });
        }
        let met = self.meet(stored.id);
        let contradicted = if met {
            contradiction(&stored.customer, &after)
        } else {
            None
        };
        // The row's contact is checked whether or not an earlier row came to this customer:
        // a mobile stored under another person's name stops the whole row, as its contact
        // could not go in without it.
        if let Some(reason) = match (contradicted, &part.contact) {
            (None, Some(contact)) => self.contact_conflict(&stored, contact)?,
            (found, _) => found,
        } {
            return Ok(Outcome::Conflict {
                code,
                stored: stored.customer.name.clone(),
                incoming: keys.name.clone().unwrap_or_else(|| stored.customer.name.clone()),
                reason,
            });
        }
        self.note_met(batch, "customer", stored.id)?;
        let moved = after.stage != stored.customer.stage;
        let action = if renamed { "import.rename" } else { "import.update" };
        let changes = self.update_customer(&stored, after.clone(), action, Some(batch))?;
        if moved {
            self.record_stage_move(
                stored.id,
                Some(stored.customer.stage),
                after.stage,
                today,
                Some("import"),
                Some(batch),
            )?;
        }
        let mut fields = changes.len();
        if let Some(contact) = &part.contact {
            fields += match self.import_contact(&stored, contact, batch, OnExisting::Update)? {
                Outcome::Inserted { .. } | Outcome::Updated { .. } => 1,
                _ => 0,
            };
        }
        Ok(if fields == 0 {
            Outcome::Unchanged { code }
        } else {
            Outcome::Updated {
                code,
                fields,
                renamed,
            }
        })
    }

    /// Notes that the batch found a row (`kind`: customer, contact, order, interaction)
    /// already stored: undoing the batch that added it leaves it to this one.
    fn note_met(&mut self, batch: i64, kind: &str, row_id: i64) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO import_met(batch_id, kind, row_id) VALUES (?1, ?2, ?3)")?
            .execute(params![batch, kind, row_id])?;
        Ok(())
    }

    /// Notes that the batch gave stored contact `id` again, with the confirmation time the
    /// batch is about to replace ([`Writer::update_contact`] confirms it as of now).
    fn note_contact_met(&mut self, batch: i64, id: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO import_met(batch_id, kind, row_id, confirmed_before, confirmed_at)
                 VALUES (?1, 'contact', ?2, (SELECT confirmed_at FROM contacts WHERE id = ?2), ?3)",
            )?
            .execute(params![batch, id, self.actor.stamp()])?;
        Ok(())
    }

    /// Notes that a row of this import came to customer `id`; whether one had before. A
    /// file that holds a customer twice is applied once, whichever way it is imported: the
    /// later row may fill what is empty but not change what an earlier row left.
    fn meet(&mut self, id: i64) -> bool {
        put(&mut self.met, id)
    }

    /// Notes that contact `id` was added or given again in this transaction; whether it
    /// had been before. Within one file, a contact given twice is applied once, as a
    /// customer is ([`Writer::meet`]).
    pub(super) fn meet_contact(&mut self, id: i64) -> bool {
        put(&mut self.met_contacts, id)
    }

    fn contact_met(&self, id: i64) -> bool {
        self.met_contacts
            .contains(usize::try_from(id).unwrap_or_default())
    }

    /// The stored customer a new record most resembles, at `review` level or above, and
    /// whether it is that customer outright: a `sure` match that names it
    /// ([`same_company_named`]).
    pub fn likely_match(&self, probe: &Candidate) -> Result<Option<(PossibleDuplicate, bool)>> {
        Ok(self
            .likely_matches(probe)?
            .map(|(found, same)| (found, !same.is_empty())))
    }

    /// [`Writer::likely_match`], with the codes of every stored customer that is the new
    /// record outright (none when the best is not): two of them leave it open which one a
    /// row means.
    fn likely_matches(&self, probe: &Candidate) -> Result<Option<(PossibleDuplicate, Vec<String>)>> {
        let found: Vec<_> = self
            .match_candidates(probe)?
            .into_iter()
            .filter_map(|c| {
                let m = compare(probe, &c);
                let same = m.level == Some(Level::Sure) && same_company_named(probe, &c);
                m.level.map(|_| (c, m, same))
            })
            .collect();
        let same: Vec<String> = found
            .iter()
            .filter(|(_, _, same)| *same)
            .map(|(c, _, _)| c.code().to_string())
            .collect();
        let best = found.into_iter().max_by(|a, b| {
            (a.2, a.1.score)
                .cmp(&(b.2, b.1.score))
                .then_with(|| b.0.code().cmp(a.0.code()))
        });
        Ok(best.map(|(c, m, _)| {
            let found = PossibleDuplicate {
                code: c.code().to_string(),
                name: c.name().to_string(),
                score: m.score,
                reasons: m.reasons,
            };
            (found, same)
        }))
    }

    fn insert_new(
        &mut self,
        mut customer: Customer,
        name_key: &str,
        part: &CustomerPart,
        batch: i64,
        possible_duplicate: Option<PossibleDuplicate>,
    ) -> Result<Outcome> {
        let today = self.actor.today();
        // A new customer's contact is its primary one, unless the row says otherwise.
        let contact = part.contact.as_ref().map(|c| c.added(true));
        let moved = customer.stage != Stage::Prospect;
        if moved {
            customer.stage_date.get_or_insert(today);
        }
        let stored =
            self.insert_keyed_customer(customer, name_key, contact.as_ref(), "import.add", Some(batch))?;
        self.meet(stored.id);
        if let Some(row) = part.contact.as_ref().filter(|c| c.primary == Some(true))
            && let Some(added) = self.contacts(stored.id)?.first()
        {
            self.made_primary(stored.id, added.id, row);
        }
        if moved {
            self.add_stage_move(
                stored.id,
                None,
                stored.customer.stage,
                today,
                Some("import"),
                Some(batch),
            )?;
        }
        Ok(Outcome::Inserted {
            code: stored.customer.code,
            possible_duplicate,
        })
    }

    /// A contact for a stored customer: the stored contact it is ([`given_again`]) takes
    /// what the row brings, unless an earlier row of this import left that contact
    /// otherwise (a conflict) or `on_existing` says to leave stored contacts be; a contact
    /// none is gets added, unless its mobile is another person's (a conflict).
    fn import_contact(
        &mut self,
        customer: &Stored,
        incoming: &RowContact,
        batch: i64,
        on_existing: OnExisting,
    ) -> Result<Outcome> {
        let code = customer.customer.code.clone();
        let name = incoming.contact.name.clone();
        let contacts = self.contacts(customer.id)?;
        let same = match self.same_contact(&contacts, &incoming.contact, &code) {
            Ok(Some(same)) => same,
            Ok(None) => {
                if let Some((earlier, reason)) = self.primary_conflict(customer.id, None, incoming) {
                    return Ok(Outcome::Conflict {
                        code,
                        stored: earlier,
                        incoming: name,
                        reason,
                    });
                }
                let contact =
                    incoming.added(!contacts.iter().any(|c| c.contact.is_primary && c.contact.active));
                let id = self.add_contact(customer, &contact, Some(batch))?;
                self.made_primary(customer.id, id, incoming);
                return Ok(Outcome::Inserted {
                    code,
                    possible_duplicate: None,
                });
            }
            Err((holder, reason)) => {
                return Ok(Outcome::Conflict {
                    code,
                    stored: holder.contact.name.clone(),
                    incoming: name,
                    reason,
                });
            }
        };
        if self.contact_met(same.id)
            && let Some(reason) = contact_contradiction(&same.contact, incoming)
        {
            return Ok(Outcome::Conflict {
                code,
                stored: same.contact.name.clone(),
                incoming: name,
                reason,
            });
        }
        if let Some((earlier, reason)) = self.primary_conflict(customer.id, Some(same.id), incoming) {
            return Ok(Outcome::Conflict {
                code,
                stored: earlier,
                incoming: name,
                reason,
            });
        }
        if on_existing != OnExisting::Update
            && let Some(error) = contact_already_stored(&same.contact, incoming, &code)
        {
            return Ok(match on_existing {
                OnExisting::Skip => Outcome::Skipped { code },
                _ => Outcome::Rejected { error },
            });
        }
        self.meet_contact(same.id);
        self.note_contact_met(batch, same.id)?;
        let after = incoming.given_again(&same.contact);
        let changes = self.update_contact(customer, same, &after, None, Some(batch))?;
        self.made_primary(customer.id, same.id, incoming);
        Ok(if changes.is_empty() {
            Outcome::Unchanged { code }
        } else {
            Outcome::Updated {
                code,
                fields: changes.len(),
                renamed: false,
            }
        })
    }

    /// Why a row's contact may not go in, if so: its mobile is another person's
    /// ([`Found::MobileOfAnother`]), it would change a stored contact an earlier row of
    /// this import gave, or it would make another contact the primary one than an earlier
    /// row did.
    fn contact_conflict(&self, customer: &Stored, incoming: &RowContact) -> Result<Option<String>> {
        let contacts = self.contacts(customer.id)?;
        Ok(
            match self.same_contact(&contacts, &incoming.contact, &customer.customer.code) {
                Ok(same) => same
                    .filter(|same| self.contact_met(same.id))
                    .and_then(|same| contact_contradiction(&same.contact, incoming))
                    .or_else(|| {
                        self.primary_conflict(customer.id, same.map(|s| s.id), incoming)
                            .map(|(_, reason)| reason)
                    }),
                Err((_, reason)) => Some(reason),
            },
        )
    }

    /// Why a row may not make its contact (stored contact `id`, or someone new) the primary
    /// contact of customer `customer_id`, if so: an earlier row of this import made another
    /// one that. With the name of that one.
    fn primary_conflict(
        &self,
        customer_id: i64,
        id: Option<i64>,
        incoming: &RowContact,
    ) -> Option<(String, String)> {
        if incoming.primary != Some(true) {
            return None;
        }
        let (earlier, name) = self.primaries.get(&customer_id)?;
        (Some(*earlier) != id).then(|| (name.clone(), second_primary(name, &incoming.contact.name)))
    }

    /// Notes that a row made contact `id` the primary one of customer `customer_id`, if it
    /// says so.
    fn made_primary(&mut self, customer_id: i64, id: i64, incoming: &RowContact) {
        if incoming.primary == Some(true) {
            self.primaries
                .insert(customer_id, (id, incoming.contact.name.clone()));
        }
    }

    /// The stored contact of customer `code` a row's contact is ([`given_again`]), `None` for
    /// someone new; `Err` with the contact who has the row's mobile under another person's
    /// name, and why the row is a conflict.
    fn same_contact<'a>(
        &self,
        contacts: &'a [StoredContact],
        incoming: &Contact,
        code: &str,
    ) -> std::result::Result<Option<&'a StoredContact>, (&'a StoredContact, String)> {
        match given_again(contacts.iter().map(|c| &c.contact), incoming) {
            Found::Again(i) => Ok(Some(&contacts[i])),
            Found::New => Ok(None),
            Found::MobileOfAnother(i) => {
                let holder = &contacts[i];
                let in_file = self.contact_met(holder.id);
                Err((
                    holder,
                    mobile_of_another(&holder.contact, incoming, code, in_file),
                ))
            }
        }
    }

    /// An order for a stored customer. One with a contract number is the stored order with
    /// that number, if any: another date or amount is a conflict, and a row an earlier row of
    /// this file gave may fill its empty columns but not change the others. Without one, it
    /// is a stored order of the same date and amount that no earlier row of this file gave;
    /// or, failing that, one that such a row gave and this row does not contradict (the same
    /// row twice); otherwise a new order: two rows of one day and amount that differ, in
    /// 产品 say, are two orders.
    fn import_order(
        &mut self,
        customer: &Stored,
        order: &Order,
        batch: i64,
        on_existing: OnExisting,
    ) -> Result<Outcome> {
        let code = customer.customer.code.clone();
        let what = match &order.contract_no {
            Some(no) => format!("order {no}"),
            None => format!("order of {} for {}", order.date, order.amount()),
        };
        let same = match &order.contract_no {
            Some(no) => {
                let stored: Option<(Recorded, String, i64)> = self
                    .tx
                    .prepare_cached(&format!(
                        "SELECT id, extra, {EARLIER}, date, amount_fen FROM orders o
                          WHERE customer_id = :customer AND contract_no = :no"
                    ))?
                    .query_row(
                        named_params! {
                            ":customer": customer.id, ":no": no, ":batch": batch, ":kind": "order",
                        },
                        |r| Ok((Recorded::from_row(r)?, r.get(3)?, r.get(4)?)),
                    )
                    .optional()?;
                match stored {
                    Some((_, date, amount))
                        if date != order.date.to_string() || amount != order.amount_fen =>
                    {
                        return Ok(Outcome::Conflict {
                            code: code.clone(),
                            stored: format!("{date} {}", crate::domain::money::format_fen(amount)),
                            incoming: format!("{} {}", order.date, order.amount()),
                            reason: format!("{code} already has contract {no} with another date or amount"),
                        });
                    }
                    Some((same, _, _)) => Some(same),
                    None => {
                        if let Some((stored, date, amount)) =
                            self.contract_written_otherwise(customer.id, no)?
                        {
                            let same = date == order.date.to_string() && amount == order.amount_fen;
                            return Ok(Outcome::Conflict {
                                code: code.clone(),
                                stored: format!(
                                    "{stored} {date} {}",
                                    crate::domain::money::format_fen(amount)
                                ),
                                incoming: format!("{no} {} {}", order.date, order.amount()),
                                reason: format!(
                                    "{code} already has contract {stored}{}, which {no} writes another way: \
                                     write it as stored",
                                    if same {
                                        " of the same date and amount"
                                    } else {
                                        " with another date or amount"
                                    }
                                ),
                            });
                        }
                        None
                    }
                }
            }
            None => {
                let found = self
                    .tx
                    .prepare_cached(&format!(
                        "SELECT id, extra, {EARLIER} FROM orders o
                          WHERE customer_id = :customer AND contract_no IS NULL AND date = :date
                            AND amount_fen = :amount
                          ORDER BY id"
                    ))?
                    .query_map(
                        named_params! {
                            ":customer": customer.id, ":date": order.date.to_string(),
                            ":amount": order.amount_fen, ":batch": batch, ":kind": "order",
                        },
                        Recorded::from_row,
                    )?
                    .collect::<rusqlite::Result<_>>()?;
                self.pick(found, Record::Order, &what, &order.extra)
            }
        };
        if let Some(same) = same {
            return self.give_again(
                customer,
                Record::Order,
                &what,
                same,
                &order.extra,
                batch,
                on_existing,
            );
        }
        self.add_order(customer, order, Some(batch))?;
        Ok(Outcome::Inserted {
            code,
            possible_duplicate: None,
        })
    }

    /// The stored order of `customer` whose contract number writes `no` another way
    /// (`HT-2024-001` for `ht 2024 001`), if any, with its date and amount: a second order
    /// for that contract would count its trade twice.
    fn contract_written_otherwise(&self, customer: i64, no: &str) -> Result<Option<(String, String, i64)>> {
        let key = contract_key(no);
        if key.is_empty() {
            return Ok(None);
        }
        // The customer's contract numbers come from the (customer, contract) index alone; only
        // the one that matches is read from the table.
        let numbers: Vec<String> = self
            .tx
            .prepare_cached(
                "SELECT contract_no FROM orders WHERE customer_id = ?1 AND contract_no IS NOT NULL",
            )?
            .query_map(params![customer], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(stored) = numbers.into_iter().find(|s| contract_key(s) == key) else {
            return Ok(None);
        };
        let (date, amount) = self
            .tx
            .prepare_cached(
                "SELECT date, amount_fen FROM orders WHERE customer_id = ?1 AND contract_no = ?2",
            )?
            .query_row(params![customer, stored], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Some((stored, date, amount)))
    }

    /// An interaction for a stored customer: a stored one of the same day, channel and
    /// summary, picked as an order without a contract number is ([`Writer::import_order`]),
    /// or a new one.
    fn import_interaction(
        &mut self,
        customer: &Stored,
        i: &Interaction,
        batch: i64,
        on_existing: OnExisting,
    ) -> Result<Outcome> {
        let what = format!("interaction of {}", i.date);
        let found: Vec<Recorded> = self
            .tx
            .prepare_cached(&format!(
                // Line breaks compared as spaces: kehu once stored a summary on one line.
                "SELECT id, extra, {EARLIER} FROM interactions o WHERE customer_id = :customer
                 AND date = :date AND channel IS :channel
                 AND replace(summary, char(10), ' ') IS replace(:summary, char(10), ' ')
                 ORDER BY id"
            ))?
            .query_map(
                named_params! {
                    ":customer": customer.id, ":date": i.date.to_string(), ":channel": i.channel,
                    ":summary": i.summary, ":batch": batch, ":kind": "interaction",
                },
                Recorded::from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(same) = self.pick(found, Record::Interaction, &what, &i.extra) {
            return self.give_again(
                customer,
                Record::Interaction,
                &what,
                same,
                &i.extra,
                batch,
                on_existing,
            );
        }
        self.add_interaction(customer, i, Some(batch))?;
        Ok(Outcome::Inserted {
            code: customer.customer.code.clone(),
            possible_duplicate: None,
        })
    }

    /// Of the stored orders or interactions a row's key found, the one the row is: of those
    /// no earlier row of this file gave, the first whose other columns the row does not
    /// contradict, or else the first; failing those, the first an earlier row gave that this
    /// one does not contradict; `None` when the row is a new record.
    fn pick(
        &self,
        found: Vec<Recorded>,
        record: Record,
        what: &str,
        incoming: &BTreeMap<String, String>,
    ) -> Option<Recorded> {
        // Of the stored ones, first one this row does not contradict (the same 产品): a row
        // sent again alone, or in another order, finds its own record.
        let fits = |c: &Recorded| {
            extra_contradiction(record.key(), what, &extra_from(c.extra.clone()), incoming).is_none()
        };
        let (earlier, stored): (Vec<_>, Vec<_>) = found.into_iter().partition(|c| c.earlier);
        let fitting = stored.iter().position(fits);
        match fitting {
            Some(i) => stored.into_iter().nth(i),
            None => stored
                .into_iter()
                .next()
                .or_else(|| earlier.into_iter().find(fits)),
        }
    }

    /// A stored order or interaction given again by a row. If an earlier row of this file
    /// gave it, the row may fill its empty columns but not change the others (a conflict);
    /// else it takes what the row brings, unless `on_existing` says to leave it be.
    #[allow(clippy::too_many_arguments)]
    fn give_again(
        &mut self,
        customer: &Stored,
        record: Record,
        what: &str,
        same: Recorded,
        incoming: &BTreeMap<String, String>,
        batch: i64,
        on_existing: OnExisting,
    ) -> Result<Outcome> {
        let code = customer.customer.code.clone();
        let before = extra_from(same.extra.clone());
        if same.earlier {
            if let Some(reason) = extra_contradiction(record.key(), what, &before, incoming) {
                return Ok(Outcome::Conflict {
                    code,
                    stored: what.to_string(),
                    incoming: what.to_string(),
                    reason,
                });
            }
        } else {
            if on_existing != OnExisting::Update
                && let Some(error) = extra_already_stored(what, &before, incoming, &code)
            {
                return Ok(match on_existing {
                    OnExisting::Skip => Outcome::Skipped { code },
                    _ => Outcome::Rejected { error },
                });
            }
            self.note_met(batch, record.key(), same.id)?;
        }
        self.give_extra_again(customer, record, same.id, same.extra, incoming, batch)
    }

    /// Reverts a batch: customers it added are removed, fields it changed get their before
    /// values back, contacts, orders, interactions and stage moves it added are removed.
    /// Refused when a later change outside the batch (and outside batches undone since)
    /// touched one of its customers.
    ///
    /// The batch's log entries are read one at a time, newest first: a million-row batch
    /// holds only their ids.
    pub fn undo_batch(&mut self, id: i64) -> Result<UndoneBatch> {
        let undone: Option<Option<String>> = self
            .tx
            .query_row("SELECT undone_at FROM import_batches WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        match undone {
            None => return Err(Error::NotFoundOther(format!("no import batch {id}"))),
            Some(Some(at)) => {
                return Err(Error::Conflict(format!(
                    "import batch {id} was already undone at {at}"
                )));
            }
            Some(None) => {}
        }
        self.refuse_if_changed_since(id)?;
        let growth = self.growth_set_by(id)?;
        self.defer_search_indexes()?;
        let mut done = UndoneBatch::default();
        // The contacts whose confirmation is still the batch's, and what it replaced: read
        // now, since restoring a contact's fields below confirms it anew.
        let confirmed: Vec<(i64, Option<String>)> = self
            .tx
            .prepare(
                "SELECT m.row_id, m.confirmed_before FROM import_met m JOIN contacts c ON c.id = m.row_id
                  WHERE m.batch_id = ?1 AND m.kind = 'contact' AND c.confirmed_at = m.confirmed_at
                  ORDER BY m.row_id",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // What a later file gave again stays, with that file: the customers (and their stage
        // moves), then contacts, orders and interactions.
        let passed = self.pass_on_customers(id)?;
        done.left_to_later_batches += passed.len();
        for (customer, to) in passed.values() {
            self.tx
                .prepare_cached(
                    "UPDATE stage_moves SET batch_id = ?1 WHERE batch_id = ?2 AND customer_id = ?3",
                )?
                .execute(params![to, id, customer])?;
        }
        for (table, kind) in [
            ("contacts", "contact"),
            ("orders", "order"),
            ("interactions", "interaction"),
        ] {
            done.left_to_later_batches += self.tx.execute(&pass_on_rows(table, kind), [id])?;
        }
        for (industry, before) in growth.iter().rev() {
            match before {
                Some(rate) => {
                    let rate = rate.parse().map_err(|_| {
                        Error::Conflict(format!(
                            "log holds an unreadable growth rate {rate} for {industry}"
                        ))
                    })?;
                    self.set_industry_growth(industry, rate, Some(id))?;
                }
                None => {
                    self.remove_industry_growth(industry)?;
                }
            }
            done.restored_growth += 1;
        }
        // The customers' stage dates go back to their last move from before the batch.
        self.tx.execute(
            "UPDATE customers SET stage_date = (
                 SELECT m.date FROM stage_moves m
                  WHERE m.customer_id = customers.id AND m.batch_id IS NOT ?1
                  ORDER BY m.date DESC, m.id DESC LIMIT 1)
              WHERE id IN (SELECT customer_id FROM stage_moves WHERE batch_id = ?1)",
            [id],
        )?;
        self.tx
            .execute("DELETE FROM stage_moves WHERE batch_id = ?1", [id])?;
        let entries: Vec<i64> = self
            .tx
            .prepare(
                "SELECT id FROM change_log WHERE batch_id = ?1 AND customer_code IS NOT NULL
                  ORDER BY id DESC",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for entry in entries {
            let entry = super::log::entry_by_id(&self.tx, entry)?;
            let Some(code) = &entry.customer else { continue };
            match entry.action.as_str() {
                "import.add" if passed.contains_key(code) => {}
                "import.add" => self.remove_imported_customer(code, id, &mut done)?,
                "import.update" | "import.rename" => {
                    let stored = self.customer(code)?;
                    let reverted = stored.customer.revert(&entry.changes)?;
                    self.update_customer(&stored, reverted, "import.undo", Some(id))?;
                    done.restored_customers += 1;
                }
                "order.edit" | "interaction.edit" => {
                    let record = if entry.action == "order.edit" {
                        Record::Order
                    } else {
                        Record::Interaction
                    };
                    self.restore_extra(record, &entry.changes)?;
                }
                "contact.edit" => {
                    let stored = self.customer(code)?;
                    let contact_id = entry
                        .changes
                        .first()
                        .and_then(|c| c.before.clone())
                        .unwrap_or_default();
                    let contacts = self.contacts(stored.id)?;
                    if let Some(c) = contacts.iter().find(|c| c.id.to_string() == contact_id) {
                        let mut before = c.contact.clone();
                        for change in &entry.changes {
                            before.restore(change);
                        }
                        self.update_contact(&stored, c, &before, None, Some(id))?;
                        done.restored_contacts += 1;
                    }
                }
                _ => {}
            }
        }
        // Customers the batch took over from an undone batch and no later batch met go now.
        let taken: Vec<String> = self
            .tx
            .prepare(
                "SELECT c.code FROM import_met m JOIN customers c ON c.id = m.row_id
                  WHERE m.batch_id = ?1 AND m.kind = 'customer' AND m.took_over ORDER BY c.id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for code in taken.iter().filter(|c| !passed.contains_key(*c)) {
            self.remove_imported_customer(code, id, &mut done)?;
        }
        for (contact, before) in &confirmed {
            self.tx
                .prepare_cached("UPDATE contacts SET confirmed_at = ?1 WHERE id = ?2")?
                .execute(params![before, contact])?;
        }
        // A later batch that confirmed them again replaced this batch's confirmation: undone,
        // it puts back what this batch replaced.
        self.tx.execute(
            "UPDATE import_met AS later SET confirmed_before = mine.confirmed_before
               FROM import_met AS mine
              WHERE mine.batch_id = ?1 AND mine.kind = 'contact' AND mine.confirmed_at IS NOT NULL
                AND later.kind = 'contact' AND later.row_id = mine.row_id AND later.batch_id > ?1
                AND later.confirmed_before = mine.confirmed_at",
            [id],
        )?;
        self.tx
            .execute("DELETE FROM import_met WHERE batch_id = ?1", [id])?;
        done.removed_contacts += self
            .tx
            .execute("DELETE FROM contacts WHERE batch_id = ?1", [id])?;
        done.removed_orders = self.tx.execute("DELETE FROM orders WHERE batch_id = ?1", [id])?;
        done.removed_interactions = self
            .tx
            .execute("DELETE FROM interactions WHERE batch_id = ?1", [id])?;
        self.tx.execute(
            "UPDATE import_batches SET undone_at = ?1 WHERE id = ?2",
            params![self.actor.stamp(), id],
        )?;
        let summary = serde_json::to_string(&done).expect("summary serialises");
        self.log(
            "import.undo",
            None,
            Some(id),
            &[Change::new("undone", None, Some(summary))],
        )?;
        Ok(done)
    }

    /// Removes a customer an undone batch added (or took over), with its contacts and grading
    /// results.
    fn remove_imported_customer(&mut self, code: &str, batch: i64, done: &mut UndoneBatch) -> Result<()> {
        let gone: Option<i64> = self
            .tx
            .query_row("SELECT id FROM customers WHERE code = ?1", [code], |r| r.get(0))
            .optional()?;
        if let Some(gone) = gone {
            super::grade::delete_results_of(&self.tx, &[gone])?;
            // Its contacts go with it.
            done.removed_contacts += self
                .tx
                .prepare_cached("DELETE FROM contacts WHERE customer_id = ?1")?
                .execute([gone])?;
            self.tx
                .prepare_cached("DELETE FROM customers WHERE id = ?1")?
                .execute([gone])?;
        }
        self.log(
            "import.undo",
            Some(code),
            Some(batch),
            &[Change::new("customer", Some(code.to_string()), None)],
        )?;
        done.removed_customers += 1;
        Ok(())
    }

    /// The customers a batch added or took over that a later batch, not undone, met again:
    /// each passes to the earliest such batch, which takes it over. By code: (id, that batch).
    fn pass_on_customers(&mut self, batch: i64) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        let passed: Vec<(String, i64, i64)> = self
            .tx
            .prepare(&format!(
                "SELECT code, id, later FROM (
                   SELECT c.code, c.id, ({later}) AS later FROM customers c
                    WHERE c.code IN (SELECT customer_code FROM change_log
                                      WHERE batch_id = ?1 AND action = 'import.add')
                       OR c.id IN (SELECT row_id FROM import_met
                                    WHERE batch_id = ?1 AND kind = 'customer' AND took_over))
                  WHERE later IS NOT NULL ORDER BY id",
                later = MET_LATER
                    .replace("?1", "'customer'")
                    .replace("?2", "c.id")
                    .replace("?3", "?1")
            ))?
            .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (_, customer, to) in &passed {
            self.tx
                .prepare_cached(
                    "INSERT INTO import_met(batch_id, kind, row_id, took_over) VALUES (?1, 'customer', ?2, 1)
                     ON CONFLICT DO UPDATE SET took_over = 1",
                )?
                .execute(params![to, customer])?;
        }
        Ok(passed
            .into_iter()
            .map(|(code, customer, to)| (code, (customer, to)))
            .collect())
    }

    /// The industry growth rates a batch set, as (industry, rate before), in the order set.
    /// Refused when a rate is no longer what the batch left (set again since).
    ///
    /// A batch may hold two rates for one industry: kehu once let a table's later row give
    /// an industry another rate. What the batch left is then its last rate, and what it
    /// found the first one's rate before.
    fn growth_set_by(&self, batch: i64) -> Result<Vec<(String, Option<String>)>> {
        let entries: Vec<LogEntry> = self
            .tx
            .prepare(&format!(
                "SELECT {} FROM change_log WHERE batch_id = ?1 AND action = 'industry_growth' ORDER BY id",
                super::log::COLUMNS
            ))?
            .query_map([batch], super::log::entry)?
            .collect::<rusqlite::Result<_>>()?;
        // (industry, rate before the batch, rate the batch left)
        let mut set: Vec<(&str, &Option<String>, &Option<String>)> = Vec::new();
        for change in entries.iter().flat_map(|e| &e.changes) {
            let Some(industry) = change.field.strip_prefix("industry_growth.") else {
                continue;
            };
            match set.iter_mut().find(|(i, _, _)| *i == industry) {
                Some((_, _, left)) => *left = &change.after,
                None => set.push((industry, &change.before, &change.after)),
            }
        }
        for (industry, _, left) in &set {
            let now = super::grade::growth_of(&self.tx, industry)?;
            if now != **left {
                // The last change of the rate: a later import's is undone, one by hand redone.
                let by: Option<i64> = self
                    .tx
                    .query_row(
                        "SELECT batch_id FROM change_log l
                          WHERE action = 'industry_growth' AND id > (SELECT max(id) FROM change_log WHERE batch_id = ?1)
                            AND EXISTS (SELECT 1 FROM json_each(l.changes) WHERE json_extract(value, '$[0]') = ?2)
                          ORDER BY id DESC LIMIT 1",
                        params![batch, format!("industry_growth.{industry}")],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                let first = match (by, left) {
                    (Some(by), _) => format!("undo batch {by} first"),
                    (None, Some(left)) => {
                        format!("set it back first (kehu grade growth set {industry} {left})")
                    }
                    (None, None) => "set it back by hand first".to_string(),
                };
                return Err(Error::Conflict(format!(
                    "cannot undo import batch {batch}: the growth rate of {industry} was changed after it \
                     (now {}); {first}",
                    now.as_deref().unwrap_or("none")
                )));
            }
        }
        Ok(set
            .into_iter()
            .map(|(industry, before, _)| (industry.to_string(), before.clone()))
            .collect())
    }

    /// Refuses the undo when a later change, outside the batch and outside batches undone
    /// since, touched one of its customers. A grading run's tiers are no such change: they
    /// are the run's reading of the records, not an edit of them.
    fn refuse_if_changed_since(&self, batch: i64) -> Result<()> {
        let mut later = Vec::new();
        let (first, codes): (Option<i64>, Vec<String>) = {
            let first = self.tx.query_row(
                "SELECT min(id) FROM change_log WHERE batch_id = ?1",
                [batch],
                |r| r.get(0),
            )?;
            // The customers the batch logged, and those of the rows it took over.
            let codes = self
                .tx
                .prepare(
                    "SELECT customer_code FROM change_log WHERE batch_id = ?1 AND customer_code IS NOT NULL
                     UNION SELECT c.code FROM import_met m JOIN customers c ON c.id = m.row_id
                            WHERE m.batch_id = ?1 AND m.kind = 'customer' AND m.took_over
                     UNION SELECT c.code FROM contacts x JOIN customers c ON c.id = x.customer_id
                            WHERE x.batch_id = ?1
                     UNION SELECT c.code FROM orders x JOIN customers c ON c.id = x.customer_id
                            WHERE x.batch_id = ?1
                     UNION SELECT c.code FROM interactions x JOIN customers c ON c.id = x.customer_id
                            WHERE x.batch_id = ?1
                     ORDER BY 1",
                )?
                .query_map([batch], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (first, codes)
        };
        // A batch undone since is no later change: its entries and its undo's cancel out. An
        // order or interaction added later stands beside the batch's own, unless the batch
        // added the customer they belong to.
        // Likewise a merge undone since. A tag leaves the fields the undo puts back alone; it
        // stands in the way only of removing a customer the batch added that still carries a
        // tag someone set.
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT id, action, operator, batch_id, CASE action WHEN 'merge' THEN {MERGE_OF_ENTRY} END
               FROM change_log l
             WHERE customer_code = ?1 AND id > ?2
               AND action NOT IN ('grade', 'grade.tag')
               AND (?4 OR action NOT IN ('order.add', 'interaction.add', 'order.edit', 'interaction.edit'))
               AND (batch_id IS NULL
                    OR (batch_id != ?3
                        AND batch_id NOT IN (SELECT id FROM import_batches WHERE undone_at IS NOT NULL)))
               AND NOT (action IN ('merge', 'merge.undo')
                        AND {MERGE_OF_ENTRY} IN (SELECT CAST(id AS TEXT) FROM merges WHERE undone_at IS NOT NULL))
               AND (action != 'tag'
                    OR ?4 AND EXISTS (SELECT 1 FROM customer_tags t JOIN customers c ON c.id = t.customer_id
                                       WHERE c.code = ?1 AND t.origin != 'derived'))
             ORDER BY id LIMIT 1",
        ))?;
        for code in &codes {
            // A customer no longer stored (merged away since) is judged by its log alone.
            let customer = self.find_customer(code)?.map(|c| c.id);
            let part = match customer {
                Some(id) => Some((id, self.part_in(batch, code, id)?)),
                None => None,
            };
            let added = part.as_ref().is_none_or(|(_, p)| p.added);
            let hit = stmt
                .query_row(params![code, first.unwrap_or(0), batch, added], |r| {
                    let (entry, action, operator): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    let (by, merge): (Option<i64>, Option<String>) = (r.get(3)?, r.get(4)?);
                    Ok(match (by, merge.and_then(|m| m.parse().ok())) {
                        (Some(by), _) => (
                            format!("{code} ({action} by {operator}, batch {by}, log entry {entry})"),
                            Later::Batch(by),
                        ),
                        (None, merge) => (
                            format!("{code} ({action} by {operator}, log entry {entry})"),
                            merge.map_or(Later::ByHand, Later::Merge),
                        ),
                    })
                })
                .optional()?;
            if hit.is_none()
                && let Some((id, part)) = &part
                && let Some(by) = self.met_since(batch, *id, part)?
            {
                later.push((format!("{code} (given again by batch {by})"), Later::Batch(by)));
            }
            later.extend(hit);
        }
        if later.is_empty() {
            return Ok(());
        }
        let shown = later.len().min(5);
        let listed: Vec<&str> = later[..shown].iter().map(|(s, _)| s.as_str()).collect();
        let mut what: Vec<Later> = later.iter().map(|(_, w)| *w).collect();
        what.sort_unstable();
        what.dedup();
        Err(Error::Conflict(format!(
            "cannot undo import batch {batch}: {} customer(s) changed after it: {}{}; {}",
            later.len(),
            listed.join(", "),
            if later.len() > shown { ", …" } else { "" },
            what_to_do_first(&what)
        )))
    }
}

/// What a batch did to one customer, as far as a later batch meeting its rows matters.
struct Part {
    /// Added the customer, or took it over from an undone batch.
    added: bool,
    /// Changed the customer's fields.
    changed: bool,
    /// The contacts it changed.
    contacts: Vec<i64>,
    /// The orders and interactions whose extra columns it changed, by kind and id.
    records: Vec<(&'static str, i64)>,
}

impl Writer<'_> {
    fn part_in(&self, batch: i64, code: &str, customer: i64) -> Result<Part> {
        let took_over: bool = self
            .tx
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM import_met
                  WHERE batch_id = ?1 AND kind = 'customer' AND row_id = ?2 AND took_over)",
            )?
            .query_row(params![batch, customer], |r| r.get(0))?;
        let mut part = Part {
            added: took_over,
            changed: false,
            contacts: Vec::new(),
            records: Vec::new(),
        };
        let entries: Vec<(i64, String)> = self
            .tx
            .prepare_cached("SELECT id, action FROM change_log WHERE customer_code = ?1 AND batch_id = ?2")?
            .query_map(params![code, batch], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (entry, action) in entries {
            match action.as_str() {
                "import.add" => part.added = true,
                "import.update" | "import.rename" => part.changed = true,
                "contact.edit" | "order.edit" | "interaction.edit" => {
                    let entry = super::log::entry_by_id(&self.tx, entry)?;
                    if let Some(id) = entry
                        .changes
                        .first()
                        .and_then(|c| c.before.as_deref()?.parse().ok())
                    {
                        match action.as_str() {
                            "order.edit" => part.records.push(("order", id)),
                            "interaction.edit" => part.records.push(("interaction", id)),
                            _ => part.contacts.push(id),
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(part)
    }

    /// The later batch, not undone, that met again what undoing `batch` would take back: a
    /// record or contact it changed (put back, it would contradict the later file), or the
    /// rows of a customer it added that no later batch met itself (removed with it).
    fn met_since(&self, batch: i64, customer: i64, part: &Part) -> Result<Option<i64>> {
        let met = |kind: &str, row: i64| -> Result<Option<i64>> {
            Ok(self
                .tx
                .prepare_cached(MET_LATER)?
                .query_row(params![kind, row, batch], |r| r.get(0))?)
        };
        if part.changed
            && let Some(by) = met("customer", customer)?
        {
            return Ok(Some(by));
        }
        for contact in &part.contacts {
            if let Some(by) = met("contact", *contact)? {
                return Ok(Some(by));
            }
        }
        for (kind, id) in &part.records {
            if let Some(by) = met(kind, *id)? {
                return Ok(Some(by));
            }
        }
        if part.added && met("customer", customer)?.is_none() {
            return Ok(self
                .tx
                .prepare_cached(
                    "SELECT min(m.batch_id) FROM import_met m JOIN import_batches b ON b.id = m.batch_id
                      WHERE m.batch_id > ?2 AND b.undone_at IS NULL
                        AND ((m.kind = 'contact' AND m.row_id IN (SELECT id FROM contacts WHERE customer_id = ?1))
                          OR (m.kind = 'order' AND m.row_id IN (SELECT id FROM orders WHERE customer_id = ?1))
                          OR (m.kind = 'interaction'
                              AND m.row_id IN (SELECT id FROM interactions WHERE customer_id = ?1)))",
                )?
                .query_row(params![customer, batch], |r| r.get(0))?);
        }
        Ok(None)
    }
}

/// The merge a `merge` or `merge.undo` log entry is about, as text: its first change is
/// `merge` with the number, or, on an absorbed customer's undo, `restored` with `merge N`.
const MERGE_OF_ENTRY: &str = "CASE json_extract(changes, '$[0][0]')
    WHEN 'merge' THEN json_extract(changes, '$[0][2]')
    WHEN 'restored' THEN substr(json_extract(changes, '$[0][2]'), length('merge ') + 1) END";

/// What stands in the way of undoing a batch, for one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Later {
    /// A later import, not undone, changed it or gave its rows again.
    Batch(i64),
    /// A merge, not undone, took it in or away.
    Merge(i64),
    /// A change made by hand (an edit, a pin, a tag on a customer the batch added).
    ByHand,
}

/// What an undo refused for later changes asks first: undoing the later batches (newest
/// first) and merges; changes made by hand stay in the log, and no undo can pass them.
fn what_to_do_first(later: &[Later]) -> String {
    let mut batches: Vec<i64> = later
        .iter()
        .filter_map(|l| if let Later::Batch(b) = l { Some(*b) } else { None })
        .collect();
    batches.sort_unstable_by(|a, b| b.cmp(a));
    let mut merges: Vec<i64> = later
        .iter()
        .filter_map(|l| if let Later::Merge(m) = l { Some(*m) } else { None })
        .collect();
    merges.sort_unstable_by(|a, b| b.cmp(a));
    let mut steps = Vec::new();
    match batches.as_slice() {
        [] => {}
        [one] => steps.push(format!("undo batch {one} first")),
        [init @ .., last] => steps.push(format!(
            "undo batches {} and {last} first, in that order",
            init.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        )),
    }
    for merge in merges {
        steps.push(format!("undo merge {merge} first (kehu dedupe undo {merge})"));
    }
    if later.contains(&Later::ByHand) {
        steps.push(
            "a change made by hand since stays in the log, and an undo cannot pass it: put back \
             what the batch changed with kehu edit instead"
                .to_string(),
        );
    }
    steps.join("; ")
}

/// Whether an earlier row of this import wrote or met the order or interaction `o`, for the
/// candidates' queries (`:batch`, `:kind`).
const EARLIER: &str = "(o.batch_id IS :batch OR EXISTS (SELECT 1 FROM import_met m
     WHERE m.kind = :kind AND m.row_id = o.id AND m.batch_id = :batch))";

/// A stored order or interaction a row's key found.
struct Recorded {
    id: i64,
    extra: Option<String>,
    /// An earlier row of this import wrote or met it.
    earlier: bool,
}

impl Recorded {
    fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Recorded> {
        Ok(Recorded {
            id: r.get(0)?,
            extra: r.get(1)?,
            earlier: r.get(2)?,
        })
    }
}

/// An order or an interaction, as the change log and the schema name them.
#[derive(Clone, Copy)]
enum Record {
    Order,
    Interaction,
}

impl Record {
    fn key(self) -> &'static str {
        match self {
            Record::Order => "order",
            Record::Interaction => "interaction",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Record::Order => "orders",
            Record::Interaction => "interactions",
        }
    }
}

impl Writer<'_> {
    /// An order or interaction a file gives again: its extra columns take the file's values
    /// (logged as `order.edit`, with the record's id first for an undo); otherwise unchanged.
    fn give_extra_again(
        &mut self,
        customer: &Stored,
        record: Record,
        id: i64,
        stored: Option<String>,
        incoming: &BTreeMap<String, String>,
        batch: i64,
    ) -> Result<Outcome> {
        let code = customer.customer.code.clone();
        let before = extra_from(stored);
        let after = extra_given_again(&before, incoming);
        let changes = extra_diff(record.key(), &before, &after);
        if changes.is_empty() {
            return Ok(Outcome::Unchanged { code });
        }
        self.set_extra(record, id, &after)?;
        self.touch(customer.id)?;
        let id = Some(id.to_string());
        let mut logged = vec![Change::new(format!("{}.id", record.key()), id.clone(), id)];
        logged.extend(changes.iter().cloned());
        self.log(
            &format!("{}.edit", record.key()),
            Some(&code),
            Some(batch),
            &logged,
        )?;
        Ok(Outcome::Updated {
            code,
            fields: changes.len(),
            renamed: false,
        })
    }

    /// Puts back the extra columns an `order.edit` or `interaction.edit` entry changed.
    fn restore_extra(&mut self, record: Record, changes: &[Change]) -> Result<()> {
        let Some(id) = changes
            .first()
            .and_then(|c| c.before.as_deref()?.parse::<i64>().ok())
        else {
            return Ok(());
        };
        let stored: Option<Option<String>> = self
            .tx
            .query_row(
                &format!("SELECT extra FROM {} WHERE id = ?1", record.table()),
                [id],
                |r| r.get(0),
            )
            .optional()?;
        // Gone with its customer, or removed by this same undo.
        let Some(stored) = stored else { return Ok(()) };
        let mut extra = extra_from(stored);
        extra_restore(record.key(), &mut extra, changes);
        self.set_extra(record, id, &extra)
    }

    fn set_extra(&mut self, record: Record, id: i64, extra: &BTreeMap<String, String>) -> Result<()> {
        self.tx.execute(
            &format!("UPDATE {} SET extra = ?1 WHERE id = ?2", record.table()),
            params![extra_to(extra), id],
        )?;
        Ok(())
    }
}

/// Sets bit `id`; whether it was set.
/// A row naming its customer by a name several stored customers go by (`codes`).
fn ambiguous_name(keys: &Keys, codes: &[String]) -> RowError {
    let (column, value) = keys.first();
    RowError::new(
        column,
        value,
        format!(
            "{} stored customers have this name ({}); give 客户编号 or 统一社会信用代码",
            codes.len(),
            codes.join(", ")
        ),
    )
}

fn put(bits: &mut fixedbitset::FixedBitSet, id: i64) -> bool {
    let bit = usize::try_from(id).unwrap_or_default();
    if bit >= bits.len() {
        bits.grow((bit + 1).next_power_of_two());
    }
    bits.put(bit)
}

#[cfg(test)]
mod tests {
    use crate::domain::Customer;
    use crate::store::{Store, test_actor};

    #[test]
    fn a_refused_undo_asks_for_the_later_batches_newest_first_then_for_hand_work() {
        use super::{Later, what_to_do_first};
        assert_eq!(what_to_do_first(&[Later::Batch(3)]), "undo batch 3 first");
        assert_eq!(
            what_to_do_first(&[Later::Batch(3), Later::Batch(5), Later::Batch(4)]),
            "undo batches 5, 4 and 3 first, in that order"
        );
        assert_eq!(
            what_to_do_first(&[Later::Merge(2), Later::Batch(3)]),
            "undo batch 3 first; undo merge 2 first (kehu dedupe undo 2)"
        );
        let by_hand = "a change made by hand since stays in the log, and an undo cannot pass it: put \
                       back what the batch changed with kehu edit instead";
        assert_eq!(what_to_do_first(&[Later::ByHand]), by_hand);
        assert_eq!(
            what_to_do_first(&[Later::Batch(3), Later::ByHand]),
            format!("undo batch 3 first; {by_hand}")
        );
    }

    #[test]
    fn a_batch_that_set_one_industry_twice_is_undone_to_the_rate_before_the_first() {
        use rust_decimal::Decimal;
        let mut store = Store::open_in_memory().unwrap();
        let batch = store
            .write(&test_actor(), |w| {
                w.set_industry_growth("C", Decimal::from(10), None)?;
                // As kehu once imported `C,12` / `制造业,5`: two rates for C in one batch.
                let batch = w.begin_batch("growth.csv", None, "0", "industry-growth")?;
                w.set_industry_growth("C", Decimal::from(12), Some(batch))?;
                w.set_industry_growth("C", Decimal::from(5), Some(batch))?;
                w.set_industry_growth("I65", Decimal::from(18), Some(batch))?;
                w.finish_batch(batch, &serde_json::json!({"inserted": 1, "updated": 2}))?;
                Ok(batch)
            })
            .unwrap();
        let undone = store.write(&test_actor(), |w| w.undo_batch(batch)).unwrap();
        assert_eq!(undone.restored_growth, 2, "C once, I65 once");
        let rates: Vec<(String, String)> = store
            .conn
            .prepare("SELECT industry, growth FROM industry_growth ORDER BY industry")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rates, [("C".to_string(), "10".to_string())]);
    }

    #[test]
    fn undoing_an_import_takes_the_grading_results_of_its_new_customers_with_them() {
        let mut store = Store::open_in_memory().unwrap();
        let batch = store
            .write(&test_actor(), |w| {
                w.insert_customer(Customer::new("老客户有限公司").unwrap(), "add", None)?;
                let batch = w.begin_batch("new.csv", None, "0", "customers")?;
                for name in ["甲公司", "乙公司"] {
                    w.insert_customer(Customer::new(name).unwrap(), "import.add", Some(batch))?;
                }
                w.finish_batch(batch, &serde_json::json!({"inserted": 2}))?;
                Ok(batch)
            })
            .unwrap();
        // A run's results for all three. (A run through the store would also log the new
        // customers' first tiers, and an undo is refused once its customers changed: the
        // results go in directly, as a run that changed nothing would leave them.)
        store
            .conn
            .execute_batch(
                "INSERT INTO grade_runs(id, as_of, model_name, model_sha256, operator, started_at, counts)
                   VALUES (1, '2024-06-30', 'standard', '0', 'tester', '2024-06-30T08:00:00Z', '{}');
                 INSERT INTO grade_results(run_id, customer_id, score, tier, model_tier, indicators)
                   VALUES (1, 1, '55', 'ordinary', 'ordinary', '[]'), (1, 2, '91', 'core', 'core', '[]'),
                          (1, 3, '75', 'important', 'important', '[]');",
            )
            .unwrap();
        let undone = store.write(&test_actor(), |w| w.undo_batch(batch)).unwrap();
        assert_eq!(undone.removed_customers, 2);
        let left: Vec<i64> = store
            .conn
            .prepare("SELECT customer_id FROM grade_results ORDER BY run_id, customer_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(left, [1], "only the customer that stays keeps its result");
        // A customer added now takes a freed id, and no grade comes with it.
        let new = store
            .write(&test_actor(), |w| {
                w.insert_customer(Customer::new("丙公司").unwrap(), "add", None)
            })
            .unwrap();
        assert_eq!(new.id, 2);
        assert!(store.latest_grade_of(new.id, false).unwrap().is_none());
        assert_eq!(
            store.latest_grade_of(1, false).unwrap().unwrap().1.tier,
            "ordinary"
        );
    }
}
