//! `kehu grade growth`: the industry-growth table (行业增长率) grading reads. A division's
//! row wins over its section's. `kehu import --kind industry-growth FILE` fills it from a
//! sheet; these commands list and edit it by hand.

use anyhow::Result;
use clap::{Args, Subcommand};

use super::super::output::{Cell, Column, Records};
use super::super::{Context, Status};
use crate::domain::Invalid;
use crate::domain::industry::{Industry, parse_industry};
use crate::domain::number::parse_percent;

/// The industry-growth table.
///
///   kehu grade growth set 制造业 8.5
///   kehu grade growth set C39 16%
///   kehu grade growth list
///   kehu grade growth rm C39
#[derive(Debug, Args)]
pub struct GrowthArgs {
    #[command(subcommand)]
    command: Option<GrowthCommand>,
}

#[derive(Debug, Subcommand)]
enum GrowthCommand {
    /// List the table (the default).
    List,
    /// Set an industry's growth in percent.
    Set {
        /// Section letter, division code or Chinese name (C, C39, 制造业).
        industry: String,
        /// Percent (8.5, 8.5%, -3).
        #[arg(allow_negative_numbers = true)]
        growth: String,
    },
    /// Remove an industry's row.
    Rm { industry: String },
}

fn industry(raw: &str) -> Result<Industry> {
    Ok(parse_industry(raw).map_err(|r| Invalid::new("industry", raw.trim(), r))?)
}

pub fn run(ctx: &Context, args: GrowthArgs) -> Result<Status> {
    match args.command.unwrap_or(GrowthCommand::List) {
        GrowthCommand::List => {
            let store = ctx.read()?;
            let mut records = Records::new(vec![
                Column::new("industry", "行业代码"),
                Column::new("industry_name", "行业名称"),
                Column::new("growth", "增长率(%)"),
                Column::new("updated_at", "更新时间"),
            ]);
            records.rows = store
                .industry_growth()?
                .into_iter()
                .map(|g| {
                    let name = parse_industry(&g.industry).map_or("", |i| i.name());
                    vec![
                        Cell::Text(g.industry),
                        Cell::Text(name.to_string()),
                        Cell::Decimal(g.growth),
                        Cell::Text(g.updated_at),
                    ]
                })
                .collect();
            ctx.out.records(&records)?;
        }
        GrowthCommand::Set {
            industry: raw,
            growth,
        } => {
            let industry = industry(&raw)?;
            let pct = parse_percent(&growth).map_err(|r| Invalid::new("growth", growth.trim(), r))?;
            let mut store = ctx.write()?;
            let code = industry.code();
            let changed = store.write(&ctx.actor, |w| w.set_industry_growth(&code, pct, None))?;
            ctx.out.status(&if changed {
                format!("{code} {}: growth {}%", industry.name(), pct.normalize())
            } else {
                format!("{code} {}: growth already {}%", industry.name(), pct.normalize())
            });
        }
        GrowthCommand::Rm { industry: raw } => {
            let code = industry(&raw)?.code();
            let mut store = ctx.read()?;
            let removed = store.write(&ctx.actor, |w| w.remove_industry_growth(&code))?;
            if !removed {
                return Err(
                    crate::store::Error::NotFoundOther(format!("no growth row for industry {code}")).into(),
                );
            }
            ctx.out.status(&format!("{code}: growth row removed"));
        }
    }
    Ok(Status::Ok)
}
