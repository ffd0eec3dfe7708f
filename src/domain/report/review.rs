//! The monthly review (seed 001 "回头看"): which customers need a person to look at them this
//! month, and why — contacts not confirmed for a long time, deals with no recent order,
//! stages that contradict the orders, key fields left empty.

use chrono::NaiveDate;

use super::Window;

/// What the review knows about one customer (the store gathers it; orders after the as-of
/// date are left out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub code: String,
    pub name: String,
    pub owner: Option<String>,
    /// Stored stage key (`prospect`, `intent`, `customer`, `churned`).
    pub stage: String,
    /// Stored nature key; an individual (`individual`) has no USCC to fill in.
    pub nature: Option<String>,
    /// Which of the fields that can be required are filled.
    pub filled: Vec<Required>,
    /// Orders dated on or before the as-of date.
    pub orders: i64,
    /// The latest of those orders.
    pub last_order: Option<NaiveDate>,
    pub active_contacts: i64,
    /// Active contacts with a mobile or a landline.
    pub reachable_contacts: i64,
    /// The active contact confirmed longest ago, and when (else when the contact was added).
    pub stalest_contact: Option<(String, NaiveDate)>,
    /// For a churned customer: whether a reason was recorded with the move to 流失.
    pub churn_reason: Option<String>,
}

/// A field the review expects filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Required {
    Uscc,
    Industry,
    Province,
    City,
    Nature,
    Size,
    Source,
    Owner,
    /// An active contact with a mobile or landline.
    Phone,
}

impl Required {
    pub const ALL: [Required; 9] = [
        Required::Uscc,
        Required::Industry,
        Required::Province,
        Required::City,
        Required::Nature,
        Required::Size,
        Required::Source,
        Required::Owner,
        Required::Phone,
    ];

    /// The fields required unless `--require` says otherwise (seed 000's 必填项 and seed
    /// 001's 关键信息: 统一社会信用代码, 企业规模, a contact's phone).
    pub const DEFAULT: [Required; 6] = [
        Required::Uscc,
        Required::Industry,
        Required::Province,
        Required::Size,
        Required::Owner,
        Required::Phone,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Required::Uscc => "uscc",
            Required::Industry => "industry",
            Required::Province => "province",
            Required::City => "city",
            Required::Nature => "nature",
            Required::Size => "size",
            Required::Source => "source",
            Required::Owner => "owner",
            Required::Phone => "phone",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Required::Uscc => "统一社会信用代码",
            Required::Industry => "所属行业",
            Required::Province => "省份",
            Required::City => "城市",
            Required::Nature => "企业性质",
            Required::Size => "企业规模",
            Required::Source => "来源渠道",
            Required::Owner => "负责人",
            Required::Phone => "联系电话",
        }
    }

    pub fn parse(name: &str) -> Result<Required, String> {
        let n = crate::domain::text::clean(name).to_lowercase();
        Required::ALL
            .into_iter()
            .find(|r| {
                r.key() == n
                    || r.zh() == n
                    || (n == "contact" && *r == Required::Phone)
                    || (n == "联系人" && *r == Required::Phone)
            })
            .ok_or_else(|| {
                let known: Vec<&str> = Required::ALL.iter().map(|r| r.key()).collect();
                format!("unknown field {name} (known: {})", known.join(", "))
            })
    }
}

/// Why a customer is on the review list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    NoContact,
    ContactUnconfirmed,
    NoOrder12m,
    DealWithoutOrder,
    ChurnedWithRecentOrder,
    ChurnedWithoutReason,
    OrdersBeforeDeal,
    MissingFields,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::NoContact,
        Reason::ContactUnconfirmed,
        Reason::NoOrder12m,
        Reason::DealWithoutOrder,
        Reason::ChurnedWithRecentOrder,
        Reason::ChurnedWithoutReason,
        Reason::OrdersBeforeDeal,
        Reason::MissingFields,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Reason::NoContact => "no_contact",
            Reason::ContactUnconfirmed => "contact_unconfirmed",
            Reason::NoOrder12m => "no_order_12m",
            Reason::DealWithoutOrder => "deal_without_order",
            Reason::ChurnedWithRecentOrder => "churned_with_recent_order",
            Reason::ChurnedWithoutReason => "churned_without_reason",
            Reason::OrdersBeforeDeal => "orders_before_deal",
            Reason::MissingFields => "missing_fields",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Reason::NoContact => "无在职联系人",
            Reason::ContactUnconfirmed => "联系方式久未确认",
            Reason::NoOrder12m => "近12个月无订单（流失风险）",
            Reason::DealWithoutOrder => "成交但无订单",
            Reason::ChurnedWithRecentOrder => "流失但近期有订单",
            Reason::ChurnedWithoutReason => "流失未记录原因",
            Reason::OrdersBeforeDeal => "未成交但有订单",
            Reason::MissingFields => "关键信息缺失",
        }
    }
}

