//! `kehu report review`: the monthly review list (seed 001 "回头看").

use anyhow::Result;
use clap::Args;

use super::{Chart, Report, Section, dim_cell};
use crate::cli::Context;
use crate::cli::output::{Cell, Column, Records};
use crate::domain::Invalid;
use crate::domain::report::dist::Dim;
use crate::domain::report::review::{Policy, Reason, Required, review};
use crate::domain::report::{Window, share};
use crate::store::{ReportFilter, Store};

/// The monthly review list (回头看): contacts not confirmed for a long time, deals with no
/// order in 12 months (churn risk), stages that contradict the orders (成交 without an order,
/// 流失 with a recent one, 流失 without a reason, orders before 成交), and key fields left
/// empty — one row per customer and reason.
///   kehu report review --owner 张三
///   kehu report review --as-of 2024-05-31 --output 回头看-2024-05.xlsx
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Review as of this date (default today); later orders are not counted.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// A contact not confirmed for more than this many days needs checking.
    #[arg(long, value_name = "N", default_value_t = 180)]
    contact_days: u32,
    /// Fields every customer should have (comma-separated): uscc, industry, province, city,
    /// nature, size, source, owner, phone [default: uscc,industry,province,size,owner,phone].
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    require: Vec<String>,
}

pub fn build(
    ctx: &Context,
    store: &Store,
    filter: &ReportFilter,
    limit: Option<usize>,
    args: ReviewArgs,
) -> Result<Report> {
    let as_of = super::as_of(ctx, args.as_of.as_deref())?;
    let required = if args.require.is_empty() {
        Required::DEFAULT.to_vec()
    } else {
        args.require
            .iter()
            .map(|r| Required::parse(r).map_err(|e| Invalid::new("require", r, e)))
            .collect::<Result<Vec<_>, _>>()?
    };
    let policy = Policy {
        as_of,
        contact_days: args.contact_days.into(),
        required,
    };
    let mut reviewed = 0i64;
    let mut listed = 0i64;
    let mut counts = vec![0i64; Reason::ALL.len()];
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut total_rows = 0i64;
    let cap = limit.unwrap_or(usize::MAX);
    store.each_review_facts(as_of, filter, |facts| {
        reviewed += 1;
        let findings = review(&facts, &policy);
        if findings.is_empty() {
            return;
        }
        listed += 1;
        for f in findings {
            counts[Reason::ALL
                .iter()
                .position(|r| *r == f.reason)
                .expect("known reason")] += 1;
            total_rows += 1;
            if rows.len() < cap {
                rows.push(vec![
                    Cell::Text(facts.code.clone()),
                    Cell::Text(facts.name.clone()),
                    Cell::text(facts.owner.clone()),
                    dim_cell(&Dim::Stage, Some(&facts.stage)),
                    Cell::label(f.reason.key(), f.reason.zh()),
                    Cell::Text(f.detail(ctx.out.zh).to_string()),
                    f.since.map_or(Cell::Null, |d| Cell::Text(d.to_string())),
                    f.days.map_or(Cell::Null, Cell::Int),
                ]);
            }
        }
    })?;

    let window = Window::twelve_months(as_of);
    let mut report = Report::new("review", "月度回头看", "Monthly review", "findings");
    report.item("as_of", "截至日期", Cell::Text(as_of.to_string()));
    report.item(
        "contact_days",
        "联系人确认期限（天）",
        Cell::Int(policy.contact_days),
    );
    report.item(
        "order_window",
        "近12个月",
        Cell::Text(format!(
            "{} – {}",
            window.after.succ_opt().unwrap_or(window.after),
            window.until
        )),
    );
    let required: Vec<&str> = policy.required.iter().map(|r| r.key()).collect();
    report.item("required", "必填字段", Cell::Text(required.join(",")));
    report.item("reviewed", "检查客户数", Cell::Int(reviewed));
    report.item("listed", "需跟进客户数", Cell::Int(listed));
    report.item(
        "listed_share",
        "需跟进占比%",
        Cell::Decimal(share(listed, reviewed)),
    );

    let mut reasons = Records::new(vec![
        Column::new("reason", "原因"),
        Column::new("customers", "客户数"),
    ]);
    reasons.rows = Reason::ALL
        .iter()
        .zip(&counts)
        .map(|(r, n)| vec![Cell::label(r.key(), r.zh()), Cell::Int(*n)])
        .collect();
    report.sections.push(
        Section::new("reasons", "按原因汇总", "By reason", reasons).chart(Chart::Bars {
            zh: "各原因涉及的客户数".into(),
            en: "Customers by reason".into(),
            label: 0,
            value: 1,
        }),
    );
    let mut findings = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("owner", "负责人"),
        Column::new("stage", "合作阶段"),
        Column::new("reason", "原因"),
        Column::new("detail", "说明"),
        Column::new("since", "日期"),
        Column::new("days", "天数"),
    ]);
    findings.rows = rows;
    report
        .sections
        .push(Section::new("findings", "需跟进的客户", "To review", findings).limited(total_rows));
    report.note(
        "联系人以最近确认时间为准（未确认过的以录入时间计）；订单以截至日期及之前的为准。",
        "a contact counts as confirmed when last confirmed, else when added; only orders up to the as-of date count.",
    );
    Ok(report)
}
