//! Stored tags and their dimensions; derived tags read from the record.
//!
//! Stored tags live in `customer_tags` (origin `manual`, or `model` when grading writes
//! them); dimensions in `tag_dims` (declared, or born on first use). Derived tags (区域,
//! 省份, 行业, 阶段, 等级) are never stored: they are the record's own columns, so they
//! follow every change of the record. Every tag change is logged (action `tag`, one entry
//! per customer, fields `tag.<dimension>` or `tag` for plain labels).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Error, Result, Store, Stored, Writer};
use crate::domain::Change;
use crate::domain::Invalid;
use crate::domain::choice::Choice;
use crate::domain::tag::{Derived, PLACE, Tag, TagCond, TagDim, is_derived_name, log_field};

/// Where a tag comes from.
pub const MANUAL: &str = "manual";
pub const MODEL: &str = "model";
pub const DERIVED: &str = "derived";

/// The id and code of a customer, all tag operations need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerKey {
    pub id: i64,
    pub code: String,
}

impl From<&Stored> for CustomerKey {
    fn from(s: &Stored) -> Self {
        CustomerKey {
            id: s.id,
            code: s.customer.code.clone(),
        }
    }
}

/// A tag checked against its dimension, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyTag {
    pub tag: Tag,
    pub single: bool,
}

/// One tag of one customer, as `kehu show` and `kehu tag list CODE` print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRow {
    /// The dimension (`""` for a plain label; the Chinese name for a derived one).
    pub dim: String,
    pub derived: Option<Derived>,
    /// As stored: for derived tags the record's value (`east`, `C`, `customer`, `core`, `广东省`).
    pub value: String,
    pub origin: String,
    pub set_by: Option<String>,
    pub set_at: Option<String>,
}

/// How many customers carry a value, for `kehu tag list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCount {
    pub dim: String,
    pub derived: Option<Derived>,
    /// `None` for a declared dimension nobody uses yet.
    pub value: Option<String>,
    pub origin: Option<String>,
    pub count: i64,
}

/// The record column a derived dimension reads.
pub(super) fn derived_column(d: Derived) -> &'static str {
    match d {
        Derived::Region => "region",
        Derived::Province => "province",
        Derived::Industry => "industry_section",
        Derived::Stage => "stage",
        Derived::Tier => "tier",
    }
}

fn refuse_derived(tag: &str, dim: &str) -> Error {
    let reason = match Derived::find(dim) {
        Some(d) => format!(
            "{} is derived from the record's {} and cannot be set or removed by hand; change the {} instead",
            d.zh(),
            d.source(),
            d.source()
        ),
        None => format!("{PLACE} means 区域 or 省份, which kehu derives from the record's province"),
    };
    Error::Invalid(Invalid::new("tag", tag, reason))
}

pub(super) fn tag_dim(conn: &Connection, name: &str) -> Result<Option<TagDim>> {
    Ok(conn
        .prepare_cached("SELECT name, single, allowed FROM tag_dims WHERE name = ?1")?
        .query_row([name], |r| {
            let allowed: Option<String> = r.get(2)?;
            Ok(TagDim {
                name: r.get(0)?,
                single: r.get(1)?,
                allowed: allowed.and_then(|a| serde_json::from_str(&a).ok()),
            })
        })
        .optional()?)
}

fn tag_dims(conn: &Connection) -> Result<Vec<TagDim>> {
    let names: Vec<String> = conn
        .prepare_cached("SELECT name FROM tag_dims ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .iter()
        .map(|n| Ok(tag_dim(conn, n)?.expect("listed just now")))
        .collect()
}

/// Whether a stored dimension is known: declared, or carried by some customer.
pub(super) fn dim_known(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM tag_dims WHERE name = ?1)
                 OR EXISTS(SELECT 1 FROM customer_tags WHERE dim = ?1)",
        )?
        .query_row([name], |r| r.get(0))?)
}