/// The review's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub as_of: NaiveDate,
    /// A contact not confirmed for more than this many days is stale.
    pub contact_days: i64,
    pub required: Vec<Required>,
}

/// One reason a customer is on the list, with what a person needs to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub reason: Reason,
    /// The date the finding is about (last order, last confirmation), if any.
    pub since: Option<NaiveDate>,
    /// Days from `since` to the as-of date.
    pub days: Option<i64>,
    pub detail_zh: String,
    pub detail_en: String,
}

impl Finding {
    fn new(reason: Reason, zh: String, en: String) -> Finding {
        Finding {
            reason,
            since: None,
            days: None,
            detail_zh: zh,
            detail_en: en,
        }
    }

    fn dated(mut self, since: NaiveDate, as_of: NaiveDate) -> Finding {
        self.since = Some(since);
        self.days = Some((as_of - since).num_days());
        self
    }

    pub fn detail(&self, zh: bool) -> &str {
        if zh { &self.detail_zh } else { &self.detail_en }
    }
}

fn stage_zh(stage: &str) -> &str {
    use crate::domain::choice::{Choice, Stage};
    Stage::parse(stage).map_or(stage, |s| s.zh())
}

/// Every reason `f` is on the review list as of `p.as_of`, in [`Reason`] order.
pub fn review(f: &Facts, p: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    let as_of = p.as_of;
    let days = |d: NaiveDate| (as_of - d).num_days();
    if f.active_contacts == 0 {
        out.push(Finding::new(
            Reason::NoContact,
            "没有在职联系人".into(),
            "no active contact".into(),
        ));
    } else if let Some((name, confirmed)) = &f.stalest_contact
        && days(*confirmed) > p.contact_days
    {
        out.push(
            Finding::new(
                Reason::ContactUnconfirmed,
                format!("联系人 {name} 自 {confirmed} 未确认（{} 天）", days(*confirmed)),
                format!(
                    "contact {name} not confirmed since {confirmed} ({} days)",
                    days(*confirmed)
                ),
            )
            .dated(*confirmed, as_of),
        );
    }
    let window = Window::twelve_months(as_of);
    let recent = f.last_order.filter(|d| window.contains(*d));
    match f.stage.as_str() {
        "customer" => match f.last_order {
            None => out.push(Finding::new(
                Reason::DealWithoutOrder,
                "阶段为成交，但没有订单记录".into(),
                "stage is 成交 (customer) but no order is on record".into(),
            )),
            Some(last) if recent.is_none() => out.push(
                Finding::new(
                    Reason::NoOrder12m,
                    format!("最近订单 {last}，{} 天无订单", days(last)),
                    format!("last order {last}, none for {} days", days(last)),
                )
                .dated(last, as_of),
            ),
            Some(_) => {}
        },
        "churned" => {
            if let Some(last) = recent {
                out.push(
                    Finding::new(
                        Reason::ChurnedWithRecentOrder,
                        format!("阶段为流失，但 {last} 有订单"),
                        format!("stage is 流失 (churned) but there is an order on {last}"),
                    )
                    .dated(last, as_of),
                );
            }
            if f.churn_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                out.push(Finding::new(
                    Reason::ChurnedWithoutReason,
                    "流失原因未记录，需确认终止合作原因".into(),
                    "no reason recorded for the move to 流失 (churned)".into(),
                ));
            }
        }
        stage => {
            if let Some(last) = f.last_order {
                out.push(
                    Finding::new(
                        Reason::OrdersBeforeDeal,
                        format!(
                            "阶段为{}，但有 {} 笔订单（最近 {last}）",
                            stage_zh(stage),
                            f.orders
                        ),
                        format!(
                            "stage is {} ({stage}) but {} order(s) are on record (latest {last})",
                            stage_zh(stage),
                            f.orders
                        ),
                    )
                    .dated(last, as_of),
                );
            }
        }
    }
    let missing: Vec<Required> = p
        .required
        .iter()
        .copied()
        .filter(|r| !f.filled.contains(r))
        .filter(|r| !(*r == Required::Uscc && f.nature.as_deref() == Some("individual")))
        .filter(|r| !(*r == Required::Phone && f.active_contacts == 0))
        .collect();
    if !missing.is_empty() {
        let zh: Vec<&str> = missing.iter().map(|r| r.zh()).collect();
        let en: Vec<&str> = missing.iter().map(|r| r.key()).collect();
        out.push(Finding::new(
            Reason::MissingFields,
            format!("缺少 {}", zh.join("、")),
            format!("missing {}", en.join(", ")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn policy() -> Policy {
        Policy {
            as_of: d("2024-06-30"),
            contact_days: 180,
            required: Required::DEFAULT.to_vec(),
        }
    }

    /// A customer with nothing to review: 成交, an order last month, a contact confirmed
    /// last month, every required field filled.
    fn fine() -> Facts {
        Facts {
            code: "CST20240001".into(),
            name: "甲公司".into(),
            stage: "customer".into(),
            filled: Required::ALL.to_vec(),
            orders: 1,
            last_order: Some(d("2024-05-20")),
            active_contacts: 1,
            reachable_contacts: 1,
            stalest_contact: Some(("王总".into(), d("2024-05-01"))),
            ..Facts::default()
        }
    }

    fn reasons(f: &Facts) -> Vec<Reason> {
        review(f, &policy()).into_iter().map(|x| x.reason).collect()
    }

    #[test]
    fn a_well_kept_customer_is_not_listed() {
        assert!(reasons(&fine()).is_empty());
    }

    #[test]
    fn a_contact_is_stale_after_the_set_number_of_days() {
        let mut f = fine();
        // 2024-01-01 → 2024-06-30 is 181 days: over 180.
        f.stalest_contact = Some(("王总".into(), d("2024-01-01")));
        let found = review(&f, &policy());
        assert_eq!(found[0].reason, Reason::ContactUnconfirmed);
        assert_eq!(found[0].days, Some(181));
        assert_eq!(
            found[0].detail_en,
            "contact 王总 not confirmed since 2024-01-01 (181 days)"
        );
        // 2024-01-02 is 180 days: not over.
        f.stalest_contact = Some(("王总".into(), d("2024-01-02")));
        assert!(reasons(&f).is_empty());
        f.active_contacts = 0;
        assert_eq!(reasons(&f), [Reason::NoContact]);
    }

    #[test]
    fn a_deal_without_an_order_in_twelve_months_is_a_churn_risk() {
        let mut f = fine();
        // The window is 2023-07-01 … 2024-06-30.
        f.last_order = Some(d("2023-06-30"));
        let found = review(&f, &policy());
        assert_eq!(found[0].reason, Reason::NoOrder12m);
        assert_eq!(found[0].days, Some(366));
        f.last_order = Some(d("2023-07-01"));
        assert!(reasons(&f).is_empty());
        f.last_order = None;
        f.orders = 0;
        assert_eq!(reasons(&f), [Reason::DealWithoutOrder]);
    }

    #[test]
    fn stages_that_contradict_the_orders_are_listed() {
        let mut f = fine();
        f.stage = "churned".into();
        f.churn_reason = Some("转向竞品".into());
        assert_eq!(reasons(&f), [Reason::ChurnedWithRecentOrder]);
        f.last_order = Some(d("2022-01-01"));
        assert!(reasons(&f).is_empty());
        f.churn_reason = None;
        assert_eq!(reasons(&f), [Reason::ChurnedWithoutReason]);
        let mut f = fine();
        f.stage = "intent".into();
        f.orders = 2;
        let found = review(&f, &policy());
        assert_eq!(found[0].reason, Reason::OrdersBeforeDeal);
        assert_eq!(found[0].detail_zh, "阶段为意向，但有 2 笔订单（最近 2024-05-20）");
    }

    #[test]
    fn missing_required_fields_are_named() {
        let mut f = fine();
        f.filled.retain(|r| *r != Required::Uscc && *r != Required::Size);
        let found = review(&f, &policy());
        assert_eq!(found[0].reason, Reason::MissingFields);
        assert_eq!(found[0].detail_en, "missing uscc, size");
        assert_eq!(found[0].detail_zh, "缺少 统一社会信用代码、企业规模");
        // An individual has no USCC.
        f.nature = Some("individual".into());
        assert_eq!(review(&f, &policy())[0].detail_en, "missing size");
    }

    #[test]
    fn required_fields_are_named_either_way() {
        assert_eq!(Required::parse("USCC"), Ok(Required::Uscc));
        assert_eq!(Required::parse("企业规模"), Ok(Required::Size));
        assert_eq!(Required::parse("contact"), Ok(Required::Phone));
        assert!(Required::parse("colour").unwrap_err().contains("known: uscc"));
    }
}
