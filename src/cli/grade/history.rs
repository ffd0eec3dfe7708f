//! `kehu grade runs`, `kehu grade diff` and `kehu grade --sample`: the run history, who
//! moved between two runs, and review samples of a run.

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::{Value as Json, json};

use super::super::output::{Cell, Column, Format, Records};
use super::super::{Context, Status, UsageError};
use super::{run_model, score_cell};
use crate::domain::grade::Model;
use crate::domain::report::movement::{Matrix, Move, classify, matrix_on};
use crate::store::{self, ReportFilter, Run, Store};

pub fn runs(ctx: &Context, limit: Option<usize>) -> Result<Status> {
    let store = ctx.read()?;
    let runs = store.grade_runs(limit)?;
    if ctx.out.is_json() {
        let rows: Vec<Json> = runs.iter().map(run_json).collect();
        if ctx.out.format == Format::Jsonl {
            for row in rows {
                ctx.out.json(&row)?;
            }
        } else {
            ctx.out.json(&Json::Array(rows))?;
        }
        return Ok(Status::Ok);
    }
    let mut records = Records::new(vec![
        Column::new("run", "批次"),
        Column::new("as_of", "评定日"),
        Column::new("model", "模型"),
        Column::new("model_sha256", "模型校验和"),
        Column::new("as_tag", "写入标签"),
        Column::new("customers", "客户数"),
        Column::new("tiers", "各等级"),
        Column::new("changed", "变动"),
        Column::new("incomplete", "数据不全"),
        Column::new("pinned", "人工锁定"),
        Column::new("operator", "操作人"),
        Column::new("started_at", "时间"),
    ]);
    records.rows = runs
        .iter()
        .map(|r| {
            let tiers = run_tiers(&store, r)
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Cell::Int(r.id),
                Cell::Text(r.as_of.to_string()),
                Cell::Text(r.model_name.clone()),
                Cell::Text(r.model_sha256[..12.min(r.model_sha256.len())].to_string()),
                Cell::text(r.as_tag.clone()),
                Cell::Int(r.counts.customers as i64),
                Cell::Text(tiers),
                Cell::Int(r.counts.changed as i64),
                Cell::Int(r.counts.incomplete as i64),
                Cell::Int(r.counts.pinned as i64),
                Cell::Text(r.operator.clone()),
                Cell::Text(r.started_at.clone()),
            ]
        })
        .collect();
    ctx.out.records(&records)?;
    Ok(Status::Ok)
}

/// A run's per-tier counts in its model's order.
fn run_tiers(store: &Store, run: &Run) -> Vec<(String, u64)> {
    let order: Vec<String> = run_model(store, &run.model_sha256)
        .ok()
        .flatten()
        .map(|m| m.tiers.into_iter().map(|t| t.key).collect())
        .unwrap_or_default();
    let mut out: Vec<(String, u64)> = order
        .iter()
        .map(|k| (k.clone(), run.counts.tiers.get(k).copied().unwrap_or(0)))
        .collect();
    for (k, n) in &run.counts.tiers {
        if !order.contains(k) {
            out.push((k.clone(), *n));
        }
    }
    out
}

fn run_json(r: &Run) -> Json {
    json!({
        "run": r.id,
        "as_of": r.as_of.to_string(),
        "model": r.model_name,
        "model_sha256": r.model_sha256,
        "as_tag": r.as_tag,
        "customers": r.counts.customers,
        "tiers": r.counts.tiers,
        "changed": r.counts.changed,
        "incomplete": r.counts.incomplete,
        "pinned": r.counts.pinned,
        "operator": r.operator,
        "started_at": r.started_at,
    })
}

