//! The only code that writes to stdout and stderr.
//!
//! Data goes to stdout in the chosen `--format`; status lines (what was created, summaries)
//! go to stderr and `--quiet` silences them; errors always go to stderr. Column headers and
//! value labels follow `--lang`; JSON always uses the stable English keys.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, Write};

use clap::ValueEnum;
use comfy_table::{Table, presets};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::domain::money::format_fen;

/// How records are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
    Jsonl,
}

/// The language of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

/// A column: its stable key (JSON, `--columns`) and its Chinese header.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: String,
    pub zh: String,
}

impl Column {
    pub fn new(key: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            zh: zh.into(),
        }
    }
}

/// One value in a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    /// Money in fen; printed as yuan with two decimals, a JSON number.
    Money(i64),
    Decimal(Decimal),
    Bool(bool),
    /// A closed-set value: the English key (JSON) and the Chinese label.
    Label {
        key: String,
        zh: String,
    },
    /// An empty value that reads as a word ("(未填)"/"(none)") where people look, null in JSON.
    Missing,
}

impl Cell {
    pub fn text(value: Option<impl Into<String>>) -> Cell {
        value.map_or(Cell::Null, |v| Cell::Text(v.into()))
    }

    pub fn label(key: &str, zh: &str) -> Cell {
        Cell::Label {
            key: key.into(),
            zh: zh.into(),
        }
    }

    /// The value as text in the chosen language (tables, csv, spreadsheets, pages).
    pub fn shown(&self, zh: bool) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Missing => if zh { "(未填)" } else { "(none)" }.into(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Money(fen) => format_fen(*fen),
            Cell::Decimal(d) => d.normalize().to_string(),
            Cell::Bool(b) => match (b, zh) {
                (true, true) => "是".into(),
                (false, true) => "否".into(),
                (b, false) => b.to_string(),
            },
            Cell::Label { key, zh: label } => {
                if zh {
                    label.clone()
                } else {
                    key.clone()
                }
            }
        }
    }

    /// The value in JSON: stable English keys, numbers as numbers.
    pub fn json(&self) -> Value {
        let number = |s: String| {
            s.parse::<serde_json::Number>()
                .map_or(Value::String(s.clone()), Value::Number)
        };
        match self {
            Cell::Null | Cell::Missing => Value::Null,
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Money(fen) => number(format_fen(*fen)),
            Cell::Decimal(d) => number(d.normalize().to_string()),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Label { key, .. } => Value::String(key.clone()),
        }
    }
}

/// Rows under columns.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Records {
    pub fn new(columns: Vec<Column>) -> Self {
        Self {
            columns,
            rows: Vec::new(),
        }
    }

    /// Each row as a JSON object keyed by the column keys.
    pub fn json_rows(&self) -> Vec<Value> {
        self.rows.iter().map(|row| self.json_row(row)).collect()
    }

    /// One row as a JSON object keyed by the column keys.
    pub fn json_row(&self, row: &[Cell]) -> Value {
        let map: Map<String, Value> = self
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| (c.key.clone(), v.json()))
            .collect();
        Value::Object(map)
    }
}

/// Where and how a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: Format,
    pub zh: bool,
    pub quiet: bool,
}

impl Output {
    fn header(&self, c: &Column) -> String {
        if self.zh { c.zh.clone() } else { c.key.clone() }
    }

