//! `kehu report`: distributions, tier movement, data quality, the monthly review and the
//! per-tier analysis, for people who decide.
//!
//! Each report is built once as a [`Report`] — a summary, notes and titled sections of
//! records with chart hints — and then rendered: `--format table|csv|json|jsonl` on stdout
//! through `output`, or `--output FILE` as a spreadsheet ([`xlsx`], one sheet per section)
//! or a self-contained web page with charts ([`html`]).

mod dist;
mod html;
mod movement;
mod quality;
mod review;
mod tiers;
mod xlsx;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};

use super::output::{Cell, Format, Records};
use super::{Context, Status, UsageError, parse_flag};
use crate::domain::choice::{Choice, Stage};
use crate::domain::industry::parse_industry;
use crate::domain::region::{Region, parse_province};
use crate::domain::report::dist::Dim;
use crate::domain::report::tier_spellings;
use crate::domain::{Invalid, date};
use crate::store::ReportFilter;

/// Reports: distributions, tier movement, data quality, the monthly review, tiers.
///
/// Every report prints as a table (or csv/json/jsonl with --format), or is written with
/// --output FILE as a spreadsheet (.xlsx, one sheet per section) or a web page (.html with
/// charts, self-contained and printable) for people who do not use the terminal:
///   kehu report dist --by region --by tier
///   kehu report review --owner 张三 --output 回头看.xlsx
///   kehu report quality --to html --output quality.html
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    kind: Kind,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Subcommand)]
enum Kind {
    /// Customers by one dimension, or two crossed: count, share and 12-month trade.
    Dist(dist::DistArgs),
    /// Tier movement between two grading runs: the from → to matrix and who moved.
    Movement(movement::MovementArgs),
    /// Data quality: completeness of each field, invalid and suspicious values, stale records.
    Quality(quality::QualityArgs),
    /// The monthly review list (回头看): who needs checking this month, and why.
    Review(review::ReviewArgs),
    /// Per tier: customers, trade, satisfaction, complaints; upgrade candidates; key
    /// customers who slipped.
    Tiers(tiers::TiersArgs),
}

/// Where the report goes and which customers it covers (options of every report).
#[derive(Debug, Args)]
struct Common {
    /// Write the report to FILE instead of printing it: a spreadsheet or a web page, chosen
    /// by --to or else by the file's extension (.xlsx, .html).
    #[arg(long, short, global = true, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The kind of file --output writes.
    #[arg(long, global = true, value_enum, value_name = "KIND")]
    to: Option<FileKind>,
    /// With --format csv: the section to print (default the report's main one).
    #[arg(long, global = true, value_name = "KEY")]
    section: Option<String>,
    /// At most this many rows in each list of customers (summaries stay complete). Tables
    /// and web pages show at most 1000 unless this says otherwise; 0 means no limit.
    #[arg(long, global = true, value_name = "N")]
    limit: Option<usize>,
    /// Only customers at this stage (潜在/prospect, 意向/intent, 成交/customer, 流失/churned).
    #[arg(long, global = true)]
    stage: Option<String>,
    /// Only customers in this region (华东/east, …).
    #[arg(long, global = true)]
    region: Option<String>,
    /// Only customers in this province.
    #[arg(long, global = true)]
    province: Option<String>,
    /// Only customers in this industry (a section letter or name, or a division).
    #[arg(long, global = true)]
    industry: Option<String>,
    /// Only customers of this owner (负责人).
    #[arg(long, global = true)]
    owner: Option<String>,
    /// Only customers at this tier (核心/core, 重要/important, … or another model's label).
    #[arg(long, global = true)]
    tier: Option<String>,
}

/// Rows of each list a table or web page shows unless `--limit` says otherwise.
const PEOPLE_LIMIT: usize = 1000;

/// A file a report can be written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FileKind {
    Xlsx,
    Html,
}

impl Common {
    fn filter(&self) -> Result<ReportFilter> {
        Ok(ReportFilter {
            stage: parse_flag("stage", self.stage.as_deref(), Stage::parse)?,
            region: parse_flag("region", self.region.as_deref(), Region::parse)?,
            province: parse_flag("province", self.province.as_deref(), |s| {
                parse_province(s).map(|p| p.name.to_string())
            })?,
            industry: parse_flag("industry", self.industry.as_deref(), |s| {
                parse_industry(s).map(|i| i.code())
            })?,
            owner: self.owner.clone(),
            tier: self.tier.as_deref().map(tier_spellings).unwrap_or_default(),
        })
    }