pub fn diff(ctx: &Context, from: Option<i64>, to: Option<i64>) -> Result<Status> {
    let store = ctx.read()?;
    let (a, b) = match (from, to) {
        (Some(a), Some(b)) => (store.grade_run(a)?, store.grade_run(b)?),
        (Some(a), None) => {
            let latest = store.grade_runs(Some(1))?.into_iter().next();
            let Some(b) = latest else {
                bail!(store::Error::NotFoundOther("no grading runs yet".into()));
            };
            (store.grade_run(a)?, b)
        }
        (None, _) => {
            let runs = store.grade_runs(None)?;
            let Some(b) = runs.first().cloned() else {
                bail!(store::Error::NotFoundOther("no grading runs yet".into()));
            };
            let Some(a) = runs.iter().skip(1).find(|r| r.as_tag == b.as_tag).cloned() else {
                bail!(store::Error::NotFoundOther(format!(
                    "run {} has no earlier run of the same kind to compare with",
                    b.id
                )));
            };
            (a, b)
        }
    };
    if a.id == b.id {
        bail!(UsageError(format!("run {} compared with itself", a.id)));
    }
    // Tier order from the later run's model, then the earlier one's.
    let mut order: Vec<String> = Vec::new();
    let mut labels: Vec<(String, String)> = Vec::new();
    for run in [&b, &a] {
        if let Some(m) = run_model(&store, &run.model_sha256)? {
            for t in m.tiers {
                if !order.contains(&t.key) {
                    order.push(t.key.clone());
                    labels.push((t.key, t.label));
                }
            }
        }
    }
    let label = |k: &Option<String>| match k {
        None => Cell::label("none", "—"),
        Some(k) => {
            let zh = labels
                .iter()
                .find(|(key, _)| key == k)
                .map_or(k.as_str(), |(_, l)| l.as_str());
            Cell::label(k, zh)
        }
    };
    let all = ReportFilter::default();
    let cells = store.movement_cells(a.id, b.id, &all)?;
    let moved = store.moved_customers(a.id, b.id, &all, None)?;
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    let m = matrix_on(&cells, &order);
    let count = |mv: Move| m.tally.iter().find(|(x, _)| *x == mv).map_or(0, |(_, n)| *n);
    let summary = format!(
        "run {} ({}) → run {} ({}): {} up, {} down, {} new, {} gone, {} other changes",
        a.id,
        a.as_of,
        b.id,
        b.as_of,
        count(Move::Up),
        count(Move::Down),
        count(Move::New),
        count(Move::Gone),
        count(Move::Changed),
    );
    let mut list = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("from", "原等级"),
        Column::new("from_score", "原评分"),
        Column::new("to", "新等级"),
        Column::new("to_score", "新评分"),
        Column::new("direction", "变动"),
    ]);
    list.rows = moved
        .iter()
        .map(|x| {
            let mv = classify(x.from.as_deref(), x.to.as_deref(), m.order);
            vec![
                Cell::Text(x.code.clone()),
                Cell::Text(x.name.clone()),
                label(&x.from),
                x.score_from.map_or(Cell::Null, Cell::Decimal),
                label(&x.to),
                x.score_to.map_or(Cell::Null, Cell::Decimal),
                Cell::label(
                    mv.key(),
                    match mv {
                        Move::Changed => "变更",
                        _ => mv.zh(),
                    },
                ),
            ]
        })
        .collect();
    match ctx.out.format {
        Format::Json => {
            let matrix: Vec<Json> = cells
                .iter()
                .map(|c| json!({"from": c.from, "to": c.to, "count": c.count}))
                .collect();
            ctx.out.json(&json!({
                "from_run": a.id,
                "to_run": b.id,
                "matrix": matrix,
                "moved": list.json_rows(),
            }))?;
        }
        Format::Table => {
            ctx.out.line(&summary)?;
            ctx.out.section(
                ctx.out.pick(
                    "等级变动矩阵(行: 原, 列: 新)",
                    "movement (rows: from, columns: to)",
                ),
                &grid(&m, &label),
            )?;
            ctx.out
                .section(ctx.out.pick("升降级客户", "moved customers"), &list)?;
        }
        Format::Csv | Format::Jsonl => ctx.out.records(&list)?,
    }
    if ctx.out.format != Format::Table {
        ctx.out.status(&summary);
    }
    Ok(Status::Ok)
}

/// From-tier rows × to-tier columns of counts; `—` is "not in that run".
fn grid(m: &Matrix, label: &dyn Fn(&Option<String>) -> Cell) -> Records {
    let shown = |k: &Option<String>| match label(k) {
        Cell::Label { key, zh } => (key, zh),
        _ => ("none".into(), "—".into()),
    };
    let mut columns = vec![Column::new("from", "原等级")];
    columns.extend(m.cols.iter().map(|k| {
        let (key, zh) = shown(k);
        Column::new(key, zh)
    }));
    let mut r = Records::new(columns);
    for (from, counts) in m.rows.iter().zip(&m.counts) {
        let mut row = vec![label(from)];
        row.extend(counts.iter().map(|n| Cell::Int(*n)));
        r.rows.push(row);
    }
    r
}

