//! The customer record (客户档案): its fields, how each is parsed from what a person types,
//! the cross-field rules, and the field-by-field difference between two versions that the
//! change log records.
//!
//! Every way a value enters kehu — `add` flags, `edit --set`, an imported cell — goes through
//! [`Customer::set`], so a value is normalised and checked the same way whatever its source.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::choice::{Choice, Intent, Nature, Secrecy, Size, Source, Stage};
use super::industry::{Industry, parse_industry};
use super::money::{Unit, format_fen, parse_amount};
use super::region::{Province, Region, parse_province};
use super::{date, number, text, uscc};

/// A value that broke a rule: which field, what was typed, and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub struct Invalid {
    pub field: String,
    pub value: String,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.field, self.reason)
        } else {
            write!(f, "{} {}: {}", self.field, self.value, self.reason)
        }
    }
}

/// One field's move in the change log. `None` means empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    pub fn new(field: impl Into<String>, before: Option<String>, after: Option<String>) -> Self {
        Self {
            field: field.into(),
            before,
            after,
        }
    }
}

macro_rules! fields {
    ($($variant:ident = ($key:literal, $zh:literal, $settable:literal, [$($alias:literal),* $(,)?])),+ $(,)?) => {
        /// A field of the customer record. The key is the stable English identifier used in
        /// JSON, `--set` and `--columns`; the Chinese label is the column header.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $($variant),+ }

        impl Field {
            /// Every field, in display order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];
            pub fn key(self) -> &'static str { match self { $(Field::$variant => $key),+ } }
            pub fn zh(self) -> &'static str { match self { $(Field::$variant => $zh),+ } }
            /// Whether a person may set it (others are derived or kept by kehu).
            pub fn settable(self) -> bool { match self { $(Field::$variant => $settable),+ } }
            /// Other names accepted for the field (headers, `--set` keys).
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(Field::$variant => &[$($alias),*]),+ }
            }
        }
    };
}

fields! {
    Code = ("code", "客户编号", true, ["编号", "客户代码", "customer_code"]),
    Name = ("name", "客户全称", true, ["客户名称", "公司名称", "单位名称", "企业名称", "名称", "全称", "company"]),
    ShortName = ("short_name", "简称", true, ["客户简称", "公司简称", "short"]),
    Uscc = ("uscc", "统一社会信用代码", true, ["信用代码", "社会信用代码", "统一代码", "credit_code"]),
    Industry = ("industry", "所属行业", true, ["行业", "行业类型", "行业分类"]),
    Province = ("province", "省份", true, ["所在省份", "省"]),
    City = ("city", "城市", true, ["所在城市", "市"]),
    Region = ("region", "区域", false, ["所在区域", "大区"]),
    Nature = ("nature", "企业性质", true, ["性质", "公司性质", "单位性质"]),
    Size = ("size", "企业规模", true, ["规模", "公司规模"]),
    Source = ("source", "来源渠道", true, ["来源", "客户来源", "获取渠道", "渠道"]),
    Stage = ("stage", "合作阶段", true, ["阶段", "客户阶段", "状态"]),
    StageDate = ("stage_date", "阶段日期", false, []),
    Intent = ("intent", "意向度", true, ["意向", "意向程度"]),
    Owner = ("owner", "负责人", true, ["客户负责人", "客户经理", "销售", "业务员", "跟进人"]),
    FirstCoopDate = ("first_coop_date", "首次合作日期", true, ["首次合作时间", "首次合作", "first_cooperation"]),
    LastCoopDate = ("last_coop_date", "最近合作日期", true, ["最近合作时间", "最近合作", "最后合作日期", "last_cooperation"]),
    TotalAmount = ("total_amount", "累计合作金额", true, ["累计金额", "合作金额", "累计交易额"]),
    Trade12m = ("trade_12m", "近12个月交易额", true, ["近一年交易额", "年交易额", "近12个月金额"]),
    TenureYears = ("tenure_years", "合作时长", true, ["合作年限", "合作时长(年)"]),
    Satisfaction = ("satisfaction", "满意度", true, ["客户满意度", "满意度评分"]),
    Referrals12m = ("referrals_12m", "近12个月转介绍数", true, ["转介绍数", "转介绍次数", "referrals"]),
    Complaints12m = ("complaints_12m", "近12个月投诉数", true, ["投诉数", "投诉次数", "complaints"]),
    BudgetGrowth = ("budget_growth", "预算增长", true, ["预算增长率", "预算增长(%)", "预算增幅"]),
    Secrecy = ("secrecy", "密级", true, ["保密级别", "数据密级"]),
    Tier = ("tier", "等级", false, ["客户等级", "价值等级"]),
    Score = ("score", "评分", false, ["得分"]),
    Remarks = ("remarks", "备注", true, ["说明", "备注信息", "notes"]),
    CreatedAt = ("created_at", "创建时间", false, []),
    UpdatedAt = ("updated_at", "更新时间", false, []),
}

