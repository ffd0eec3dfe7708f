//! `kehu grade`: grade customers into tiers with a model, and everything around a run —
//! explanations, pins, the run history and its movement, review samples and the
//! industry-growth table.

mod explain;
mod growth;
mod history;
mod pins;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::json;

use super::output::{Cell, Column, Records};
use super::{Context, Status, UsageError, parse_flag};
use crate::domain::choice::{Choice, Stage};
use crate::domain::grade::{self, GrowthTable, Model, Record, measure};
use crate::domain::industry::parse_industry;
use crate::domain::region::Region;
use crate::domain::{Invalid, date};
use crate::store::{GradeFilter, Graded, RunCounts, RunSpec, Store};

/// Grade customers into tiers (核心/重要/普通/潜在 with the built-in model).
///
/// A run grades every customer (or those the filters pick) as of a date, records the run
/// and each customer's score, tier and indicators, updates the tiers and logs each change.
/// Same data and same --as-of give the same result; a second run logs no changes. One
/// transaction: a run that is stopped leaves the previous one intact. For cron:
///   kehu --db /data/kehu.db grade --quiet
///
///   kehu grade --as-of 2024-12-31 --format json
///   kehu grade --model fixtures/models/seed000-value-level.toml --as-tag 价值
///   kehu grade --explain CST20240001
///   kehu grade --sample 10% --format csv
///   kehu grade pin CST20240001 普通 --reason 投诉频繁 --until 2024-12-31
///   kehu grade runs
///   kehu grade diff
///   kehu grade growth set 制造业 8.5
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GradeArgs {
    #[command(subcommand)]
    command: Option<GradeCommand>,
    /// Model file (TOML); default the built-in `standard` model.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Grade as of this date (default today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Print each customer's result and save nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the result as this tag dimension (e.g. 价值 → 价值:高) instead of the tier.
    #[arg(long, value_name = "DIMENSION")]
    as_tag: Option<String>,
    /// Only this customer (repeatable).
    #[arg(long = "code", value_name = "CODE")]
    codes: Vec<String>,
    /// Only customers in this stage (潜在/意向/成交/流失).
    #[arg(long)]
    stage: Option<String>,
    /// Only customers in this region (华东, east, …).
    #[arg(long)]
    region: Option<String>,
    /// Only customers in this industry (section letter, division or name).
    #[arg(long)]
    industry: Option<String>,
    /// Explain one customer's grade: every indicator, value, source, band, points, weight,
    /// total and tier, gates and pins. From its latest run unless --model/--as-of are given.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["dry_run", "as_tag", "sample"])]
    explain: Option<String>,
    /// With --explain or --sample: this run instead of the latest.
    #[arg(long, value_name = "RUN")]
    run: Option<i64>,
    /// A reproducible random sample of the latest run for review: a share (10%) or a count.
    #[arg(long, value_name = "N|P%", conflicts_with_all = ["dry_run", "as_tag"])]
    sample: Option<String>,
    /// With --sample: only customers of this tier.
    #[arg(long, requires = "sample")]
    tier: Option<String>,
    /// With --sample: draw another sample.
    #[arg(long, requires = "sample", default_value_t = 0)]
    seed: u64,
    /// With --sample: also write the sample to this spreadsheet (.xlsx).
    #[arg(long, value_name = "FILE", requires = "sample")]
    xlsx: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum GradeCommand {
    /// Pin a customer to a tier: it overrides the model until removed or expired.
    Pin(pins::PinArgs),
    /// Remove a customer's pin; its tier goes back to the latest run's.
    Unpin {
        /// The customer's code.
        code: String,
    },
    /// List the pins.
    Pins,
    /// List the grading runs, newest first.
    Runs {
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Tier movement between two runs (default: the latest and the one before it).
    Diff {
        /// The earlier run.
        from: Option<i64>,
        /// The later run (default the latest).
        to: Option<i64>,
    },
    /// The industry-growth table the `industry_growth` indicator reads.
    Growth(growth::GrowthArgs),
}

pub fn run(ctx: &Context, args: GradeArgs) -> Result<Status> {
    match args.command {
        Some(GradeCommand::Pin(a)) => return pins::pin(ctx, a),
        Some(GradeCommand::Unpin { code }) => return pins::unpin(ctx, &code),
        Some(GradeCommand::Pins) => return pins::list(ctx),
        Some(GradeCommand::Runs { limit }) => return history::runs(ctx, limit),
        Some(GradeCommand::Diff { from, to }) => return history::diff(ctx, from, to),
        Some(GradeCommand::Growth(a)) => return growth::run(ctx, a),
        None => {}
    }
    if let Some(code) = &args.explain {
        let model = args.model.as_deref().map(load_model).transpose()?;
        let as_of = args.as_of.as_deref().map(|d| as_of(ctx, d)).transpose()?;
        return explain::run(ctx, code, model, as_of, args.run);
    }
    if let Some(sample) = &args.sample {
        return history::sample(
            ctx,
            sample,
            args.run,
            args.tier.as_deref(),
            args.seed,
            args.xlsx.as_deref(),
        );
    }
    if args.run.is_some() {
        bail!(UsageError("--run goes with --explain or --sample".into()));
    }
    grade_all(ctx, &args)
}

/// Reads and validates a model file.
pub fn load_model(path: &Path) -> Result<Model> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read model {}", path.display()))?;
    Ok(Model::parse(&text, &path.display().to_string())?)
}

/// `--as-of`: a date, not after today.
fn as_of(ctx: &Context, raw: &str) -> Result<NaiveDate> {
    let d = date::parse_date(raw).map_err(|r| Invalid::new("as_of", raw, r))?;
    if d > ctx.today() {
        bail!(Invalid::new(
            "as_of",
            d.to_string(),
            format!("is after today ({})", ctx.today())
        ));
    }
    Ok(d)
}

fn filter(args: &GradeArgs) -> Result<GradeFilter> {
    Ok(GradeFilter {
        codes: args.codes.iter().map(|c| c.trim().to_uppercase()).collect(),
        stage: parse_flag("stage", args.stage.as_deref(), Stage::parse)?,
        region: parse_flag("region", args.region.as_deref(), Region::parse)?,
        industry: parse_flag("industry", args.industry.as_deref(), |s| {
            parse_industry(s).map(|i| i.code())
        })?,
    })
}

/// The industry-growth table as grading reads it.
pub fn growth_table(store: &Store) -> Result<GrowthTable> {
    Ok(GrowthTable::new(
        store
            .industry_growth()?
            .into_iter()
            .map(|g| (g.industry, g.growth)),
    ))
}

fn grade_all(ctx: &Context, args: &GradeArgs) -> Result<Status> {
    let model = match &args.model {
        Some(path) => load_model(path)?,
        None => Model::standard(),
    };
    let as_of = match &args.as_of {
        Some(d) => as_of(ctx, d)?,
        None => ctx.today(),
    };
    let as_tag = args.as_tag.as_deref().map(str::trim);
    if let Some(dim) = as_tag
        && (dim.is_empty() || dim.contains(':') || crate::domain::tag::is_derived_name(dim))
    {
        bail!(UsageError(format!(
            "--as-tag {dim}: give a tag dimension of your own (not empty, no `:`, not one kehu derives: {})",
            "区域, 省份, 地区, 行业, 阶段, 等级"
        )));
    }
    let filter = filter(args)?;
    let mut store = if args.dry_run { ctx.read()? } else { ctx.write()? };
    let total = store.count_graded(&filter)?;
    let bar = ctx.out.progress(total, false);
    let spec = RunSpec {
        model: &model,
        as_of,
        as_tag,
        filter: &filter,
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut done = 0u64;
    let dry_run = args.dry_run;
    let grader = |s: &crate::store::Subject, out: &mut Graded| {
        let ind = measure(s.declared, s.orders, as_of, s.growth);
        let g = grade::grade(&model, &ind, s.pin);
        Record::encode(&model, &ind, &mut out.record);
        let (tier, model_tier) = (&model.tiers[g.tier], &model.tiers[g.evaluation.tier]);
        for (field, value) in [
            (&mut out.tier, &tier.key),
            (&mut out.label, &tier.label),
            (&mut out.model_tier, &model_tier.key),
        ] {
            field.clear();
            field.push_str(value);
        }
        out.score = g.evaluation.score;
        out.incomplete = g.evaluation.incomplete();
        out.pinned = g.pinned;
        if dry_run {
            rows.push(vec![
                Cell::Text(s.code.to_string()),
                Cell::Text(s.name.to_string()),
                Cell::label(&out.tier, &out.label),
                out.score.map_or(Cell::Null, Cell::Decimal),
                Cell::label(&out.model_tier, tier_label(&model, &out.model_tier)),
                Cell::Bool(out.pinned),
                Cell::Bool(out.incomplete),
                s.before.map_or(Cell::Null, |b| Cell::Text(b.to_string())),
            ]);
        }
        done += 1;
        if done.is_multiple_of(4096) {
            bar.set_position(done);
        }
    };
    let (run_id, counts) = if dry_run {
        store.dry_run(&ctx.actor, |w| w.grade(&spec, grader))?
    } else {
        store.write(&ctx.actor, |w| w.grade(&spec, grader))?
    };
    bar.finish_and_clear();
    if dry_run {
        let mut records = Records::new(vec![
            Column::new("code", "客户编号"),
            Column::new("name", "客户全称"),
            Column::new("tier", "等级"),
            Column::new("score", "评分"),
            Column::new("model_tier", "模型等级"),
            Column::new("pinned", "人工锁定"),
            Column::new("incomplete", "数据不全"),
            Column::new("before", "原等级"),
        ]);
        records.rows = rows;
        ctx.out.records(&records)?;
    } else if ctx.out.is_json() {
        ctx.out
            .json(&summary_json(run_id, &model, as_of, as_tag, &counts))?;
    }
    ctx.out.status(&summary_line(
        if dry_run { None } else { Some(run_id) },
        &model,
        as_of,
        as_tag,
        &counts,
    ));
    Ok(Status::Ok)
}

/// A tier's label in `model` (the key itself when the model has no such tier).
fn tier_label<'a>(model: &'a Model, key: &'a str) -> &'a str {
    model.tier_by_key(key).map_or(key, |t| t.label.as_str())
}

/// Per-tier counts in the model's order, zeros included.
fn tier_counts(model: &Model, counts: &RunCounts) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = model
        .tiers
        .iter()
        .map(|t| (t.key.clone(), counts.tiers.get(&t.key).copied().unwrap_or(0)))
        .collect();
    // Pins to a tier the model no longer has would otherwise vanish from the counts.
    for (k, n) in &counts.tiers {
        if model.tier_by_key(k).is_none() {
            out.push((k.clone(), *n));
        }
    }
    out
}

fn summary_json(
    run: i64,
    model: &Model,
    as_of: NaiveDate,
    as_tag: Option<&str>,
    counts: &RunCounts,
) -> serde_json::Value {
    let tiers: serde_json::Map<String, serde_json::Value> = tier_counts(model, counts)
        .into_iter()
        .map(|(k, n)| (k, json!(n)))
        .collect();
    json!({
        "run": run,
        "as_of": as_of.to_string(),
        "model": model.name,
        "model_sha256": model.sha256,
        "as_tag": as_tag,
        "customers": counts.customers,
        "tiers": tiers,
        "changed": counts.changed,
        "incomplete": counts.incomplete,
        "pinned": counts.pinned,
    })
}

fn summary_line(
    run: Option<i64>,
    model: &Model,
    as_of: NaiveDate,
    as_tag: Option<&str>,
    counts: &RunCounts,
) -> String {
    let tiers: Vec<String> = tier_counts(model, counts)
        .into_iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let what = match as_tag {
        Some(dim) => format!("tag {dim} changes"),
        None => "tier changes".into(),
    };
    let head = match run {
        Some(id) => format!("run {id}"),
        None => "dry run, nothing saved".into(),
    };
    format!(
        "graded {} customers as of {as_of} with model {} ({head}): {}; {} {what}, {} incomplete, {} pinned",
        counts.customers,
        model.name,
        tiers.join(", "),
        counts.changed,
        counts.incomplete,
        counts.pinned,
    )
}

/// The score cell of a stored score text.
fn score_cell(score: Option<&str>) -> Cell {
    score
        .and_then(|s| s.parse().ok())
        .map_or(Cell::Null, Cell::Decimal)
}

/// The model a run used, from the text kept with it (the built-in one if it was that).
fn run_model(store: &Store, sha256: &str) -> Result<Option<Model>> {
    Ok(match store.grade_model_text(sha256)? {
        Some(text) => Model::parse(&text, "stored model").ok(),
        None => None,
    })
}
