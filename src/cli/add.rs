//! `kehu add`: one new customer, every field by flag, plus its primary contact.

use anyhow::Result;
use clap::Args;

use super::{Context, Status, UsageError, key_value};
use crate::domain::contact::{Contact, ContactField};
use crate::domain::dedupe::Candidate;
use crate::domain::money::Unit;
use crate::domain::{Customer, Field};

/// Add a customer; prints the code it was given.
///
/// Values are normalised as on import: `--total-amount 12.5万`, `--first-coop-date 2023年1月5日`,
/// `--mobile '+86 138-1234-5678'` all work.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// 客户全称 (required).
    #[arg(long)]
    name: String,
    /// 客户编号; generated from the code pattern when omitted.
    #[arg(long)]
    code: Option<String>,
    /// 简称.
    #[arg(long)]
    short_name: Option<String>,
    /// 统一社会信用代码 (18 characters, check character verified).
    #[arg(long)]
    uscc: Option<String>,
    /// 所属行业: GB/T 4754-2017 section letter, division code or Chinese name.
    #[arg(long)]
    industry: Option<String>,
    /// 省份 (广东省, 广东, 粤, guangdong); the region follows from it.
    #[arg(long)]
    province: Option<String>,
    /// 城市.
    #[arg(long)]
    city: Option<String>,
    /// 企业性质 (国有企业, 民营企业, 外资企业, …).
    #[arg(long)]
    nature: Option<String>,
    /// 企业规模 (大型, 中型, 小型, 微型).
    #[arg(long)]
    size: Option<String>,
    /// 来源渠道 (展会, 线上广告, 转介绍, 主动咨询, …).
    #[arg(long)]
    source: Option<String>,
    /// 合作阶段 (潜在/prospect, 意向/intent, 成交/customer, 流失/churned).
    #[arg(long)]
    stage: Option<String>,
    /// 意向度 (高, 中, 低).
    #[arg(long)]
    intent: Option<String>,
    /// 负责人.
    #[arg(long)]
    owner: Option<String>,
    /// 首次合作日期.
    #[arg(long)]
    first_coop_date: Option<String>,
    /// 最近合作日期.
    #[arg(long)]
    last_coop_date: Option<String>,
    /// 累计合作金额 (元; 12.5万 and ¥1,234.50 accepted).
    #[arg(long)]
    total_amount: Option<String>,
    /// 近12个月交易额 (元).
    #[arg(long = "trade-12m")]
    trade_12m: Option<String>,
    /// 合作时长 in years.
    #[arg(long)]
    tenure_years: Option<String>,
    /// 满意度 0-10.
    #[arg(long)]
    satisfaction: Option<String>,
    /// 近12个月转介绍数.
    #[arg(long = "referrals-12m")]
    referrals_12m: Option<String>,
    /// 近12个月投诉数.
    #[arg(long = "complaints-12m")]
    complaints_12m: Option<String>,
    /// 预算增长 in percent.
    #[arg(long)]
    budget_growth: Option<String>,
    /// 密级 (公开, 内部, 秘密, 机密).
    #[arg(long)]
    secrecy: Option<String>,
    /// 备注.
    #[arg(long)]
    remarks: Option<String>,
    /// Any field as FIELD=VALUE (repeatable), by key or Chinese name.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Primary contact's name.
    #[arg(long)]
    contact: Option<String>,
    /// Primary contact's title (职务).
    #[arg(long, requires = "contact")]
    title: Option<String>,
    /// Primary contact's mobile.
    #[arg(long, requires = "contact")]
    mobile: Option<String>,
    /// Primary contact's landline.
    #[arg(long, requires = "contact")]
    landline: Option<String>,
    /// Primary contact's e-mail.
    #[arg(long, requires = "contact")]
    email: Option<String>,
}

impl AddArgs {
    fn fields(&self) -> Vec<(Field, &str)> {
        let flags = [
            (Field::Code, &self.code),
            (Field::ShortName, &self.short_name),
            (Field::Uscc, &self.uscc),
            (Field::Industry, &self.industry),
            (Field::Province, &self.province),
            (Field::City, &self.city),
            (Field::Nature, &self.nature),
            (Field::Size, &self.size),
            (Field::Source, &self.source),
            (Field::Stage, &self.stage),
            (Field::Intent, &self.intent),
            (Field::Owner, &self.owner),
            (Field::FirstCoopDate, &self.first_coop_date),
            (Field::LastCoopDate, &self.last_coop_date),
            (Field::TotalAmount, &self.total_amount),
            (Field::Trade12m, &self.trade_12m),
            (Field::TenureYears, &self.tenure_years),
            (Field::Satisfaction, &self.satisfaction),
            (Field::Referrals12m, &self.referrals_12m),
            (Field::Complaints12m, &self.complaints_12m),
            (Field::BudgetGrowth, &self.budget_growth),
            (Field::Secrecy, &self.secrecy),
            (Field::Remarks, &self.remarks),
        ];
        flags
            .into_iter()
            .filter_map(|(f, v)| v.as_deref().map(|v| (f, v)))
            .collect()
    }

    fn contact(&self) -> Result<Option<Contact>> {
        let Some(name) = &self.contact else {
            return Ok(None);
        };
        let mut contact = Contact::new(name)?;
        contact.is_primary = true;
        for (field, value) in [
            (ContactField::Title, &self.title),
            (ContactField::Mobile, &self.mobile),
            (ContactField::Landline, &self.landline),
            (ContactField::Email, &self.email),
        ] {
            if let Some(v) = value {
                contact.set(field, v)?;
            }
        }
        Ok(Some(contact))
    }
}

/// Parses `--set FIELD=VALUE` into a field.
pub fn set_pair(pair: &str) -> Result<(Field, &str), UsageError> {
    let (key, value) = key_value(pair)?;
    let field = Field::from_name(key).ok_or_else(|| {
        UsageError(format!(
            "unknown field {key} (fields: {})",
            Field::ALL
                .iter()
                .filter(|f| f.settable())
                .map(|f| f.key())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok((field, value))
}

pub fn run(ctx: &Context, args: AddArgs) -> Result<Status> {
    let mut customer = Customer::new(&args.name)?;
    let mut fields = args.fields();
    for pair in &args.set {
        fields.push(set_pair(pair)?);
    }
    for (field, value) in fields {
        customer.set(field, value, Unit::Yuan)?;
    }
    customer.complete();
    customer.check(ctx.today(), false)?;
    let contact = args.contact()?;

    let probe = Candidate::from_customer(0, &customer, contact.as_slice());
    let mut store = ctx.write()?;
    let (stored, alike) = store.write(&ctx.actor, |w| {
        let alike = w.likely_match(&probe)?;
        let stored = w.insert_customer(customer, "add", None)?;
        if stored.customer.stage != crate::domain::choice::Stage::Prospect {
            w.record_stage_move(stored.id, None, stored.customer.stage, ctx.today(), None, None)?;
        }
        if let Some(contact) = &contact {
            w.add_contact(&stored, contact, None)?;
        }
        Ok((stored, alike))
    })?;
    ctx.out.line(&stored.customer.code)?;
    ctx.out.status(&format!(
        "added {} {}",
        stored.customer.code, stored.customer.name
    ));
    // Added as asked, but a twin is better caught now than by next month's dedupe.
    if let Some((found, _)) = alike {
        ctx.out.status(&format!(
            "{} looks like {} {} ({}): review with kehu dedupe",
            stored.customer.code,
            found.code,
            found.name,
            found.reasons.join("; ")
        ));
    }
    Ok(Status::Ok)
}
