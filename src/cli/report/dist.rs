//! `kehu report dist`: customers by one dimension, or two crossed.

use anyhow::{Result, bail};
use clap::Args;

use super::{Chart, Report, Section, dim_cell};
use crate::cli::output::{Cell, Column, Records};
use crate::cli::{Context, UsageError};
use crate::domain::report::dist::{Bucket, Dim, axis, cross_tab, sort_buckets};
use crate::domain::report::{Window, share};
use crate::store::{ReportFilter, Store};

/// Customers by a dimension: count, share and trade in the 12 months to the as-of date.
///
/// Two --by give a cross-tab. Dimensions: region 区域, province 省份, city 城市, industry 行业
/// (section), division 行业大类, tier 等级, stage 阶段, source 来源, nature 性质, size 规模,
/// intent 意向度, owner 负责人, secrecy 密级; any other name is a tag dimension (价值, …) and
/// `label` the plain labels. A customer with several tags of one dimension counts under each.
///   kehu report dist --by region
///   kehu report dist --by 区域 --by 等级 --stage 成交
#[derive(Debug, Args)]
pub struct DistArgs {
    /// What to group by; give it twice for a cross-tab.
    #[arg(long = "by", value_name = "DIM", required = true)]
    by: Vec<String>,
    /// Trade counts orders dated in the 12 months up to this date (default today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

pub fn build(ctx: &Context, store: &Store, filter: &ReportFilter, args: DistArgs) -> Result<Report> {
    if args.by.len() > 2 {
        bail!(UsageError(
            "at most two --by (one dimension, or two for a cross-tab)".into()
        ));
    }
    let dims: Vec<Dim> = args.by.iter().map(|b| Dim::parse(b)).collect();
    if dims.len() == 2 && dims[0] == dims[1] {
        bail!(UsageError(format!("--by {} given twice", args.by[0])));
    }
    for (dim, typed) in dims.iter().zip(&args.by) {
        if let Dim::Tag(name) = dim
            && !store.tag_dim_in_use(name)?
        {
            bail!(UsageError(format!(
                "unknown dimension {typed}: not built in ({}) and no customer has a tag of that dimension",
                Dim::built_in_names().join(", ")
            )));
        }
    }
    let as_of = super::as_of(ctx, args.as_of.as_deref())?;
    let window = Window::twelve_months(as_of);
    let (mut buckets, customers, trade) = store.distribution(&dims, filter, window)?;
    sort_buckets(&dims, &mut buckets);

    let names: Vec<String> = dims.iter().map(Dim::key).collect();
    let names_zh: Vec<String> = dims.iter().map(Dim::zh).collect();
    let mut report = Report::new(
        "dist",
        &format!("客户分布：{}", names_zh.join(" × ")),
        &format!("Customers by {}", names.join(" × ")),
        "distribution",
    );
    report.item("as_of", "截至日期", Cell::Text(as_of.to_string()));
    report.item(
        "window",
        "成交额统计期",
        Cell::Text(format!(
            "{} – {}",
            window.after.succ_opt().unwrap_or(window.after),
            window.until
        )),
    );
    report.item("customers", "客户数", Cell::Int(customers));
    report.item("trade_12m", "近12个月成交额", Cell::Money(trade));
    report.note(
        "成交额 = 统计期内订单金额之和（元）；占比 = 占客户总数的百分比。",
        "trade = the sum of orders dated in the window (yuan); share = percent of all customers covered.",
    );
    if dims.iter().any(|d| matches!(d, Dim::Tag(_))) {
        report.note(
            "同一维度有多个标签的客户在每个标签下各计一次，合计可能超过客户数。",
            "a customer with several tags of one dimension counts under each, so counts may add up to more than the customers.",
        );
    }

    let mut columns: Vec<Column> = dims.iter().map(|d| Column::new(d.key(), d.zh())).collect();
    columns.extend([
        Column::new("count", "客户数"),
        Column::new("share", "占比%"),
        Column::new("trade_12m", "近12个月成交额"),
        Column::new("trade_share", "成交额占比%"),
    ]);
    let mut records = Records::new(columns);
    records.rows = buckets
        .iter()
        .map(|b| {
            let mut row: Vec<Cell> = dims
                .iter()
                .zip(&b.keys)
                .map(|(d, k)| dim_cell(d, k.as_deref()))
                .collect();
            row.extend([
                Cell::Int(b.count),
                Cell::Decimal(share(b.count, customers)),
                Cell::Money(b.trade_fen),
                Cell::Decimal(share(b.trade_fen, trade)),
            ]);
            row
        })
        .collect();
    let n = dims.len();
    let mut section = Section::new("distribution", "分布", "Distribution", records);
    if n == 1 {
        section = section.chart(Chart::Bars {
            zh: format!("按{}的客户数", names_zh[0]),
            en: format!("Customers by {}", names[0]),
            label: 0,
            value: 1,
        });
        if trade > 0 {
            section = section.chart(Chart::Bars {
                zh: format!("按{}的近12个月成交额（元）", names_zh[0]),
                en: format!("Trade in the last 12 months by {} (yuan)", names[0]),
                label: 0,
                value: 3,
            });
        }
        report.sections.push(section);
    } else {
        // The cross-tab (with its heat map) first: it is what a reader looks at.
        report.sections.push(matrix(&dims, &buckets));
        report.sections.push(section);
    }
    Ok(report)
}

/// The cross-tab of two dimensions: one row per value of the first, one column per value of
/// the second, and row totals.
fn matrix(dims: &[Dim], buckets: &[Bucket]) -> Section {
    let pair = [dims[0].clone(), dims[1].clone()];
    let t = cross_tab(&pair, buckets);
    let mut columns = vec![Column::new(dims[0].key(), dims[0].zh())];
    for c in &t.cols {
        columns.push(match c {
            Some(v) => Column::new(v.clone(), dims[1].value_zh(v)),
            None => Column::new("none", "(未填)"),
        });
    }
    columns.push(Column::new("total", "合计"));
    let mut records = Records::new(columns);
    for (r, value) in t.rows.iter().enumerate() {
        let mut row = vec![dim_cell(&dims[0], value.as_deref())];
        row.extend(t.counts[r].iter().map(|c| Cell::Int(*c)));
        row.push(Cell::Int(t.row_totals[r]));
        records.rows.push(row);
    }
    debug_assert_eq!(axis(&dims[0], 0, buckets).len(), t.rows.len());
    let last = t.cols.len();
    Section::new(
        "matrix",
        format!("交叉表：{} × {}（客户数）", dims[0].zh(), dims[1].zh()),
        format!("Cross-tab: {} × {} (customers)", dims[0].key(), dims[1].key()),
        records,
    )
    .chart(Chart::Heat {
        zh: format!("{} × {}", dims[0].zh(), dims[1].zh()),
        en: format!("{} × {}", dims[0].key(), dims[1].key()),
        label: 0,
        first: 1,
        last,
    })
}
