//! Workbooks (`.xlsx .xlsm .xls .ods`) through calamine.
//!
//! Cells come out as Excel shows them where that matters to a record: floating-point noise
//! rounded to Excel's 15 significant digits, error cells as `#DIV/0!` and the like and, in
//! `.xlsx`, percentages as `15%` and zero-padded codes as `000001` (calamine reads number
//! formats from `.xlsx` only). A vertically merged cell gives its value to every row it
//! spans. The first visible sheet is read unless another is asked for.

use std::path::Path;

use std::sync::mpsc;

use calamine::{
    CellErrorType, Data, Dimensions, Reader, SheetType, SheetVisible, Sheets, XlsError, XlsxError,
    open_workbook_auto,
};

use super::{Error, Format, Row, Sheet};

pub fn open(path: &Path, wanted: Option<&str>) -> Result<Sheet, Error> {
    let shown = path.display().to_string();
    let mut workbook = open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Xlsx(XlsxError::Password) | calamine::Error::Xls(XlsError::Password) => {
            Error::Password { path: shown.clone() }
        }
        e => Error::NotSpreadsheet {
            path: shown.clone(),
            reason: e.to_string(),
        },
    })?;
    let names = workbook.sheet_names();
    let name = match wanted {
        // The first sheet the clerk sees: hidden sheets hold lookups and old data.
        None => workbook
            .sheets_metadata()
            .iter()
            .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .or_else(|| names.first().cloned()),
        Some(w) => names.iter().find(|n| n.as_str() == w).cloned().or_else(|| {
            w.parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| names.get(i).cloned())
        }),
    }
    .ok_or_else(|| Error::NoSuchSheet {
        path: shown.clone(),
        wanted: wanted.unwrap_or("1").to_string(),
        available: names.join(", "),
    })?;
    if let Sheets::Xlsx(xlsx) = workbook {
        return stream_xlsx(xlsx, shown, name);
    }
    let failed = |reason: String| Error::Workbook {
        path: shown.clone(),
        reason,
    };
    let merged = match &workbook {
        Sheets::Xls(xls) => xls
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| failed(e.to_string()))?,
        _ => Vec::new(),
    };
    let mut fill = FillDown::new(merged);
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| failed(e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let (height, width) = (range.height(), range.width());
    if height == 0 {
        return Err(Error::Empty {
            path: format!("{shown} (sheet {name})"),
        });
    }
    // Each row's text is made as it is read: the sheet is held once, as calamine read it.
    let rows = (0..height).map(move |i| {
        let mut cells = vec![String::new(); first_col];
        cells.extend((0..width).map(|j| range.get((i, j)).map_or_else(String::new, cell_text)));
        fill.apply(first_row + i, &mut cells);
        Ok(Row {
            number: first_row + i + 1,
            position: (i + 1) as u64,
            cells,
        })
    });
    Ok(Sheet {
        format: Format::Workbook { sheet: name },
        total: height as u64,
        rows: Box::new(rows),
    })
}

