//! `kehu report tiers`: per-tier analysis (seed 004 §5.1.4).

use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;

use super::{Chart, Report, Section, dim_cell};
use crate::cli::Context;
use crate::cli::output::{Cell, Column, Records};
use crate::domain::Invalid;
use crate::domain::number::parse_decimal;
use crate::domain::report::dist::{Dim, sort_buckets};
use crate::domain::report::tiers::{decline, key_tiers, upgrade_candidate};
use crate::domain::report::{STANDARD_TIERS, Window, ladder, mean, share};
use crate::store::{ReportFilter, Store};

/// Per tier: customers, trade, satisfaction, complaints and referrals; customers within a
/// few points of the next tier (upgrade candidates); key customers whose score or tier fell
/// between the last two grading runs.
///   kehu report tiers --within 5
#[derive(Debug, Args)]
pub struct TiersArgs {
    /// Trade counts orders dated in the 12 months up to this date (default today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Upgrade candidates are at most this many points below the next tier's threshold.
    #[arg(long, value_name = "POINTS", default_value = "5")]
    within: String,
}

pub fn build(
    ctx: &Context,
    store: &Store,
    filter: &ReportFilter,
    limit: Option<usize>,
    args: TiersArgs,
) -> Result<Report> {
    let as_of = super::as_of(ctx, args.as_of.as_deref())?;
    let within = parse_decimal(&args.within)
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| Invalid::new("within", &args.within, "must be a number of points ≥ 0"))?;
    let window = Window::twelve_months(as_of);
    let mut report = Report::new("tiers", "分级客户分析", "Customers by tier", "tiers");

    let mut figures = store.tier_figures(filter)?;
    let (mut trade, customers, trade_total) = store.distribution(&[Dim::Tier], filter, window)?;
    sort_buckets(&[Dim::Tier], &mut trade);
    let graded: i64 = figures
        .iter()
        .filter(|f| f.tier.is_some())
        .map(|f| f.customers)
        .sum();
    let position = |t: &Option<String>| trade.iter().position(|b| b.keys[0] == *t).unwrap_or(usize::MAX);
    figures.sort_by_key(|f| position(&f.tier));

    report.item("as_of", "截至日期", Cell::Text(as_of.to_string()));
    report.item("customers", "客户数", Cell::Int(customers));
    report.item("graded", "已评级客户", Cell::Int(graded));
    report.item("trade_12m", "近12个月成交额", Cell::Money(trade_total));

    let mut per_tier = Records::new(vec![
        Column::new("tier", "等级"),
        Column::new("customers", "客户数"),
        Column::new("share", "占比%"),
        Column::new("trade_12m", "近12个月成交额"),
        Column::new("trade_share", "成交额占比%"),
        Column::new("avg_score", "平均评分"),
        Column::new("avg_satisfaction", "平均满意度"),
        Column::new("satisfaction_known", "有满意度的客户"),
        Column::new("complaints_12m", "近12个月投诉数"),
        Column::new("complaining", "有投诉的客户"),
        Column::new("referrals_12m", "近12个月转介绍数"),
    ]);
    per_tier.rows = figures
        .iter()
        .map(|f| {
            let fen = trade
                .iter()
                .find(|b| b.keys[0] == f.tier)
                .map_or(0, |b| b.trade_fen);
            vec![
                dim_cell(&Dim::Tier, f.tier.as_deref()),
                Cell::Int(f.customers),
                Cell::Decimal(share(f.customers, customers)),
                Cell::Money(fen),
                Cell::Decimal(share(fen, trade_total)),
                mean(f.score_sum, f.score_known).map_or(Cell::Null, Cell::Decimal),
                mean(f.satisfaction_sum, f.satisfaction_known).map_or(Cell::Null, Cell::Decimal),
                Cell::Int(f.satisfaction_known),
                Cell::Int(f.complaints),
                Cell::Int(f.complaining_customers),
                Cell::Int(f.referrals),
            ]
        })
        .collect();
    let mut section = Section::new("tiers", "各等级概况", "By tier", per_tier).chart(Chart::Bars {
        zh: "各等级客户数".into(),
        en: "Customers by tier".into(),
        label: 0,
        value: 1,
    });
    if trade_total > 0 {
        section = section.chart(Chart::Bars {
            zh: "各等级近12个月成交额（元）".into(),
            en: "Trade in the last 12 months by tier (yuan)".into(),
            label: 0,
            value: 3,
        });
    }
    report.sections.push(section);

    // Upgrade candidates (standard model): within `within` points of the next threshold.
    let bounds: Vec<(&str, Decimal)> = STANDARD_TIERS
        .windows(2)
        .filter_map(|w| Some((w[1].0, Decimal::from(w[0].2?) - within)))
        .collect();
    let mut candidates: Vec<_> = store
        .scored_customers(&bounds, filter)?
        .into_iter()
        .filter_map(|s| upgrade_candidate(&s.tier, s.score, s.has_deal, within).map(|c| (s, c)))
        .collect();
    candidates.sort_by(|(a, ca), (b, cb)| ca.gap.cmp(&cb.gap).then_with(|| a.code.cmp(&b.code)));
    let candidate_total = candidates.len() as i64;
    let mut list = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("owner", "负责人"),
        Column::new("tier", "当前等级"),
        Column::new("score", "评分"),
        Column::new("next", "可升至"),
        Column::new("threshold", "门槛分"),
        Column::new("gap", "差距"),
        Column::new("needs_deal", "需首次成交"),
    ]);
    list.rows = candidates
        .into_iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|(s, c)| {
            vec![
                Cell::Text(s.code),
                Cell::Text(s.name),
                Cell::text(s.owner),
                dim_cell(&Dim::Tier, Some(&s.tier)),
                Cell::Decimal(s.score),
                dim_cell(&Dim::Tier, Some(c.next)),
                Cell::Decimal(c.threshold),
                Cell::Decimal(c.gap),
                Cell::Bool(c.needs_deal),
            ]
        })
        .collect();
    report.item("within", "升级候选差距（分）", Cell::Decimal(within.normalize()));
    report.item("candidates", "升级候选客户", Cell::Int(candidate_total));
    report.sections.push(
        Section::new("candidates", "升级候选客户", "Upgrade candidates", list).limited(candidate_total),
    );

    // Key customers who slipped between the last two runs.
    let runs = store.report_runs()?;
    let mut slipped = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("tier_before", "上次等级"),
        Column::new("tier_now", "本次等级"),
        Column::new("score_before", "上次评分"),
        Column::new("score_now", "本次评分"),
        Column::new("score_change", "评分变化"),
        Column::new("tier_down", "降级"),
    ]);
    if let [.., a, b] = runs.as_slice() {
        let tiers = store.run_tiers(a.id, b.id)?;
        let order = ladder(tiers.iter().map(String::as_str)).unwrap_or(&[
            "core",
            "important",
            "ordinary",
            "potential",
        ]);
        let keys = key_tiers(order);
        for p in store.run_pairs(a.id, b.id, &keys, filter)? {
            if let Some(d) = decline(&p, order) {
                slipped.rows.push(vec![
                    Cell::Text(p.code.clone()),
                    Cell::Text(p.name.clone()),
                    dim_cell(&Dim::Tier, Some(&p.tier_before)),
                    dim_cell(&Dim::Tier, Some(&p.tier_now)),
                    p.score_before.map_or(Cell::Null, Cell::Decimal),
                    p.score_now.map_or(Cell::Null, Cell::Decimal),
                    d.score_change.map_or(Cell::Null, Cell::Decimal),
                    Cell::Bool(d.tier_down),
                ]);
            }
        }
        report.item(
            "runs_compared",
            "对比的评级",
            Cell::Text(format!("#{} {} → #{} {}", a.id, a.as_of, b.id, b.as_of)),
        );
    } else {
        report.note(
            "评级少于两次，无法比较重点客户的变化。",
            "fewer than two grading runs, so key customers cannot be compared yet.",
        );
    }
    let slipped_total = slipped.rows.len() as i64;
    slipped.rows.truncate(limit.unwrap_or(usize::MAX));
    report.sections.push(
        Section::new(
            "declines",
            "评分或等级下降的重点客户",
            "Key customers who slipped",
            slipped,
        )
        .limited(slipped_total),
    );
    report.note(
        "升级候选按标准模型的门槛（核心 90、重要 70、普通 50）计算，不含手动指定等级的客户；无成交的客户无论评分都是潜在客户。",
        "candidates use the standard model's thresholds (core 90, important 70, ordinary 50) and leave out pinned customers; a customer with no deal is potential whatever the score.",
    );
    Ok(report)
}