impl Field {
    /// Finds a field by its key, Chinese label or an alias (after cleaning).
    pub fn from_name(name: &str) -> Option<Field> {
        let cleaned = text::clean(name);
        let lower = cleaned.to_lowercase();
        Field::ALL.iter().copied().find(|f| {
            f.key() == lower || f.zh() == cleaned || f.aliases().iter().any(|a| *a == cleaned || *a == lower)
        })
    }

    /// The label in the chosen language.
    pub fn label(self, zh: bool) -> &'static str {
        if zh { self.zh() } else { self.key() }
    }

    /// Whether the field holds money (and so takes a unit).
    pub fn is_money(self) -> bool {
        matches!(self, Field::TotalAmount | Field::Trade12m)
    }
}

/// A customer as kehu keeps it. Every value is already normalised; build one with
/// [`Customer::new`] and [`Customer::set`].
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub uscc: Option<String>,
    pub industry: Option<Industry>,
    pub province: Option<&'static Province>,
    pub city: Option<String>,
    pub nature: Option<Nature>,
    pub size: Option<Size>,
    pub source: Option<Source>,
    pub stage: Stage,
    pub stage_date: Option<NaiveDate>,
    pub intent: Option<Intent>,
    pub owner: Option<String>,
    pub first_coop_date: Option<NaiveDate>,
    pub last_coop_date: Option<NaiveDate>,
    pub total_amount_fen: Option<i64>,
    pub trade_12m_fen: Option<i64>,
    pub tenure_years: Option<Decimal>,
    pub satisfaction: Option<Decimal>,
    pub referrals_12m: Option<u32>,
    pub complaints_12m: Option<u32>,
    pub budget_growth: Option<Decimal>,
    pub secrecy: Secrecy,
    pub tier: Option<String>,
    pub score: Option<Decimal>,
    pub remarks: Option<String>,
    /// Columns an import brought that have no field, kept as typed.
    pub extra: BTreeMap<String, String>,
}

impl Customer {
    /// A new record with only a name (code assigned later by the store).
    pub fn new(name: &str) -> Result<Self, Invalid> {
        let mut c = Self {
            code: String::new(),
            name: String::new(),
            short_name: None,
            uscc: None,
            industry: None,
            province: None,
            city: None,
            nature: None,
            size: None,
            source: None,
            stage: Stage::Prospect,
            stage_date: None,
            intent: None,
            owner: None,
            first_coop_date: None,
            last_coop_date: None,
            total_amount_fen: None,
            trade_12m_fen: None,
            tenure_years: None,
            satisfaction: None,
            referrals_12m: None,
            complaints_12m: None,
            budget_growth: None,
            secrecy: Secrecy::Internal,
            tier: None,
            score: None,
            remarks: None,
            extra: BTreeMap::new(),
        };
        c.set(Field::Name, name, Unit::Yuan)?;
        Ok(c)
    }

    /// The region, derived from the province.
    pub fn region(&self) -> Option<Region> {
        self.province.map(|p| p.region)
    }

