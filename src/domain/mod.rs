//! The pure core of kehu: the customer record, its validation and normalisation, customer
//! codes and the change model.
//!
//! Nothing here does I/O: no files, no environment, no clock, no SQLite, no clap. "Today" and
//! every setting come in as arguments, so each rule is a plain function that unit tests can
//! pin down. Parsers return the canonical value or a short reason (`Err(String)`); the record
//! layer ([`customer`]) wraps a reason into an [`Invalid`] that names the field and the value.

pub mod choice;
pub mod code;
pub mod contact;
pub mod customer;
pub mod date;
pub mod dedupe;
pub mod email;
pub mod grade;
pub mod idcard;
pub mod import;
pub mod industry;
pub mod money;
pub mod number;
pub mod phone;
pub mod query;
pub mod region;
pub mod report;
pub mod tag;
pub mod text;
pub mod uscc;

pub use customer::{Change, Customer, Field, Invalid};
