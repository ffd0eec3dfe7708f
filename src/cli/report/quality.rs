//! `kehu report quality`: how complete and how sound the records are.

use anyhow::Result;
use clap::Args;

use super::{Chart, Report, Section};
use crate::cli::Context;
use crate::cli::dedupe;
use crate::cli::output::{Cell, Column, Records};
use crate::domain::contact::ContactField;
use crate::domain::dedupe::{Level, REVIEW};
use crate::domain::phone::mask_mobile;
use crate::domain::report::quality::{COMPLETENESS, Checker, Completeness, Kind, Problem};
use crate::domain::report::share;
use crate::store::{ReportFilter, Store};

/// Data quality: how complete each field is, values that break the input rules or look
/// like placeholders, phones and e-mails shared by several customers, records nobody has
/// updated for a long time and, with --duplicates, duplicate groups still to be merged or
/// dismissed.
///   kehu report quality --stale-days 365
///   kehu report quality --duplicates
#[derive(Debug, Args)]
pub struct QualityArgs {
    /// A record not updated for more than this many days is stale.
    #[arg(long, value_name = "N", default_value_t = 180)]
    stale_days: u32,
    /// Also count the duplicate groups not yet merged or dismissed, as `kehu dedupe` finds
    /// them. This compares every customer, so it takes longer (about half a minute for a
    /// million).
    #[arg(long)]
    duplicates: bool,
}

pub fn build(
    ctx: &Context,
    store: &Store,
    filter: &ReportFilter,
    limit: Option<usize>,
    args: QualityArgs,
) -> Result<Report> {
    let today = ctx.today();
    let mut report = Report::new("quality", "数据质量", "Data quality", "completeness");

    // One pass over the customers and one over the contacts: rules re-checked and fields
    // counted as the rows stream by.
    let mut c = Completeness::default();
    let mut checker = Checker::new(today);
    let mut problems: Vec<Problem> = Vec::new();
    store.each_stored_customer(filter, |s| {
        c.customer(s);
        problems.extend(checker.customer(s));
    })?;
    let mut contact_problems: Vec<(i64, Problem)> = Vec::new();
    store.each_contact(filter, |id, active, contact, values| {
        c.contact(id, active, values);
        contact_problems.extend(
            checker
                .contact("", "", contact, values)
                .into_iter()
                .map(|p| (id, p)),
        )
    })?;
    let ids: Vec<i64> = contact_problems.iter().map(|(id, _)| *id).collect();
    let names: std::collections::HashMap<i64, (String, String)> = store
        .codes_and_names(&ids)?
        .into_iter()
        .map(|(id, code, name)| (id, (code, name)))
        .collect();
    for (id, mut p) in contact_problems {
        if let Some((code, name)) = names.get(&id) {
            p.code = code.clone();
            p.name = name.clone();
        }
        problems.push(p);
    }
    problems.sort_by(|a, b| (&a.code, &a.field).cmp(&(&b.code, &b.field)));

    let mut complete = Records::new(vec![
        Column::new("field", "字段"),
        Column::new("filled", "已填"),
        Column::new("missing", "未填"),
        Column::new("percent", "完整率%"),
    ]);
    let mut row = |key: &str, zh: &str, filled: i64| {
        complete.rows.push(vec![
            Cell::label(key, zh),
            Cell::Int(filled),
            Cell::Int(c.customers - filled),
            Cell::Decimal(share(filled, c.customers)),
        ])
    };
    for (field, filled) in COMPLETENESS.iter().zip(c.filled) {
        row(field.key(), field.zh(), filled);
    }
    row("contact", "在职联系人", c.with_contact.len());
    row("phone", "联系电话", c.with_phone.len());

    let shared = store.shared_contact_values(filter)?;
    let cutoff = today - chrono::Days::new(args.stale_days.into());
    let (stale_total, stale) = store.stale_customers(cutoff, filter, limit)?;

    report.item("as_of", "检查日期", Cell::Text(today.to_string()));
    report.item("customers", "客户数", Cell::Int(c.customers));
    for kind in Kind::ALL.iter().filter(|k| **k != Kind::Shared) {
        let n = problems.iter().filter(|p| p.kind == *kind).count();
        report.item(kind.key(), kind.zh(), Cell::Int(n as i64));
    }
    report.item("shared", "多客户共用的电话/邮箱", Cell::Int(shared.len() as i64));
    report.item("stale", "久未更新的客户", Cell::Int(stale_total));
    report.item("stale_days", "久未更新天数", Cell::Int(args.stale_days.into()));
    let duplicates = if args.duplicates {
        Some(duplicates(ctx, store, filter, limit)?)
    } else {
        None
    };
    let (groups, sure) = duplicates
        .as_ref()
        .map_or((Cell::Null, Cell::Null), |(_, n, sure)| {
            (Cell::Int(*n), Cell::Int(*sure))
        });
    report.item("duplicate_groups", "待处理的重复客户组", groups);
    report.item("duplicate_groups_sure", "其中确定重复", sure);

    report.sections.push(
        Section::new("completeness", "字段完整率", "Completeness", complete).chart(Chart::Bars {
            zh: "各字段完整率（%）".into(),
            en: "Filled, percent of customers".into(),
            label: 0,
            value: 3,
        }),
    );

    let problem_total = problems.len() as i64;
    let mut list = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("field", "字段"),
        Column::new("value", "值"),
        Column::new("kind", "问题类型"),
        Column::new("reason", "说明"),
    ]);
    list.rows = problems
        .into_iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|p| {
            vec![
                Cell::Text(p.code),
                Cell::Text(p.name),
                Cell::Text(p.field),
                Cell::Text(p.value),
                Cell::label(p.kind.key(), p.kind.zh()),
                Cell::Text(p.reason),
            ]
        })
        .collect();
    report.sections.push(
        Section::new("problems", "无效或可疑的值", "Invalid or suspicious values", list)
            .limited(problem_total),
    );

    let shared_total = shared.len() as i64;
    let mut shared_list = Records::new(vec![
        Column::new("field", "字段"),
        Column::new("value", "值"),
        Column::new("customers", "客户数"),
        Column::new("codes", "客户"),
    ]);
    shared_list.rows = shared
        .into_iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|s| {
            let value = if s.field == ContactField::Mobile {
                mask_mobile(&s.value)
            } else {
                s.value.clone()
            };
            let who: Vec<String> = s
                .customers
                .iter()
                .map(|(code, name)| format!("{code} {name}"))
                .collect();
            vec![
                Cell::label(&format!("contact.{}", s.field.key()), s.field.zh()),
                Cell::Text(value),
                Cell::Int(s.customers.len() as i64),
                Cell::Text(who.join("; ")),
            ]
        })
        .collect();
    report.sections.push(
        Section::new(
            "shared",
            "多个客户共用的电话或邮箱",
            "Phones and e-mails shared by several customers",
            shared_list,
        )
        .limited(shared_total),
    );

    let mut stale_list = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("owner", "负责人"),
        Column::new("updated_at", "最近更新"),
        Column::new("days", "未更新天数"),
    ]);
    stale_list.rows = stale
        .into_iter()
        .map(|s| {
            let days = s
                .updated_at
                .get(..10)
                .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                .map_or(Cell::Null, |d| Cell::Int((today - d).num_days()));
            vec![
                Cell::Text(s.code),
                Cell::Text(s.name),
                Cell::text(s.owner),
                Cell::Text(s.updated_at),
                days,
            ]
        })
        .collect();
    report.sections.push(
        Section::new(
            "stale",
            format!("超过 {} 天未更新的客户", args.stale_days),
            format!("Not updated for more than {} days", args.stale_days),
            stale_list,
        )
        .limited(stale_total),
    );
    match duplicates {
        Some((section, _, _)) => report.sections.push(section),
        None => report.note(
            "未查找待处理的重复客户组：加 --duplicates（需比对全部客户，较慢）。",
            "pending duplicate groups were not looked for: add --duplicates (it compares every customer, which takes longer).",
        ),
    }
    report.note(
        "无效值与非规范值按录入时的同一规则复查；手机号码在共用列表中打码显示。",
        "values are re-checked with the same rules as on input; mobiles are masked in the shared list.",
    );
    Ok(report)
}

