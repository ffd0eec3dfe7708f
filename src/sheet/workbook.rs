//! Workbooks (`.xlsx .xlsm .xls .ods`) through calamine.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use super::{Error, Format, Row, Sheet};

pub fn open(path: &Path, wanted: Option<&str>) -> Result<Sheet, Error> {
    let shown = path.display().to_string();
    let mut workbook = open_workbook_auto(path).map_err(|e| Error::NotSpreadsheet {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let names = workbook.sheet_names();
    let name = match wanted {
        None => names.first().cloned(),
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
    let range = workbook.worksheet_range(&name).map_err(|e| Error::Workbook {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let rows: Vec<Row> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut out = vec![String::new(); first_col];
            out.extend(cells.iter().map(cell_text));
            Row {
                number: first_row + i + 1,
                position: (i + 1) as u64,
                cells: out,
            }
        })
        .collect();
    if rows.is_empty() {
        return Err(Error::Empty {
            path: format!("{shown} (sheet {name})"),
        });
    }
    Ok(Sheet {
        format: Format::Workbook { sheet: name },
        total: rows.len() as u64,
        rows: Box::new(rows.into_iter().map(Ok)),
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