fn unknown_dim(conn: &Connection, shown: &str, dim: &str) -> Result<Error> {
    let known: Vec<String> = tag_dims(conn)?.into_iter().map(|d| d.name).collect();
    let derived: Vec<&str> = Derived::ALL.iter().map(|d| d.zh()).collect();
    Ok(Error::Invalid(Invalid::new(
        "tag",
        shown,
        format!(
            "unknown tag dimension {dim} (dimensions: {})",
            derived
                .into_iter()
                .chain(known.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )))
}

/// Checks the stored-tag conditions of a filter: the dimension must exist and a declared
/// value list must hold the value. Returns the condition with the value as declared.
pub(super) fn check_cond(conn: &Connection, cond: &TagCond) -> Result<TagCond> {
    match cond {
        TagCond::Stored(tag) if !tag.dim.is_empty() => {
            let shown = tag.to_string();
            let Some(dim) = tag_dim(conn, &tag.dim)? else {
                if dim_known(conn, &tag.dim)? {
                    return Ok(cond.clone());
                }
                return Err(unknown_dim(conn, &shown, &tag.dim)?);
            };
            let value = dim
                .check(&tag.value)
                .map_err(|r| Error::Invalid(Invalid::new("tag", shown, r)))?;
            Ok(TagCond::Stored(Tag::new(&tag.dim, value)))
        }
        TagCond::StoredDim(dim) => {
            if !dim_known(conn, dim)? {
                return Err(unknown_dim(conn, &format!("{dim}:*"), dim)?);
            }
            Ok(cond.clone())
        }
        _ => Ok(cond.clone()),
    }
}

/// The tag_ids number of a stored tag, if any customer ever had it.
pub(super) fn tag_id(conn: &Connection, tag: &Tag) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM tag_ids WHERE dim = ?1 AND value = ?2")?
        .query_row([&tag.dim, &tag.value], |r| r.get(0))
        .optional()?)
}