    /// Parses `raw` as `field` and stores it. An empty value clears the field (refused for
    /// required fields). `unit` scales bare amounts (a `(万元)` header); other fields ignore it.
    pub fn set(&mut self, field: Field, raw: &str, unit: Unit) -> Result<(), Invalid> {
        if text::has_control_chars(raw) {
            return Err(Invalid::new(
                field.key(),
                raw.escape_debug().to_string(),
                "contains control characters",
            ));
        }
        let value = if field == Field::Remarks {
            text::clean_multiline(raw)
        } else {
            text::clean(raw)
        };
        let bad = |reason: String| Invalid::new(field.key(), raw.trim(), reason);
        if value.is_empty() {
            return self.clear(field);
        }
        match field {
            Field::Code => self.code = parse_code(&value).map_err(bad)?,
            Field::Name => self.name = value,
            Field::ShortName => self.short_name = Some(value),
            Field::Uscc => self.uscc = Some(uscc::parse_uscc(&value).map_err(bad)?),
            Field::Industry => self.industry = Some(parse_industry(&value).map_err(bad)?),
            Field::Province => self.province = Some(parse_province(&value).map_err(bad)?),
            Field::City => self.city = Some(super::region::normalise_city(&value)),
            Field::Nature => self.nature = Some(Nature::parse(&value).map_err(bad)?),
            Field::Size => self.size = Some(Size::parse(&value).map_err(bad)?),
            Field::Source => self.source = Some(Source::parse(&value).map_err(bad)?),
            Field::Stage => self.stage = Stage::parse(&value).map_err(bad)?,
            Field::Intent => self.intent = Some(Intent::parse(&value).map_err(bad)?),
            Field::Owner => self.owner = Some(value),
            Field::FirstCoopDate => self.first_coop_date = Some(date::parse_date(&value).map_err(bad)?),
            Field::LastCoopDate => self.last_coop_date = Some(date::parse_date(&value).map_err(bad)?),
            Field::TotalAmount => self.total_amount_fen = Some(parse_money(&value, unit).map_err(bad)?),
            Field::Trade12m => self.trade_12m_fen = Some(parse_money(&value, unit).map_err(bad)?),
            Field::TenureYears => {
                let years = number::parse_decimal(value.trim_end_matches('年')).map_err(bad)?;
                if years.is_sign_negative() {
                    return Err(bad("must not be negative".into()));
                }
                self.tenure_years = Some(years.normalize());
            }
            Field::Satisfaction => {
                self.satisfaction = Some(
                    number::parse_score(&value, Decimal::TEN)
                        .map_err(bad)?
                        .normalize(),
                )
            }
            Field::Referrals12m => self.referrals_12m = Some(number::parse_count(&value).map_err(bad)?),
            Field::Complaints12m => self.complaints_12m = Some(number::parse_count(&value).map_err(bad)?),
            Field::BudgetGrowth => {
                self.budget_growth = Some(number::parse_percent(&value).map_err(bad)?.normalize())
            }
            Field::Secrecy => self.secrecy = Secrecy::parse(&value).map_err(bad)?,
            Field::Remarks => self.remarks = Some(value),
            Field::Region
            | Field::StageDate
            | Field::Tier
            | Field::Score
            | Field::CreatedAt
            | Field::UpdatedAt => {
                return Err(bad(format!("{} is kept by kehu and cannot be set", field.key())));
            }
        }
        Ok(())
    }

    fn clear(&mut self, field: Field) -> Result<(), Invalid> {
        match field {
            Field::Code | Field::Name => return Err(Invalid::new(field.key(), "", "required")),
            Field::Stage => self.stage = Stage::Prospect,
            Field::Secrecy => self.secrecy = Secrecy::Internal,
            Field::ShortName => self.short_name = None,
            Field::Uscc => self.uscc = None,
            Field::Industry => self.industry = None,
            Field::Province => self.province = None,
            Field::City => self.city = None,
            Field::Nature => self.nature = None,
            Field::Size => self.size = None,
            Field::Source => self.source = None,
            Field::Intent => self.intent = None,
            Field::Owner => self.owner = None,
            Field::FirstCoopDate => self.first_coop_date = None,
            Field::LastCoopDate => self.last_coop_date = None,
            Field::TotalAmount => self.total_amount_fen = None,
            Field::Trade12m => self.trade_12m_fen = None,
            Field::TenureYears => self.tenure_years = None,
            Field::Satisfaction => self.satisfaction = None,
            Field::Referrals12m => self.referrals_12m = None,
            Field::Complaints12m => self.complaints_12m = None,
            Field::BudgetGrowth => self.budget_growth = None,
            Field::Remarks => self.remarks = None,
            Field::Region
            | Field::StageDate
            | Field::Tier
            | Field::Score
            | Field::CreatedAt
            | Field::UpdatedAt => {
                return Err(Invalid::new(
                    field.key(),
                    "",
                    format!("{} is kept by kehu and cannot be set", field.key()),
                ));
            }
        }
        Ok(())
    }

    /// Fills what can be inferred: the province from the USCC's registering office
    /// (positions 3-4) when no province was given.
    pub fn complete(&mut self) {
        if self.province.is_none()
            && let Some(u) = &self.uscc
        {
            self.province = super::region::province_by_code(uscc::uscc_province_code(u));
        }
    }

