//! A report as one self-contained web page: inline CSS, SVG charts (bars for distributions,
//! a heat map for matrices) above each section's table, no scripts and nothing fetched from
//! the network, so it can be mailed, opened in any browser and printed.
//!
//! The markup is also well-formed XML (every element closed, attributes quoted, only the
//! five XML entities), which keeps it easy to check and to post-process.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use rust_decimal::prelude::ToPrimitive;

use super::{Chart, Report, Section};
use crate::cli::output::{Cell, Records};

/// Bars beyond this many rows are left out of a chart (the table still has them all).
const MAX_BARS: usize = 40;
const FONT: &str = "\"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", system-ui, sans-serif";
const BAR: &str = "#3f6fb5";

const CSS: &str = "
body { font-family: FONT; color: #1d2733; margin: 24px auto; max-width: 1060px; padding: 0 16px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; border-bottom: 2px solid #3f6fb5; padding-bottom: 4px; margin: 32px 0 8px; }
.meta { color: #5b6b7c; font-size: 13px; margin: 0 0 16px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #d5dce4; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #eef3f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary th { background: #f6f8fa; font-weight: normal; color: #4a5a6a; }
figure { margin: 12px 0; }
figcaption { font-size: 13px; color: #4a5a6a; margin-bottom: 4px; }
svg text { font-size: 12px; }
ul.notes { font-size: 13px; color: #4a5a6a; padding-left: 20px; }
p.empty { color: #5b6b7c; font-style: italic; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
}
";

/// Escapes text for element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters, with `…` when cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

fn number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Int(i) => Some(*i as f64),
        Cell::Money(fen) => Some(*fen as f64 / 100.0),
        Cell::Decimal(d) => d.to_f64(),
        _ => None,
    }
}

/// A cell as the page shows it: money grouped in thousands (`1,234,567.80`).
fn shown(cell: &Cell, zh: bool) -> String {
    match cell {
        Cell::Money(fen) => {
            let plain = cell.shown(zh);
            let (sign, digits) = plain.strip_prefix('-').map_or(("", plain.as_str()), |d| ("-", d));
            let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
            let mut grouped = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            debug_assert!(*fen < 0 || sign.is_empty());
            format!("{sign}{grouped}.{frac}")
        }
        other => other.shown(zh),
    }
}

fn is_number(cell: &Cell) -> bool {
    number(cell).is_some()
}

/// The stable key behind a label cell (to match row and column keys).
fn key_of(cell: &Cell) -> Option<&str> {
    match cell {
        Cell::Label { key, .. } | Cell::Text(key) => Some(key),
        _ => None,
    }
}

pub fn write(report: &Report, zh: bool, path: &Path) -> Result<()> {
    std::fs::write(path, render(report, zh))?;
    Ok(())
}

/// The whole page.
pub fn render(report: &Report, zh: bool) -> String {
    let mut h = String::new();
    let title = report.title(zh);
    let lang = if zh { "zh-CN" } else { "en" };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(title),
        CSS.replace("FONT", FONT)
    );
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} {}</p>\n</header>\n",
        esc(title),
        if zh { "生成时间" } else { "Generated" },
        esc(&report.generated)
    );
    h.push_str("<section id=\"summary\">\n");
    let _ = writeln!(h, "<h2>{}</h2>", if zh { "概要" } else { "Summary" });
    h.push_str("<table class=\"summary\"><tbody>\n");
    for item in &report.summary {
        let class = if is_number(&item.value) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td{class}>{}</td></tr>",
            esc(if zh { item.zh } else { item.key }),
            esc(&shown(&item.value, zh))
        );
    }
    h.push_str("</tbody></table>\n");
    if !report.notes.is_empty() {
        h.push_str("<ul class=\"notes\">\n");
        for (zh_note, en_note) in &report.notes {
            let _ = writeln!(h, "<li>{}</li>", esc(if zh { zh_note } else { en_note }));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
    for s in &report.sections {
        section(&mut h, s, zh);
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn section(h: &mut String, s: &Section, zh: bool) {
    let _ = writeln!(
        h,
        "<section id=\"{}\">\n<h2>{}</h2>",
        esc(s.key),
        esc(&s.title(zh))
    );
    if s.records.rows.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"empty\">{}</p>\n</section>",
            if zh { "无" } else { "None." }
        );
        return;
    }
    for chart in &s.charts {
        match chart {
            Chart::Bars {
                zh: t_zh,
                en: t_en,
                label,
                value,
            } => bars(h, if zh { t_zh } else { t_en }, &s.records, *label, *value, zh),
            Chart::Heat {
                zh: t_zh,
                en: t_en,
                label,
                first,
                last,
            } => heat(
                h,
                if zh { t_zh } else { t_en },
                &s.records,
                *label,
                *first,
                *last,
                zh,
            ),
        }
    }
    table(h, &s.records, zh);
    h.push_str("</section>\n");
}

fn table(h: &mut String, r: &Records, zh: bool) {
    h.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for c in &r.columns {
        let _ = write!(h, "<th>{}</th>", esc(if zh { &c.zh } else { &c.key }));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &r.rows {
        h.push_str("<tr>");
        for cell in row {
            let class = if is_number(cell) { " class=\"num\"" } else { "" };
            let _ = write!(h, "<td{class}>{}</td>", esc(&shown(cell, zh)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
}

/// Horizontal bars, one per row, longest = the largest value.
fn bars(h: &mut String, title: &str, r: &Records, label: usize, value: usize, zh: bool) {
    let drawn = r.rows.len().min(MAX_BARS);
    let rows = &r.rows[..drawn];
    let max = rows
        .iter()
        .filter_map(|row| number(&row[value]))
        .fold(0.0_f64, f64::max);
    let (label_w, value_w, bar_w, row_h) = (180.0, 120.0, 420.0, 24.0);
    let width = label_w + bar_w + value_w;
    let height = rows.len() as f64 * row_h + 8.0;
    let caption = if drawn < r.rows.len() {
        if zh {
            format!("{title}（前 {drawn} 项，共 {} 项）", r.rows.len())
        } else {
            format!("{title} (first {drawn} of {})", r.rows.len())
        }
    } else {
        title.to_string()
    };
    let _ = writeln!(
        h,
        "<figure>\n<figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(&caption),
        esc(title)
    );
    for (i, row) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let name = row[label].shown(zh);
        let v = number(&row[value]).unwrap_or(0.0);
        let w = if max > 0.0 {
            (v / max * bar_w).max(if v > 0.0 { 1.0 } else { 0.0 })
        } else {
            0.0
        };
        let text = shown(&row[value], zh);
        let _ = writeln!(
            h,
            "<g><title>{}: {}</title>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" rx=\"2\" fill=\"{BAR}\"/>\
             <text x=\"{:.1}\" y=\"{}\" fill=\"#1d2733\">{}</text></g>",
            esc(&name),
            esc(&text),
            label_w - 8.0,
            y + row_h * 0.62,
            esc(&clip(&name, 14)),
            y + 3.0,
            row_h - 6.0,
            label_w + w + 6.0,
            y + row_h * 0.62,
            esc(&text)
        );
    }
    h.push_str("</svg>\n</figure>\n");
}

/// Linear blend from a pale to a deep blue for `t` in 0..=1.
fn shade(t: f64) -> String {
    let (a, b) = ((234.0, 241.0, 250.0), (31.0, 78.0, 140.0));
    let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A heat map of columns `first..=last` against the rows; cells whose row and column are
/// the same value (no move, in a movement matrix) are outlined.
fn heat(h: &mut String, title: &str, r: &Records, label: usize, first: usize, last: usize, zh: bool) {
    let cols = &r.columns[first..=last];
    let max = r
        .rows
        .iter()
        .flat_map(|row| row[first..=last].iter().filter_map(number))
        .fold(0.0_f64, f64::max);
    let (label_w, head_h, cell_w, cell_h) = (160.0, 34.0, 86.0, 32.0);
    let width = label_w + cols.len() as f64 * cell_w + 4.0;
    let height = head_h + r.rows.len() as f64 * cell_h + 4.0;
    let _ = writeln!(
        h,
        "<figure>\n<figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heat\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
    for (c, col) in cols.iter().enumerate() {
        let x = label_w + c as f64 * cell_w + cell_w / 2.0;
        let name = if zh { &col.zh } else { &col.key };
        let _ = writeln!(
            h,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>",
            head_h - 10.0,
            esc(&clip(name, 9))
        );
    }
    for (i, row) in r.rows.iter().enumerate() {
        let y = head_h + i as f64 * cell_h;
        let name = row[label].shown(zh);
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>",
            label_w - 8.0,
            y + cell_h * 0.6,
            esc(&clip(&name, 12))
        );
        for (c, cell) in row[first..=last].iter().enumerate() {
            let x = label_w + c as f64 * cell_w;
            let v = number(cell).unwrap_or(0.0);
            let t = if max > 0.0 { v / max } else { 0.0 };
            let fill = if v == 0.0 {
                "#f6f8fa".to_string()
            } else {
                shade(0.15 + 0.85 * t)
            };
            let ink = if t > 0.5 { "#ffffff" } else { "#1d2733" };
            let same = key_of(&row[label]).is_some_and(|k| k == cols[c].key);
            let stroke = if same {
                "#c77c02\" stroke-width=\"2"
            } else {
                "#ffffff\" stroke-width=\"1"
            };
            let _ = writeln!(
                h,
                "<g><title>{} → {}: {}</title>\
                 <rect x=\"{x}\" y=\"{y}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{}</text></g>",
                esc(&name),
                esc(if zh { &cols[c].zh } else { &cols[c].key }),
                esc(&shown(cell, zh)),
                x + cell_w / 2.0,
                y + cell_h * 0.6,
                esc(&shown(cell, zh))
            );
        }
    }
    h.push_str("</svg>\n</figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_clipped() {
        assert_eq!(esc("<a & \"b\">'"), "&lt;a &amp; &quot;b&quot;&gt;&#39;");
        assert_eq!(clip("北京某某科技有限公司", 5), "北京某某…");
        assert_eq!(clip("华东", 5), "华东");
    }

    #[test]
    fn money_is_grouped_in_thousands() {
        assert_eq!(shown(&Cell::Money(104_000_000), true), "1,040,000.00");
        assert_eq!(shown(&Cell::Money(12_345), true), "123.45");
        assert_eq!(shown(&Cell::Money(-123_456_789), true), "-1,234,567.89");
        assert_eq!(shown(&Cell::Money(0), true), "0.00");
    }

    #[test]
    fn shades_run_from_pale_to_deep() {
        assert_eq!(shade(0.0), "#eaf1fa");
        assert_eq!(shade(1.0), "#1f4e8c");
    }
}
