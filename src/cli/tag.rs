//! `kehu tag`: put tags on customers and take them off (by code or over a filter), list them
//! with counts, rename a value everywhere, and declare dimensions.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use super::list::{FilterArgs, TagFlags};
use super::output::{Cell, Column, Records};
use super::{Context, Status, UsageError};
use crate::domain::choice::{Choice, Stage};
use crate::domain::code::CodePattern;
use crate::domain::industry::Industry;
use crate::domain::region::Region;
use crate::domain::tag::{Derived, Tag, TagCond, TagDim, parse_dim_name, parse_values, tier_label};
use crate::store::{self, CustomerKey, Writer};

/// Tags: `dimension:value` (意向:高) or plain labels (长期稳定合作).
///
/// Derived dimensions — 区域 省份 行业 阶段 等级 — come from the record and cannot be set by
/// hand. A dimension declared single-valued keeps one value per customer: a new value replaces
/// the old one. Every change is in the change log (action `tag`).
///
/// Examples:
///   kehu tag add CST20240001 CST20240002 长期稳定合作 意向:高
///   kehu tag add 重点跟进 --where-tag 区域:华东 --tier core --dry-run
///   kehu tag rm CST20240001 意向:*
///   kehu tag list;  kehu tag list CST20240001
///   kehu tag rename 需求:采购设备 需求:设备采购
///   kehu tag dim add 意向 --single --values 高,中,低
#[derive(Debug, Args)]
pub struct TagArgs {
    #[command(subcommand)]
    command: TagCommand,
}

#[derive(Debug, Subcommand)]
enum TagCommand {
    /// Put tags on customers: `tag add CODE… TAG…`, or `tag add TAG… --where-tag … --tier …`.
    Add(ChangeArgs),
    /// Take tags off customers (DIM:* takes every value of a dimension).
    Rm(ChangeArgs),
    /// Tags with how many customers carry each value, or one customer's tags.
    List(ListArgs),
    /// Rename a tag on every customer that has it (and in its dimension's declared values).
    Rename {
        /// The tag as it is (DIM:VALUE or a label).
        from: String,
        /// The tag it becomes.
        to: String,
    },
    /// Tag dimensions: declare one, or list them with their rules.
    Dim(DimArgs),
}

#[derive(Debug, Args)]
struct ChangeArgs {
    /// Customer codes, then tags; or only tags, with a filter.
    #[arg(required = true, value_name = "CODE|TAG")]
    items: Vec<String>,
    /// Only customers with this tag (repeat: all of them).
    #[arg(long, value_name = "TAG")]
    where_tag: Vec<String>,
    /// Only customers with at least one of these tags.
    #[arg(long, value_name = "TAG")]
    where_any_tag: Vec<String>,
    /// Only customers with none of these tags.
    #[arg(long, value_name = "TAG")]
    where_not_tag: Vec<String>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Every customer (a filter is required otherwise).
    #[arg(long)]
    all: bool,
    /// Report what would change and change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// A customer code: list that customer's tags, with origin and when and by whom set.
    code: Option<String>,
    /// Only this dimension.
    #[arg(long)]
    dim: Option<String>,
}

#[derive(Debug, Args)]
struct DimArgs {
    #[command(subcommand)]
    command: DimCommand,
}

#[derive(Debug, Subcommand)]
enum DimCommand {
    /// Declare a dimension (or change its rule): `tag dim add 意向 --single --values 高,中,低`.
    Add {
        name: String,
        /// One value per customer: adding a value replaces the old one.
        #[arg(long)]
        single: bool,
        /// The only values allowed, comma-separated.
        #[arg(long)]
        values: Option<String>,
    },
    /// Every dimension with its rule.
    List,
}

pub fn run(ctx: &Context, args: TagArgs) -> Result<Status> {
    match args.command {
        TagCommand::Add(a) => change(ctx, a, true),
        TagCommand::Rm(a) => change(ctx, a, false),
        TagCommand::List(a) => list(ctx, a),
        TagCommand::Rename { from, to } => rename(ctx, &from, &to),
        TagCommand::Dim(DimArgs {
            command: DimCommand::Add { name, single, values },
        }) => dim_add(ctx, &name, single, values.as_deref()),
        TagCommand::Dim(DimArgs {
            command: DimCommand::List,
        }) => dim_list(ctx),
    }
}

/// What a change over customers did.
struct Outcome {
    matched: usize,
    changed: usize,
    new_dims: Vec<String>,
}

