//! kehu (客户): a company's customer records in one local SQLite file.
//!
//! Data flows one way: input → parse → [`domain`] → [`store`] → output.
//! - [`domain`]: the pure core — the record, validation and normalisation, customer codes.
//!   No I/O, no clock, no SQLite.
//! - [`sheet`]: reading spreadsheets (xlsx/xls/ods through calamine, csv/tsv with encoding
//!   detection) as numbered rows of text cells.
//! - [`store`]: the only code touching SQLite — schema, migrations, reads, and the writer
//!   through which every change and its hash-chained change-log entry pass.
//! - [`cli`]: argument parsing (clap), one file per subcommand, and `cli::output`, the only
//!   code that prints.

pub mod cli;
pub mod domain;
pub mod sheet;
pub mod store;
