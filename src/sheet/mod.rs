//! Reading spreadsheets: `.xlsx .xlsm .xls .ods` through calamine and `.csv .tsv .txt`
//! through csv-core, as rows of text cells numbered as the spreadsheet shows them.
//!
//! The content decides the reader, not the extension: a zip or OLE file is a workbook and
//! anything else is text, so a CSV or tab-separated export saved as `.xls` is read as what it
//! is (a web page saved as `.xls` is refused with what to do). Text files are decoded on the
//! fly (UTF-8 with or without BOM, UTF-16 with or without BOM, else GB18030, a superset of
//! GBK) and their delimiter is sniffed; they are streamed, never held whole in memory. Cells
//! keep identifiers as typed: a phone number or USCC stored as a number in Excel comes out as
//! its digits, never in scientific notation; date cells come out as `YYYY-MM-DD`, times of
//! day as `14:30` (see `format`).

mod format;
mod text;
mod workbook;

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// One row of cells; `number` is the row number the spreadsheet (or text editor) shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
    /// How far into the file this row ends (bytes for text, rows for workbooks).
    pub position: u64,
    /// Cells whose value the file does not hold, each of which rejects the row.
    pub bad: Vec<BadCell>,
    /// The workbook's number cells, 0-based as in [`Row::cells`]: their text is the number,
    /// not what was typed (`2024.10` is stored as 2024.1). None in a text file.
    pub numbers: Vec<usize>,
}

/// A cell the file does not hold a value for, such as a formula never calculated: its text
/// in [`Row::cells`] is what the clerk would see in the formula bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCell {
    /// 0-based, as in [`Row::cells`].
    pub column: usize,
    pub reason: String,
}

/// What kind of file was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Text { encoding: &'static str, delimiter: u8 },
    Workbook { sheet: String },
}

impl Format {
    pub fn is_workbook(&self) -> bool {
        matches!(self, Format::Workbook { .. })
    }
}

/// An open spreadsheet: its rows, streamed.
pub struct Sheet {
    pub format: Format,
    /// The end value of [`Row::position`], for progress.
    pub total: u64,
    pub rows: Box<dyn Iterator<Item = Result<Row, Error>> + Send>,
    /// A workbook's sheets, by name, in order (none for a text file).
    pub sheets: Vec<String>,
    /// The workbook counts days from 1904 (old Mac Excel), so a bare serial number in a
    /// date column means another day than in other workbooks.
    pub date_1904: bool,
}

impl Sheet {
    /// About how many rows the sheet holds, judged from the rows read so far, the last of
    /// them `last`: a workbook says, and a text file's other rows are taken to be as long.
    pub fn rows_expected(&self, last: &Row) -> u64 {
        match self.format {
            Format::Workbook { .. } => self.total,
            Format::Text { .. } => self.total.saturating_mul(last.number as u64) / last.position.max(1),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is empty")]
    Empty { path: String },
    #[error("{path} is not a spreadsheet ({reason}); kehu reads .xlsx .xlsm .xls .ods .csv .tsv .txt")]
    NotSpreadsheet { path: String, reason: String },
    #[error("{path} is a web page saved under a workbook's name; open it in Excel and save it as .xlsx")]
    WebPage { path: String },
    #[error("{path} is a password-protected workbook; save it without a password first")]
    Password { path: String },
    #[error("{path} has no sheet {wanted} (sheets: {available})")]
    NoSuchSheet {
        path: String,
        wanted: String,
        available: String,
    },
    #[error("cannot read {path}: {reason}")]
    Workbook { path: String, reason: String },
}

/// Opens `path`, choosing the reader from the file's content (and then its extension).
/// `sheet` picks a workbook sheet by name or 1-based number (hidden sheets count); the first
/// visible one by default.
pub fn open(path: &Path, sheet: Option<&str>) -> Result<Sheet, Error> {
    let shown = path.display().to_string();
    let io = |source| Error::Io {
        path: shown.clone(),
        source,
    };
    let mut head = Vec::with_capacity(1024);
    File::open(path)
        .and_then(|file| file.take(1024).read_to_end(&mut head))
        .map_err(io)?;
    if head.is_empty() {
        return Err(Error::Empty { path: shown });
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return workbook::open(path, sheet);
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let disguised = matches!(extension.as_str(), "xlsx" | "xlsm" | "xls" | "ods" | "xlsb");
    if disguised && is_web_page(&head) {
        return Err(Error::WebPage { path: shown });
    }
    text::open(path, disguised)
}

/// HTML, as ERP and web systems write when they "export to Excel".
fn is_web_page(head: &[u8]) -> bool {
    let text = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start();
    let start = &text[..text.len().min(16)];
    ["<html", "<!doctype html", "<table", "<head", "<meta"]
        .iter()
        .any(|tag| start.len() >= tag.len() && start[..tag.len()].eq_ignore_ascii_case(tag.as_bytes()))
}

/// SHA-256 of a file, hex.
pub fn sha256(path: &Path) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_text_file_is_expected_to_hold_as_many_rows_as_its_first_rows_say() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("客户.csv");
        let mut text = String::from("客户名称,省份\n");
        for i in 0..1000 {
            text.push_str(&format!("深圳市第{i:04}号科技有限公司,广东\n"));
        }
        std::fs::write(&path, text).unwrap();
        let mut sheet = super::open(&path, None).unwrap();
        let tenth = sheet.rows.nth(10).unwrap().unwrap();
        let expected = sheet.rows_expected(&tenth);
        // 1,001 lines, the header among them.
        assert!((900..=1100).contains(&expected), "{expected}");
    }
}
