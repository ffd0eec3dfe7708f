//! `kehu list`: customers, filtered, sorted and limited, in any output format; or only their
//! count, or counts by a dimension.

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::json;

use super::output::{Cell, Column, Records};
use super::tag::value_cell;
use super::{Context, Status, UsageError};
use crate::domain::choice::{Choice, Intent, Nature, Size, Source, Stage};
use crate::domain::industry::parse_industry;
use crate::domain::money::{Unit, parse_amount};
use crate::domain::query::{city_names, fresh_since, parse_range, parse_text};
use crate::domain::region::{Region, parse_province};
use crate::domain::tag::{Derived, PLACE, TagCond, parse_tier};
use crate::domain::{Field, Invalid, date, number};
use crate::store::{GroupBy, ListFilter, Sort, Store, Stored};

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
    FirstCoop,
    LastCoop,
}

/// Which customers: the filters `kehu list` and changes over a filter (`kehu tag add … --tier
/// core`) share. They combine with AND; values are accepted in Chinese or English.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// 合作阶段 (潜在/prospect, 意向/intent, 成交/customer, 流失/churned).
    #[arg(long)]
    stage: Option<String>,
    /// 区域 (华北 东北 华东 华中 华南 西南 西北 港澳台, or north … hmt).
    #[arg(long)]
    region: Option<String>,
    /// 省份 (广东, 广东省, 粤 …).
    #[arg(long)]
    province: Option<String>,
    /// 城市 (深圳 finds 深圳 and 深圳市).
    #[arg(long)]
    city: Option<String>,
    /// 行业: a section letter or name (the whole section), or a division code or name.
    #[arg(long)]
    industry: Option<String>,
    /// 负责人.
    #[arg(long)]
    owner: Option<String>,
    /// 等级 (核心/core, 重要/important, 普通/ordinary, 潜在/potential, or a model's class).
    #[arg(long)]
    tier: Option<String>,
    /// 意向度 (高/high, 中/medium, 低/low).
    #[arg(long)]
    intent: Option<String>,
    /// 来源渠道 (展会/exhibition, 转介绍/referral, …).
    #[arg(long)]
    source: Option<String>,
    /// 首次合作日期 range, inclusive: 2023-01-01..2023-12-31, 2023-01-01.., ..2023-12-31.
    #[arg(long, value_name = "FROM..TO")]
    first_coop: Option<String>,
    /// 最近合作日期 range, inclusive (as --first-coop).
    #[arg(long, value_name = "FROM..TO")]
    last_coop: Option<String>,
    /// 累计合作金额 range in yuan, inclusive: 10万..50万, 500000.., ..1.2亿.
    #[arg(long, value_name = "MIN..MAX")]
    amount: Option<String>,
    /// 评分 range, inclusive: 70..90, 90.. .
    #[arg(long, value_name = "MIN..MAX")]
    score: Option<String>,
    /// Only customers whose record has not been updated in DAYS days.
    #[arg(long, value_name = "DAYS")]
    stale: Option<u32>,
    /// Free text: every word must be a substring of the name, short name or remarks (科技
    /// finds 北京某某科技有限公司), or of a contact's phone when it is digits (138-1234-5678).
    #[arg(long = "q", visible_alias = "search", value_name = "TEXT")]
    q: Option<String>,
}

/// Tag conditions, however a command names its flags.
pub struct TagFlags<'a> {
    pub all: &'a [String],
    pub any: &'a [String],
    pub none: &'a [String],
}

