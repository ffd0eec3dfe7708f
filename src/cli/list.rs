//! `kehu list`: customers, filtered, sorted and limited, in any output format.

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::output::{Cell, Column, Records};
use super::{Context, Status, UsageError};
use crate::domain::choice::{Choice, Stage};
use crate::domain::industry::parse_industry;
use crate::domain::region::{Region, parse_province};
use crate::domain::{Field, Invalid};
use crate::store::{ListFilter, Sort, Stored};

/// The columns shown when `--columns` is not given.
const DEFAULT_COLUMNS: &[Field] = &[
    Field::Code,
    Field::Name,
    Field::Province,
    Field::Region,
    Field::Industry,
    Field::Stage,
    Field::Tier,
    Field::Owner,
    Field::TotalAmount,
];

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SortKey {
    Code,
    Name,
    Updated,
    Created,
    Amount,
    Score,
}

/// List customers.
///
/// Filters combine with AND. Values are accepted in Chinese or English:
///   kehu list --region 华东 --stage 成交
///   kehu list --industry C --sort amount --desc --limit 20 --format json
#[derive(Debug, Args)]
pub struct ListArgs {
    /// 合作阶段 (潜在/prospect, 意向/intent, 成交/customer, 流失/churned).
    #[arg(long)]
    stage: Option<String>,
    /// 区域 (华北 东北 华东 华中 华南 西南 西北 港澳台, or north … hmt).
    #[arg(long)]
    region: Option<String>,
    /// 省份.
    #[arg(long)]
    province: Option<String>,
    /// 行业: a section letter or name (whole section) or a division.
    #[arg(long)]
    industry: Option<String>,
    /// 负责人.
    #[arg(long)]
    owner: Option<String>,
    /// Sort by.
    #[arg(long, value_enum, default_value = "code")]
    sort: SortKey,
    /// Sort descending.
    #[arg(long)]
    desc: bool,
    /// At most this many rows.
    #[arg(long)]
    limit: Option<usize>,
    /// Columns to show, comma-separated keys or Chinese names (e.g. code,name,owner).
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
}

pub fn run(ctx: &Context, args: ListArgs) -> Result<Status> {
    let filter = filter(&args)?;
    let columns = columns(&args.columns)?;
    let store = ctx.read()?;
    let customers = store.list_customers(&filter)?;
    ctx.out.records(&records(&customers, &columns))?;
    Ok(Status::Ok)
}

fn filter(args: &ListArgs) -> Result<ListFilter> {
    let bad = |field: &str, value: &str, reason: String| Invalid::new(field, value, reason);
    Ok(ListFilter {
        stage: args
            .stage
            .as_deref()
            .map(|s| Stage::parse(s).map_err(|r| bad("stage", s, r)))
            .transpose()?,
        region: args
            .region
            .as_deref()
            .map(|s| Region::parse(s).map_err(|r| bad("region", s, r)))
            .transpose()?,
        province: args
            .province
            .as_deref()
            .map(|s| {
                parse_province(s)
                    .map(|p| p.name.to_string())
                    .map_err(|r| bad("province", s, r))
            })
            .transpose()?,
        industry: args
            .industry
            .as_deref()
            .map(|s| {
                parse_industry(s)
                    .map(|i| i.code())
                    .map_err(|r| bad("industry", s, r))
            })
            .transpose()?,
        owner: args.owner.clone(),
        sort: match args.sort {
            SortKey::Code => Sort::Code,
            SortKey::Name => Sort::Name,
            SortKey::Updated => Sort::Updated,
            SortKey::Created => Sort::Created,
            SortKey::Amount => Sort::Amount,
            SortKey::Score => Sort::Score,
        },
        descending: args.desc,
        limit: args.limit,
    })
}

fn columns(names: &[String]) -> Result<Vec<Field>, UsageError> {
    if names.is_empty() {
        return Ok(DEFAULT_COLUMNS.to_vec());
    }
    names
        .iter()
        .map(|n| Field::from_name(n).ok_or_else(|| UsageError(format!("unknown column {n}"))))
        .collect()
}

/// The value of one field as a printable cell.
pub fn cell(s: &Stored, field: Field) -> Cell {
    let c = &s.customer;
    match field {
        Field::TotalAmount => c.total_amount_fen.map_or(Cell::Null, Cell::Money),
        Field::Trade12m => c.trade_12m_fen.map_or(Cell::Null, Cell::Money),
        Field::Referrals12m => c.referrals_12m.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Field::Complaints12m => c.complaints_12m.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Field::Satisfaction => c.satisfaction.map_or(Cell::Null, Cell::Decimal),
        Field::Score => c.score.map_or(Cell::Null, Cell::Decimal),
        Field::CreatedAt => Cell::Text(s.created_at.clone()),
        Field::UpdatedAt => Cell::Text(s.updated_at.clone()),
        Field::Industry
        | Field::Region
        | Field::Nature
        | Field::Size
        | Field::Source
        | Field::Stage
        | Field::Intent
        | Field::Secrecy => match (c.value(field), c.display(field, true)) {
            (Some(key), Some(label)) => Cell::label(&key, &label),
            _ => Cell::Null,
        },
        _ => Cell::text(c.value(field)),
    }
}

/// Customers as records with the given columns.
pub fn records(customers: &[Stored], columns: &[Field]) -> Records {
    let mut records = Records::new(columns.iter().map(|f| Column::new(f.key(), f.zh())).collect());
    records.rows = customers
        .iter()
        .map(|s| columns.iter().map(|&f| cell(s, f)).collect())
        .collect();
    records
}
