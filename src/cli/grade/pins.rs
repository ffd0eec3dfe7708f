//! `kehu grade pin|unpin|pins`: manual tiers that override the model (seed 003: a big
//! spender with frequent complaints may be moved down).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::super::output::{Cell, Column, Records};
use super::super::{Context, Status};
use super::load_model;
use crate::domain::grade::{Model, Pin};
use crate::domain::{Invalid, date};

/// Pin a customer to a tier until removed (`kehu grade unpin`) or until --until has passed.
///
///   kehu grade pin CST20240001 普通 --reason 投诉频繁 --until 2024-12-31
#[derive(Debug, Args)]
pub struct PinArgs {
    /// The customer's code.
    code: String,
    /// The tier: key or label (core, 核心, 核心客户, …).
    tier: String,
    /// Why (required; shown wherever the pin is).
    #[arg(long)]
    reason: String,
    /// Last day the pin holds (inclusive); without it the pin holds until removed.
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// The model whose tiers the pin names (default the built-in standard model).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
}

pub fn pin(ctx: &Context, args: PinArgs) -> Result<Status> {
    let model = match &args.model {
        Some(path) => load_model(path)?,
        None => Model::standard(),
    };
    let Some(tier) = model.tier_by_name(&args.tier) else {
        bail!(Invalid::new(
            "tier",
            args.tier.trim(),
            format!("not a tier of model {} ({})", model.name, model.tier_list())
        ));
    };
    let reason = args.reason.trim();
    if reason.is_empty() {
        bail!(Invalid::new("reason", "", "required: say why the tier is pinned"));
    }
    let until = args
        .until
        .as_deref()
        .map(|d| date::parse_date(d).map_err(|r| Invalid::new("until", d, r)))
        .transpose()?;
    if let Some(u) = until
        && u < ctx.today()
    {
        bail!(Invalid::new(
            "until",
            u.to_string(),
            format!("is before today ({})", ctx.today())
        ));
    }
    let tier = &model.tiers[tier];
    let pin = Pin {
        tier: tier.key.clone(),
        reason: reason.to_string(),
        until,
        operator: ctx.actor.operator.clone(),
        created_at: ctx.actor.stamp(),
    };
    let mut store = ctx.read()?;
    let code = store.write(&ctx.actor, |w| {
        let customer = w.customer(&args.code)?;
        w.set_pin(&customer, &pin)?;
        Ok(customer.customer.code)
    })?;
    let until = until.map(|u| format!(" until {u}")).unwrap_or_default();
    ctx.out
        .status(&format!("{code}: pinned to {} ({}){until}", tier.key, tier.label));
    Ok(Status::Ok)
}

pub fn unpin(ctx: &Context, code: &str) -> Result<Status> {
    let mut store = ctx.read()?;
    let (code, pin, tier) = store.write(&ctx.actor, |w| {
        let customer = w.customer(code)?;
        let pin = w.remove_pin(&customer)?;
        let after = w.customer(code)?;
        Ok((customer.customer.code, pin, after.customer.tier))
    })?;
    ctx.out.status(&format!(
        "{code}: pin to {} removed; tier now {}",
        pin.tier,
        tier.as_deref().unwrap_or("none (not graded yet)")
    ));
    Ok(Status::Ok)
}

pub fn list(ctx: &Context) -> Result<Status> {
    let store = ctx.read()?;
    let today = ctx.today();
    let standard = Model::standard();
    let mut records = Records::new(vec![
        Column::new("code", "客户编号"),
        Column::new("name", "客户全称"),
        Column::new("tier", "锁定等级"),
        Column::new("reason", "原因"),
        Column::new("until", "有效至"),
        Column::new("holds", "有效"),
        Column::new("operator", "操作人"),
        Column::new("created_at", "时间"),
    ]);
    records.rows = store
        .pins()?
        .into_iter()
        .map(|p| {
            let label = standard
                .tier_by_key(&p.pin.tier)
                .map_or(p.pin.tier.clone(), |t| t.label.clone());
            vec![
                Cell::Text(p.code),
                Cell::Text(p.name),
                Cell::label(&p.pin.tier, &label),
                Cell::Text(p.pin.reason.clone()),
                p.pin.until.map_or(Cell::Null, |u| Cell::Text(u.to_string())),
                Cell::Bool(p.pin.holds_on(today)),
                Cell::Text(p.pin.operator),
                Cell::Text(p.pin.created_at),
            ]
        })
        .collect();
    ctx.out.records(&records)?;
    Ok(Status::Ok)
}
