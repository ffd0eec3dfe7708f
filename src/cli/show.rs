//! `kehu show`: the whole file of one customer.

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::list::{cell, records};
use super::output::{Cell, Column, Records};
use super::{Context, Status};
use crate::domain::Field;
use crate::domain::choice::{Choice, Stage};
use crate::store::CustomerFile;

/// Print the whole file of one customer: fields, contacts, recent orders and interactions,
/// stage history, tags, grade and recent changes.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The customer's code.
    code: String,
    /// How many recent orders, interactions and changes to show.
    #[arg(long, default_value_t = 10)]
    recent: usize,
}

pub fn run(ctx: &Context, args: ShowArgs) -> Result<Status> {
    let store = ctx.read()?;
    let file = store.customer_file(&args.code, args.recent)?;
    let sections = sections(&file);
    if ctx.out.is_json() {
        ctx.out.json(&to_json(&file, &sections))?;
        return Ok(Status::Ok);
    }
    let fields: Vec<(String, Cell)> = Field::ALL
        .iter()
        .map(|&f| (f.label(ctx.out.zh).to_string(), cell(&file.stored, f)))
        .filter(|(_, v)| *v != Cell::Null)
        .chain(
            file.stored
                .customer
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), Cell::Text(v.clone()))),
        )
        .collect();
    let title = format!("{} {}", file.stored.customer.code, file.stored.customer.name);
    ctx.out.pairs(&title, &fields)?;
    let totals = format!(
        "{} {} · {} {}",
        ctx.out.pick("订单数", "orders"),
        file.order_count,
        ctx.out.pick("订单总额", "total"),
        crate::domain::money::format_fen(file.order_total_fen)
    );
    for (key, zh, records) in &sections {
        let title = ctx.out.pick(zh, key);
        if *key == "orders" && file.order_count > 0 {
            ctx.out.section(&format!("{title} ({totals})"), records)?;
        } else {
            ctx.out.section(title, records)?;
        }
    }
    Ok(Status::Ok)
}

type Section = (&'static str, &'static str, Records);

fn sections(file: &CustomerFile) -> Vec<Section> {
    let mut contacts = Records::new(vec![
        Column::new("name", "姓名"),
        Column::new("title", "职务"),
        Column::new("mobile", "手机"),
        Column::new("landline", "座机"),
        Column::new("email", "邮箱"),
        Column::new("primary", "主联系人"),
        Column::new("active", "在职"),
        Column::new("left_date", "离职日期"),
        Column::new("other", "其他"),
    ]);
    contacts.rows = file
        .contacts
        .iter()
        .map(|s| {
            let c = &s.contact;
            vec![
                Cell::Text(c.name.clone()),
                Cell::text(c.title.clone()),
                Cell::text(c.mobile.clone()),
                Cell::text(c.landline.clone()),
                Cell::text(c.email.clone()),
                Cell::Bool(c.is_primary),
                Cell::Bool(c.active),
                Cell::text(s.left_date.clone()),
                other_columns(&c.extra),
            ]
        })
        .collect();
    let mut orders = Records::new(vec![
        Column::new("date", "日期"),
        Column::new("amount", "金额"),
        Column::new("contract_no", "合同编号"),
        Column::new("other", "其他"),
    ]);
    orders.rows = file
        .orders
        .iter()
        .map(|o| {
            vec![
                Cell::Text(o.date.to_string()),
                Cell::Money(o.amount_fen),
                Cell::text(o.contract_no.clone()),
                other_columns(&o.extra),
            ]
        })
        .collect();
    let mut interactions = Records::new(vec![
        Column::new("date", "日期"),
        Column::new("channel", "方式"),
        Column::new("summary", "内容"),
        Column::new("operator", "跟进人"),
        Column::new("other", "其他"),
    ]);
    interactions.rows = file
        .interactions
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.date.to_string()),
                Cell::text(i.channel.clone()),
                Cell::text(i.summary.clone()),
                Cell::text(i.operator.clone()),
                other_columns(&i.extra),
            ]
        })
        .collect();
    let stage = |s: &str| Stage::parse(s).map_or(Cell::Text(s.into()), |s| Cell::label(s.key(), s.zh()));
    let mut moves = Records::new(vec![
        Column::new("date", "日期"),
        Column::new("from", "原阶段"),
        Column::new("to", "新阶段"),
        Column::new("reason", "原因"),
        Column::new("operator", "操作人"),
    ]);
    moves.rows = file
        .stage_moves
        .iter()
        .map(|m| {
            vec![
                Cell::Text(m.date.clone()),
                m.from.as_deref().map_or(Cell::Null, stage),
                stage(&m.to),
                Cell::text(m.reason.clone()),
                Cell::Text(m.operator.clone()),
            ]
        })
        .collect();
    let tags = super::tag::tag_rows(&file.tags);
    let mut changes = Records::new(vec![
        Column::new("at", "时间"),
        Column::new("operator", "操作人"),
        Column::new("action", "操作"),
        Column::new("changes", "变更"),
    ]);
    changes.rows = file
        .changes
        .iter()
        .map(|e| {
            vec![
                Cell::Text(e.at.clone()),
                Cell::Text(e.operator.clone()),
                Cell::Text(e.action.clone()),
                Cell::Text(super::log::summarise(&e.changes)),
            ]
        })
        .collect();
    let (grade, pin) = grade_sections(file);
    vec![
        ("grade", "等级评定", grade),
        ("pin", "人工锁定", pin),
        ("contacts", "联系人", contacts),
        ("orders", "最近订单", orders),
        ("interactions", "最近互动", interactions),
        ("stage_moves", "阶段变化", moves),
        ("tags", "标签", tags),
        ("changes", "最近变更", changes),
    ]
}

