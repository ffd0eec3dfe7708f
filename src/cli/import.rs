//! `kehu import`: the clerk's spreadsheets in, row by row, in one transaction; `import list`
//! and `import undo`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::json;

use super::output::{Cell, Column, Records};
use super::rejects::{self, Rejects};
use super::{Context, Status, UsageError, interrupt, key_value};
use crate::domain::Field;
use crate::domain::contact::ContactField;
use crate::domain::import::{
    Kind, Mapping, NewCustomer, RowBody, RowError, Target, detect_header, is_blank, is_total, two_row_header,
};
use crate::domain::money::{Unit, stated_unit};
use crate::sheet::{self, Row, Sheet};
use crate::store::{OnExisting, Outcome};

/// How many rows are searched for the header.
const HEADER_SEARCH: usize = 30;

/// How many rows, blank ones included, the header is looked for in.
const BLANK_ROWS_ABOVE_HEADER: usize = 10_000;

/// How many prepared rows the reading thread hands over at a time.
const CHUNK: usize = 256;

/// How many chunks the reading thread may be ahead. The writer is the slower of the two, so
/// a few keep it fed; each one more is memory held (a prepared customers row, with its
/// record and match probe, is a few KB) that the heap keeps after the reader is done.
const CHUNKS_AHEAD: usize = 4;