    /// Prints records in the chosen format.
    pub fn records(&self, records: &Records) -> io::Result<()> {
        // Buffered: stdout alone flushes at every line, one system call each.
        let mut out = io::BufWriter::new(io::stdout().lock());
        match self.format {
            Format::Table => {
                writeln!(out, "{}", self.table(records))?;
                out.flush()
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(records.columns.iter().map(|c| self.header(c)))?;
                for row in &records.rows {
                    w.write_record(row.iter().map(|v| v.shown(self.zh)))?;
                }
                w.flush()
            }
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &records.json_rows())?;
                writeln!(out)?;
                out.flush()
            }
            Format::Jsonl => {
                for row in records.json_rows() {
                    serde_json::to_writer(&mut out, &row)?;
                    writeln!(out)?;
                }
                out.flush()
            }
        }
    }

    fn table(&self, records: &Records) -> Table {
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        table.set_header(records.columns.iter().map(|c| self.header(c)));
        for row in &records.rows {
            table.add_row(row.iter().map(|v| v.shown(self.zh)));
        }
        table
    }

    /// Prints a titled block of label/value pairs (table format) — for `show`.
    pub fn pairs(&self, title: &str, pairs: &[(String, Cell)]) -> io::Result<()> {
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        for (label, value) in pairs {
            table.add_row(vec![label.clone(), value.shown(self.zh)]);
        }
        let mut out = io::stdout().lock();
        writeln!(out, "{title}")?;
        writeln!(out, "{table}")
    }

    /// Prints a titled table section — for `show`; nothing when empty.
    pub fn section(&self, title: &str, records: &Records) -> io::Result<()> {
        if records.rows.is_empty() {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        writeln!(out, "\n{title}")?;
        writeln!(out, "{}", self.table(records))
    }

    /// Prints one JSON document (pretty for `json`, one line for `jsonl`).
    pub fn json(&self, value: &Value) -> io::Result<()> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        if self.format == Format::Jsonl {
            serde_json::to_writer(&mut out, value)?;
        } else {
            serde_json::to_writer_pretty(&mut out, value)?;
        }
        writeln!(out)?;
        out.flush()
    }

    /// Prints `{head…, "sections": {KEY: [rows…], …}}` as pretty JSON (the same text
    /// `json` would print), writing the rows one by one so a report with a million rows never
    /// holds its whole document in memory.
    pub fn json_sections(&self, head: &Map<String, Value>, sections: &[(&str, &Records)]) -> io::Result<()> {
        fn indented(value: &Value, by: &str) -> serde_json::Result<String> {
            Ok(serde_json::to_string_pretty(value)?.replace('\n', &format!("\n{by}")))
        }
        let key = |k: &str| Value::String(k.to_string()).to_string();
        let mut out = io::BufWriter::new(io::stdout().lock());
        writeln!(out, "{{")?;
        for (k, v) in head {
            writeln!(out, "  {}: {},", key(k), indented(v, "  ")?)?;
        }
        write!(out, "  \"sections\": {{")?;
        for (i, (name, records)) in sections.iter().enumerate() {
            write!(out, "{}\n    {}: [", if i == 0 { "" } else { "," }, key(name))?;
            for (j, row) in records.rows.iter().enumerate() {
                let row = indented(&records.json_row(row), "      ")?;
                write!(out, "{}\n      {row}", if j == 0 { "" } else { "," })?;
            }
            if !records.rows.is_empty() {
                write!(out, "\n    ")?;
            }
            write!(out, "]")?;
        }
        if !sections.is_empty() {
            write!(out, "\n  ")?;
        }
        writeln!(out, "}}\n}}")?;
        out.flush()
    }

    /// Prints a plain line of data to stdout (e.g. the code `add` gave).
    pub fn line(&self, line: &str) -> io::Result<()> {
        writeln!(io::stdout().lock(), "{line}")
    }

    /// A status line on stderr, unless `--quiet`.
    pub fn status(&self, line: &str) {
        if !self.quiet {
            // A closed stderr (`kehu … 2>&1 | head`) is no reason to stop, let alone panic.
            let _ = writeln!(io::stderr().lock(), "{line}");
        }
    }

    /// A counter (no known end) on stderr for long work; hidden with `--quiet` or when
    /// stderr is not a terminal.
    pub fn spinner(&self, what: &str) -> indicatif::ProgressBar {
        use std::io::IsTerminal;
        if self.quiet || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos}") {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar
    }

    /// Whether JSON is wanted (json or jsonl).
    pub fn is_json(&self) -> bool {
        matches!(self.format, Format::Json | Format::Jsonl)
    }

    /// Picks the label for the chosen language.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh { zh } else { en }
    }
}

/// Prints an error (and its causes) to stderr.
pub fn error(err: &anyhow::Error) {
    let _ = writeln!(io::stderr().lock(), "error: {err:#}");
}

impl Output {
    /// A progress bar on stderr counting to `total` (bytes when `bytes`, else rows), drawn
    /// only on a terminal and never with `--quiet`.
    pub fn progress(&self, total: u64, bytes: bool) -> indicatif::ProgressBar {
        use std::io::IsTerminal;
        if self.quiet || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let template = if bytes {
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}"
        } else {
            "{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}"
        };
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    }

    /// Writes records to an `.xlsx` file: one sheet, headers in the chosen language, money
    /// and numbers as numbers.
    pub fn xlsx(&self, records: &Records, path: &std::path::Path) -> anyhow::Result<()> {
        use rust_decimal::prelude::ToPrimitive;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, c) in records.columns.iter().enumerate() {
            sheet.write(0, col as u16, self.header(c))?;
        }
        for (r, row) in records.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Null => {}
                    Cell::Int(i) => {
                        sheet.write(r, col, *i as f64)?;
                    }
                    Cell::Money(fen) => {
                        let yuan = crate::domain::money::fen_to_decimal(*fen);
                        sheet.write(r, col, yuan.to_f64().unwrap_or_default())?;
                    }
                    Cell::Decimal(d) => {
                        sheet.write(r, col, d.to_f64().unwrap_or_default())?;
                    }
                    other => {
                        sheet.write(r, col, other.shown(self.zh))?;
                    }
                }
            }
        }
        book.save(path)?;
        Ok(())
    }
}
