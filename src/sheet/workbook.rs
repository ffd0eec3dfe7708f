//! Workbooks (`.xlsx .xlsm .xls .ods`) through calamine. The first visible sheet is read
//! unless another is asked for.

use std::path::Path;

use std::sync::mpsc;

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets, XlsError, XlsxError, open_workbook_auto};

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
    let range = workbook.worksheet_range(&name).map_err(|e| Error::Workbook {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
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
        let mut cells = match xlsx.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            Err(e) => {
                let _ = size_tx.send(Err(failed(e)));
                return;
            }
        };
        let dimensions = cells.dimensions();
        let _ = size_tx.send(Ok(dimensions.end.0.saturating_sub(dimensions.start.0) as u64 + 1));
        let mut position = 0;
        // False once the reader of the rows has stopped.
        let mut send = |number: usize, cells: Vec<String>| {
            position += 1;
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
            let cell = match cells.next_cell() {
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
            row[c] = cell_text(&Data::from(cell.get_value().clone()));
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
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{f:.0}")
    } else {
        // Display never uses an exponent and prints the shortest exact form.
        f.to_string()
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
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(cell_text(&Data::Int(44931)), "44931");
    }
}