/// Import a spreadsheet of customers, contacts, orders or interactions.
///
/// Reads .xlsx .xlsm .xls .ods and .csv .tsv .txt (UTF-8 with or without BOM, GBK/GB18030,
/// UTF-16). Finds the header row below any title rows, maps Chinese and English headers,
/// skips blank and total (合计/总计/小计) rows, validates and normalises every row. Valid rows
/// go in (one transaction); each rejected row is reported with its row number, column, value
/// and reason. A row about a stored customer (same code, USCC, or exact name) updates it;
/// empty cells never clear stored values. Exit code 3 when some rows were rejected.
///
///   kehu import 客户清单.xlsx --rejects 退回.xlsx
///   kehu import 销售部.csv --map '单位=name' --map '对接人=contact.name'
///   kehu import 合同.csv --kind orders
///   kehu import --show-mapping 客户清单.xlsx
///   kehu import list
///   kehu import undo 3
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    command: Option<ImportCommand>,
    /// The spreadsheet to import.
    #[arg(required = true)]
    file: Option<PathBuf>,
    /// The workbook sheet, by name or 1-based number (default: the first visible one).
    #[arg(long)]
    sheet: Option<String>,
    /// What the file holds (detected from its headers when omitted).
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Map a column the tables do not know: '原列名=field' (field: name, uscc, owner, …,
    /// contact.mobile, contact.primary, order.amount, interaction.summary, location, ignore,
    /// extra).
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// Write the rejected rows (original cells plus a 导入退回原因 column) to this file, csv or xlsx.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// All or nothing: any rejected row rejects the whole file.
    #[arg(long)]
    strict: bool,
    /// Report what would happen without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// What to do with a row that is a stored customer, or a contacts row that would change
    /// a stored contact.
    #[arg(long, value_enum, default_value = "update")]
    on_existing: OnExistingArg,
    /// Print how each header was understood, and import nothing.
    #[arg(long)]
    show_mapping: bool,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// List the import batches.
    List,
    /// Undo an import batch: remove what it added, restore what it changed.
    Undo {
        /// The batch number (from `kehu import list`).
        batch: i64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Customers,
    Contacts,
    Orders,
    Interactions,
    IndustryGrowth,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OnExistingArg {
    Update,
    Skip,
    Error,
}

pub fn run(ctx: &Context, args: ImportArgs) -> Result<Status> {
    match args.command {
        Some(ImportCommand::List) => return list(ctx),
        Some(ImportCommand::Undo { batch }) => return undo(ctx, batch),
        None => {}
    }
    let file = args
        .file
        .clone()
        .ok_or_else(|| UsageError("which file? kehu import FILE".into()))?;
    let maps = args
        .map
        .iter()
        .map(|m| {
            let (column, field) = key_value(m)?;
            Target::parse(field).map_err(UsageError)?;
            Ok((column.to_string(), field.to_string()))
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    let mut sheet = sheet::open(&file, args.sheet.as_deref())?;
    let (header, pending, title_unit) = find_header(&mut sheet, &maps, &file)?;
    let kind = args.kind.map(|k| match k {
        KindArg::Customers => Kind::Customers,
        KindArg::Contacts => Kind::Contacts,
        KindArg::Orders => Kind::Orders,
        KindArg::Interactions => Kind::Interactions,
        KindArg::IndustryGrowth => Kind::IndustryGrowth,
    });
    let mut mapping = Mapping::new(&header.cells, &maps, kind)
        .map_err(|reason| anyhow::anyhow!("{}: header row {}: {reason}", file.display(), header.number))?;
    // The rejects file has no title row: the unit it stated goes into the headers there.
    let mut rejects_header = header.cells.clone();
    if let Some(stated) = &title_unit {
        let columns = mapping.assume_unit(stated.unit);
        if !columns.is_empty() {
            ctx.out.status(&format!(
                "{} read in {}, as row {} says (\"{}\")",
                columns
                    .iter()
                    .map(|c| c.header.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                stated.unit.label(),
                stated.row,
                stated.text
            ));
        }
        for c in &columns {
            if let Some(cell) = rejects_header.get_mut(c.index) {
                cell.push_str(&format!("({})", stated.unit.label()));
            }
        }
    }
    if args.show_mapping {
        show_mapping(ctx, &mapping, header.number)?;
        return Ok(Status::Ok);
    }
    if args.kind.is_none()
        && let Some((kind, columns)) = mapping.other_kinds_columns()
    {
        let list = match kind {
            Kind::Orders => "a contract list",
            _ => "a follow-up log",
        };
        ctx.out.status(&format!(
            "{}: read as a customers file, its {} kept with each customer as extra columns \
             ({list} is imported with --kind {})",
            file.display(),
            columns.join(", "),
            kind.key()
        ));
    }
    let on_existing = match args.on_existing {
        OnExistingArg::Update => OnExisting::Update,
        OnExistingArg::Skip => OnExisting::Skip,
        OnExistingArg::Error => OnExisting::Error,
    };
    let sha256 = sheet::sha256(&file)?;
    let file_name = file
        .file_name()
        .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
    let sheet_name = match &sheet.format {
        sheet::Format::Workbook { sheet } => Some(sheet.clone()),
        sheet::Format::Text { .. } => None,
    };
    // From here on Ctrl-C rolls the import back and removes the rejects file's temporary
    // files, or, once it has committed, waits for the summary.
    interrupt::catch();
    let mut rejects = match &args.rejects {
        Some(path) => Some(Rejects::new(
            path,
            rejects::Input {
                path: &file,
                format: &sheet.format,
                header: &rejects_header,
                rows_not_kept: if args.dry_run {
                    Some("with --dry-run its valid rows are not imported and would be lost")
                } else if args.strict {
                    Some("with --strict its valid rows may not be imported and would be lost")
                } else if matches!(on_existing, OnExisting::Skip) {
                    Some("with --on-existing skip the rows it skips would be lost")
                } else {
                    None
                },
            },
        )?),
        None => None,
    };

    let mut store = ctx.write_unless(args.dry_run)?;
    store.stop_when(&interrupt::REQUESTED);
    let progress = ctx.out.progress(sheet.total, !sheet.format.is_workbook());
    let rows_expected = sheet.rows_expected(pending.last().unwrap_or(&header));
    let mut report = Report::default();
    let strict = args.strict;
    let dry_run = args.dry_run;
    let date_1904 = sheet.date_1904;
    let rows = pending.into_iter().map(Ok).chain(sheet.rows);
    let today = ctx.today();
    let mapping = &mapping;
    // Reading, decoding and parsing run on a second thread; this one matches and writes.
    // Rows cross in chunks, so the threads meet once per chunk rather than once per row.
    let stored = std::thread::scope(|scope| {
        let (sender, chunks) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(CHUNKS_AHEAD);
        scope.spawn(move || {
            let mut rows = rows.peekable();
            while rows.peek().is_some() {
                let chunk: Vec<Prepared> = rows
                    .by_ref()
                    .take(CHUNK)
                    .map(|r| prepare(r, mapping, today, date_1904))
                    .collect();
                if sender.send(chunk).is_err() {
                    break;
                }
            }
        });
        let prepared = chunks.into_iter().flatten();
        store.load(&ctx.actor, rows_expected, |w| {
            let batch = w.begin_batch(&file_name, sheet_name.as_deref(), &sha256, mapping.kind.key())?;
            w.defer_search_indexes()?;
            for item in prepared {
                let (row, parsed) = match item {
                    Prepared::Unreadable(e) => return Err(crate::store::Error::Conflict(e.to_string())),
                    Prepared::Blank => {
                        report.blank += 1;
                        continue;
                    }
                    Prepared::Total(stated) => {
                        if let Some(stated) = stated
                            && let Some((header, unit)) = mapping
                                .amounts_without_unit()
                                .into_iter()
                                .find(|(_, unit)| *unit != stated.unit)
                        {
                            // The amounts above were read in another unit than the note says.
                            return Err(crate::store::Error::Conflict(format!(
                                "row {} says \"{}\", but the header {header} states no unit and its \
                                 amounts were read in {}: write the unit into the header \
                                 ({header}({})) and import again",
                                stated.row,
                                stated.text,
                                unit.label(),
                                stated.unit.label()
                            )));
                        }
                        report.total_rows += 1;
                        continue;
                    }
                    Prepared::Row { row, parsed } => (row, parsed),
                };
                if interrupt::requested() {
                    return Err(crate::store::Error::Interrupted);
                }
                if row.number % 1024 == 0 {
                    progress.set_position(row.position);
                    w.defer_indexes_if_bulk()?;
                }
                report.read += 1;
                let outcome = match parsed {
                    Ok((parsed, fresh)) => match w.import_row(&parsed, fresh, batch, on_existing)? {
                        Outcome::Rejected { error } => Outcome::Rejected {
                            error: header_named(error, mapping),
                        },
                        other => other,
                    },
                    Err(error) => Outcome::Rejected { error },
                };
                let also = match &outcome {
                    Outcome::Rejected { error } => {
                        let mut also = mapping.problems(&row.cells, today);
                        also.extend(mapping.number_problems(&row.cells, &row.numbers));
                        also.retain(|p| p.column != error.column);
                        mapping.in_column_order(&mut also);
                        also
                    }
                    _ => Vec::new(),
                };
                report.count(&row, outcome, also, rejects.as_mut())?;
            }
            let commit = report.keep(dry_run, strict);
            if commit {
                w.finish_batch(batch, &report.counts())?;
                // Committing brings the search index (and after a bulk import, other
                // indexes) up to date: half a minute at a million rows.
                progress.set_position(progress.length().unwrap_or_default());
                progress.set_message("updating the indexes…");
            }
            Ok((batch, commit))
        })
    });
    progress.finish_and_clear();
    // On an error (Ctrl-C among them) `rejects` drops here and takes its temporary files.
    let batch = stored?;
    // Written once the import has committed or rolled back: should that fail, the clerk
    // still hears what the import did, and the rejected rows are in the report above.
    let unwritten = rejects.and_then(|r| r.finish().err());
    let imported = Imported {
        file: &file_name,
        sheet: sheet_name.as_deref(),
        kind: mapping.kind,
        batch,
    };
    let status = print_report(ctx, &report, imported, &args, unwritten.is_none());
    let status = match (status, unwritten) {
        (status, None) => status?,
        (Ok(_), Some(e)) => {
            crate::cli::output::error(&e.context("the rejects file could not be written"));
            Status::Partial
        }
        (Err(failed), Some(e)) => {
            return Err(failed.context(format!("{e:#}; the rejects file could not be written")));
        }
    };
    if interrupt::requested() && report.keep(dry_run, strict) {
        ctx.out
            .status("Ctrl-C came once the import had committed: it is stored as reported above");
    }
    Ok(status)
}

/// Buffers the first rows, finds the header among them, and returns it with the data rows
/// already read after it.
fn find_header(
    sheet: &mut Sheet,
    maps: &[(String, String)],
    file: &Path,
) -> Result<(Row, Vec<Row>, Option<StatedUnit>)> {
    // The first rows that hold anything; blank ones in between are kept, for their numbers,
    // up to a bound (a sheet whose used range runs to row 1,048,576).
    let mut first: Vec<Row> = Vec::new();
    let mut filled = 0;
    while filled < HEADER_SEARCH && first.len() < BLANK_ROWS_ABOVE_HEADER {
        let Some(row) = sheet.rows.next() else { break };
        let row = row?;
        filled += usize::from(!is_blank(&row.cells));
        first.push(row);
    }
    let cells: Vec<Vec<String>> = first.iter().map(|r| r.cells.clone()).collect();
    let Some(at) = detect_header(&cells, maps) else {
        // A workbook's first sheet is often a cover (说明) or a list of choices.
        let (source, other_sheet) = match &sheet.format {
            sheet::Format::Workbook { sheet: name } => (
                format!("{} (sheet {name})", file.display()),
                format!(
                    "; or pick another sheet with --sheet NAME|N (sheets: {})",
                    sheet.sheets.join(", ")
                ),
            ),
            sheet::Format::Text { .. } => (file.display().to_string(), String::new()),
        };
        if first.iter().all(|r| is_blank(&r.cells)) {
            bail!("{source} holds no data{other_sheet}");
        }
        bail!(
            "{source}: no recognisable header in the first {HEADER_SEARCH} rows (looked for headers such as 客户名称, \
             统一社会信用代码, 联系人, 手机, 合同金额); name the columns with --map '原列名=name'{other_sheet}",
        );
    };
    let mut rest = first.split_off(at);
    // A title row may state the unit of the amounts (`2024年客户清单（金额单位：万元）`); two
    // rows stating two units leave it open which amounts are in which.
    let stated: Vec<StatedUnit> = first
        .iter()
        .flat_map(|row| {
            row.cells
                .iter()
                .filter_map(|c| stated_unit(c).map(|u| StatedUnit::new(row.number, c, u)))
        })
        .collect();
    if let Some(other) = stated.iter().find(|s| s.unit != stated[0].unit) {
        bail!(
            "{}: row {} says \"{}\" and row {} says \"{}\": write each amount column's unit into \
             its header (累计合作金额(万元)) and import again",
            file.display(),
            stated[0].row,
            stated[0].text,
            other.row,
            other.text
        );
    }
    let unit = stated.into_iter().next();
    let mut header = rest.remove(0);
    if let Some(next) = rest.first()
        && let Some(cells) = two_row_header(&header.cells, &next.cells, maps)
    {
        header.cells = cells;
        rest.remove(0);
    }
    Ok((header, rest, unit))
}

/// A row above or below the table that states the unit of the amounts, and where.
#[derive(Debug, Clone)]
struct StatedUnit {
    row: usize,
    text: String,
    unit: Unit,
}

impl StatedUnit {
    fn new(row: usize, text: &str, unit: Unit) -> Self {
        StatedUnit {
            row,
            text: text.trim().to_string(),
            unit,
        }
    }
}

/// A row read and understood ahead of the writer. Nearly every item is a `Row`, so boxing it
/// would only add an allocation per row.
#[allow(clippy::large_enum_variant)]
enum Prepared {
    Unreadable(sheet::Error),
    Blank,
    /// A total row or a footer note; a note may state the unit of the amounts.
    Total(Option<StatedUnit>),
    Row {
        row: Row,
        /// The understood row and, for a customers row, the record it would create.
        parsed: Result<(crate::domain::import::Row, Option<Result<NewCustomer, RowError>>), RowError>,
    },
}

fn prepare(
    row: Result<Row, sheet::Error>,
    mapping: &Mapping,
    today: chrono::NaiveDate,
    date_1904: bool,
) -> Prepared {
    let mut row = match row {
        Ok(row) => row,
        Err(e) => return Prepared::Unreadable(e),
    };
    if date_1904 {
        mapping.serials_from_1904(&mut row.cells);
    }
    if is_blank(&row.cells) {
        return Prepared::Blank;
    }
    // A note below the table with no label (`单位：万元`): alone in its row, or beside
    // other `label：value` cells (`填报单位：华兴公司 | 单位：万元`).
    let filled: Vec<&String> = row.cells.iter().filter(|c| !c.trim().is_empty()).collect();
    let labelled = |c: &&String| filled.len() == 1 || c.contains([':', '：']);
    if filled.iter().all(labelled)
        && let Some((cell, unit)) = filled.iter().find_map(|c| stated_unit(c).map(|u| (c, u)))
    {
        return Prepared::Total(Some(StatedUnit::new(row.number, cell, unit)));
    }
    if is_total(&row.cells) {
        return Prepared::Total(
            row.cells
                .iter()
                .find_map(|c| stated_unit(c).map(|u| StatedUnit::new(row.number, c, u))),
        );
    }
    // A number cell that cannot be read as typed (digits lost, a month lost) is the row's
    // first problem: read as text, it would give a value, maybe the wrong one.
    let unread = invalid_text(&row, mapping).or_else(|| {
        mapping
            .number_problems(&row.cells, &row.numbers)
            .into_iter()
            .next()
    });
    let parsed = match unread {
        Some(error) => Err(error),
        None => mapping.parse_row(&row.cells, today).map(|parsed| {
            let fresh = match &parsed.body {
                RowBody::Customer(part) => Some(part.new_customer(&parsed.keys, today)),
                _ => None,
            };
            (parsed, fresh)
        }),
    };
    Prepared::Row { row, parsed }
}

/// The store names key fields by their key; show the header as the file wrote it.
fn header_named(mut error: RowError, mapping: &Mapping) -> RowError {
    let header = if error.column == "contact.primary" {
        Some(mapping.header_of(Target::ContactPrimary))
    } else if let Some(field) = error
        .column
        .strip_prefix("contact.")
        .and_then(ContactField::from_name)
    {
        // A phone may have come from a 联系电话 column, read by its shape.
        Some(mapping.header_of(Target::Contact(field)))
            .filter(|h| !h.is_empty())
            .or_else(|| {
                matches!(field, ContactField::Mobile | ContactField::Landline)
                    .then(|| mapping.header_of(Target::Phone))
            })
    } else {
        Field::from_name(&error.column).map(|field| mapping.header_of(Target::Customer(field)))
    };
    if let Some(header) = header.filter(|h| !h.is_empty()) {
        error.column = header;
    }
    error
}

/// A cell the file's encoding could not decode, or holding control characters.
fn invalid_text(row: &Row, mapping: &Mapping) -> Option<RowError> {
    let header_of = |i: usize| {
        mapping
            .columns
            .get(i)
            .map_or_else(|| format!("column {}", i + 1), |c| c.header.clone())
    };
    if let Some(bad) = row.bad.first() {
        let value = row.cells.get(bad.column).cloned().unwrap_or_default();
        return Some(RowError::new(header_of(bad.column), value, &bad.reason));
    }
    row.cells.iter().enumerate().find_map(|(i, cell)| {
        let header = header_of(i);
        if cell.contains('\u{FFFD}') {
            Some(RowError::new(
                header,
                cell.clone(),
                "not valid text in the file's encoding",
            ))
        } else if crate::domain::text::has_control_chars(cell) {
            Some(RowError::new(
                header,
                cell.escape_debug().to_string(),
                "contains control characters",
            ))
        } else {
            None
        }
    })
}

#[derive(Debug, Serialize)]
struct Rejected {
    row: usize,
    column: String,
    value: String,
    reason: String,
    /// The row's other problems, so one pass over the rejects file fixes them all.
    also: Vec<RowError>,
}

#[derive(Debug, Serialize)]
struct Conflict {
    row: usize,
    code: String,
    stored: String,
    incoming: String,
    reason: String,
}

#[derive(Debug, Default)]
struct Report {
    read: usize,
    inserted: usize,
    updated: usize,
    renamed: usize,
    unchanged: usize,
    skipped: usize,
    blank: usize,
    total_rows: usize,
    rejected: Vec<Rejected>,
    conflicts: Vec<Conflict>,
    possible_duplicates: Vec<PossibleDuplicateRow>,
}

/// An inserted row that resembles a stored customer (review it with `kehu dedupe`).
#[derive(Debug, Serialize)]
struct PossibleDuplicateRow {
    row: usize,
    code: String,
    of: String,
    of_name: String,
    score: u8,
    reasons: String,
}

impl Report {
    fn count(
        &mut self,
        row: &Row,
        outcome: Outcome,
        also: Vec<RowError>,
        rejects: Option<&mut Rejects>,
    ) -> crate::store::Result<()> {
        let reason = match outcome {
            Outcome::Inserted {
                code,
                possible_duplicate,
            } => {
                self.inserted += 1;
                if let Some(d) = possible_duplicate {
                    self.possible_duplicates.push(PossibleDuplicateRow {
                        row: row.number,
                        code,
                        of: d.code,
                        of_name: d.name,
                        score: d.score,
                        reasons: d.reasons.join("; "),
                    });
                }
                None
            }
            Outcome::Updated { renamed, .. } => {
                self.renamed += usize::from(renamed);
                self.updated += 1;
                None
            }
            Outcome::Unchanged { .. } => {
                self.unchanged += 1;
                None
            }
            Outcome::Skipped { .. } => {
                self.skipped += 1;
                None
            }
            Outcome::Rejected { error } => {
                let reason = std::iter::once(&error)
                    .chain(&also)
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("；");
                self.rejected.push(Rejected {
                    row: row.number,
                    column: error.column,
                    value: error.value,
                    reason: error.reason,
                    also,
                });
                Some(reason)
            }
            Outcome::Conflict {
                code,
                stored,
                incoming,
                reason,
            } => {
                let text = format!("conflict with {code} ({stored}): {reason}");
                self.conflicts.push(Conflict {
                    row: row.number,
                    code,
                    stored,
                    incoming,
                    reason,
                });
                Some(text)
            }
        };
        if let (Some(reason), Some(r)) = (reason, rejects) {
            r.add(&row.cells, &reason)
                .map_err(|e| crate::store::Error::Conflict(e.to_string()))?;
        }
        Ok(())
    }

    fn failed(&self) -> usize {
        self.rejected.len() + self.conflicts.len()
    }

    fn valid(&self) -> usize {
        self.inserted + self.updated + self.unchanged + self.skipped
    }

    /// Whether the import is kept: not a dry run, something valid, and under --strict nothing
    /// rejected.
    fn keep(&self, dry_run: bool, strict: bool) -> bool {
        !dry_run && self.valid() > 0 && !(strict && self.failed() > 0)
    }

    fn by_reason(&self) -> BTreeMap<String, usize> {
        let mut by = BTreeMap::new();
        for r in &self.rejected {
            let general = if r.value.is_empty() {
                r.reason.clone()
            } else {
                r.reason.replace(&r.value, "…")
            };
            *by.entry(format!("{}: {general}", r.column)).or_insert(0) += 1;
        }
        if !self.conflicts.is_empty() {
            by.insert(
                "conflict with a stored customer or an earlier row".into(),
                self.conflicts.len(),
            );
        }
        by
    }

    fn counts(&self) -> serde_json::Value {
        json!({
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "renamed": self.renamed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": self.rejected.len(),
            "conflicts": self.conflicts.len(),
            "possible_duplicates": self.possible_duplicates.len(),
            "blank_rows": self.blank,
            "total_rows": self.total_rows,
        })
    }
}

fn describe(error: &RowError) -> String {
    // The value is in the row's own cell: a long one is only named here.
    let value: String = match error.value.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &error.value[..end]),
        None => error.value.clone(),
    };
    match (error.column.is_empty(), value.is_empty()) {
        (true, _) => error.reason.clone(),
        (false, true) => format!("{}: {}", error.column, error.reason),
        (false, false) => format!("{} {value}: {}", error.column, error.reason),
    }
}

/// How much of a value a reason quotes.
const QUOTED_CHARS: usize = 60;

/// `1 row`, `2 rows`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// What was imported: the file, its sheet, the kind of rows and the batch they went in as.
struct Imported<'a> {
    file: &'a str,
    sheet: Option<&'a str>,
    kind: Kind,
    batch: i64,
}

fn print_report(
    ctx: &Context,
    report: &Report,
    imported: Imported,
    args: &ImportArgs,
    rejects_written: bool,
) -> Result<Status> {
    let Imported {
        file,
        sheet,
        kind,
        batch,
    } = imported;
    let (failed, valid) = (report.failed(), report.valid());
    let committed = report.keep(args.dry_run, args.strict);
    let printed = if ctx.out.is_json() {
        ctx.out
            .json(&json!({
                "file": file,
                "sheet": sheet,
                "kind": kind.key(),
                "batch": committed.then_some(batch),
                "dry_run": args.dry_run,
                "committed": committed,
                "counts": report.counts(),
                "rejected_by_reason": report.by_reason(),
                "rejected": report.rejected,
                "conflicts": report.conflicts,
                "possible_duplicates": report.possible_duplicates,
            }))
            .map_err(anyhow::Error::from)
    } else {
        print_problems(ctx, report)
    };
    // Whoever reads the list may stop (`| head`): the summary and the exit code still tell
    // what the import did.
    match printed {
        Err(e) if !super::is_broken_pipe(&e) => return Err(e),
        _ => {}
    }
    let c = report;
    // What was imported, when the file is not a customers file (the kind may be detected).
    let source = match (sheet, kind) {
        (Some(sheet), Kind::Customers) => format!("{file} (sheet {sheet})"),
        (Some(sheet), kind) => format!("{file} (sheet {sheet}, {})", kind.key()),
        (None, Kind::Customers) => file.to_string(),
        (None, kind) => format!("{file} ({})", kind.key()),
    };
    ctx.out.status(&format!(
        "{source}: {} read, {} inserted, {} updated{}, {} unchanged, {} skipped, {} rejected, {}{}",
        counted(c.read, "row"),
        c.inserted,
        c.updated,
        if c.renamed > 0 {
            format!(" ({} renamed)", c.renamed)
        } else {
            String::new()
        },
        c.unchanged,
        c.skipped,
        c.rejected.len(),
        counted(c.conflicts.len(), "conflict"),
        if c.blank + c.total_rows > 0 {
            format!(" ({} blank and {} total rows skipped)", c.blank, c.total_rows)
        } else {
            String::new()
        }
    ));
    if !report.possible_duplicates.is_empty() {
        ctx.out.status(&format!(
            "{} new customer(s) look like stored ones: review with kehu dedupe",
            report.possible_duplicates.len()
        ));
    }
    for (reason, n) in report.by_reason() {
        ctx.out.status(&format!("  rejected {n}× {reason}"));
    }
    if let Some(path) = &args.rejects
        && failed > 0
        && rejects_written
    {
        ctx.out.status(&if committed {
            format!("rejected rows written to {}", path.display())
        } else {
            // Nothing was imported: the file is the list of what to fix, not what to import.
            format!(
                "the rows to fix are listed in {}; fix them in {file} and import {file} again",
                path.display()
            )
        });
    }
    if args.dry_run {
        ctx.out.status("dry run: nothing was written");
        return Ok(if failed > 0 { Status::Partial } else { Status::Ok });
    }
    if args.strict && failed > 0 {
        bail!("--strict: {failed} row(s) rejected, nothing imported");
    }
    if valid == 0 {
        if failed > 0 {
            bail!("no valid rows: all {failed} rejected, nothing imported");
        }
        bail!("{file} has no data rows below its header");
    }
    ctx.out.status(&format!(
        "recorded as import batch {batch} (kehu import undo {batch} reverts it)"
    ));
    Ok(if failed > 0 { Status::Partial } else { Status::Ok })
}

/// The rejected rows as a table (at most 50 listed; the rejects file and JSON have all).
fn print_problems(ctx: &Context, report: &Report) -> Result<()> {
    const SHOWN: usize = 50;
    if !report.rejected.is_empty() {
        let mut records = Records::new(vec![
            Column::new("row", "行号"),
            Column::new("column", "列"),
            Column::new("value", "值"),
            Column::new("reason", "原因"),
        ]);
        records.rows = report
            .rejected
            .iter()
            .take(SHOWN)
            .flat_map(|r| {
                let first = (r.column.as_str(), r.value.as_str(), r.reason.as_str());
                std::iter::once(first)
                    .chain(
                        r.also
                            .iter()
                            .map(|p| (p.column.as_str(), p.value.as_str(), p.reason.as_str())),
                    )
                    .map(|(column, value, reason)| {
                        vec![
                            Cell::Int(r.row as i64),
                            Cell::Text(column.to_string()),
                            Cell::Text(value.to_string()),
                            Cell::Text(reason.to_string()),
                        ]
                    })
            })
            .collect();
        ctx.out.records(&records)?;
        if report.rejected.len() > SHOWN {
            ctx.out.status(&format!(
                "… and {} more rejected rows",
                report.rejected.len() - SHOWN
            ));
        }
    }
    if !report.possible_duplicates.is_empty() {
        let mut records = Records::new(vec![
            Column::new("row", "行号"),
            Column::new("code", "新客户编号"),
            Column::new("of", "疑似重复"),
            Column::new("of_name", "已存客户"),
            Column::new("score", "相似度"),
            Column::new("reasons", "依据"),
        ]);
        records.rows = report
            .possible_duplicates
            .iter()
            .take(SHOWN)
            .map(|d| {
                vec![
                    Cell::Int(d.row as i64),
                    Cell::Text(d.code.clone()),
                    Cell::Text(d.of.clone()),
                    Cell::Text(d.of_name.clone()),
                    Cell::Int(d.score.into()),
                    Cell::Text(d.reasons.clone()),
                ]
            })
            .collect();
        ctx.out.records(&records)?;
    }
    if !report.conflicts.is_empty() {
        let mut records = Records::new(vec![
            Column::new("row", "行号"),
            Column::new("code", "客户编号"),
            Column::new("stored", "已存"),
            Column::new("incoming", "导入"),
            Column::new("reason", "原因"),
        ]);
        records.rows = report
            .conflicts
            .iter()
            .take(SHOWN)
            .map(|c| {
                vec![
                    Cell::Int(c.row as i64),
                    Cell::Text(c.code.clone()),
                    Cell::Text(c.stored.clone()),
                    Cell::Text(c.incoming.clone()),
                    Cell::Text(c.reason.clone()),
                ]
            })
            .collect();
        ctx.out.records(&records)?;
    }
    Ok(())
}

fn show_mapping(ctx: &Context, mapping: &Mapping, header_row: usize) -> Result<()> {
    let mut records = Records::new(vec![
        Column::new("column", "列"),
        Column::new("header", "表头"),
        Column::new("field", "字段"),
        Column::new("unit", "单位"),
        Column::new("by", "依据"),
    ]);
    records.rows = mapping
        .columns
        .iter()
        .map(|c| {
            let (field, by) = match (c.target, c.mapped_by_user) {
                (_, true) => (c.target.map_or("extra (kept)".into(), Target::describe), "--map"),
                (Some(t), false) => (t.describe(), "header"),
                (None, false) => ("extra (kept)".into(), "no field"),
            };
            vec![
                Cell::Int(c.index as i64 + 1),
                Cell::Text(c.header.clone()),
                Cell::Text(field),
                Cell::text((c.unit != Unit::Yuan).then(|| c.unit.label())),
                Cell::Text(by.into()),
            ]
        })
        .collect();
    ctx.out.records(&records)?;
    ctx.out.status(&format!(
        "header found on row {header_row}; file kind: {}",
        mapping.kind.key()
    ));
    Ok(())
}

fn list(ctx: &Context) -> Result<Status> {
    let store = ctx.read()?;
    let batches = store.batches()?;
    let mut records = Records::new(vec![
        Column::new("batch", "批次"),
        Column::new("at", "时间"),
        Column::new("operator", "操作人"),
        Column::new("file", "文件"),
        Column::new("sheet", "工作表"),
        Column::new("kind", "类型"),
        Column::new("read", "读取"),
        Column::new("inserted", "新增"),
        Column::new("updated", "更新"),
        Column::new("unchanged", "未变"),
        Column::new("skipped", "跳过"),
        Column::new("rejected", "退回"),
        Column::new("conflicts", "冲突"),
        Column::new("sha256", "SHA-256"),
        Column::new("undone_at", "撤销时间"),
    ]);
    let n = |b: &crate::store::Batch, k: &str| Cell::Int(b.counts[k].as_i64().unwrap_or(0));
    records.rows = batches
        .iter()
        .map(|b| {
            vec![
                Cell::Int(b.id),
                Cell::Text(b.at.clone()),
                Cell::Text(b.operator.clone()),
                Cell::Text(b.file.clone()),
                Cell::text(b.sheet.clone()),
                Cell::Text(b.kind.clone()),
                n(b, "read"),
                n(b, "inserted"),
                n(b, "updated"),
                n(b, "unchanged"),
                n(b, "skipped"),
                n(b, "rejected"),
                n(b, "conflicts"),
                Cell::Text(b.sha256.clone()),
                Cell::text(b.undone_at.clone()),
            ]
        })
        .collect();
    ctx.out.records(&records)?;
    Ok(Status::Ok)
}

fn undo(ctx: &Context, batch: i64) -> Result<Status> {
    interrupt::catch();
    let mut store = ctx.read()?;
    store.stop_when(&interrupt::REQUESTED);
    let done = store.write(&ctx.actor, |w| w.undo_batch(batch))?;
    if ctx.out.is_json() {
        ctx.out.json(&serde_json::to_value(&done)?)?;
    }
    ctx.out.status(&format!(
        "import batch {batch} undone: {} customers removed, {} restored; {} contacts, {} orders, {} interactions removed{}",
        done.removed_customers,
        done.restored_customers,
        done.removed_contacts,
        done.removed_orders,
        done.removed_interactions,
        [
            (done.restored_contacts, "contacts restored"),
            (done.restored_growth, "industry growth rates restored"),
            (
                done.left_to_later_batches,
                "rows left to the later batches that gave them again",
            ),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("; {n} {what}"))
        .collect::<String>()
    ));
    Ok(Status::Ok)
}