fn change(ctx: &Context, args: ChangeArgs, add: bool) -> Result<Status> {
    let mut filter = args.filter.to_filter(
        ctx,
        TagFlags {
            all: &args.where_tag,
            any: &args.where_any_tag,
            none: &args.where_not_tag,
        },
    )?;
    filter.limit = None;
    let by_filter = !filter.is_everything() || args.all;
    if args.all && !filter.is_everything() {
        bail!(UsageError(
            "--all selects every customer; give it without filters".into()
        ));
    }
    let mut store = ctx.read()?;
    let pattern = match store.setting("code_pattern")? {
        Some(p) => CodePattern::parse(&p).unwrap_or_default(),
        None => CodePattern::default(),
    };
    let mut codes: Vec<CustomerKey> = Vec::new();
    let mut tag_items: Vec<&str> = Vec::new();
    for item in &args.items {
        match store.customer(item) {
            Ok(s) => codes.push(CustomerKey::from(&s)),
            Err(store::Error::NotFound(code)) if pattern.matches(item) => {
                return Err(store::Error::NotFound(code).into());
            }
            Err(store::Error::NotFound(_)) => tag_items.push(item),
            Err(e) => return Err(e.into()),
        }
    }
    if tag_items.is_empty() {
        bail!(UsageError("no tags given: kehu tag add|rm CODE… TAG…".into()));
    }
    match (by_filter, codes.is_empty()) {
        (true, false) => bail!(UsageError("give customer codes or a filter, not both".into())),
        (false, true) => bail!(UsageError(
            "no customers given: name them by code, or select them with a filter \
             (--where-tag, --tier, --region, …; --all for every customer)"
                .into()
        )),
        _ => {}
    }
    let tags = if add {
        tag_items
            .iter()
            .map(|t| Tag::parse(t))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let conds = if add {
        Vec::new()
    } else {
        tag_items
            .iter()
            .map(|t| TagCond::parse(t))
            .collect::<Result<Vec<_>, _>>()?
    };
    let run = |w: &mut Writer| -> store::Result<Outcome> {
        let customers = if by_filter {
            w.customer_keys(&filter)?
        } else {
            codes.clone()
        };
        let mut changed = 0;
        let mut new_dims = Vec::new();
        if add {
            let (ready, created) = w.prepare_tags(&tags)?;
            new_dims = created;
            for c in &customers {
                if !w.add_tags(c, &ready, store::MANUAL)?.is_empty() {
                    changed += 1;
                }
            }
        } else {
            let conds = w.prepare_removal(&conds)?;
            for c in &customers {
                if !w.remove_tags(c, &conds)?.is_empty() {
                    changed += 1;
                }
            }
        }
        Ok(Outcome {
            matched: customers.len(),
            changed,
            new_dims,
        })
    };
    let outcome = if args.dry_run {
        store.dry_run(&ctx.actor, run)
    } else {
        store.write(&ctx.actor, run)
    }?;
    let (verb, done) = match (add, args.dry_run) {
        (true, false) => ("tagged", "already had the tags"),
        (true, true) => ("would tag", "already have the tags"),
        (false, false) => ("untagged", "had none of them"),
        (false, true) => ("would untag", "have none of them"),
    };
    for dim in &outcome.new_dims {
        ctx.out.status(&format!(
            "new tag dimension {dim} (multi-valued, any value; `kehu tag dim add` sets a rule)"
        ));
    }
    let rest = outcome.matched - outcome.changed;
    let mut line = format!("{verb} {} customer(s)", outcome.changed);
    if rest > 0 {
        line.push_str(&format!("; {rest} {done}"));
    }
    ctx.out.status(&line);
    if ctx.out.is_json() {
        ctx.out.json(&json!({
            "matched": outcome.matched,
            "changed": outcome.changed,
            "dry_run": args.dry_run,
        }))?;
    }
    Ok(Status::Ok)
}

fn list(ctx: &Context, args: ListArgs) -> Result<Status> {
    let store = ctx.read()?;
    if let Some(code) = &args.code {
        let stored = store.customer(code)?;
        let mut rows = store.customer_tags(&stored)?;
        if let Some(dim) = &args.dim {
            let wanted = Derived::find(dim).map_or(dim.trim().to_string(), |d| d.zh().to_string());
            rows.retain(|r| r.dim == wanted);
        }
        ctx.out.records(&tag_rows(&rows))?;
        return Ok(Status::Ok);
    }
    let counts = store.tag_counts(args.dim.as_deref().map(str::trim))?;
    let mut r = Records::new(vec![
        Column::new("dimension", "维度"),
        Column::new("value", "值"),
        Column::new("origin", "来源"),
        Column::new("count", "客户数"),
    ]);
    r.rows = counts
        .iter()
        .map(|c| {
            vec![
                dim_cell(c.derived, &c.dim),
                c.value
                    .as_deref()
                    .map_or(Cell::Null, |v| value_cell(c.derived, v)),
                c.origin.as_deref().map_or(Cell::Null, origin_cell),
                Cell::Int(c.count),
            ]
        })
        .collect();
    ctx.out.records(&r)?;
    Ok(Status::Ok)
}

/// One customer's tags as records (also `kehu show`'s tag section).
pub fn tag_rows(rows: &[store::TagRow]) -> Records {
    let mut r = Records::new(vec![
        Column::new("dimension", "维度"),
        Column::new("value", "值"),
        Column::new("origin", "来源"),
        Column::new("set_by", "设置人"),
        Column::new("set_at", "设置时间"),
    ]);
    r.rows = rows
        .iter()
        .map(|t| {
            vec![
                dim_cell(t.derived, &t.dim),
                value_cell(t.derived, &t.value),
                origin_cell(&t.origin),
                Cell::text(t.set_by.clone()),
                Cell::text(t.set_at.clone()),
            ]
        })
        .collect();
    r
}

/// A dimension: derived ones as a label (`region` / `区域`), plain labels as empty.
pub fn dim_cell(derived: Option<Derived>, dim: &str) -> Cell {
    match derived {
        Some(d) => Cell::label(d.key(), d.zh()),
        None if dim.is_empty() => Cell::Null,
        None => Cell::Text(dim.to_string()),
    }
}

/// A tag value; derived values as labels (`east` / `华东`, `C` / `制造业`).
pub fn value_cell(derived: Option<Derived>, value: &str) -> Cell {
    let label = match derived {
        Some(Derived::Region) => Region::parse(value)
            .ok()
            .map(|r| (r.en().to_string(), r.zh().to_string())),
        Some(Derived::Industry) => value
            .chars()
            .next()
            .and_then(Industry::of_section)
            .map(|i| (i.code(), i.section_name().to_string())),
        Some(Derived::Stage) => Stage::parse(value)
            .ok()
            .map(|s| (s.key().to_string(), s.zh().to_string())),
        Some(Derived::Tier) => Some((value.to_string(), tier_label(value, true))),
        Some(Derived::Province) | None => None,
    };
    match label {
        Some((key, zh)) => Cell::Label { key, zh },
        None => Cell::Text(value.to_string()),
    }
}

/// Where a tag comes from: manual 手工, model 模型, derived 派生.
pub fn origin_cell(origin: &str) -> Cell {
    let zh = match origin {
        store::MANUAL => "手工",
        store::MODEL => "模型",
        store::DERIVED => "派生",
        other => other,
    };
    Cell::label(origin, zh)
}

fn rename(ctx: &Context, from: &str, to: &str) -> Result<Status> {
    let (from, to) = (Tag::parse(from)?, Tag::parse(to)?);
    let mut store = ctx.read()?;
    let n = store.write(&ctx.actor, |w| w.rename_tag(&from, &to))?;
    ctx.out
        .status(&format!("renamed {from} to {to} on {n} customer(s)"));
    if ctx.out.is_json() {
        ctx.out.json(&json!({ "changed": n }))?;
    }
    Ok(Status::Ok)
}

fn dim_add(ctx: &Context, name: &str, single: bool, values: Option<&str>) -> Result<Status> {
    let dim = TagDim {
        name: parse_dim_name(name)?,
        single,
        allowed: values.map(parse_values).transpose()?,
    };
    let mut store = ctx.write()?;
    let changed = store.write(&ctx.actor, |w| w.declare_dim(&dim))?;
    let kind = if dim.single {
        "single-valued"
    } else {
        "multi-valued"
    };
    let values = dim
        .allowed
        .as_ref()
        .map_or("any value".to_string(), |v| format!("values {}", v.join(", ")));
    let verb = if changed { "declared" } else { "unchanged:" };
    ctx.out.status(&format!("{verb} {} ({kind}; {values})", dim.name));
    Ok(Status::Ok)
}

fn dim_list(ctx: &Context) -> Result<Status> {
    let store = ctx.read()?;
    let mut r = Records::new(vec![
        Column::new("dimension", "维度"),
        Column::new("kind", "类型"),
        Column::new("values", "取值"),
        Column::new("source", "来自字段"),
    ]);
    for d in Derived::ALL {
        r.rows.push(vec![
            dim_cell(Some(d), d.zh()),
            Cell::label("derived", "派生"),
            Cell::Null,
            Cell::Text(d.source().to_string()),
        ]);
    }
    for d in store.tag_dims()? {
        r.rows.push(vec![
            Cell::Text(d.name.clone()),
            if d.single {
                Cell::label("single", "单值")
            } else {
                Cell::label("multi", "多值")
            },
            Cell::text(d.allowed.as_ref().map(|v| v.join(","))),
            Cell::Null,
        ]);
    }
    ctx.out.records(&r)?;
    Ok(Status::Ok)
}