/// A well-mixed 64-bit hash (splitmix64), so a sample is the same every time for the same
/// run and seed.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `10%` → a share; `25` → a count.
fn sample_size(spec: &str, population: usize) -> Result<usize, UsageError> {
    let bad = || {
        UsageError(format!(
            "--sample {spec}: give a share such as 10% or a count such as 25"
        ))
    };
    let spec = spec.trim();
    if let Some(p) = spec.strip_suffix('%') {
        let p: rust_decimal::Decimal = p.trim().parse().map_err(|_| bad())?;
        if p <= rust_decimal::Decimal::ZERO || p > rust_decimal::Decimal::ONE_HUNDRED {
            return Err(bad());
        }
        let n = (p * rust_decimal::Decimal::from(population) / rust_decimal::Decimal::ONE_HUNDRED).ceil();
        Ok(usize::try_from(n).unwrap_or(population))
    } else {
        let n: usize = spec.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        Ok(n.min(population))
    }
}

pub fn sample(
    ctx: &Context,
    spec: &str,
    run: Option<i64>,
    tier: Option<&str>,
    seed: u64,
    xlsx: Option<&Path>,
) -> Result<Status> {
    let store = ctx.read()?;
    let run = match run {
        Some(id) => store.grade_run(id)?,
        None => match store.grade_runs(Some(1))?.into_iter().next() {
            Some(r) => r,
            None => bail!(store::Error::NotFoundOther("no grading runs yet".into())),
        },
    };
    let model: Option<Model> = run_model(&store, &run.model_sha256)?;
    let tier_key = match (tier, &model) {
        (None, _) => None,
        (Some(t), Some(m)) => Some(m.tier_by_name(t).map(|i| m.tiers[i].key.clone()).ok_or_else(|| {
            UsageError(format!(
                "--tier {t}: not a tier of model {} ({})",
                m.name,
                m.tier_list()
            ))
        })?),
        (Some(t), None) => Some(t.trim().to_string()),
    };
    let mut ids = store.grade_run_customers(run.id, tier_key.as_deref())?;
    let n = sample_size(spec, ids.len())?;
    let key = |id: &i64| mix(mix(seed ^ (run.id as u64).rotate_left(32)) ^ *id as u64);
    ids.sort_by_key(key);
    ids.truncate(n);
    let results = store.grade_results_of(run.id, &ids)?;
    let label = |k: &str| {
        let zh = model
            .as_ref()
            .and_then(|m| m.tier_by_key(k))
            .map_or(k.to_string(), |t| t.label.clone());
        Cell::label(k, &zh)
    };
    let mut records = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("tier", "等级"),
        Column::new("score", "评分"),
        Column::new("model_tier", "模型等级"),
        Column::new("pinned", "人工锁定"),
        Column::new("incomplete", "数据不全"),
        Column::new("review", "复核意见"),
    ]);
    records.rows = results
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.code.clone()),
                Cell::Text(r.name.clone()),
                label(&r.tier),
                score_cell(r.score.as_deref()),
                label(&r.model_tier),
                Cell::Bool(r.tier != r.model_tier),
                Cell::Bool(r.incomplete),
                Cell::Null,
            ]
        })
        .collect();
    ctx.out.records(&records)?;
    if let Some(path) = xlsx {
        ctx.out.xlsx(&records, path)?;
        ctx.out.status(&format!("wrote {}", path.display()));
    }
    ctx.out.status(&format!(
        "sample of {} from {} customers of run {} (as of {}, seed {seed})",
        records.rows.len(),
        store.grade_run_customers(run.id, tier_key.as_deref())?.len(),
        run.id,
        run.as_of
    ));
    Ok(Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_sizes_are_shares_or_counts() {
        assert_eq!(sample_size("10%", 95).unwrap(), 10);
        assert_eq!(sample_size("10%", 100).unwrap(), 10);
        assert_eq!(sample_size("12.5%", 8).unwrap(), 1);
        assert_eq!(sample_size("25", 10).unwrap(), 10);
        assert!(sample_size("0", 10).is_err());
        assert!(sample_size("150%", 10).is_err());
        assert!(sample_size("ten", 10).is_err());
    }
}
