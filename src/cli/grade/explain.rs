//! `kehu grade --explain CODE`: why a customer has its tier.
//!
//! By default the explanation is of the customer's latest run, made from what that run
//! recorded (its indicator values and the model text kept with it), so it matches the tier
//! the run gave even if the data has changed since. `--model` or `--as-of` explain a fresh
//! grading of today's data instead.

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use serde_json::{Value as Json, json};

use super::super::output::{Cell, Column, Records};
use super::super::{Context, Status};
use super::{growth_table, run_model};
use crate::domain::grade::eval::{Evaluation, trace};
use crate::domain::grade::model::Scoring;
use crate::domain::grade::{self, Indicators, Model, Pin, Record, measure};
use crate::store::{self, Run, RunResult, Stored};

/// What is being explained.
struct Subject {
    customer: Stored,
    model: Model,
    ind: Indicators,
    evaluation: Evaluation,
    /// The tier that applied (pin included).
    tier: String,
    pinned: bool,
    run: Option<Run>,
    pin: Option<Pin>,
}

pub fn run(
    ctx: &Context,
    code: &str,
    model: Option<Model>,
    as_of: Option<NaiveDate>,
    run: Option<i64>,
) -> Result<Status> {
    let store = ctx.read()?;
    let customer = store.customer(code)?;
    let pin = store.pin(customer.id)?;
    let recorded: Option<(Run, RunResult)> = match run {
        Some(id) => {
            let run = store.grade_run(id)?;
            let result = store.grade_result(id, customer.id)?.ok_or_else(|| {
                store::Error::NotFoundOther(format!("{} was not graded in run {id}", customer.customer.code))
            })?;
            Some((run, result))
        }
        None if model.is_none() && as_of.is_none() => store.latest_grade_of(customer.id, true)?,
        None => None,
    };
    let subject = match recorded {
        Some((run, result)) => {
            let model = run_model(&store, &run.model_sha256)?
                .ok_or_else(|| anyhow!("the model of run {} is no longer readable", run.id))?;
            let ind = Record::decode(&model, &result.record, run.as_of)
                .ok_or_else(|| anyhow!("the record of {} in run {} is not readable", result.code, run.id))?;
            let evaluation = grade::evaluate(&model, &ind);
            Subject {
                pinned: result.tier != result.model_tier,
                tier: result.tier,
                customer,
                model,
                ind,
                evaluation,
                run: Some(run),
                pin,
            }
        }
        None => {
            let model = model.unwrap_or_else(Model::standard);
            let as_of = as_of.unwrap_or_else(|| ctx.today());
            let (declared, orders) = store.grade_inputs(customer.id, as_of)?;
            let ind = measure(&declared, &orders, as_of, &growth_table(&store)?);
            let g = grade::grade(&model, &ind, pin.as_ref());
            Subject {
                tier: model.tiers[g.tier].key.clone(),
                pinned: g.pinned,
                evaluation: g.evaluation,
                customer,
                model,
                ind,
                run: None,
                pin,
            }
        }
    };
    if ctx.out.is_json() {
        ctx.out.json(&to_json(&subject))?;
        return Ok(Status::Ok);
    }
    let s = &subject;
    if ctx.out.format == super::super::output::Format::Table {
        let title = format!("{} {}", s.customer.customer.code, s.customer.customer.name);
        ctx.out.pairs(&title, &summary(ctx, s))?;
        ctx.out
            .section(ctx.out.pick("指标", "indicators"), &indicator_records(s))?;
        if let Some(rules) = rule_records(s) {
            ctx.out.section(ctx.out.pick("规则", "rules"), &rules)?;
        }
    } else {
        ctx.out.records(&indicator_records(s))?;
    }
    Ok(Status::Ok)
}

fn tier_cell(model: &Model, key: &str) -> Cell {
    let label = model.tier_by_key(key).map_or(key, |t| t.label.as_str());
    Cell::label(key, label)
}

fn pin_text(s: &Subject) -> Option<String> {
    let p = s.pin.as_ref()?;
    let status = if s.model.tier_by_key(&p.tier).is_none() {
        "not a tier of this model"
    } else if p.holds_on(s.ind.as_of) {
        "holds"
    } else {
        "expired"
    };
    let until = p.until.map(|u| format!(", until {u}")).unwrap_or_default();
    Some(format!(
        "{} — {} ({} {}{until}) — {status}",
        p.tier, p.reason, p.operator, p.created_at
    ))
}

