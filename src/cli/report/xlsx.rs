//! A report as a spreadsheet: a summary sheet, then one sheet per section, numbers stored as
//! numbers (money with two decimals) so the analyst can work on them.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Result;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use super::Report;
use crate::cli::output::Cell;

/// Characters a sheet name may not hold.
const FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// A valid, unique sheet name (≤ 31 characters) from a title.
fn sheet_name(title: &str, used: &mut HashSet<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if FORBIDDEN.contains(&c) { ' ' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'');
    let clean = if clean.is_empty() { "Sheet" } else { clean };
    let mut name: String = clean.chars().take(31).collect();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        name = format!("{}~{n}", clean.chars().take(28).collect::<String>());
        n += 1;
    }
    name
}

struct Formats {
    bold: Format,
    title: Format,
    money: Format,
    int: Format,
    decimal: Format,
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, zh: bool, f: &Formats) -> Result<()> {
    match cell {
        Cell::Null => {}
        Cell::Int(i) => {
            ws.write_number_with_format(row, col, *i as f64, &f.int)?;
        }
        Cell::Money(fen) => {
            ws.write_number_with_format(row, col, *fen as f64 / 100.0, &f.money)?;
        }
        Cell::Decimal(d) => match d.to_f64() {
            Some(v) => {
                ws.write_number_with_format(row, col, v, &f.decimal)?;
            }
            None => {
                ws.write_string(row, col, d.to_string())?;
            }
        },
        other => {
            ws.write_string(row, col, other.shown(zh))?;
        }
    }
    Ok(())
}

pub fn write(report: &Report, zh: bool, path: &Path) -> Result<()> {
    let f = Formats {
        bold: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        money: Format::new().set_num_format("#,##0.00"),
        int: Format::new().set_num_format("#,##0"),
        decimal: Format::new().set_num_format("0.00"),
    };
    let mut wb = Workbook::new();
    let mut used = HashSet::new();

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(if zh { "概要" } else { "Summary" }, &mut used))?;
    ws.write_string_with_format(0, 0, report.title(zh), &f.title)?;
    let mut row = 2;
    for item in &report.summary {
        ws.write_string_with_format(row, 0, if zh { item.zh } else { item.key }, &f.bold)?;
        write_cell(ws, row, 1, &item.value, zh, &f)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, if zh { "生成时间" } else { "generated" }, &f.bold)?;
    ws.write_string(row, 1, &report.generated)?;
    row += 2;
    for (zh_note, en_note) in &report.notes {
        ws.write_string(row, 0, if zh { zh_note } else { en_note })?;
        row += 1;
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 40)?;

    for s in &report.sections {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(if zh { &s.zh } else { &s.en }, &mut used))?;
        for (c, col) in s.records.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, if zh { &col.zh } else { &col.key }, &f.bold)?;
        }
        for (r, cells) in s.records.rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                write_cell(ws, r as u32 + 1, c as u16, cell, zh, &f)?;
            }
        }
        if s.of.is_some() {
            let at = s.records.rows.len() as u32 + 2;
            ws.write_string(at, 0, s.title(zh))?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofit();
    }
    wb.save(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(sheet_name("From → to [rows]", &mut used), "From → to  rows");
        assert_eq!(sheet_name("Stale", &mut used), "Stale");
        assert_eq!(sheet_name("stale", &mut used), "stale~2");
        let long = sheet_name(&"x".repeat(40), &mut used);
        assert!(long.chars().count() <= 31);
    }
}
