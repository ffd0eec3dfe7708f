//! The rejects file of `kehu import --rejects FILE`: each rejected row's original cells and a
//! 导入退回原因 (why the import sent it back) column, as csv or xlsx, for the clerk to fix and
//! import again.
//!
//! The rows are held in an anonymous temporary file while the import runs and written out at
//! the end, through a temporary file beside the destination that then takes its name. So the
//! reason column can go after the widest row (a row may run past its header), a failed import
//! leaves no half-written file, and `--rejects` may name the very file being imported: it is
//! replaced only once it has been read to the end.

use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::UsageError;
use crate::sheet::Format;

/// The reason column's header: one no clerk's own file has, so a column of theirs (a churn
/// list's 原因) is never taken for it.
const REASON: &str = "导入退回原因";

/// The most characters an xlsx cell holds, counted as UTF-16 does (an emoji is two).
const XLSX_CELL_CHARS: usize = 32_767;

/// As much of `text` as an xlsx cell holds.
fn fit_xlsx(text: &str) -> &str {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > XLSX_CELL_CHARS {
            return &text[..at];
        }
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv(u8),
    Xlsx,
}

pub struct Rejects {
    path: PathBuf,
    /// Where the file is written before it takes `path`'s name; made at the start, so a
    /// destination that cannot be written is known before anything is imported.
    out: tempfile::NamedTempFile,
    kind: Kind,
    /// The worksheet's name in an xlsx file: the input sheet's, if it was one.
    sheet: Option<String>,
    header: Vec<String>,
    /// The column of a reason the input already has (it is itself a rejects file): the new
    /// reason replaces the old there.
    reason_column: Option<usize>,
    /// The widest row so far, in cells.
    width: usize,
    /// Each row as its reason followed by its cells.
    held: csv::Writer<File>,
}

/// The file being imported, as the rejects file needs to know it.
pub struct Input<'a> {
    pub path: &'a Path,
    pub format: &'a Format,
    pub header: &'a [String],
    /// Why rows of the input would be neither imported nor in the rejects file if the
    /// rejects file replaced it (`--dry-run`, `--strict`, `--on-existing skip`), if so.
    pub rows_not_kept: Option<&'static str>,
}

impl Rejects {
    /// Checks the destination before anything is read: its type (`.csv .txt .tsv .xlsx`, or
    /// no extension for the input's own kind), that it can be written, and that writing it
    /// loses nothing. It may be the csv being imported, whose valid rows are then stored:
    /// not when some might not be, and not a workbook, whose other sheets would be lost.
    pub fn new(path: &Path, input: Input) -> Result<Self> {
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        let workbook_input = input.format.is_workbook();
        if same(path, input.path) {
            let why = match (workbook_input, input.rows_not_kept) {
                (true, _) => Some("the workbook's other sheets and formatting would be lost"),
                (false, why) => why,
            };
            if let Some(why) = why {
                return Err(UsageError(format!(
                    "--rejects {} is the file being imported: {why}; name another file",
                    path.display()
                ))
                .into());
            }
        }
        if path.is_dir()
            || path
                .as_os_str()
                .to_string_lossy()
                .ends_with(std::path::is_separator)
        {
            return Err(UsageError(format!(
                "--rejects {} is a directory; name a file",
                path.display()
            ))
            .into());
        }
        // A text input's own delimiter for a .txt (Excel's "Unicode text" is tab-separated).
        let delimiter = match input.format {
            Format::Text { delimiter, .. } => *delimiter,
            Format::Workbook { .. } => b',',
        };
        let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        let kind = match extension.as_deref() {
            Some("xlsx") => Kind::Xlsx,
            Some("csv") => Kind::Csv(b','),
            Some("txt") => Kind::Csv(delimiter),
            Some("tsv") => Kind::Csv(b'\t'),
            None if workbook_input => Kind::Xlsx,
            None => Kind::Csv(delimiter),
            Some(other) => {
                return Err(UsageError(format!(
                    "--rejects {}: kehu writes rejected rows as .xlsx or .csv, not .{other}",
                    path.display()
                ))
                .into());
            }
        };
        let held = tempfile::tempfile().context("cannot create a temporary file for the rejected rows")?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        // A file like any other the clerk saves, not a private temporary one.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let out = builder
            .tempfile_in(dir)
            .with_context(|| format!("--rejects {}: cannot write in {}", path.display(), dir.display()))?;
        Ok(Rejects {
            path: path.to_path_buf(),
            out,
            kind,
            sheet: match input.format {
                Format::Workbook { sheet } => Some(sheet.clone()),
                Format::Text { .. } => None,
            },
            header: input.header.to_vec(),
            reason_column: input.header.iter().position(|h| h.trim() == REASON),
            width: input.header.len(),
            held: csv::WriterBuilder::new().flexible(true).from_writer(held),
        })
    }

    pub fn add(&mut self, cells: &[String], reason: &str) -> Result<()> {
        self.width = self.width.max(cells.len());
        self.held
            .write_record(std::iter::once(reason).chain(cells.iter().map(String::as_str)))?;
        Ok(())
    }

    /// Writes the file: the header, then each row with its reason.
    pub fn finish(self) -> Result<()> {
        let column = self.reason_column.unwrap_or(self.width);
        let mut held = self.held.into_inner().map_err(|e| e.into_error())?;
        held.rewind()?;
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(held);
        let lay_out = |cells: &mut dyn Iterator<Item = &str>, reason: &str| -> Vec<String> {
            let mut row: Vec<String> = cells.map(str::to_string).collect();
            row.resize(row.len().max(column + 1), String::new());
            row[column] = reason.to_string();
            row
        };
        let mut out = self.out;
        let header = lay_out(&mut self.header.iter().map(String::as_str), REASON);
        match self.kind {
            Kind::Csv(delimiter) => {
                // A BOM so Excel on a Chinese Windows opens the UTF-8 file correctly.
                out.write_all(b"\xEF\xBB\xBF")?;
                let mut w = csv::WriterBuilder::new()
                    .flexible(true)
                    .delimiter(delimiter)
                    .from_writer(&mut out);
                w.write_record(&header)?;
                for record in rows.records() {
                    let record = record?;
                    let mut fields = record.iter();
                    let reason = fields.next().unwrap_or_default();
                    w.write_record(lay_out(&mut fields, reason))?;
                }
                w.flush()?;
            }
            Kind::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                if let Some(name) = &self.sheet {
                    // Best effort: a name Excel would refuse leaves the default one.
                    let _ = sheet.set_name(name);
                }
                sheet.write_row(0, 0, &header)?;
                for (i, record) in rows.records().enumerate() {
                    let record = record?;
                    let mut fields = record.iter();
                    let reason = fields.next().unwrap_or_default();
                    // Text cells keep identifiers and dates exactly as they were read, but
                    // for one longer than an xlsx cell holds: cut, and said so.
                    let mut cut = false;
                    let cells: Vec<&str> = fields
                        .map(|cell| {
                            let fits = fit_xlsx(cell);
                            cut |= fits.len() < cell.len();
                            fits
                        })
                        .collect();
                    let reason = if cut {
                        format!(
                            "{reason}; a cell was cut to the {XLSX_CELL_CHARS} characters an xlsx cell holds"
                        )
                    } else {
                        reason.to_string()
                    };
                    // The reason names the value, so it may be as long.
                    let reason = fit_xlsx(&reason);
                    sheet.write_row(i as u32 + 1, 0, lay_out(&mut cells.into_iter(), reason))?;
                }
                book.save_to_writer(&mut out)?;
            }
        }
        out.as_file().sync_all()?;
        out.persist(&self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}