fn summary(ctx: &Context, s: &Subject) -> Vec<(String, Cell)> {
    let pick = |zh: &str, en: &str| ctx.out.pick(zh, en).to_string();
    let e = &s.evaluation;
    let mut pairs = vec![
        (
            pick("模型", "model"),
            Cell::Text(format!("{} ({})", s.model.name, &s.model.sha256[..12])),
        ),
        (pick("评定日", "as_of"), Cell::Text(s.ind.as_of.to_string())),
        (
            pick("评定批次", "run"),
            match &s.run {
                Some(r) => Cell::Text(format!("{} ({} {})", r.id, r.operator, r.started_at)),
                None => Cell::Text(pick(
                    "未记录(按当前数据计算)",
                    "none (computed from current data)",
                )),
            },
        ),
    ];
    if let Some(score) = e.score {
        pairs.push((pick("总分", "total"), Cell::Decimal(score)));
    }
    pairs.push((
        pick("模型等级", "model_tier"),
        tier_cell(&s.model, &s.model.tiers[e.tier].key),
    ));
    if let (Some(g), Scoring::Weighted(w)) = (e.gate, &s.model.scoring) {
        let gate = &w.gates[g];
        pairs.push((
            pick("门槛", "gate"),
            Cell::Text(format!(
                "{} → {}",
                gate.reason.clone().unwrap_or_else(|| describe(&gate.when)),
                s.model.tiers[gate.tier].key
            )),
        ));
    }
    if let (Some(r), Scoring::Rules(_)) = (e.rule, &s.model.scoring) {
        pairs.push((
            pick("命中规则", "rule"),
            Cell::Text(format!("#{} → {}", r + 1, s.model.tiers[e.tier].key)),
        ));
    }
    if let Some(pin) = pin_text(s) {
        pairs.push((pick("人工锁定", "pin"), Cell::Text(pin)));
    }
    pairs.push((pick("等级", "tier"), tier_cell(&s.model, &s.tier)));
    pairs.push((
        pick("数据不全", "incomplete"),
        if e.incomplete() {
            Cell::Text(missing(e).join(", "))
        } else {
            Cell::Bool(false)
        },
    ));
    pairs
}

fn describe(cs: &[crate::domain::grade::model::Condition]) -> String {
    cs.iter().map(|c| c.describe()).collect::<Vec<_>>().join(" and ")
}

fn missing(e: &Evaluation) -> Vec<String> {
    let mut out: Vec<String> = e.missing.iter().map(|i| i.key().to_string()).collect();
    if e.years_missing {
        out.push("years".into());
    }
    out
}

fn value_cell(s: &Subject, i: grade::Indicator) -> (Cell, Cell) {
    match s.ind.get(i) {
        Some(m) => (
            Cell::Text(m.value.display(s.ind.as_of)),
            Cell::label(m.source.key(), m.source.zh()),
        ),
        None => (Cell::Null, Cell::label("missing", "缺失")),
    }
}

fn indicator_records(s: &Subject) -> Records {
    match &s.model.scoring {
        Scoring::Weighted(w) => {
            let mut r = Records::new(vec![
                Column::new("dimension", "维度"),
                Column::new("weight", "权重(%)"),
                Column::new("indicator", "指标"),
                Column::new("value", "值"),
                Column::new("source", "来源"),
                Column::new("band", "档位"),
                Column::new("points", "得分"),
                Column::new("dimension_score", "维度得分"),
            ]);
            for (d, ds) in w.dimensions.iter().zip(&s.evaluation.dimensions) {
                for (scored, sc) in d.indicators.iter().zip(&ds.indicators) {
                    let (value, source) = value_cell(s, scored.indicator);
                    let band = match sc.band {
                        Some(b) => Cell::Text(scored.bands[b].bounds.describe()),
                        None => Cell::label("missing", "缺失"),
                    };
                    r.rows.push(vec![
                        Cell::label(&d.key, &d.label),
                        Cell::Decimal(d.weight),
                        Cell::label(scored.indicator.key(), scored.indicator.zh()),
                        value,
                        source,
                        band,
                        Cell::Decimal(sc.points),
                        Cell::Decimal(ds.score),
                    ]);
                }
            }
            r
        }
        Scoring::Rules(_) => {
            let mut r = Records::new(vec![
                Column::new("indicator", "指标"),
                Column::new("value", "值"),
                Column::new("source", "来源"),
            ]);
            for &i in s.model.indicators() {
                let (value, source) = value_cell(s, i);
                r.rows.push(vec![Cell::label(i.key(), i.zh()), value, source]);
            }
            if s.model.uses_years() {
                let years = if s.ind.years_known {
                    s.ind
                        .years
                        .iter()
                        .map(|(y, fen)| format!("{y}: {}", crate::domain::money::format_fen(*fen)))
                        .collect::<Vec<_>>()
                        .join("; ")
                } else {
                    String::new()
                };
                r.rows.push(vec![
                    Cell::label("years", "各年合同额"),
                    Cell::Text(years),
                    if s.ind.years_known {
                        Cell::label("orders", "订单")
                    } else {
                        Cell::label("missing", "缺失")
                    },
                ]);
            }
            r
        }
    }
}