/// An xlsx sheet, read a cell at a time on a thread of its own and handed over a row at a
/// time, so a large workbook is never held whole in memory (its shared strings are).
fn stream_xlsx(
    mut xlsx: calamine::Xlsx<std::io::BufReader<std::fs::File>>,
    shown: String,
    name: String,
) -> Result<Sheet, Error> {
    let (rows_tx, rows_rx) = mpsc::sync_channel::<Result<Row, Error>>(256);
    let (size_tx, size_rx) = mpsc::sync_channel::<Result<u64, Error>>(1);
    let (path, sheet) = (shown.clone(), name.clone());
    std::thread::spawn(move || {
        let failed = |e: calamine::XlsxError| Error::Workbook {
            path: path.clone(),
            reason: e.to_string(),
        };
        // Merged regions are listed after the cells: a first pass over the sheet finds them.
        let mut fill = match xlsx.merge_cells_by_sheet_name(&name) {
            Ok(merged) => FillDown::new(merged),
            Err(e) => {
                let _ = size_tx.send(Err(failed(e)));
                return;
            }
        };
        let mut cells = match xlsx.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            Err(e) => {
                let _ = size_tx.send(Err(failed(e)));
                return;
            }
        };
        let dimensions = cells.dimensions();
        let formats: Vec<Shown> = (cells.styles().iter())
            .map(|style| {
                style
                    .number_format
                    .as_ref()
                    .map_or(Shown::Plain, |f| Shown::of(&f.format_code))
            })
            .collect();
        let _ = size_tx.send(Ok(dimensions.end.0.saturating_sub(dimensions.start.0) as u64 + 1));
        let mut position = 0;
        // False once the reader of the rows has stopped.
        let mut send = |number: usize, mut cells: Vec<String>| {
            position += 1;
            fill.apply(number - 1, &mut cells);
            rows_tx
                .send(Ok(Row {
                    number,
                    position,
                    cells,
                }))
                .is_ok()
        };
        // The row being read: its number and cells.
        let mut current: Option<(usize, Vec<String>)> = None;
        loop {
            let (cell, style) = match cells.next_cell_with_style_id() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(e) => {
                    let _ = rows_tx.send(Err(failed(e)));
                    return;
                }
            };
            let (r, c) = cell.get_position();
            let (number, c) = (r as usize + 1, c as usize);
            if let Some((done, row)) = current.take_if(|(n, _)| *n != number) {
                // Rows without a cell in between are blank rows, reported as such.
                let blanks = (done + 1..number).map(|n| (n, Vec::new()));
                for (n, row) in std::iter::once((done, row)).chain(blanks) {
                    if !send(n, row) {
                        return;
                    }
                }
            }
            let (_, row) = current.get_or_insert_with(|| (number, Vec::new()));
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            let shown = formats.get(style).copied().unwrap_or(Shown::Plain);
            row[c] = shown.text(&Data::from(cell.get_value().clone()));
        }
        if let Some((n, row)) = current {
            send(n, row);
        }
    });
    let total = size_rx.recv().unwrap_or(Ok(0))?;
    let mut rows = rows_rx.into_iter().peekable();
    if rows.peek().is_none() {
        return Err(Error::Empty {
            path: format!("{shown} (sheet {sheet})"),
        });
    }
    Ok(Sheet {
        format: Format::Workbook { sheet },
        total,
        rows: Box::new(rows),
    })
}

/// Vertically merged cells (负责人 over three rows) mean their value for every row they
/// span: each of those rows that has cells of its own gets it in the region's first column.
/// Regions within one row (a title across the columns) are left as Excel stores them, the
/// value in their first cell.
struct FillDown {
    /// Regions over more than one row, by their first row, last first.
    waiting: Vec<Dimensions>,
    /// Regions the rows have reached: where they end, their column and their value.
    open: Vec<(usize, usize, String)>,
}

impl FillDown {
    fn new(mut merged: Vec<Dimensions>) -> Self {
        merged.retain(|d| d.end.0 > d.start.0);
        merged.sort_by_key(|d| std::cmp::Reverse(d.start.0));
        FillDown {
            waiting: merged,
            open: Vec::new(),
        }
    }

    /// Fills `cells`, row `row` (0-based), and takes the values of regions that start there.
    fn apply(&mut self, row: usize, cells: &mut Vec<String>) {
        self.open.retain(|(end, _, _)| *end >= row);
        if cells.iter().any(|c| !c.is_empty()) {
            for (_, column, value) in &self.open {
                if cells.len() <= *column {
                    cells.resize(column + 1, String::new());
                }
                cells[*column].clone_from(value);
            }
        }
        while let Some(region) = self.waiting.pop_if(|d| d.start.0 as usize <= row) {
            let column = region.start.1 as usize;
            match cells.get(column) {
                Some(value) if region.start.0 as usize == row && !value.is_empty() => {
                    self.open.push((region.end.0 as usize, column, value.clone()));
                }
                _ => {}
            }
        }
    }
}

/// What a cell's number format changes in the text Excel shows for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Plain,
    /// `0%`, `0.0%`: 0.15 shows as `15%`.
    Percent,
    /// `000000`: 1 shows as `000001`.
    ZeroPadded(usize),
}

impl Shown {
    /// From a number format code.
    fn of(code: &str) -> Shown {
        // The section for positive numbers, as in `0.00%;[Red]-0.00%`.
        let code = code.split(';').next().unwrap_or_default();
        if code.len() >= 2 && code.bytes().all(|b| b == b'0') {
            return Shown::ZeroPadded(code.len());
        }
        // A `%` that is not quoted (`0"%"`), escaped (`0\%`) or in brackets scales by 100.
        let (mut quoted, mut escaped, mut bracketed) = (false, false, false);
        for c in code.chars() {
            match c {
                _ if escaped => escaped = false,
                '"' => quoted = !quoted,
                _ if quoted => {}
                '\\' => escaped = true,
                '[' => bracketed = true,
                ']' => bracketed = false,
                '%' if !bracketed => return Shown::Percent,
                _ => {}
            }
        }
        Shown::Plain
    }