impl FilterArgs {
    /// The filter these flags and tag conditions describe (sort and limit left at default).
    pub fn to_filter(&self, ctx: &Context, tags: TagFlags<'_>) -> Result<ListFilter> {
        fn opt<T>(
            value: &Option<String>,
            field: &str,
            parse: impl Fn(&str) -> Result<T, String>,
        ) -> Result<Option<T>, Invalid> {
            value
                .as_deref()
                .map(|s| parse(s).map_err(|r| Invalid::new(field, s.trim(), r)))
                .transpose()
        }
        fn range<T: PartialOrd + Clone>(
            value: &Option<String>,
            field: &str,
            parse: impl Fn(&str) -> Result<T, String>,
        ) -> Result<crate::domain::query::Range<T>, Invalid> {
            Ok(opt(value, field, |s| parse_range(s, &parse))?.unwrap_or_default())
        }
        let conds = |list: &[String]| {
            list.iter()
                .map(|t| TagCond::parse(t))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(ListFilter {
            stage: opt(&self.stage, "stage", Stage::parse)?,
            region: opt(&self.region, "region", Region::parse)?,
            province: opt(&self.province, "province", |s| {
                parse_province(s).map(|p| p.name.to_string())
            })?,
            industry: opt(&self.industry, "industry", |s| {
                parse_industry(s).map(|i| i.code())
            })?,
            owner: self.owner.as_deref().map(crate::domain::text::clean),
            tier: opt(&self.tier, "tier", parse_tier)?,
            intent: opt(&self.intent, "intent", Intent::parse)?,
            source: opt(&self.source, "source", Source::parse)?,
            city: self.city.as_deref().map(city_names).unwrap_or_default(),
            all_tags: conds(tags.all)?,
            any_tags: conds(tags.any)?,
            no_tags: conds(tags.none)?,
            first_coop: range(&self.first_coop, "first_coop", date::parse_date)?,
            last_coop: range(&self.last_coop, "last_coop", date::parse_date)?,
            amount_fen: range(&self.amount, "amount", |s| parse_amount(s, Unit::Yuan))?,
            score: range(&self.score, "score", number::parse_decimal)?,
            stale_before: self.stale.map(|days| fresh_since(ctx.today(), days)),
            text: opt(&self.q, "q", parse_text)?.unwrap_or_default(),
            ..ListFilter::default()
        })
    }
}

/// List customers.
///
/// Filters combine with AND. Values are accepted in Chinese or English:
///   kehu list --region 华东 --stage 成交
///   kehu list --tag 价值:高 --tag 行业:制造业 --tag 区域:华东
///   kehu list --tag 地区:上海 --tag 行业:IT服务业 --tag 需求:采购设备
///   kehu list --q 科技 --any-tag 意向:高 --any-tag 意向:中 --not-tag 已流失风险
///   kehu list --industry C --sort amount --desc --limit 20 --format json
///   kehu list --region 华东 --count;  kehu list --tier core --group-by 区域
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Has this tag (repeat: has all of them). DIM:VALUE, a plain label, or DIM:* for any
    /// value; derived dimensions 区域 省份 行业 阶段 等级 (and 地区: region or province) read
    /// the record.
    #[arg(long, value_name = "TAG")]
    tag: Vec<String>,
    /// Has at least one of these tags (repeat the flag).
    #[arg(long, value_name = "TAG")]
    any_tag: Vec<String>,
    /// Has none of these tags (repeat the flag).
    #[arg(long, value_name = "TAG")]
    not_tag: Vec<String>,
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
    /// Print only how many customers match.
    #[arg(long, conflicts_with_all = ["group_by", "columns"])]
    count: bool,
    /// Count the matching customers by a dimension (区域, 行业, 阶段, 等级, 省份, a stored tag
    /// dimension) or a field (owner, source, intent, nature, size, city).
    #[arg(long, value_name = "DIM", conflicts_with = "columns")]
    group_by: Option<String>,
    /// Print the statement the filter runs (with --count: the count) and SQLite's plan for
    /// it, instead of running it.
    #[arg(long)]
    explain: bool,
}

