//! Workbooks (`.xlsx .xlsm .xls .ods`) through calamine.
//!
//! Cells come out as Excel shows them where that matters to a record (see [`super::format`]):
//! floating-point noise rounded to Excel's 15 significant digits, error cells as `#DIV/0!`
//! and the like, a time of day as `14:30` and, in `.xlsx`, percentages as `15%` and codes
//! as their format writes them (`000001`, `KH0020`; calamine reads number formats from
//! `.xlsx` only). A formula the file holds no calculated value for is a [`BadCell`]. A
//! vertically merged cell gives its value to every row it spans (`.xlsx`, `.xls`). The
//! first visible sheet is read unless another is asked for.

use std::collections::HashMap;
use std::path::Path;

use std::sync::mpsc;

use calamine::{
    Data, DataRef, Dimensions, Reader, SheetType, SheetVisible, Sheets, XlsError, XlsxError,
    XlsxFormulaMetadata, expand_shared_formula, open_workbook_auto,
};

use super::format::{Shown, cell_text};
use super::{BadCell, Error, Format, Row, Sheet};

/// Why a formula's cell is refused.
const UNCALCULATED: &str =
    "formula has no saved value: open the file in Excel or WPS and save it, then import again";

/// The text of a formula cell without a value, and the problem it makes for its row.
fn uncalculated(column: usize, formula: &str) -> (String, BadCell) {
    let formula = formula.strip_prefix("of:").unwrap_or(formula);
    let text = if formula.starts_with('=') {
        formula.to_string()
    } else {
        format!("={formula}")
    };
    let bad = BadCell {
        column,
        reason: UNCALCULATED.to_string(),
    };
    (text, bad)
}

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
    let date_1904 = match &workbook {
        Sheets::Xlsx(xlsx) => xlsx.has_1904_epoch(),
        Sheets::Xls(xls) => xls.has_1904_epoch(),
        _ => false,
    };
    if let Sheets::Xlsx(xlsx) = workbook {
        return stream_xlsx(xlsx, shown, name).map(|sheet| Sheet {
            sheets: names,
            date_1904,
            ..sheet
        });
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
    // Formulas, to tell one never calculated from an empty cell. A formula calamine cannot
    // decode does not stop the import: its cell reads as the value the file holds.
    let formulas = workbook.worksheet_formula(&name).ok();
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
        let mut bad = Vec::new();
        let mut numbers = Vec::new();
        cells.extend((0..width).map(|j| {
            let cell = range.get((i, j)).unwrap_or(&Data::Empty);
            let at = ((first_row + i) as u32, (first_col + j) as u32);
            let formula = formulas.as_ref().and_then(|f| f.get_value(at));
            match formula {
                Some(formula) if *cell == Data::Empty && !formula.is_empty() => {
                    let (text, problem) = uncalculated(first_col + j, formula);
                    bad.push(problem);
                    text
                }
                _ => {
                    if matches!(cell, Data::Float(_) | Data::Int(_)) {
                        numbers.push(first_col + j);
                    }
                    cell_text(cell)
                }
            }
        }));
        fill.apply(first_row + i, &mut cells, &mut numbers);
        Ok(Row {
            number: first_row + i + 1,
            position: (i + 1) as u64,
            cells,
            bad,
            numbers,
        })
    });
    Ok(Sheet {
        format: Format::Workbook { sheet: name },
        total: height as u64,
        rows: Box::new(rows),
        sheets: names,
        date_1904,
    })
}

/// A row's cells as read so far, and which of them are number cells.
type RowCells = (Vec<String>, Vec<usize>);

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
        let mut unsaved = match uncalculated_formulas(&mut xlsx, &name) {
            Ok(unsaved) => unsaved,
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
        let mut send = |number: usize, (mut cells, mut numbers): RowCells| {
            position += 1;
            let mut bad = Vec::new();
            for (column, formula) in unsaved.remove(&(number as u32 - 1)).unwrap_or_default() {
                if cells.len() <= column {
                    cells.resize(column + 1, String::new());
                }
                if cells[column].is_empty() {
                    let (text, problem) = uncalculated(column, &formula);
                    cells[column] = text;
                    bad.push(problem);
                }
            }
            fill.apply(number - 1, &mut cells, &mut numbers);
            rows_tx
                .send(Ok(Row {
                    number,
                    position,
                    cells,
                    bad,
                    numbers,
                }))
                .is_ok()
        };
        // The row being read: its number, its cells and which of them are numbers.
        let mut current: Option<(usize, RowCells)> = None;
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
                let blanks = (done + 1..number).map(|n| (n, (Vec::new(), Vec::new())));
                for (n, row) in std::iter::once((done, row)).chain(blanks) {
                    if !send(n, row) {
                        return;
                    }
                }
            }
            let (_, (row, numbers)) = current.get_or_insert_with(|| (number, (Vec::new(), Vec::new())));
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            let shown = formats.get(style).unwrap_or(&Shown::Plain);
            let value = Data::from(cell.get_value().clone());
            if matches!(value, Data::Float(_) | Data::Int(_)) {
                numbers.push(c);
            }
            row[c] = shown.text(&value);
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
        sheets: Vec::new(),
        date_1904: false,
    })
}

