//! How a clerk's spreadsheet maps onto kehu's records: finding the header row among title
//! and blank rows, understanding each header (Chinese and English aliases, units such as
//! `(万元)`, the user's `--map`), telling blank and total rows apart, and turning a row's
//! cells into values for a customer, contact, order or interaction — each bad cell
//! reported with its column, value and rule.
//!
//! Empty cells never clear stored values: a file that carries only some columns (or leaves
//! some cells blank) updates only what it says.

mod headers;
mod mapping;
mod rows;
mod same;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::choice::{Choice, YesNo};
use super::contact::{Contact, ContactField, Interaction, Order};
use super::customer::{Change, Customer, Field, Invalid};
use super::dedupe::Candidate;
use super::industry::{Industry, parse_industry};
use super::money::{Unit, unit_from_header};
use super::phone::{Phone, parse_phone};
use super::region::split_location;
use super::{number, text};

pub use headers::*;
pub use mapping::*;
pub use rows::*;
pub use same::*;

/// How a row names its customer. Values are canonical (USCC upper-case, code upper-case).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    pub code: Option<String>,
    pub uscc: Option<String>,
    pub name: Option<String>,
}

impl Keys {
    /// The key a row names its customer by, first of code, USCC and name, with its field:
    /// what a message about which customer the row means shows.
    pub fn first(&self) -> (&'static str, &str) {
        match (&self.code, &self.uscc, &self.name) {
            (Some(c), _, _) => ("code", c),
            (_, Some(u), _) => ("uscc", u),
            (_, _, Some(n)) => ("name", n),
            _ => ("name", ""),
        }
    }
}

/// A customer field's cell, still as typed (applied to the stored or a new record later).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCell {
    pub field: Field,
    pub raw: String,
    pub unit: Unit,
    pub column: String,
}

/// What a customers row says beyond its keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerPart {
    pub fields: Vec<FieldCell>,
    pub contact: Option<RowContact>,
    pub extra: BTreeMap<String, String>,
}

/// A row's contact, and whether the row makes them the customer's primary contact (a
/// 主联系人 column): `Some(true)` it does, `Some(false)` it says they are not, `None` it does
/// not say (no such column, or an empty cell), which leaves the primary contact as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowContact {
    pub contact: Contact,
    pub primary: Option<bool>,
}

impl RowContact {
    /// Stored contact `stored` given again by this row: what the row brings replaces what
    /// is stored, what it leaves empty stays, and a 主联系人 cell sets the flag.
    pub fn given_again(&self, stored: &Contact) -> Contact {
        let mut after = stored.given_again(&self.contact);
        if let Some(primary) = self.primary {
            after.is_primary = primary;
        }
        after
    }

    /// The contact as added to a customer: the primary one if the row says so, or, when it
    /// does not say, `by_default` (the customer has no primary contact yet).
    pub fn added(&self, by_default: bool) -> Contact {
        Contact {
            is_primary: self.primary.unwrap_or(by_default),
            ..self.contact.clone()
        }
    }
}

impl From<Contact> for RowContact {
    fn from(contact: Contact) -> Self {
        RowContact {
            contact,
            primary: None,
        }
    }
}

impl CustomerPart {
    /// Applies the row to `base` (the stored customer, or a new one): every non-empty cell
    /// sets its field, extra columns are kept. Errors name the column.
    pub fn apply(&self, base: &Customer) -> Result<Customer, RowError> {
        let mut customer = base.clone();
        for cell in &self.fields {
            customer
                .set(cell.field, &cell.raw, cell.unit)
                .map_err(|e| RowError::new(&cell.column, &cell.raw, e.reason))?;
        }
        for (k, v) in &self.extra {
            customer.extra.insert(k.clone(), v.clone());
        }
        Ok(customer)
    }

    /// The column a field came from (for cross-field errors).
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|c| c.field.key() == field)
            .map(|c| c.column.as_str())
    }

    /// A cross-field rule's error, named by the column its field came from.
    /// The value shown is the cell as the clerk typed it (`合作中`, not the `成交` it means).
    /// When the field at fault is a stored one the row does not bring, the error names the
    /// row's cell it disagrees with (a first cooperation date after the stored last one).
    pub fn error_for(&self, e: Invalid) -> RowError {
        if let Some(cell) = self.fields.iter().find(|c| c.field.key() == e.field) {
            return RowError::new(&cell.column, cell.raw.trim(), e.reason);
        }
        let stored = Field::from_name(&e.field);
        let partner = stored.and_then(|f| match f {
            Field::LastCoopDate => Some(Field::FirstCoopDate),
            Field::FirstCoopDate => Some(Field::LastCoopDate),
            Field::Stage => Some(Field::FirstCoopDate),
            _ => None,
        });
        match (stored, self.fields.iter().find(|c| Some(c.field) == partner)) {
            (Some(stored), Some(cell)) => RowError::new(
                &cell.column,
                cell.raw.trim(),
                format!("the stored {} {} {}", stored.zh(), e.value, e.reason),
            ),
            _ => RowError::new(e.field, e.value, e.reason),
        }
    }

    /// The record this row creates when no stored customer matches it: every cell applied,
    /// inferred values filled, the cross-field rules checked (with no orders yet); with the
    /// probe that finds the stored customers it may duplicate.
    pub fn new_customer(&self, keys: &Keys, today: NaiveDate) -> Result<NewCustomer, RowError> {
        let name = keys
            .name
            .as_deref()
            .ok_or_else(|| RowError::new("name", "", "a new customer needs a name"))?;
        let mut base = Customer::new(name).map_err(|e| RowError::new("name", e.value, e.reason))?;
        base.code = keys.code.clone().unwrap_or_default();
        base.uscc = keys.uscc.clone();
        let mut customer = self.apply(&base)?;
        customer.complete();
        customer.check(today, false).map_err(|e| self.error_for(e))?;
        let contacts = self.contact.as_ref().map(|c| std::slice::from_ref(&c.contact));
        let probe = Candidate::from_customer(0, &customer, contacts.unwrap_or_default());
        Ok(NewCustomer { customer, probe })
    }
}

/// A customers row's new record and its match probe. Both are worked out with the row, so an
/// import does it on the thread that reads the file, ahead of the one that writes.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub customer: Customer,
    /// The record as [`super::dedupe::compare`] sees it; its core is the record's
    /// [`super::dedupe::name_key`].
    pub probe: Candidate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowBody {
    Customer(CustomerPart),
    Contact(RowContact),
    Order(Order),
    Interaction(Interaction),
    Growth {
        industry: Industry,
        growth: rust_decimal::Decimal,
    },
}

/// One data row understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub keys: Keys,
    pub body: RowBody,
}

/// Why a row was rejected: the column (header as written), the value and the rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl RowError {
    pub fn new(column: impl Into<String>, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    fn from_invalid(column: &Column, e: Invalid) -> Self {
        Self::new(&column.header, e.value, e.reason)
    }
}