pub fn run(ctx: &Context, args: ListArgs) -> Result<Status> {
    let mut filter = args.filter.to_filter(
        ctx,
        TagFlags {
            all: &args.tag,
            any: &args.any_tag,
            none: &args.not_tag,
        },
    )?;
    filter.sort = match args.sort {
        SortKey::Code => Sort::Code,
        SortKey::Name => Sort::Name,
        SortKey::Updated => Sort::Updated,
        SortKey::Created => Sort::Created,
        SortKey::Amount => Sort::Amount,
        SortKey::Score => Sort::Score,
        SortKey::FirstCoop => Sort::FirstCoop,
        SortKey::LastCoop => Sort::LastCoop,
    };
    filter.descending = args.desc;
    filter.limit = args.limit;
    let columns = columns(&args.columns)?;
    let store = ctx.read()?;
    if args.explain {
        let (sql, plan) = store.explain_list(&filter, args.count)?;
        ctx.out.line(&sql)?;
        for step in plan {
            ctx.out.line(&format!("  {step}"))?;
        }
    } else if args.count {
        let n = store.count_customers(&filter)?;
        if ctx.out.is_json() {
            ctx.out.json(&json!({ "count": n }))?;
        } else if ctx.out.format == super::output::Format::Csv {
            let mut r = Records::new(vec![Column::new("count", "客户数")]);
            r.rows.push(vec![Cell::Int(n)]);
            ctx.out.records(&r)?;
        } else {
            ctx.out.line(&n.to_string())?;
        }
    } else if let Some(name) = &args.group_by {
        let (by, header) = group_by(&store, name)?;
        let groups = store.group_customers(&filter, &by)?;
        let mut r = Records::new(vec![Column::new("value", header), Column::new("count", "客户数")]);
        r.rows = groups
            .into_iter()
            .map(|(value, n)| {
                let cell = match (&by, value) {
                    (_, None) => Cell::Null,
                    (GroupBy::Derived(d), Some(v)) => value_cell(Some(*d), &v),
                    (GroupBy::Column(col), Some(v)) => column_cell(col, v),
                    (GroupBy::Dim(_), Some(v)) => Cell::Text(v),
                };
                vec![cell, Cell::Int(n)]
            })
            .collect();
        ctx.out.records(&r)?;
    } else {
        let customers = store.list_customers(&filter)?;
        ctx.out.records(&records(&customers, &columns))?;
    }
    Ok(Status::Ok)
}

/// What `--group-by NAME` counts by, and the column header.
fn group_by(store: &Store, name: &str) -> Result<(GroupBy, String)> {
    let cleaned = crate::domain::text::clean(name);
    let derived = Derived::find(&cleaned).or((cleaned == PLACE).then_some(Derived::Region));
    if let Some(d) = derived {
        return Ok((GroupBy::Derived(d), d.zh().to_string()));
    }
    if store.has_tag_dim(&cleaned)? {
        return Ok((GroupBy::Dim(cleaned.clone()), cleaned));
    }
    let by = match Field::from_name(&cleaned) {
        Some(Field::Region) => GroupBy::Derived(Derived::Region),
        Some(Field::Province) => GroupBy::Derived(Derived::Province),
        Some(Field::Industry) => GroupBy::Derived(Derived::Industry),
        Some(Field::Stage) => GroupBy::Derived(Derived::Stage),
        Some(Field::Tier) => GroupBy::Derived(Derived::Tier),
        Some(Field::Owner) => GroupBy::Column("owner"),
        Some(Field::Source) => GroupBy::Column("source"),
        Some(Field::Intent) => GroupBy::Column("intent"),
        Some(Field::Nature) => GroupBy::Column("nature"),
        Some(Field::Size) => GroupBy::Column("size"),
        Some(Field::City) => GroupBy::Column("city"),
        _ => {
            return Err(Invalid::new(
                "group-by",
                name.trim(),
                "not a tag dimension (区域 省份 行业 阶段 等级 or a stored one) nor a field \
                 (owner, source, intent, nature, size, city)",
            )
            .into());
        }
    };
    let header = match &by {
        GroupBy::Derived(d) => d.zh().to_string(),
        _ => Field::from_name(&cleaned).map_or(cleaned.clone(), |f| f.zh().to_string()),
    };
    Ok((by, header))
}

/// A closed-set column value as a label cell.
fn column_cell(column: &str, value: String) -> Cell {
    fn label<C: Choice>(v: &str) -> Option<Cell> {
        C::parse(v).ok().map(|c| Cell::label(c.key(), c.zh()))
    }
    let cell = match column {
        "source" => label::<Source>(&value),
        "intent" => label::<Intent>(&value),
        "nature" => label::<Nature>(&value),
        "size" => label::<Size>(&value),
        _ => None,
    };
    cell.unwrap_or(Cell::Text(value))
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
        Field::Tier => c.tier.as_deref().map_or(Cell::Null, |t| {
            Cell::label(t, &crate::domain::tag::tier_label(t, true))
        }),
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