/// The formulas of a sheet that hold no calculated value, by row: their column and text.
/// Files written by programs (openpyxl, report exporters) leave the calculating to Excel;
/// until it has saved the file, such a cell is no value at all, not an empty cell.
fn uncalculated_formulas(
    xlsx: &mut calamine::Xlsx<std::io::BufReader<std::fs::File>>,
    name: &str,
) -> Result<HashMap<u32, Vec<(usize, String)>>, XlsxError> {
    let mut cells = xlsx.worksheet_cells_reader(name)?;
    let mut found: HashMap<u32, Vec<(usize, String)>> = HashMap::new();
    // Shared formulas (one formula filled down a column) by index: text and first cell.
    let mut shared: HashMap<usize, (String, (u32, u32))> = HashMap::new();
    while let Some(record) = cells.next_cell_with_formula_metadata()? {
        let formula = match record.formula {
            None => continue,
            Some(XlsxFormulaMetadata::Shared {
                shared_index,
                range,
                formula,
            }) => {
                let start = range.map_or(record.pos, |r| r.start);
                shared.insert(shared_index, (formula.clone(), start));
                formula
            }
            Some(XlsxFormulaMetadata::Normal { formula }) => formula,
            Some(XlsxFormulaMetadata::SharedDerived { shared_index }) => {
                if record.value != DataRef::Empty {
                    continue;
                }
                match shared.get(&shared_index) {
                    Some((template, start)) => expand_shared_formula(template, *start, record.pos)?,
                    None => String::new(),
                }
            }
            Some(_) => continue,
        };
        if record.value == DataRef::Empty && !formula.is_empty() {
            let (row, column) = record.pos;
            found.entry(row).or_default().push((column as usize, formula));
        }
    }
    Ok(found)
}

/// Vertically merged cells (负责人 over three rows) mean their value for every row they
/// span: each of those rows that has cells of its own gets it in the region's first column.
/// Regions within one row (a title across the columns) are left as Excel stores them, the
/// value in their first cell.
struct FillDown {
    /// Regions over more than one row, by their first row, last first.
    waiting: Vec<Dimensions>,
    /// Regions the rows have reached: where they end, their column, their value and
    /// whether it is a number.
    open: Vec<(usize, usize, String, bool)>,
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

    /// Fills `cells`, row `row` (0-based), and takes the values of regions that start there;
    /// `numbers` lists the row's number cells, a filled one among them when its value is.
    fn apply(&mut self, row: usize, cells: &mut Vec<String>, numbers: &mut Vec<usize>) {
        self.open.retain(|(end, _, _, _)| *end >= row);
        if cells.iter().any(|c| !c.is_empty()) {
            for (_, column, value, number) in &self.open {
                if cells.len() <= *column {
                    cells.resize(column + 1, String::new());
                }
                cells[*column].clone_from(value);
                numbers.retain(|c| c != column);
                if *number {
                    numbers.push(*column);
                }
            }
        }
        while let Some(region) = self.waiting.pop_if(|d| d.start.0 as usize <= row) {
            let column = region.start.1 as usize;
            match cells.get(column) {
                Some(value) if region.start.0 as usize == row && !value.is_empty() => {
                    let number = numbers.contains(&column);
                    self.open
                        .push((region.end.0 as usize, column, value.clone(), number));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_number_is_a_number_in_every_row_it_spans() {
        let mut fill = FillDown::new(vec![Dimensions {
            start: (1, 2),
            end: (2, 2),
        }]);
        let (mut cells, mut numbers) = (
            vec!["甲".to_string(), String::new(), "2023.1".to_string()],
            vec![2],
        );
        fill.apply(1, &mut cells, &mut numbers);
        let (mut cells, mut numbers) = (vec!["乙".to_string()], Vec::new());
        fill.apply(2, &mut cells, &mut numbers);
        assert_eq!((cells[2].as_str(), numbers), ("2023.1", vec![2]));
    }
}