    fn text(self, cell: &Data) -> String {
        let number = match cell {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            _ => return cell_text(cell),
        };
        match self {
            Shown::Percent => format!("{}%", float_text(number * 100.0)),
            Shown::ZeroPadded(width) if number >= 0.0 && number.fract() == 0.0 && number < 1e17 => {
                format!("{number:0width$.0}")
            }
            _ => cell_text(cell),
        }
    }
}

/// A cell as text: numbers without a spurious `.0` or exponent, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => t.date().format("%Y-%m-%d").to_string(),
            _ => float_text(dt.as_f64()),
        },
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(CellErrorType::GettingData) => "#GETTING_DATA".to_string(),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as Excel shows it: integers with all their digits (a phone or USCC stored as a
/// number), others to 15 significant digits, so `0.1 + 0.2` is `0.3`; never an exponent.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        return format!("{f:.0}");
    }
    if f.abs() >= 1e15 {
        // No decimals left to round: the shortest form that reads back as the same number.
        return f.to_string();
    }
    // The exponent of the value rounded to 15 significant digits gives the decimals to keep.
    let rounded = format!("{f:.14e}");
    let exponent: i32 = rounded
        .rsplit_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let decimals = (14 - exponent).max(0) as usize;
    let text = format!("{f:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(float_text(13812345678.0), "13812345678");
        assert_eq!(float_text(913101127033980359.0), "913101127033980400");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(cell_text(&Data::Int(44931)), "44931");
    }

    /// Excel keeps 15 significant digits: what lies beyond is binary noise the clerk never saw.
    #[test]
    fn floating_point_noise_is_rounded_as_excel_shows_it() {
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(8.100000000000001), "8.1");
        assert_eq!(float_text(125.49999999999999), "125.5");
        assert_eq!(float_text(-2.675), "-2.675");
        assert_eq!(float_text(0.000012345), "0.000012345");
        assert_eq!(float_text(1234567.891), "1234567.891");
        assert_eq!(float_text(0.123_456_789_012_345_68), "0.123456789012346");
    }

    #[test]
    fn percentages_and_zero_padded_codes_read_as_excel_shows_them() {
        let shown = |code: &str, cell: Data| Shown::of(code).text(&cell);
        assert_eq!(shown("0%", Data::Float(0.15)), "15%");
        assert_eq!(shown("0.00%;[Red]-0.00%", Data::Float(-0.0325)), "-3.25%");
        assert_eq!(
            shown("0%", Data::Float(0.155)),
            "15.5%",
            "every digit, not the shown 16%"
        );
        assert_eq!(shown("000000", Data::Float(1.0)), "000001");
        assert_eq!(shown("000000", Data::Int(1234567)), "1234567");
        assert_eq!(shown("000000", Data::Float(1.5)), "1.5");
        assert_eq!(
            shown("0\"%\"", Data::Float(15.0)),
            "15",
            "a quoted % does not scale"
        );
        assert_eq!(shown("[$%-804]0", Data::Float(15.0)), "15");
        assert_eq!(shown("0%", Data::String("待定".into())), "待定");
        assert_eq!(shown("General", Data::Float(0.15)), "0.15");
    }

    #[test]
    fn error_cells_read_as_excel_writes_them() {
        let shown: Vec<String> = [
            CellErrorType::Div0,
            CellErrorType::NA,
            CellErrorType::Ref,
            CellErrorType::Value,
            CellErrorType::Name,
            CellErrorType::Num,
            CellErrorType::Null,
            CellErrorType::GettingData,
        ]
        .into_iter()
        .map(|e| cell_text(&Data::Error(e)))
        .collect();
        assert_eq!(
            shown,
            [
                "#DIV/0!",
                "#N/A",
                "#REF!",
                "#VALUE!",
                "#NAME?",
                "#NUM!",
                "#NULL!",
                "#GETTING_DATA"
            ]
        );
    }
}