fn to_json(file: &CustomerFile, sections: &[Section]) -> Value {
    let customer = records(std::slice::from_ref(&file.stored), Field::ALL)
        .json_rows()
        .remove(0);
    let mut doc = json!({
        "customer": customer,
        "extra": file.stored.customer.extra,
        "order_count": file.order_count,
        "order_total": crate::domain::money::format_fen(file.order_total_fen).parse::<serde_json::Number>().ok(),
    });
    for (key, _, records) in sections {
        doc[*key] = Value::Array(records.json_rows());
    }
    // One grade and at most one pin: objects, not lists.
    for key in ["grade", "pin"] {
        doc[key] = match doc[key].as_array().and_then(|a| a.first()) {
            Some(v) => v.clone(),
            None => Value::Null,
        };
    }
    doc
}

/// The latest grading result and the pin, if any.
fn grade_sections(file: &CustomerFile) -> (Records, Records) {
    let mut grade = Records::new(vec![
        Column::new("run", "批次"),
        Column::new("as_of", "评定日"),
        Column::new("model", "模型"),
        Column::new("tier", "等级"),
        Column::new("model_tier", "模型等级"),
        Column::new("score", "评分"),
        Column::new("incomplete", "数据不全"),
    ]);
    if let Some((run, result)) = &file.grade {
        grade.rows.push(vec![
            Cell::Int(run.id),
            Cell::Text(run.as_of.to_string()),
            Cell::Text(run.model_name.clone()),
            Cell::Text(result.tier.clone()),
            Cell::Text(result.model_tier.clone()),
            result
                .score
                .as_deref()
                .and_then(|s| s.parse().ok())
                .map_or(Cell::Null, Cell::Decimal),
            Cell::Bool(result.incomplete),
        ]);
    }
    let mut pin = Records::new(vec![
        Column::new("tier", "锁定等级"),
        Column::new("reason", "原因"),
        Column::new("until", "有效至"),
        Column::new("operator", "操作人"),
        Column::new("created_at", "时间"),
    ]);
    if let Some(p) = &file.pin {
        pin.rows.push(vec![
            Cell::Text(p.tier.clone()),
            Cell::Text(p.reason.clone()),
            p.until.map_or(Cell::Null, |u| Cell::Text(u.to_string())),
            Cell::Text(p.operator.clone()),
            Cell::Text(p.created_at.clone()),
        ]);
    }
    (grade, pin)
}

/// A contact's, order's or interaction's extra columns in one cell: `产品: ERP二期; 付款方式: 分三期`.
fn other_columns(extra: &std::collections::BTreeMap<String, String>) -> Cell {
    let text: Vec<String> = extra.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    Cell::text((!text.is_empty()).then(|| text.join("; ")))
}