    /// The cross-field rules, checked after every field is set: cooperation dates real and
    /// ordered (first ≤ last ≤ today), and stage 成交 backed by an order or a first
    /// cooperation date. `has_orders` says whether the store holds orders for the customer.
    pub fn check(&self, today: NaiveDate, has_orders: bool) -> Result<(), Invalid> {
        for (field, d) in [
            (Field::FirstCoopDate, self.first_coop_date),
            (Field::LastCoopDate, self.last_coop_date),
        ] {
            if let Some(d) = d.filter(|d| *d > today) {
                return Err(Invalid::new(
                    field.key(),
                    d.to_string(),
                    format!("is after today ({today})"),
                ));
            }
        }
        if let (Some(first), Some(last)) = (self.first_coop_date, self.last_coop_date)
            && first > last
        {
            {
                return Err(Invalid::new(
                    Field::LastCoopDate.key(),
                    last.to_string(),
                    format!("is before the first cooperation date {first}"),
                ));
            }
        }
        if self.stage == Stage::Customer && !has_orders && self.first_coop_date.is_none() {
            return Err(Invalid::new(
                Field::Stage.key(),
                Stage::Customer.zh(),
                "成交 needs at least one order or a first cooperation date",
            ));
        }
        Ok(())
    }

    /// The stored (canonical) text of a field, as the change log and CSV output show it.
    pub fn value(&self, field: Field) -> Option<String> {
        fn s<T: ToString>(v: &Option<T>) -> Option<String> {
            v.as_ref().map(ToString::to_string)
        }
        match field {
            Field::Code => Some(self.code.clone()),
            Field::Name => Some(self.name.clone()),
            Field::ShortName => self.short_name.clone(),
            Field::Uscc => self.uscc.clone(),
            Field::Industry => self.industry.map(|i| i.code()),
            Field::Province => self.province.map(|p| p.name.to_string()),
            Field::City => self.city.clone(),
            Field::Region => self.region().map(|r| r.en().to_string()),
            Field::Nature => self.nature.map(|v| v.key().to_string()),
            Field::Size => self.size.map(|v| v.key().to_string()),
            Field::Source => self.source.map(|v| v.key().to_string()),
            Field::Stage => Some(self.stage.key().to_string()),
            Field::StageDate => s(&self.stage_date),
            Field::Intent => self.intent.map(|v| v.key().to_string()),
            Field::Owner => self.owner.clone(),
            Field::FirstCoopDate => s(&self.first_coop_date),
            Field::LastCoopDate => s(&self.last_coop_date),
            Field::TotalAmount => self.total_amount_fen.map(format_fen),
            Field::Trade12m => self.trade_12m_fen.map(format_fen),
            Field::TenureYears => s(&self.tenure_years),
            Field::Satisfaction => s(&self.satisfaction),
            Field::Referrals12m => s(&self.referrals_12m),
            Field::Complaints12m => s(&self.complaints_12m),
            Field::BudgetGrowth => s(&self.budget_growth),
            Field::Secrecy => Some(self.secrecy.key().to_string()),
            Field::Tier => self.tier.clone(),
            Field::Score => s(&self.score),
            Field::Remarks => self.remarks.clone(),
            Field::CreatedAt | Field::UpdatedAt => None,
        }
    }

    /// A field as a person reads it: Chinese labels for closed sets with `zh`, names for
    /// codes (industry `C39 计算机、通信和其他电子设备制造业`).
    pub fn display(&self, field: Field, zh: bool) -> Option<String> {
        match field {
            Field::Region => self
                .region()
                .map(|r| if zh { r.zh() } else { r.en() }.to_string()),
            Field::Nature => self.nature.map(|v| v.label(zh).to_string()),
            Field::Size => self.size.map(|v| v.label(zh).to_string()),
            Field::Source => self.source.map(|v| v.label(zh).to_string()),
            Field::Stage => Some(self.stage.label(zh).to_string()),
            Field::Intent => self.intent.map(|v| v.label(zh).to_string()),
            Field::Secrecy => Some(self.secrecy.label(zh).to_string()),
            Field::Industry => self.industry.map(|i| format!("{} {}", i.code(), i.name())),
            _ => self.value(field),
        }
    }