/// The duplicate groups `kehu dedupe` would list (those with a customer the filter covers):
/// the section, how many groups, how many of them sure.
fn duplicates(
    ctx: &Context,
    store: &Store,
    filter: &ReportFilter,
    limit: Option<usize>,
) -> Result<(Section, i64, i64)> {
    let (cands, groups) = dedupe::groups(ctx, store, REVIEW)?;
    let covered = if filter.is_empty() {
        None
    } else {
        Some(store.report_customer_ids(filter)?)
    };
    let pending: Vec<_> = groups
        .iter()
        .filter(|g| {
            covered
                .as_ref()
                .is_none_or(|ids| g.members.iter().any(|&m| ids.binary_search(&cands[m].id).is_ok()))
        })
        .collect();
    let sure = pending.iter().filter(|g| g.level == Level::Sure).count() as i64;
    let total = pending.len() as i64;
    let mut list = Records::new(vec![
        Column::new("group", "组"),
        Column::new("level", "级别"),
        Column::new("score", "分数"),
        Column::new("customers", "客户数"),
        Column::new("codes", "客户编号"),
        Column::new("names", "客户全称"),
    ]);
    list.rows = pending
        .iter()
        .take(limit.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(n, g)| {
            let codes: Vec<&str> = g.members.iter().map(|&m| cands[m].code()).collect();
            let names: Vec<&str> = g.members.iter().map(|&m| cands[m].name()).collect();
            vec![
                Cell::Int(n as i64 + 1),
                Cell::label(g.level.key(), g.level.zh()),
                Cell::Int(g.score.into()),
                Cell::Int(g.members.len() as i64),
                Cell::Text(codes.join(", ")),
                Cell::Text(names.join("; ")),
            ]
        })
        .collect();
    let section = Section::new(
        "duplicates",
        "待处理的重复客户组（kehu dedupe）",
        "Duplicate groups not yet merged or dismissed (kehu dedupe)",
        list,
    )
    .limited(total);
    Ok((section, total, sure))
}