    /// The filter as a person reads it, for the summary.
    fn filter_text(&self) -> Option<String> {
        let parts: Vec<String> = [
            ("stage", &self.stage),
            ("region", &self.region),
            ("province", &self.province),
            ("industry", &self.industry),
            ("owner", &self.owner),
            ("tier", &self.tier),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The file to write and its kind, if --output was given.
    fn file(&self) -> Result<Option<(&Path, FileKind)>, UsageError> {
        let Some(path) = &self.output else {
            if self.to.is_some() {
                return Err(UsageError("--to needs --output FILE".into()));
            }
            return Ok(None);
        };
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_lowercase);
        let kind = match (self.to, ext.as_deref()) {
            (Some(kind), _) => kind,
            (None, Some("xlsx")) => FileKind::Xlsx,
            (None, Some("html" | "htm")) => FileKind::Html,
            _ => {
                return Err(UsageError(format!(
                    "cannot tell what to write to {}: give --to xlsx|html or a .xlsx/.html file name",
                    path.display()
                )));
            }
        };
        Ok(Some((path.as_path(), kind)))
    }
}

pub fn run(ctx: &Context, args: ReportArgs) -> Result<Status> {
    let common = &args.common;
    let file = common.file()?;
    let filter = common.filter()?;
    // What people read gets a readable length by default; data formats get everything.
    let for_people = match file {
        Some((_, kind)) => kind == FileKind::Html,
        None => ctx.out.format == Format::Table,
    };
    let limit = match common.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None => for_people.then_some(PEOPLE_LIMIT),
    };
    let store = ctx.read()?;
    let mut report = match args.kind {
        Kind::Dist(a) => dist::build(ctx, &store, &filter, a)?,
        Kind::Movement(a) => movement::build(&store, &filter, limit, a)?,
        Kind::Quality(a) => quality::build(ctx, &store, &filter, limit, a)?,
        Kind::Review(a) => review::build(ctx, &store, &filter, limit, a)?,
        Kind::Tiers(a) => tiers::build(ctx, &store, &filter, limit, a)?,
    };
    if let Some(text) = common.filter_text() {
        report
            .summary
            .insert(0, Item::new("filter", "筛选条件", Cell::Text(text)));
    }
    report.generated = ctx.actor.stamp();
    let zh = ctx.out.zh;
    if let Some((path, kind)) = file {
        match kind {
            FileKind::Xlsx => xlsx::write(&report, zh, path),
            FileKind::Html => html::write(&report, zh, path),
        }
        .with_context(|| format!("cannot write {}", path.display()))?;
        ctx.out.status(&format!(
            "{} {}",
            ctx.out.pick("报表已写入", "wrote the report to"),
            path.display()
        ));
        return Ok(Status::Ok);
    }
    print(ctx, &report, common.section.as_deref())?;
    Ok(Status::Ok)
}

/// One line of a report's summary.
#[derive(Debug, Clone)]
pub struct Item {
    pub key: &'static str,
    pub zh: &'static str,
    pub value: Cell,
}

impl Item {
    pub fn new(key: &'static str, zh: &'static str, value: Cell) -> Item {
        Item { key, zh, value }
    }
}

/// A chart drawn over a section's records (web page only).
#[derive(Debug, Clone)]
pub enum Chart {
    /// Horizontal bars: one per row, labelled by column `label`, as long as column `value`.
    Bars {
        zh: String,
        en: String,
        label: usize,
        value: usize,
    },
    /// A heat map of columns `first..=last` against the rows, labelled by column `label`.
    Heat {
        zh: String,
        en: String,
        label: usize,
        first: usize,
        last: usize,
    },
}

/// A titled part of a report.
#[derive(Debug, Clone)]
pub struct Section {
    pub key: &'static str,
    pub zh: String,
    pub en: String,
    pub records: Records,
    pub charts: Vec<Chart>,
    /// How many rows there are when a limit cut the list short.
    pub of: Option<i64>,
}

impl Section {
    pub fn new(key: &'static str, zh: impl Into<String>, en: impl Into<String>, records: Records) -> Section {
        Section {
            key,
            zh: zh.into(),
            en: en.into(),
            records,
            charts: Vec::new(),
            of: None,
        }
    }

    pub fn chart(mut self, chart: Chart) -> Section {
        self.charts.push(chart);
        self
    }

    /// Notes the full length of a list that `limit` may have cut.
    pub fn limited(mut self, total: i64) -> Section {
        if (self.records.rows.len() as i64) < total {
            self.of = Some(total);
        }
        self
    }

    pub fn title(&self, zh: bool) -> String {
        let title = if zh { &self.zh } else { &self.en };
        match self.of {
            Some(of) if zh => format!("{title}（显示 {} / 共 {of}）", self.records.rows.len()),
            Some(of) => format!("{title} (showing {} of {of})", self.records.rows.len()),
            None => title.clone(),
        }
    }
}