    /// Every field that differs from `before`, extra columns included, in field order.
    pub fn diff(before: &Customer, after: &Customer) -> Vec<Change> {
        let mut changes: Vec<Change> = Field::ALL
            .iter()
            .filter(|f| f.settable() || **f == Field::Tier || **f == Field::Score)
            .filter_map(|&f| {
                let (b, a) = (before.value(f), after.value(f));
                (b != a).then(|| Change::new(f.key(), b, a))
            })
            .collect();
        let keys: std::collections::BTreeSet<&String> =
            before.extra.keys().chain(after.extra.keys()).collect();
        for key in keys {
            let (b, a) = (before.extra.get(key), after.extra.get(key));
            if b != a {
                changes.push(Change::new(format!("extra.{key}"), b.cloned(), a.cloned()));
            }
        }
        changes
    }

    /// This record with `changes` taken back: every field set to its `before` value (the
    /// canonical text the change log holds). Used to undo an import.
    pub fn revert(&self, changes: &[Change]) -> Result<Customer, Invalid> {
        let mut c = self.clone();
        for change in changes {
            let before = change.before.clone();
            if let Some(key) = change.field.strip_prefix("extra.") {
                match before {
                    Some(v) => c.extra.insert(key.to_string(), v),
                    None => c.extra.remove(key),
                };
                continue;
            }
            match Field::from_name(&change.field) {
                Some(Field::Tier) => c.tier = before,
                Some(Field::Score) => c.score = before.and_then(|s| s.parse().ok()),
                Some(f) if f.settable() => c.set(f, before.as_deref().unwrap_or(""), Unit::Yuan)?,
                _ => {}
            }
        }
        Ok(c)
    }

    /// Every non-empty field as a change from nothing (the log entry of a new customer).
    pub fn as_changes(&self) -> Vec<Change> {
        let fields = Field::ALL.iter().filter(|f| f.settable() || **f == Field::Region);
        let mut changes: Vec<Change> = fields
            .filter_map(|&f| self.value(f).map(|v| Change::new(f.key(), None, Some(v))))
            .collect();
        for (key, value) in &self.extra {
            changes.push(Change::new(format!("extra.{key}"), None, Some(value.clone())));
        }
        changes
    }
}

fn parse_code(value: &str) -> Result<String, String> {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a code must not contain spaces".into());
    }
    if value.chars().count() > 40 {
        return Err("a code must be at most 40 characters".into());
    }
    Ok(value.to_uppercase())
}

