//! `kehu log`: the change log, filtered; `kehu log verify` checks its hash chain.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::output::{Cell, Column, Records};
use super::{Context, Status};
use crate::domain::{Change, Invalid, date};
use crate::store::LogFilter;

/// The change log: who changed what, when, with each field's before and after.
///
///   kehu log --customer CST20240001
/// `--operator NAME` (given on the command line, not through KEHU_OPERATOR) filters by operator:
///   kehu log --operator 张三 --since 2024-06-01 --until 2024-06-30
///   kehu log verify
#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(subcommand)]
    command: Option<LogCommand>,
    /// Only this customer's entries.
    #[arg(long)]
    customer: Option<String>,
    /// Only this action (add, edit, stage, contact.add, order.add, import, …).
    #[arg(long)]
    action: Option<String>,
    /// From this date (inclusive).
    #[arg(long)]
    since: Option<String>,
    /// Up to this date (inclusive).
    #[arg(long)]
    until: Option<String>,
    /// At most this many entries (the newest).
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Check the hash chain: exit 1 and name the first entry edited, deleted or reordered.
    Verify,
}

pub fn run(ctx: &Context, args: LogArgs, operator: Option<String>) -> Result<Status> {
    let store = ctx.read()?;
    if let Some(LogCommand::Verify) = args.command {
        return match store.verify_log()? {
            Ok(n) => {
                ctx.out
                    .line(&format!("change log intact: {n} entries verified"))?;
                Ok(Status::Ok)
            }
            Err(broken) => bail!("change log broken at entry {}: {}", broken.id, broken.problem),
        };
    }
    let day = |flag: &str, v: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
        Ok(v.as_deref()
            .map(|s| date::parse_date(s).map_err(|r| Invalid::new(flag, s, r)))
            .transpose()?)
    };
    let since = day("since", &args.since)?;
    let until = day("until", &args.until)?;
    let filter = LogFilter {
        customer: args.customer.map(|c| c.trim().to_uppercase()),
        operator,
        action: args.action,
        since: since.map(|d| d.to_string()),
        until: until.and_then(|d| d.succ_opt()).map(|d| d.to_string()),
        limit: args.limit,
        newest_first: args.limit.is_some(),
    };
    let mut entries = store.log_entries(&filter)?;
    entries.sort_by_key(|e| e.id);
    if ctx.out.is_json() {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| serde_json::to_value(e).expect("entry serialises"))
            .collect();
        if ctx.out.format == super::output::Format::Jsonl {
            for row in rows {
                ctx.out.json(&row)?;
            }
        } else {
            ctx.out.json(&serde_json::Value::Array(rows))?;
        }
        return Ok(Status::Ok);
    }
    let mut records = Records::new(vec![
        Column::new("id", "序号"),
        Column::new("at", "时间"),
        Column::new("operator", "操作人"),
        Column::new("action", "操作"),
        Column::new("customer", "客户编号"),
        Column::new("changes", "变更"),
    ]);
    records.rows = entries
        .iter()
        .map(|e| {
            vec![
                Cell::Int(e.id),
                Cell::Text(e.at.clone()),
                Cell::Text(e.operator.clone()),
                Cell::Text(e.action.clone()),
                Cell::text(e.customer.clone()),
                Cell::Text(summarise(&e.changes)),
            ]
        })
        .collect();
    ctx.out.records(&records)?;
    Ok(Status::Ok)
}

/// `field: before → after` per change, one per line.
pub fn summarise(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                c.field,
                c.before.as_deref().unwrap_or("∅"),
                c.after.as_deref().unwrap_or("∅")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