/// A report ready to render.
#[derive(Debug, Clone)]
pub struct Report {
    pub key: &'static str,
    pub zh: String,
    pub en: String,
    pub summary: Vec<Item>,
    /// (Chinese, English) remarks a reader needs, e.g. what a figure counts.
    pub notes: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// The section `--format csv` prints by default.
    pub main: &'static str,
    /// When the report was made.
    pub generated: String,
}

impl Report {
    pub fn new(key: &'static str, zh: &str, en: &str, main: &'static str) -> Report {
        Report {
            key,
            zh: zh.into(),
            en: en.into(),
            summary: Vec::new(),
            notes: Vec::new(),
            sections: Vec::new(),
            main,
            generated: String::new(),
        }
    }

    pub fn title(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }

    pub fn item(&mut self, key: &'static str, zh: &'static str, value: Cell) {
        self.summary.push(Item::new(key, zh, value));
    }

    pub fn note(&mut self, zh: impl Into<String>, en: impl Into<String>) {
        self.notes.push((zh.into(), en.into()));
    }

    /// The report's JSON head: `{report, title, generated, summary, notes, sections}` with the
    /// sections' rows left out (they are written row by row).
    pub fn json(&self) -> Value {
        let summary: Map<String, Value> = self
            .summary
            .iter()
            .map(|i| (i.key.to_string(), i.value.json()))
            .collect();
        let sections: Map<String, Value> = self
            .sections
            .iter()
            .map(|s| (s.key.to_string(), Value::Array(Vec::new())))
            .collect();
        json!({
            "report": self.key,
            "title": self.en,
            "generated": self.generated,
            "summary": summary,
            "notes": self.notes.iter().map(|(_, en)| en.clone()).collect::<Vec<_>>(),
            "sections": sections,
        })
    }
}

fn print(ctx: &Context, report: &Report, section: Option<&str>) -> Result<()> {
    let out = &ctx.out;
    let zh = out.zh;
    if let Some(key) = section
        && !report.sections.iter().any(|s| s.key == key)
    {
        let keys: Vec<&str> = report.sections.iter().map(|s| s.key).collect();
        bail!(UsageError(format!(
            "no section {key} in this report (sections: {})",
            keys.join(", ")
        )));
    }
    let chosen = |s: &&Section| section.is_none_or(|k| s.key == k);
    match out.format {
        Format::Table => {
            let pairs: Vec<(String, Cell)> = report
                .summary
                .iter()
                .map(|i| (if zh { i.zh } else { i.key }.to_string(), i.value.clone()))
                .collect();
            out.pairs(report.title(zh), &pairs)?;
            for (zh_note, en_note) in &report.notes {
                out.line(if zh { zh_note } else { en_note })?;
            }
            for s in report.sections.iter().filter(chosen) {
                if s.records.rows.is_empty() {
                    out.line(&format!("\n{}: {}", s.title(zh), out.pick("无", "none")))?;
                } else {
                    out.section(&s.title(zh), &s.records)?;
                }
            }
        }
        Format::Csv => {
            let key = section.unwrap_or(report.main);
            let s = report
                .sections
                .iter()
                .find(|s| s.key == key)
                .expect("the main section exists");
            out.records(&s.records)?;
        }
        Format::Json => {
            let Value::Object(mut head) = report.json() else {
                unreachable!("a report is a JSON object")
            };
            head.remove("sections");
            let sections: Vec<(&str, &Records)> =
                report.sections.iter().map(|s| (s.key, &s.records)).collect();
            out.json_sections(&head, &sections)?;
        }
        Format::Jsonl => {
            let summary: Map<String, Value> = std::iter::once(("section".to_string(), json!("summary")))
                .chain(report.summary.iter().map(|i| (i.key.to_string(), i.value.json())))
                .collect();
            out.json(&Value::Object(summary))?;
            for s in report.sections.iter().filter(chosen) {
                for row in s.records.json_rows() {
                    let mut line = Map::new();
                    line.insert("section".into(), json!(s.key));
                    if let Value::Object(fields) = row {
                        line.extend(fields);
                    }
                    out.json(&Value::Object(line))?;
                }
            }
        }
    }
    Ok(())
}

/// Parses `--as-of`, defaulting to today.
fn as_of(ctx: &Context, typed: Option<&str>) -> Result<NaiveDate> {
    Ok(match typed {
        Some(d) => date::parse_date(d).map_err(|r| Invalid::new("as_of", d, r))?,
        None => ctx.today(),
    })
}

/// A stored value of `dim` as a cell: its label where it has one, "(none)" when empty.
fn dim_cell(dim: &Dim, value: Option<&str>) -> Cell {
    match value {
        None => Cell::Missing,
        Some(v) => Cell::Label {
            key: v.to_string(),
            zh: dim.value_zh(v),
        },
    }
}