fn rule_records(s: &Subject) -> Option<Records> {
    let Scoring::Rules(rules) = &s.model.scoring else {
        return None;
    };
    let mut r = Records::new(vec![
        Column::new("rule", "规则"),
        Column::new("tier", "等级"),
        Column::new("matched", "命中"),
        Column::new("conditions", "条件"),
    ]);
    let matched = s.evaluation.rule.unwrap_or(usize::MAX);
    for (k, rule) in rules.iter().enumerate() {
        let conditions = if rule.when.is_empty() {
            "(everyone else)".to_string()
        } else {
            rule.when
                .iter()
                .map(|c| trace(c, &s.ind))
                .collect::<Vec<_>>()
                .join("\n")
        };
        r.rows.push(vec![
            Cell::Int(k as i64 + 1),
            tier_cell(&s.model, &s.model.tiers[rule.tier].key),
            if k < matched {
                Cell::Bool(false)
            } else if k == matched {
                Cell::Bool(true)
            } else {
                Cell::Null
            },
            Cell::Text(conditions),
        ]);
    }
    Some(r)
}

fn to_json(s: &Subject) -> Json {
    let e = &s.evaluation;
    let value = |i: grade::Indicator| match s.ind.get(i) {
        Some(m) => json!({
            "indicator": i.key(),
            "value": m.value.encode(),
            "display": m.value.display(s.ind.as_of),
            "source": m.source.key(),
        }),
        None => json!({"indicator": i.key(), "value": null, "display": null, "source": null}),
    };
    let mut doc = json!({
        "code": s.customer.customer.code,
        "name": s.customer.customer.name,
        "model": s.model.name,
        "model_sha256": s.model.sha256,
        "as_of": s.ind.as_of.to_string(),
        "run": s.run.as_ref().map(|r| r.id),
        "deal": s.ind.deal,
        "score": e.score.map(number),
        "model_tier": s.model.tiers[e.tier].key,
        "tier": s.tier,
        "pinned": s.pinned,
        "incomplete": e.incomplete(),
        "missing": missing(e),
        "indicators": s.model.indicators().iter().map(|&i| value(i)).collect::<Vec<_>>(),
        "pin": s.pin.as_ref().map(|p| json!({
            "tier": p.tier,
            "reason": p.reason,
            "until": p.until.map(|u| u.to_string()),
            "operator": p.operator,
            "created_at": p.created_at,
            "holds": p.holds_on(s.ind.as_of) && s.model.tier_by_key(&p.tier).is_some(),
        })),
    });
    match &s.model.scoring {
        Scoring::Weighted(w) => {
            doc["gate"] = match e.gate {
                Some(g) => json!({
                    "tier": s.model.tiers[w.gates[g].tier].key,
                    "reason": w.gates[g].reason.clone().unwrap_or_else(|| describe(&w.gates[g].when)),
                }),
                None => Json::Null,
            };
            doc["dimensions"] = w
                .dimensions
                .iter()
                .zip(&e.dimensions)
                .map(|(d, ds)| {
                    json!({
                        "key": d.key,
                        "label": d.label,
                        "weight": number(d.weight),
                        "score": number(ds.score),
                        "indicators": d.indicators.iter().zip(&ds.indicators).map(|(scored, sc)| {
                            let mut v = value(scored.indicator);
                            v["band"] = sc.band.map_or(Json::Null, |b| json!(scored.bands[b].bounds.describe()));
                            v["points"] = number(sc.points);
                            v
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
        }
        Scoring::Rules(rules) => {
            doc["rule"] = json!(e.rule.map(|r| r + 1));
            doc["rules"] = rules
                .iter()
                .enumerate()
                .map(|(k, rule)| {
                    json!({
                        "rule": k + 1,
                        "tier": s.model.tiers[rule.tier].key,
                        "matched": e.rule == Some(k),
                        "conditions": rule.when.iter().map(|c| trace(c, &s.ind)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            if s.model.uses_years() {
                doc["years"] = if s.ind.years_known {
                    s.ind
                        .years
                        .iter()
                        .map(|(y, fen)| json!({"year": y, "amount": crate::domain::money::format_fen(*fen).parse::<serde_json::Number>().ok()}))
                        .collect()
                } else {
                    Json::Null
                };
            }
        }
    }
    doc
}

fn number(d: rust_decimal::Decimal) -> Json {
    d.normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map_or(Json::Null, Json::Number)
}