fn parse_money(value: &str, unit: Unit) -> Result<i64, String> {
    let fen = parse_amount(value, unit)?;
    if fen < 0 {
        return Err("an amount must not be negative".into());
    }
    Ok(fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
    }

    fn customer() -> Customer {
        Customer::new("北京某某科技有限公司").unwrap()
    }

    #[test]
    fn fields_are_found_by_key_label_and_alias() {
        assert_eq!(Field::from_name("name"), Some(Field::Name));
        assert_eq!(Field::from_name("客户名称"), Some(Field::Name));
        assert_eq!(Field::from_name("统一社会信用代码"), Some(Field::Uscc));
        assert_eq!(Field::from_name(" 负责人 "), Some(Field::Owner));
        assert_eq!(Field::from_name("no such field"), None);
    }

    #[test]
    fn every_field_key_and_label_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in Field::ALL {
            for name in std::iter::once(f.key())
                .chain([f.zh()])
                .chain(f.aliases().iter().copied())
            {
                assert!(seen.insert(name), "{name} names two fields");
            }
        }
    }

    #[test]
    fn set_normalises_each_kind_of_value() {
        let mut c = customer();
        c.set(Field::Uscc, "９１１１００００６０００３７３４１ｌ", Unit::Yuan)
            .unwrap();
        assert_eq!(c.uscc.as_deref(), Some("91110000600037341L"));
        c.set(Field::Province, "广东", Unit::Yuan).unwrap();
        assert_eq!(c.value(Field::Region).as_deref(), Some("south"));
        assert_eq!(c.display(Field::Region, true).as_deref(), Some("华南"));
        c.set(Field::TotalAmount, "12.5万", Unit::Yuan).unwrap();
        assert_eq!(c.value(Field::TotalAmount).as_deref(), Some("125000.00"));
        c.set(Field::Trade12m, "3.5", Unit::Wan).unwrap();
        assert_eq!(c.trade_12m_fen, Some(3_500_000));
        c.set(Field::FirstCoopDate, "2023年1月5日", Unit::Yuan).unwrap();
        assert_eq!(c.value(Field::FirstCoopDate).as_deref(), Some("2023-01-05"));
        c.set(Field::Stage, "成交", Unit::Yuan).unwrap();
        assert_eq!(c.stage, Stage::Customer);
        c.set(Field::Satisfaction, "8.50", Unit::Yuan).unwrap();
        assert_eq!(c.value(Field::Satisfaction).as_deref(), Some("8.5"));
        c.set(Field::Name, "  北京某某科技 有限公司 ", Unit::Yuan)
            .unwrap();
        assert_eq!(c.name, "北京某某科技 有限公司");
    }

    #[test]
    fn invalid_values_name_field_value_and_rule() {
        let mut c = customer();
        let err = c.set(Field::Uscc, "91110000600037341A", Unit::Yuan).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uscc 91110000600037341A: check character should be L"
        );
        let err = c.set(Field::TotalAmount, "-5", Unit::Yuan).unwrap_err();
        assert_eq!(err.field, "total_amount");
        assert!(err.reason.contains("negative"), "{err}");
        let err = c.set(Field::Satisfaction, "11", Unit::Yuan).unwrap_err();
        assert_eq!(err.field, "satisfaction");
        let err = c.set(Field::Name, "   ", Unit::Yuan).unwrap_err();
        assert_eq!(err.to_string(), "name: required");
        let err = c.set(Field::Region, "华东", Unit::Yuan).unwrap_err();
        assert!(err.reason.contains("kept by kehu"), "{err}");
        let err = c.set(Field::Name, "a\u{0}b", Unit::Yuan).unwrap_err();
        assert!(err.reason.contains("control"), "{err}");
    }

    #[test]
    fn empty_value_clears_an_optional_field() {
        let mut c = customer();
        c.set(Field::Owner, "张三", Unit::Yuan).unwrap();
        c.set(Field::Owner, "", Unit::Yuan).unwrap();
        assert_eq!(c.owner, None);
    }

    #[test]
    fn cooperation_dates_must_be_ordered_and_not_in_the_future() {
        let mut c = customer();
        c.set(Field::FirstCoopDate, "2024-03-01", Unit::Yuan).unwrap();
        c.set(Field::LastCoopDate, "2024-02-01", Unit::Yuan).unwrap();
        let err = c.check(today(), false).unwrap_err();
        assert_eq!(err.field, "last_coop_date");
        c.set(Field::LastCoopDate, "2024-07-01", Unit::Yuan).unwrap();
        let err = c.check(today(), false).unwrap_err();
        assert!(err.reason.contains("after today"), "{err}");
        c.set(Field::LastCoopDate, "2024-06-30", Unit::Yuan).unwrap();
        assert_eq!(c.check(today(), false), Ok(()));
    }

    #[test]
    fn stage_customer_needs_an_order_or_a_first_cooperation_date() {
        let mut c = customer();
        c.set(Field::Stage, "成交", Unit::Yuan).unwrap();
        assert_eq!(c.check(today(), false).unwrap_err().field, "stage");
        assert_eq!(c.check(today(), true), Ok(()));
        c.set(Field::FirstCoopDate, "2023-01-01", Unit::Yuan).unwrap();
        assert_eq!(c.check(today(), false), Ok(()));
    }

    #[test]
    fn revert_takes_changes_back() {
        let before = customer();
        let mut after = before.clone();
        after.set(Field::Owner, "李四", Unit::Yuan).unwrap();
        after.set(Field::TotalAmount, "12.5万", Unit::Yuan).unwrap();
        after.set(Field::Province, "广东", Unit::Yuan).unwrap();
        after.extra.insert("微信".into(), "abc".into());
        let changes = Customer::diff(&before, &after);
        assert_eq!(after.revert(&changes).unwrap(), before);
    }

    #[test]
    fn diff_lists_each_changed_field_with_before_and_after() {
        let before = customer();
        let mut after = before.clone();
        after.set(Field::Owner, "李四", Unit::Yuan).unwrap();
        after.set(Field::Stage, "意向", Unit::Yuan).unwrap();
        after.extra.insert("微信".into(), "abc".into());
        let changes = Customer::diff(&before, &after);
        assert_eq!(
            changes,
            vec![
                Change::new("stage", Some("prospect".into()), Some("intent".into())),
                Change::new("owner", None, Some("李四".into())),
                Change::new("extra.微信", None, Some("abc".into())),
            ]
        );
        assert!(Customer::diff(&after, &after).is_empty());
    }
}