/// Every tag of one customer: derived ones first (with when and by whom the record field
/// last changed, from the change log), then stored ones.
fn customer_tags(conn: &Connection, stored: &Stored) -> Result<Vec<TagRow>> {
    let c = &stored.customer;
    let mut rows = Vec::new();
    for d in Derived::ALL {
        let value = match d {
            Derived::Region => c.region().map(|r| r.en().to_string()),
            Derived::Province => c.province.map(|p| p.name.to_string()),
            Derived::Industry => c.industry.map(|i| i.section.to_string()),
            Derived::Stage => Some(c.stage.key().to_string()),
            Derived::Tier => c.tier.clone(),
        };
        let Some(value) = value else { continue };
        let fields: &[&str] = match d {
            Derived::Region | Derived::Province => &["province", "region"],
            other => &[other.source()],
        };
        let placeholders = (0..fields.len())
            .map(|i| format!("?{}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let mut args: Vec<&str> = vec![c.code.as_str()];
        args.extend(fields);
        let set = conn
            .prepare_cached(&format!(
                "SELECT l.operator, l.at FROM change_log l, json_each(l.changes) j
                  WHERE l.customer_code = ?1 AND coalesce(j.value ->> '$[0]', j.value ->> '$.field') IN ({placeholders})
                  ORDER BY l.id DESC LIMIT 1"
            ))?
            .query_row(rusqlite::params_from_iter(args), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        let (set_by, set_at) = match set {
            Some((by, at)) => (Some(by), Some(at)),
            None => (None, Some(stored.created_at.clone())),
        };
        rows.push(TagRow {
            dim: d.zh().to_string(),
            derived: Some(d),
            value,
            origin: DERIVED.to_string(),
            set_by,
            set_at,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT dim, value, origin, set_by, set_at FROM customer_tags
          WHERE customer_id = ?1 ORDER BY dim = '', dim, value",
    )?;
    let stored_rows = stmt.query_map([stored.id], |r| {
        Ok(TagRow {
            dim: r.get(0)?,
            derived: None,
            value: r.get(1)?,
            origin: r.get(2)?,
            set_by: r.get(3)?,
            set_at: r.get(4)?,
        })
    })?;
    for row in stored_rows {
        rows.push(row?);
    }
    Ok(rows)
}

fn tag_counts(conn: &Connection, only: Option<&str>) -> Result<Vec<TagCount>> {
    let mut counts = Vec::new();
    let derived = match only {
        None => Derived::ALL.to_vec(),
        Some(name) => Derived::find(name).into_iter().collect(),
    };
    for d in &derived {
        let mut stmt = conn.prepare_cached(
            "SELECT value, n FROM tag_counts WHERE dim = ?1 AND origin = 'derived' AND n > 0 ORDER BY value",
        )?;
        let rows = stmt.query_map([d.zh()], |r| {
            Ok(TagCount {
                dim: d.zh().to_string(),
                derived: Some(*d),
                value: Some(r.get(0)?),
                origin: Some(DERIVED.to_string()),
                count: r.get(1)?,
            })
        })?;
        for row in rows {
            counts.push(row?);
        }
    }
    if only.is_some() && !derived.is_empty() {
        return Ok(counts);
    }
    let mut stored: BTreeMap<(bool, String), Vec<TagCount>> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT dim, value, origin, n FROM tag_counts
          WHERE origin <> 'derived' AND n > 0 AND (?1 IS NULL OR dim = ?1) ORDER BY dim, value, origin",
    )?;
    let rows = stmt.query_map([only], |r| {
        Ok(TagCount {
            dim: r.get(0)?,
            derived: None,
            value: Some(r.get(1)?),
            origin: Some(r.get(2)?),
            count: r.get(3)?,
        })
    })?;
    for row in rows {
        let row = row?;
        stored
            .entry((row.dim.is_empty(), row.dim.clone()))
            .or_default()
            .push(row);
    }
    // Declared dimensions show every declared value, used or not.
    for dim in tag_dims(conn)? {
        if only.is_some_and(|o| o != dim.name) {
            continue;
        }
        let rows = stored.entry((false, dim.name.clone())).or_default();
        let unused: Vec<String> = dim
            .allowed
            .iter()
            .flatten()
            .filter(|v| !rows.iter().any(|r| r.value.as_deref() == Some(v.as_str())))
            .cloned()
            .collect();
        for v in unused {
            rows.push(TagCount {
                dim: dim.name.clone(),
                derived: None,
                value: Some(v),
                origin: None,
                count: 0,
            });
        }
        if rows.is_empty() {
            rows.push(TagCount {
                dim: dim.name.clone(),
                derived: None,
                value: None,
                origin: None,
                count: 0,
            });
        }
        if let Some(order) = &dim.allowed {
            let pos = |v: &Option<String>| order.iter().position(|a| Some(a) == v.as_ref());
            rows.sort_by_key(|r| pos(&r.value));
        }
    }
    if let Some(name) = only
        && stored.is_empty()
    {
        return Err(unknown_dim(conn, name, name)?);
    }
    counts.extend(stored.into_values().flatten());
    Ok(counts)
}

impl Store {
    pub fn tag_dims(&self) -> Result<Vec<TagDim>> {
        tag_dims(&self.conn)
    }

    /// Every tag of a customer, derived ones first.
    pub fn customer_tags(&self, stored: &Stored) -> Result<Vec<TagRow>> {
        customer_tags(&self.conn, stored)
    }

    /// How many customers carry each value, per dimension (all, or the one named).
    pub fn tag_counts(&self, only: Option<&str>) -> Result<Vec<TagCount>> {
        tag_counts(&self.conn, only)
    }
}

impl Writer<'_> {
    /// Checks tags against their dimensions and creates the dimensions seen for the first time
    /// (returned by name). Refuses derived dimensions, values outside a declared list and two
    /// values of one single-valued dimension.
    pub fn prepare_tags(&mut self, tags: &[Tag]) -> Result<(Vec<ReadyTag>, Vec<String>)> {
        let mut ready: Vec<ReadyTag> = Vec::new();
        let mut created = Vec::new();
        for tag in tags {
            if is_derived_name(&tag.dim) {
                return Err(refuse_derived(&tag.to_string(), &tag.dim));
            }
            let (value, single) = if tag.is_label() {
                (tag.value.clone(), false)
            } else {
                let dim = match tag_dim(&self.tx, &tag.dim)? {
                    Some(d) => d,
                    None => {
                        self.tx
                            .prepare_cached("INSERT INTO tag_dims(name, single) VALUES (?1, 0)")?
                            .execute([&tag.dim])?;
                        created.push(tag.dim.clone());
                        TagDim::open(&tag.dim)
                    }
                };
                let value = dim
                    .check(&tag.value)
                    .map_err(|r| Error::Invalid(Invalid::new("tag", tag.to_string(), r)))?;
                (value, dim.single)
            };
            let tag = Tag::new(&tag.dim, value);
            if let Some(other) = ready
                .iter()
                .find(|r| r.single && r.tag.dim == tag.dim && r.tag.value != tag.value)
            {
                return Err(Error::Invalid(Invalid::new(
                    "tag",
                    tag.to_string(),
                    format!(
                        "{} is single-valued and {} is given too; give one value",
                        tag.dim, other.tag
                    ),
                )));
            }
            if !ready.iter().any(|r| r.tag == tag) {
                ready.push(ReadyTag { tag, single });
            }
        }
        Ok((ready, created))
    }

    /// Checks what `kehu tag rm` should take off: stored tags or `dim:*` of known dimensions.
    pub fn prepare_removal(&self, conds: &[TagCond]) -> Result<Vec<TagCond>> {
        conds
            .iter()
            .map(|cond| match cond {
                TagCond::Derived(v) => Err(refuse_derived(v.dim().zh(), v.dim().zh())),
                TagCond::DerivedDim(d) => Err(refuse_derived(d.zh(), d.zh())),
                other => check_cond(&self.tx, other),
            })
            .collect()
    }

    /// Puts tags on a customer with `origin`; a single-valued dimension's old value goes.
    /// Logs one entry (action `tag`) with the changes, and returns them.
    pub fn add_tags(
        &mut self,
        customer: &CustomerKey,
        tags: &[ReadyTag],
        origin: &str,
    ) -> Result<Vec<Change>> {
        let mut changes = Vec::new();
        for ReadyTag { tag, single } in tags {
            let has: bool = self
                .tx
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM customer_tags WHERE customer_id = ?1 AND dim = ?2 AND value = ?3)",
                )?
                .query_row(params![customer.id, tag.dim, tag.value], |r| r.get(0))?;
            if has {
                continue;
            }
            let before = if *single {
                let old = self.values_of(customer.id, &tag.dim)?;
                self.tx
                    .prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1 AND dim = ?2")?
                    .execute(params![customer.id, tag.dim])?;
                (!old.is_empty()).then(|| old.join(", "))
            } else {
                None
            };
            self.insert_tag(customer.id, tag, origin)?;
            changes.push(Change::new(tag.log_field(), before, Some(tag.value.clone())));
        }
        if !changes.is_empty() {
            self.log("tag", Some(&customer.code), None, &changes)?;
        }
        Ok(changes)
    }

    /// Takes stored tags (or every value of `dim:*`) off a customer, logging what went.
    pub fn remove_tags(&mut self, customer: &CustomerKey, conds: &[TagCond]) -> Result<Vec<Change>> {
        let mut changes = Vec::new();
        for cond in conds {
            let (dim, value) = match cond {
                TagCond::Stored(t) => (t.dim.as_str(), Some(t.value.as_str())),
                TagCond::StoredDim(d) => (d.as_str(), None),
                TagCond::Derived(_) | TagCond::DerivedDim(_) => continue,
            };
            let gone: Vec<String> = self
                .values_of(customer.id, dim)?
                .into_iter()
                .filter(|v| value.is_none_or(|want| want == v))
                .collect();
            for v in gone {
                self.tx
                    .prepare_cached(
                        "DELETE FROM customer_tags WHERE customer_id = ?1 AND dim = ?2 AND value = ?3",
                    )?
                    .execute(params![customer.id, dim, v])?;
                changes.push(Change::new(log_field(dim), Some(v), None));
            }
        }
        if !changes.is_empty() {
            self.log("tag", Some(&customer.code), None, &changes)?;
        }
        Ok(changes)
    }

    /// Sets the one value of a model-written dimension (e.g. grading's `价值:高`), declaring
    /// the dimension single-valued on first use. Logs like any tag change.
    pub fn set_model_tag(&mut self, customer: &CustomerKey, dim: &str, value: &str) -> Result<Vec<Change>> {
        let tag = Tag::parse(&format!("{dim}:{value}"))?;
        if tag_dim(&self.tx, &tag.dim)?.is_none() {
            self.declare_dim(&TagDim {
                name: tag.dim.clone(),
                single: true,
                allowed: None,
            })?;
        }
        let (ready, _) = self.prepare_tags(std::slice::from_ref(&tag))?;
        self.add_tags(customer, &ready, MODEL)
    }

    fn values_of(&self, customer_id: i64, dim: &str) -> Result<Vec<String>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT value FROM customer_tags WHERE customer_id = ?1 AND dim = ?2 ORDER BY value",
            )?
            .query_map(params![customer_id, dim], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn insert_tag(&mut self, customer_id: i64, tag: &Tag, origin: &str) -> Result<()> {
        let stamp = self.actor.stamp();
        self.tx
            .prepare_cached(
                "INSERT INTO customer_tags(customer_id, dim, value, origin, set_by, set_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                customer_id,
                tag.dim,
                tag.value,
                origin,
                self.actor.operator,
                stamp
            ])?;
        Ok(())
    }

    /// Declares (or redeclares) a dimension. Refuses when customers' tags break the new rule
    /// (several values of a now single-valued dimension, values outside the list). Returns
    /// whether anything changed; a change is logged (action `tag`, field `dim.<name>`).
    pub fn declare_dim(&mut self, dim: &TagDim) -> Result<bool> {
        if is_derived_name(&dim.name) {
            return Err(refuse_derived(&dim.name, &dim.name));
        }
        let before = tag_dim(&self.tx, &dim.name)?;
        if before.as_ref() == Some(dim) {
            return Ok(false);
        }
        if dim.single {
            let (n, examples): (i64, Option<String>) = self.tx.query_row(
                "SELECT count(*), group_concat(example, '; ') FROM (
                     SELECT c.code || ': ' || group_concat(t.value, ', ') AS example
                       FROM customer_tags t JOIN customers c ON c.id = t.customer_id
                      WHERE t.dim = ?1 GROUP BY t.customer_id HAVING count(*) > 1 ORDER BY c.code)",
                [&dim.name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if n > 0 {
                return Err(Error::Conflict(format!(
                    "{} cannot be single-valued: {n} customer(s) have several values ({}); remove the extra values first",
                    dim.name,
                    examples.unwrap_or_default()
                )));
            }
        }
        if let Some(allowed) = &dim.allowed {
            let used: Vec<(String, i64)> = self
                .tx
                .prepare(
                    "SELECT value, count(*) FROM customer_tags WHERE dim = ?1 GROUP BY value ORDER BY value",
                )?
                .query_map([&dim.name], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let outside: Vec<String> = used
                .iter()
                .filter(|(v, _)| !allowed.contains(v))
                .map(|(v, n)| format!("{v} ({n} customer(s))"))
                .collect();
            if !outside.is_empty() {
                return Err(Error::Conflict(format!(
                    "customers have {} values outside the list: {}; rename or remove them first",
                    dim.name,
                    outside.join(", ")
                )));
            }
        }
        let allowed = dim
            .allowed
            .as_ref()
            .map(|a| serde_json::to_string(a).expect("strings serialise"));
        self.tx.execute(
            "INSERT INTO tag_dims(name, single, allowed) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET single = excluded.single, allowed = excluded.allowed",
            params![dim.name, dim.single, allowed],
        )?;
        let change = Change::new(
            format!("dim.{}", dim.name),
            before.as_ref().map(describe),
            Some(describe(dim)),
        );
        self.log("tag", None, None, &[change])?;
        Ok(true)
    }

    /// Renames a stored tag on every customer that has it (and in its dimension's declared
    /// list). Returns how many customers changed.
    pub fn rename_tag(&mut self, from: &Tag, to: &Tag) -> Result<usize> {
        for t in [from, to] {
            if is_derived_name(&t.dim) {
                return Err(refuse_derived(&t.to_string(), &t.dim));
            }
        }
        if from == to {
            return Err(Error::Invalid(Invalid::new(
                "tag",
                to.to_string(),
                "is the same tag; nothing to rename",
            )));
        }
        let from = match check_cond(&self.tx, &TagCond::Stored(from.clone()))? {
            TagCond::Stored(t) => t,
            _ => unreachable!("a stored tag stays stored"),
        };
        let mut declared = false;
        if from.dim == to.dim
            && let Some(mut dim) = tag_dim(&self.tx, &from.dim)?
            && let Some(list) = dim.allowed.as_mut()
            && let Some(pos) = list.iter().position(|v| *v == from.value)
        {
            if list.contains(&to.value) {
                list.remove(pos);
            } else {
                list[pos] = to.value.clone();
            }
            self.tx.execute(
                "UPDATE tag_dims SET allowed = ?1 WHERE name = ?2",
                params![serde_json::to_string(list).expect("strings serialise"), dim.name],
            )?;
            declared = true;
        }
        let (ready, _) = self.prepare_tags(std::slice::from_ref(to))?;
        let ready = ready.into_iter().next().expect("one tag in, one out");
        let holders: Vec<(CustomerKey, String)> = self
            .tx
            .prepare(
                "SELECT c.id, c.code, t.origin FROM customer_tags t JOIN customers c ON c.id = t.customer_id
                  WHERE t.dim = ?1 AND t.value = ?2 ORDER BY c.id",
            )?
            .query_map([&from.dim, &from.value], |r| {
                Ok((
                    CustomerKey {
                        id: r.get(0)?,
                        code: r.get(1)?,
                    },
                    r.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        if holders.is_empty() && !declared {
            return Err(Error::NotFoundOther(format!("no customer has the tag {from}")));
        }
        for (customer, origin) in &holders {
            self.tx
                .prepare_cached(
                    "DELETE FROM customer_tags WHERE customer_id = ?1 AND dim = ?2 AND value = ?3",
                )?
                .execute(params![customer.id, from.dim, from.value])?;
            let mut changes = Vec::new();
            let others = self.values_of(customer.id, &ready.tag.dim)?;
            let has_to = others.contains(&ready.tag.value);
            if !has_to {
                if ready.single && !others.is_empty() {
                    self.tx
                        .prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1 AND dim = ?2")?
                        .execute(params![customer.id, ready.tag.dim])?;
                }
                self.insert_tag(customer.id, &ready.tag, origin)?;
            }
            if from.dim == ready.tag.dim {
                changes.push(Change::new(
                    from.log_field(),
                    Some(from.value.clone()),
                    Some(ready.tag.value.clone()),
                ));
            } else {
                changes.push(Change::new(from.log_field(), Some(from.value.clone()), None));
                if !has_to {
                    let before = (ready.single && !others.is_empty()).then(|| others.join(", "));
                    changes.push(Change::new(
                        ready.tag.log_field(),
                        before,
                        Some(ready.tag.value.clone()),
                    ));
                }
            }
            self.log("tag", Some(&customer.code), None, &changes)?;
        }
        Ok(holders.len())
    }
}

/// A dimension's rule as the change log shows it: `single; values 高, 中, 低`.
fn describe(dim: &TagDim) -> String {
    let kind = if dim.single { "single" } else { "multi" };
    match &dim.allowed {
        Some(values) => format!("{kind}; values {}", values.join(", ")),
        None => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Customer;
    use crate::domain::money::Unit;
    use crate::store::{LogFilter, test_actor as actor};

    fn store_with(names: &[&str]) -> (Store, Vec<CustomerKey>) {
        let mut store = Store::open_in_memory().unwrap();
        let keys = store
            .write(&actor(), |w| {
                names
                    .iter()
                    .map(|n| {
                        let mut c = Customer::new(n).unwrap();
                        c.set(crate::domain::Field::Province, "浙江", Unit::Yuan).unwrap();
                        Ok(CustomerKey::from(&w.insert_customer(c, "add", None)?))
                    })
                    .collect()
            })
            .unwrap();
        (store, keys)
    }

    fn tags(list: &[&str]) -> Vec<Tag> {
        list.iter().map(|t| Tag::parse(t).unwrap()).collect()
    }

    fn stored_tags(store: &Store, code: &str) -> Vec<String> {
        let s = store.customer(code).unwrap();
        store
            .customer_tags(&s)
            .unwrap()
            .into_iter()
            .filter(|r| r.derived.is_none())
            .map(|r| format!("{}={}/{}", r.dim, r.value, r.origin))
            .collect()
    }

    #[test]
    fn single_valued_dimensions_replace_and_log_before_and_after() {
        let (mut store, keys) = store_with(&["甲公司"]);
        store
            .write(&actor(), |w| {
                w.declare_dim(&TagDim {
                    name: "意向".into(),
                    single: true,
                    allowed: Some(vec!["高".into(), "中".into(), "低".into()]),
                })
            })
            .unwrap();
        for t in ["意向:中", "意向:高"] {
            store
                .write(&actor(), |w| {
                    let (ready, _) = w.prepare_tags(&tags(&[t, "VIP"]))?;
                    w.add_tags(&keys[0], &ready, MANUAL)
                })
                .unwrap();
        }
        assert_eq!(
            stored_tags(&store, &keys[0].code),
            ["意向=高/manual", "=VIP/manual"]
        );
        let log = store.log_entries(&LogFilter::default()).unwrap();
        let last = log.last().unwrap();
        assert_eq!(last.action, "tag");
        assert_eq!(
            last.changes,
            vec![Change::new("tag.意向", Some("中".into()), Some("高".into()))]
        );
        assert_eq!(
            log[log.len() - 2].changes.len(),
            2,
            "first time: 意向 and the label"
        );
        let err = store
            .write(&actor(), |w| w.prepare_tags(&tags(&["意向:强"])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "tag 意向:强: 意向 has no value 强 (values: 高, 中, 低)"
        );
        let err = store
            .write(&actor(), |w| w.prepare_tags(&tags(&["意向:高", "意向:低"])))
            .unwrap_err();
        assert!(err.to_string().contains("single-valued"), "{err}");
    }

    #[test]
    fn derived_dimensions_are_refused_and_read_from_the_record() {
        let (mut store, keys) = store_with(&["甲公司"]);
        let err = store
            .write(&actor(), |w| w.prepare_tags(&tags(&["区域:华南"])))
            .unwrap_err();
        assert!(
            err.to_string().contains("derived from the record's province"),
            "{err}"
        );
        let s = store.customer(&keys[0].code).unwrap();
        let rows = store.customer_tags(&s).unwrap();
        let derived: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{}={}/{}/{}",
                    r.dim,
                    r.value,
                    r.origin,
                    r.set_by.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(
            derived,
            [
                "区域=east/derived/tester",
                "省份=浙江省/derived/tester",
                "阶段=prospect/derived/tester"
            ]
        );
    }

    #[test]
    fn first_use_creates_an_open_dimension() {
        let (mut store, keys) = store_with(&["甲公司"]);
        let created = store
            .write(&actor(), |w| {
                let (ready, created) = w.prepare_tags(&tags(&["需求:采购设备", "需求:技术支持"]))?;
                w.add_tags(&keys[0], &ready, MANUAL)?;
                Ok(created)
            })
            .unwrap();
        assert_eq!(created, ["需求"]);
        assert_eq!(store.tag_dims().unwrap(), vec![TagDim::open("需求")]);
        assert_eq!(stored_tags(&store, &keys[0].code).len(), 2);
    }

    #[test]
    fn declaring_refuses_rules_the_tags_already_break() {
        let (mut store, keys) = store_with(&["甲公司"]);
        store
            .write(&actor(), |w| {
                let (ready, _) = w.prepare_tags(&tags(&["需求:采购设备", "需求:技术支持"]))?;
                w.add_tags(&keys[0], &ready, MANUAL)
            })
            .unwrap();
        let err = store
            .write(&actor(), |w| {
                w.declare_dim(&TagDim {
                    name: "需求".into(),
                    single: true,
                    allowed: None,
                })
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("CST20240001: 技术支持, 采购设备"),
            "{err}"
        );
        let err = store
            .write(&actor(), |w| {
                w.declare_dim(&TagDim {
                    name: "需求".into(),
                    single: false,
                    allowed: Some(vec!["采购设备".into()]),
                })
            })
            .unwrap_err();
        assert!(err.to_string().contains("技术支持 (1 customer(s))"), "{err}");
        assert_eq!(store.tag_dims().unwrap(), vec![TagDim::open("需求")]);
    }

    #[test]
    fn rename_moves_every_holder_and_the_declared_value() {
        let (mut store, keys) = store_with(&["甲公司", "乙公司"]);
        store
            .write(&actor(), |w| {
                w.declare_dim(&TagDim {
                    name: "意向".into(),
                    single: true,
                    allowed: Some(vec!["高".into(), "中".into()]),
                })?;
                let (ready, _) = w.prepare_tags(&tags(&["意向:高"]))?;
                for k in &keys {
                    w.add_tags(k, &ready, MANUAL)?;
                }
                Ok(())
            })
            .unwrap();
        let n = store
            .write(&actor(), |w| {
                w.rename_tag(&Tag::new("意向", "高"), &Tag::new("意向", "强"))
            })
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(stored_tags(&store, &keys[1].code), ["意向=强/manual"]);
        assert_eq!(
            store.tag_dims().unwrap()[0].allowed,
            Some(vec!["强".to_string(), "中".to_string()])
        );
        let err = store
            .write(&actor(), |w| {
                w.rename_tag(&Tag::new("", "不存在"), &Tag::new("", "x"))
            })
            .unwrap_err();
        assert!(matches!(err, Error::NotFoundOther(_)), "{err}");
    }

    #[test]
    fn model_tags_declare_a_single_dimension() {
        let (mut store, keys) = store_with(&["甲公司"]);
        store
            .write(&actor(), |w| {
                w.set_model_tag(&keys[0], "价值", "中")?;
                w.set_model_tag(&keys[0], "价值", "高")
            })
            .unwrap();
        assert_eq!(stored_tags(&store, &keys[0].code), ["价值=高/model"]);
        assert!(store.tag_dims().unwrap()[0].single);
    }

    #[test]
    fn counts_cover_derived_stored_and_unused_declared_values() {
        let (mut store, keys) = store_with(&["甲公司", "乙公司"]);
        store
            .write(&actor(), |w| {
                w.declare_dim(&TagDim {
                    name: "意向".into(),
                    single: true,
                    allowed: Some(vec!["高".into(), "中".into()]),
                })?;
                let (ready, _) = w.prepare_tags(&tags(&["意向:中", "VIP"]))?;
                w.add_tags(&keys[0], &ready, MANUAL)?;
                w.add_tags(&keys[1], &ready, MANUAL)
            })
            .unwrap();
        let counts: Vec<String> = store
            .tag_counts(None)
            .unwrap()
            .into_iter()
            .map(|c| format!("{}:{}={}", c.dim, c.value.unwrap_or_default(), c.count))
            .collect();
        assert_eq!(
            counts,
            [
                "区域:east=2",
                "省份:浙江省=2",
                "阶段:prospect=2",
                "意向:高=0",
                "意向:中=2",
                ":VIP=2"
            ]
        );
        let only: Vec<i64> = store
            .tag_counts(Some("意向"))
            .unwrap()
            .iter()
            .map(|c| c.count)
            .collect();
        assert_eq!(only, [0, 2]);
        assert!(store.tag_counts(Some("没有")).is_err());
    }
}
