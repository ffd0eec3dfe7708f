//! `kehu report movement`: tier movement between two grading runs.

use anyhow::{Result, bail};
use clap::Args;

use super::{Chart, Report, Section, dim_cell};
use crate::cli::UsageError;
use crate::cli::output::{Cell, Column, Records};
use crate::domain::report::dist::Dim;
use crate::domain::report::movement::{Move, classify, matrix};
use crate::domain::report::share;
use crate::store::{self, GradeRun, ReportFilter, Store};

/// Tier movement between two grading runs (default: the latest two): how many moved up,
/// down, were newly graded or dropped out, the from → to matrix, and who moved.
///   kehu report movement
///   kehu report movement 3 5 --region 华东
#[derive(Debug, Args)]
pub struct MovementArgs {
    /// The earlier run's id.
    #[arg(requires = "run_b")]
    run_a: Option<i64>,
    /// The later run's id.
    run_b: Option<i64>,
}

fn run_label(r: &GradeRun) -> String {
    format!("#{} {} ({})", r.id, r.as_of, r.model_name)
}

pub fn build(
    store: &Store,
    filter: &ReportFilter,
    limit: Option<usize>,
    args: MovementArgs,
) -> Result<Report> {
    let runs = store.report_runs()?;
    let find = |id: i64| {
        runs.iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| store::Error::NotFoundOther(format!("no grading run {id}")))
    };
    let (a, b) = match (args.run_a, args.run_b) {
        (Some(a), Some(b)) => {
            if a == b {
                bail!(UsageError("give two different runs".into()));
            }
            (find(a)?, find(b)?)
        }
        _ => match runs.as_slice() {
            [.., a, b] => (a.clone(), b.clone()),
            _ => bail!(store::Error::NotFoundOther(format!(
                "tier movement needs two grading runs; there {} {} (run `kehu grade` again next month)",
                if runs.len() == 1 { "is" } else { "are" },
                runs.len()
            ))),
        },
    };
    let cells = store.movement_cells(a.id, b.id, filter)?;
    let m = matrix(&cells);
    let graded_a: i64 = cells.iter().filter(|c| c.from.is_some()).map(|c| c.count).sum();
    let graded_b: i64 = cells.iter().filter(|c| c.to.is_some()).map(|c| c.count).sum();
    let all: i64 = cells.iter().map(|c| c.count).sum();

    let mut report = Report::new("movement", "客户等级变动", "Tier movement", "matrix");
    report.item("run_from", "对比期初", Cell::Text(run_label(&a)));
    report.item("run_to", "对比期末", Cell::Text(run_label(&b)));
    report.item("graded_from", "期初评级客户", Cell::Int(graded_a));
    report.item("graded_to", "期末评级客户", Cell::Int(graded_b));
    for (mv, count) in &m.tally {
        report.item(mv.key(), mv.zh(), Cell::Int(*count));
    }
    if m.order.is_none() && m.tally.iter().any(|(mv, c)| *mv == Move::Changed && *c > 0) {
        report.note(
            "这两次评级的等级不属于已知的等级序列，无法区分升降，只统计“变动”。",
            "the runs' tiers fit no known tier order, so moves are counted as changed, not up or down.",
        );
    }

    let mut moves = Records::new(vec![
        Column::new("move", "变动"),
        Column::new("count", "客户数"),
        Column::new("share", "占比%"),
    ]);
    moves.rows = m
        .tally
        .iter()
        .map(|(mv, count)| {
            vec![
                Cell::label(mv.key(), mv.zh()),
                Cell::Int(*count),
                Cell::Decimal(share(*count, all)),
            ]
        })
        .collect();
    report.sections.push(
        Section::new("moves", "变动汇总", "Moves", moves).chart(Chart::Bars {
            zh: "各类变动的客户数".into(),
            en: "Customers by kind of move".into(),
            label: 0,
            value: 1,
        }),
    );

    let mut columns = vec![Column::new("from", "期初等级 \\ 期末等级")];
    for c in &m.cols {
        columns.push(match c {
            Some(t) => Column::new(t.clone(), Dim::Tier.value_zh(t)),
            None => Column::new("gone", "（移出）"),
        });
    }
    let mut grid = Records::new(columns);
    for (r, from) in m.rows.iter().enumerate() {
        let mut row = vec![match from {
            Some(t) => dim_cell(&Dim::Tier, Some(t)),
            None => Cell::label("new", "（新增）"),
        }];
        row.extend(m.counts[r].iter().map(|c| Cell::Int(*c)));
        grid.rows.push(row);
    }
    let last = m.cols.len();
    report.sections.push(
        Section::new(
            "matrix",
            "等级变动矩阵（行：期初，列：期末）",
            "From → to (rows: earlier run, columns: later run)",
            grid,
        )
        .chart(Chart::Heat {
            zh: "等级变动矩阵".into(),
            en: "Tier movement matrix".into(),
            label: 0,
            first: 1,
            last,
        }),
    );

    let moved = store.moved_customers(a.id, b.id, filter, limit)?;
    let moved_total: i64 = cells.iter().filter(|c| c.from != c.to).map(|c| c.count).sum();
    let mut list = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("from", "期初等级"),
        Column::new("to", "期末等级"),
        Column::new("move", "变动"),
        Column::new("score_from", "期初评分"),
        Column::new("score_to", "期末评分"),
    ]);
    list.rows = moved
        .iter()
        .map(|x| {
            let mv = classify(x.from.as_deref(), x.to.as_deref(), m.order);
            vec![
                Cell::Text(x.code.clone()),
                Cell::Text(x.name.clone()),
                x.from
                    .as_deref()
                    .map_or(Cell::Null, |t| dim_cell(&Dim::Tier, Some(t))),
                x.to.as_deref()
                    .map_or(Cell::Null, |t| dim_cell(&Dim::Tier, Some(t))),
                Cell::label(mv.key(), mv.zh()),
                x.score_from.map_or(Cell::Null, Cell::Decimal),
                x.score_to.map_or(Cell::Null, Cell::Decimal),
            ]
        })
        .collect();
    report.sections.push(
        Section::new("customers", "等级有变动的客户", "Customers who moved", list).limited(moved_total),
    );
    Ok(report)
}
