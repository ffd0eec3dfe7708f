//! `kehu edit`: change a customer — fields, stage moves, contacts, orders, interactions and
//! remarks — in one transaction, each change logged.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use clap::Args;

use super::add::set_pair;
use super::{Context, Status, UsageError, key_values};
use crate::domain::choice::{Choice, YesNo};
use crate::domain::contact::{Contact, ContactField, Interaction, Order};
use crate::domain::money::Unit;
use crate::domain::{Field, Invalid, date};
use crate::store::{self, Stored, StoredContact, Writer};

/// Change a customer.
///
/// Examples:
///   kehu edit CST20240001 --set owner=李四 --set 满意度=9
///   kehu edit CST20240001 --set stage=成交 --reason 签订年度合同 --stage-date 2024-06-01
///   kehu edit CST20240001 --add-contact 'name=王五,title=采购经理,mobile=13912345678'
///   kehu edit CST20240001 --contact 张三 --contact-left 2024-06-30
///   kehu edit CST20240001 --add-order 'date=2024-05-01,amount=12万,contract=HT-2024-009'
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The customer's code.
    code: String,
    /// Set a field: FIELD=VALUE, by key or Chinese name; an empty value clears it.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Why the stage moved (with --set stage=…).
    #[arg(long)]
    reason: Option<String>,
    /// When the stage moved (default today).
    #[arg(long)]
    stage_date: Option<String>,
    /// Append a line to the remarks (dated and signed).
    #[arg(long)]
    add_remark: Option<String>,
    /// Add a contact: 'name=…,title=…,mobile=…,landline=…,email=…[,primary=yes]'.
    #[arg(long, value_name = "SPEC")]
    add_contact: Vec<String>,
    /// Pick an existing contact (by name or id) for the --contact-* flags.
    #[arg(long, value_name = "NAME|ID")]
    contact: Option<String>,
    /// Change the picked contact: FIELD=VALUE.
    #[arg(long, value_name = "FIELD=VALUE", requires = "contact")]
    contact_set: Vec<String>,
    /// Mark the picked contact as having left (kept in history), as of DATE (default today).
    #[arg(long, value_name = "DATE", num_args = 0..=1, default_missing_value = "", requires = "contact")]
    contact_left: Option<String>,
    /// Make the picked contact the primary one.
    #[arg(long, requires = "contact")]
    contact_primary: bool,
    /// Add an order: 'date=…,amount=…[,contract=…]'.
    #[arg(long, value_name = "SPEC")]
    add_order: Vec<String>,
    /// Add an interaction: 'date=…,channel=…,summary=…'.
    #[arg(long, value_name = "SPEC")]
    add_interaction: Vec<String>,
}

impl EditArgs {
    fn is_empty(&self) -> bool {
        self.set.is_empty()
            && self.add_remark.is_none()
            && self.add_contact.is_empty()
            && self.contact.is_none()
            && self.add_order.is_empty()
            && self.add_interaction.is_empty()
    }
}

pub fn run(ctx: &Context, args: EditArgs) -> Result<Status> {
    if args.is_empty() {
        bail!(UsageError("nothing to change: give --set, --add-contact, --contact, --add-order, --add-interaction or --add-remark".into()));
    }
    let sets = args
        .set
        .iter()
        .map(|p| set_pair(p))
        .collect::<Result<Vec<_>, _>>()?;
    let today = ctx.today();
    let stage_date = args
        .stage_date
        .as_deref()
        .map(|d| date::parse_date(d).map_err(|r| Invalid::new("stage_date", d, r)))
        .transpose()?
        .unwrap_or(today);
    let orders = args
        .add_order
        .iter()
        .map(|spec| parse_order(spec, today))
        .collect::<Result<Vec<_>>>()?;
    let interactions = args
        .add_interaction
        .iter()
        .map(|s| parse_interaction(s, today))
        .collect::<Result<Vec<_>>>()?;
    let contact_sets = args
        .contact_set
        .iter()
        .map(|pair| {
            let (key, value) = super::key_value(pair)?;
            let field = ContactField::from_name(key).ok_or_else(|| {
                UsageError(format!(
                    "unknown contact field {key} (name, title, mobile, landline, email)"
                ))
            })?;
            Ok((field, value))
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    let new_contacts = args
        .add_contact
        .iter()
        .map(|s| parse_contact(s))
        .collect::<Result<Vec<_>>>()?;

    let mut store = ctx.read()?;
    let count = store.write(&ctx.actor, |w| {
        let before = w.customer(&args.code)?;
        let mut count = 0;
        for order in &orders {
            w.add_order(&before, order, None)?;
            count += 1;
        }
        for interaction in &interactions {
            w.add_interaction(&before, interaction, None)?;
            count += 1;
        }
        for contact in &new_contacts {
            w.add_contact(&before, contact, None)?;
            count += 1;
        }
        if let Some(which) = &args.contact {
            count += edit_contact(w, &before, which, &contact_sets, &args, today)?;
        }
        count += edit_fields(w, &before, &sets, &args, stage_date)?;
        Ok(count)
    })?;
    let code = args.code.trim().to_uppercase();
    if count == 0 {
        ctx.out
            .status(&format!("{code}: nothing changed (the values were already so)"));
    } else {
        ctx.out.status(&format!("{code}: {count} change(s) recorded"));
    }
    Ok(Status::Ok)
}

fn edit_fields(
    w: &mut Writer,
    before: &Stored,
    sets: &[(Field, &str)],
    args: &EditArgs,
    stage_date: NaiveDate,
) -> store::Result<usize> {
    let mut after = before.customer.clone();
    for (field, value) in sets {
        after.set(*field, value, Unit::Yuan)?;
    }
    if let Some(line) = &args.add_remark {
        let line = format!("[{} {}] {}", w.actor().today(), w.actor().operator, line.trim());
        after.remarks = Some(match after.remarks.take() {
            Some(r) => format!("{r}\n{line}"),
            None => line,
        });
    }
    after.complete();
    let has_orders = w.has_orders(before.id)?;
    after.check(w.actor().today(), has_orders)?;
    let moved = after.stage != before.customer.stage;
    if moved {
        after.stage_date = Some(stage_date);
    }
    let changes = w.update_customer(before, after.clone(), "edit", None)?;
    if moved {
        w.record_stage_move(
            before.id,
            Some(before.customer.stage),
            after.stage,
            stage_date,
            args.reason.as_deref(),
            None,
        )?;
        let reason = args.reason.clone();
        w.log(
            "stage",
            Some(&before.customer.code),
            None,
            &[
                crate::domain::Change::new(
                    "stage",
                    Some(before.customer.stage.key().into()),
                    Some(after.stage.key().into()),
                ),
                crate::domain::Change::new("stage.date", None, Some(stage_date.to_string())),
                crate::domain::Change::new("stage.reason", None, reason),
            ],
        )?;
    }
    Ok(changes.len())
}

fn edit_contact(
    w: &mut Writer,
    customer: &Stored,
    which: &str,
    contact_sets: &[(ContactField, &str)],
    args: &EditArgs,
    today: NaiveDate,
) -> store::Result<usize> {
    let contacts = w.contacts(customer.id)?;
    let picked = pick_contact(&contacts, which, &customer.customer.code)?;
    let mut after = picked.contact.clone();
    for (field, value) in contact_sets {
        after.set(*field, value)?;
    }
    let left = match args.contact_left.as_deref() {
        None => None,
        Some("") => Some(today),
        Some(d) => Some(date::parse_date(d).map_err(|r| Invalid::new("contact.left_date", d, r))?),
    };
    if left.is_some() {
        after.active = false;
        after.is_primary = false;
    }
    if args.contact_primary {
        after.is_primary = true;
    }
    Ok(w.update_contact(customer, picked, &after, left, None)?.len())
}

fn pick_contact<'a>(
    contacts: &'a [StoredContact],
    which: &str,
    code: &str,
) -> store::Result<&'a StoredContact> {
    let which = which.trim();
    let matches: Vec<&StoredContact> = contacts
        .iter()
        .filter(|c| c.contact.name == which || c.id.to_string() == which)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(store::Error::NotFoundOther(format!(
            "{code} has no contact {which}"
        ))),
        _ => Err(store::Error::Conflict(format!(
            "{code} has {} contacts named {which}; pick one by id ({})",
            matches.len(),
            matches
                .iter()
                .map(|c| c.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn spec_value<'a>(pairs: &'a [(String, String)], keys: &[&str]) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| keys.contains(&k.as_str()))
        .map(|(_, v)| v.as_str())
}

fn parse_order(spec: &str, today: NaiveDate) -> Result<Order> {
    let pairs = key_values(spec)?;
    let date = spec_value(&pairs, &["date", "日期"])
        .ok_or_else(|| UsageError(format!("--add-order {spec}: date= is required")))?;
    let amount = spec_value(&pairs, &["amount", "金额"])
        .ok_or_else(|| UsageError(format!("--add-order {spec}: amount= is required")))?;
    let contract = spec_value(&pairs, &["contract", "contract_no", "合同编号"]).unwrap_or("");
    Ok(Order::parse(date, amount, Unit::Yuan, contract, today)?)
}

fn parse_interaction(spec: &str, today: NaiveDate) -> Result<Interaction> {
    let pairs = key_values(spec)?;
    let date = spec_value(&pairs, &["date", "日期"])
        .ok_or_else(|| UsageError(format!("--add-interaction {spec}: date= is required")))?;
    let channel = spec_value(&pairs, &["channel", "方式", "渠道"]).unwrap_or("");
    let summary = spec_value(&pairs, &["summary", "内容", "摘要"]).unwrap_or("");
    Ok(Interaction::parse(date, channel, summary, today)?)
}

fn parse_contact(spec: &str) -> Result<Contact> {
    let pairs = key_values(spec)?;
    let name = spec_value(&pairs, &["name", "姓名", "联系人"])
        .ok_or_else(|| UsageError(format!("--add-contact {spec}: name= is required")))?;
    let mut contact = Contact::new(name)?;
    for (key, value) in &pairs {
        match key.as_str() {
            "name" | "姓名" | "联系人" => {}
            "primary" | "主联系人" => {
                let yes =
                    YesNo::parse(value).map_err(|r| Invalid::new("contact.primary", value.trim(), r))?;
                contact.is_primary = yes == YesNo::Yes;
            }
            _ => {
                let field = ContactField::from_name(key)
                    .ok_or_else(|| UsageError(format!("--add-contact: unknown contact field {key} (name, title, mobile, landline, email, primary)")))?;
                contact.set(field, value)?;
            }
        }
    }
    Ok(contact)
}
