//! How a clerk's spreadsheet maps onto kehu's records: finding the header row among title
//! and blank rows, understanding each header (Chinese and English aliases, units such as
//! `(万元)`, the user's `--map`), telling blank and total rows apart, and turning a row's
//! cells into values for a customer, contact, order or interaction — each bad cell
//! reported with its column, value and rule.
//!
//! Empty cells never clear stored values: a file that carries only some columns (or leaves
//! some cells blank) updates only what it says.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::contact::{Contact, ContactField, Interaction, Order};
use super::customer::{Change, Customer, Field, Invalid};
use super::dedupe::Candidate;
use super::industry::{Industry, parse_industry};
use super::money::{Unit, unit_from_header};
use super::phone::{Phone, parse_phone};
use super::region::split_location;
use super::{number, text};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Customers,
    Contacts,
    Orders,
    Interactions,
    /// The growth of each industry, in percent, for grading.
    IndustryGrowth,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Customers => "customers",
            Kind::Contacts => "contacts",
            Kind::Orders => "orders",
            Kind::Interactions => "interactions",
            Kind::IndustryGrowth => "industry-growth",
        }
    }

    /// The key with its article, as a sentence starts: `an orders`, `a customers`.
    pub fn with_article(self) -> String {
        let article = match self {
            Kind::Orders | Kind::Interactions | Kind::IndustryGrowth => "an",
            Kind::Customers | Kind::Contacts => "a",
        };
        format!("{article} {}", self.key())
    }

    /// Whether a contacts, orders or interactions file puts `target` on its record (its
    /// other columns are kept with the record, or identify the customer).
    fn sets(self, target: Target) -> bool {
        match self {
            Kind::Contacts => matches!(target, Target::Contact(_) | Target::Phone),
            Kind::Orders => matches!(
                target,
                Target::OrderDate | Target::OrderAmount | Target::ContractNo
            ),
            Kind::Interactions => matches!(
                target,
                Target::InteractionDate | Target::Channel | Target::Summary | Target::Operator
            ),
            Kind::Customers | Kind::IndustryGrowth => false,
        }
    }
}

/// What one column is understood as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Customer(Field),
    Contact(ContactField),
    /// 地区 such as 广东省深圳市: province and city.
    Location,
    /// 联系电话: a mobile or a landline, told apart by its shape.
    Phone,
    OrderDate,
    OrderAmount,
    ContractNo,
    InteractionDate,
    Channel,
    Summary,
    /// Who had the contact (跟进人 in a follow-up log).
    Operator,
    /// An industry-growth file's industry and its growth in percent.
    GrowthIndustry,
    GrowthRate,
    /// Known but not imported (a rejects file's reason column, a derived field).
    Ignore,
}

impl Target {
    /// The name shown by `--show-mapping`.
    pub fn describe(self) -> String {
        match self {
            Target::Customer(f) => f.key().to_string(),
            Target::Contact(f) => format!("contact.{}", f.key()),
            Target::Location => "province + city".into(),
            Target::Phone => "contact.mobile or contact.landline".into(),
            Target::OrderDate => "order.date".into(),
            Target::OrderAmount => "order.amount".into(),
            Target::ContractNo => "order.contract_no".into(),
            Target::InteractionDate => "interaction.date".into(),
            Target::Channel => "interaction.channel".into(),
            Target::Summary => "interaction.summary".into(),
            Target::Operator => "interaction.operator".into(),
            Target::GrowthIndustry => "industry (growth table)".into(),
            Target::GrowthRate => "growth %".into(),
            Target::Ignore => "(ignored)".into(),
        }
    }

    /// Parses a `--map` target: a field key or Chinese name, `contact.<field>`, `order.<x>`,
    /// `interaction.<x>`, `location`, `ignore` or `extra`.
    pub fn parse(name: &str) -> Result<Option<Target>, String> {
        let name = text::clean(name);
        let lower = name.to_lowercase();
        let target = match lower.as_str() {
            "extra" | "keep" | "保留" => return Ok(None),
            "ignore" | "skip" | "忽略" => Target::Ignore,
            "location" | "地区" => Target::Location,
            "phone" => Target::Phone,
            "order.date" => Target::OrderDate,
            "order.amount" => Target::OrderAmount,
            "order.contract_no" | "order.contract" => Target::ContractNo,
            "interaction.date" => Target::InteractionDate,
            "interaction.channel" => Target::Channel,
            "interaction.summary" => Target::Summary,
            "interaction.operator" => Target::Operator,
            _ => {
                if let Some(f) = lower.strip_prefix("contact.").and_then(ContactField::from_name) {
                    Target::Contact(f)
                } else if let Some(f) = Field::from_name(&name).filter(|f| f.settable()) {
                    Target::Customer(f)
                } else {
                    return Err(format!(
                        "unknown field {name} (a customer field such as name, uscc, owner; contact.mobile; \
                         order.date/amount/contract_no; interaction.date/channel/summary/operator; location; ignore; extra)"
                    ));
                }
            }
        };
        Ok(Some(target))
    }
}

/// Headers that mean something beyond the fields' own names and aliases.
const EXTRA_ALIASES: &[(&str, Target)] = &[
    // English names of the customer. `name` alone is the customer too — unless the file
    // also has a customer name column, when it is the contact's (see [`Mapping::new`]).
    ("name", Target::Customer(Field::Name)),
    ("customer", Target::Customer(Field::Name)),
    ("customername", Target::Customer(Field::Name)),
    ("customer_name", Target::Customer(Field::Name)),
    ("companyname", Target::Customer(Field::Name)),
    ("company_name", Target::Customer(Field::Name)),
    ("客户企业名称", Target::Customer(Field::Name)),
    ("企业全称", Target::Customer(Field::Name)),
    ("公司全称", Target::Customer(Field::Name)),
    ("单位全称", Target::Customer(Field::Name)),
    ("客户唯一编号", Target::Customer(Field::Code)),
    ("社会统一信用代码", Target::Customer(Field::Uscc)),
    ("统一社会信用代码证", Target::Customer(Field::Uscc)),
    ("统一信用代码", Target::Customer(Field::Uscc)),
    ("所属省份", Target::Customer(Field::Province)),
    ("所在省", Target::Customer(Field::Province)),
    ("所属城市", Target::Customer(Field::City)),
    ("客户获取渠道", Target::Customer(Field::Source)),
    ("合作状态", Target::Customer(Field::Stage)),
    ("当前合作阶段", Target::Customer(Field::Stage)),
    ("近12个月交易金额", Target::Customer(Field::Trade12m)),
    ("联系人手机", Target::Contact(ContactField::Mobile)),
    ("联系人手机号", Target::Contact(ContactField::Mobile)),
    ("联系人手机号码", Target::Contact(ContactField::Mobile)),
    ("联系人职务", Target::Contact(ContactField::Title)),
    ("联系人职位", Target::Contact(ContactField::Title)),
    ("联系人邮箱", Target::Contact(ContactField::Email)),
    ("邮箱地址", Target::Contact(ContactField::Email)),
    ("电子邮件", Target::Contact(ContactField::Email)),
    ("地区", Target::Location),
    ("所在地区", Target::Location),
    ("所在地", Target::Location),
    ("省市", Target::Location),
    ("联系电话", Target::Phone),
    ("联系人电话", Target::Phone),
    ("电话", Target::Phone),
    ("联系方式", Target::Phone),
    ("合同编号", Target::ContractNo),
    ("合同号", Target::ContractNo),
    ("订单号", Target::ContractNo),
    ("订单编号", Target::ContractNo),
    ("contract_no", Target::ContractNo),
    ("签约日期", Target::OrderDate),
    ("订单日期", Target::OrderDate),
    ("交易日期", Target::OrderDate),
    ("合同日期", Target::OrderDate),
    ("合同金额", Target::OrderAmount),
    ("订单金额", Target::OrderAmount),
    ("交易金额", Target::OrderAmount),
    ("amount", Target::OrderAmount),
    ("互动日期", Target::InteractionDate),
    ("拜访日期", Target::InteractionDate),
    ("沟通日期", Target::InteractionDate),
    ("跟进日期", Target::InteractionDate),
    ("沟通方式", Target::Channel),
    ("互动方式", Target::Channel),
    ("跟进方式", Target::Channel),
    ("方式", Target::Channel),
    ("沟通内容", Target::Summary),
    ("跟进内容", Target::Summary),
    ("互动内容", Target::Summary),
    ("拜访内容", Target::Summary),
    ("内容", Target::Summary),
    ("摘要", Target::Summary),
    ("summary", Target::Summary),
    ("原因", Target::Ignore),
    ("拒绝原因", Target::Ignore),
    ("reason", Target::Ignore),
    ("序号", Target::Ignore),
    ("行号", Target::Ignore),
    ("no.", Target::Ignore),
];

/// Headers whose meaning depends on the kind of file.
fn kind_alias(header: &str, kind: Kind) -> Option<Target> {
    match (header, kind) {
        ("日期" | "date", Kind::Orders) => Some(Target::OrderDate),
        ("金额" | "金额(元)", Kind::Orders) => Some(Target::OrderAmount),
        ("日期" | "date", Kind::Interactions) => Some(Target::InteractionDate),
        ("渠道" | "channel", Kind::Interactions) => Some(Target::Channel),
        ("行业" | "行业门类" | "行业大类" | "所属行业" | "行业代码" | "industry", Kind::IndustryGrowth) => {
            Some(Target::GrowthIndustry)
        }
        (
            "增长率" | "增长率(%)" | "增长率%" | "行业增长率" | "行业增长率(%)" | "增速" | "增速(%)" | "增幅"
            | "growth" | "growth(%)" | "growth%",
            Kind::IndustryGrowth,
        ) => Some(Target::GrowthRate),
        _ => None,
    }
}

/// Marks a template puts on a required column, before or after its name (`*客户名称`,
/// `手机号码*`, `※负责人`); NFKC has already turned the full-width `＊` into `*`.
const REQUIRED_MARKS: &[char] = &['*', '※', '★', '☆'];

/// A header as the alias tables compare it: cleaned, no spaces, no required marks, no
/// trailing colon.
fn header_key(header: &str) -> String {
    let key: String = text::clean(header)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    strip_marks(&key).to_string()
}

fn strip_marks(key: &str) -> &str {
    key.trim_matches(|c| REQUIRED_MARKS.contains(&c) || c == ':' || c == '：')
}

/// The header without its trailing bracketed note (`(必填)`, `（18位）`, `[选填]`,
/// `【省市】`, `(yyyy-mm-dd)`); `None` when there is none or nothing would be left.
fn strip_hint(key: &str) -> Option<&str> {
    for (open, close) in [
        ('(', ')'),
        ('[', ']'),
        ('【', '】'),
        ('〔', '〕'),
        ('<', '>'),
        ('《', '》'),
    ] {
        if let Some(rest) = key.strip_suffix(close) {
            let at = rest.rfind(open)?;
            return (at > 0).then(|| &rest[..at]);
        }
    }
    None
}

/// What a header names, by the alias tables alone (`key` as [`header_key`] gives it).
fn lookup(key: &str, kind: Kind) -> Option<Target> {
    let lower = key.to_lowercase();
    if let Some(t) = kind_alias(&lower, kind) {
        return Some(t);
    }
    if let Some((_, t)) = EXTRA_ALIASES.iter().find(|(a, _)| *a == key || *a == lower) {
        return Some(*t);
    }
    if let Some(f) = ContactField::from_name(key).filter(|f| *f != ContactField::Landline || key != "电话")
    {
        return Some(Target::Contact(f));
    }
    Field::from_name(key).map(|f| {
        if f.settable() {
            Target::Customer(f)
        } else {
            Target::Ignore
        }
    })
}

/// How one header is understood, by the alias tables alone.
///
/// Templates decorate headers; the decorations are read past: required marks (`*客户名称`,
/// `手机号码*`, `※`), and a trailing bracketed hint that is not a unit (`负责人（必填）`,
/// `统一社会信用代码（18位）`, `所在地区(省市)`, `首次合作日期(yyyy-mm-dd)`). A bracketed
/// unit (`(万元)`, `（元）`) is read as the column's unit. A header that is itself an alias
/// with its brackets (`合作时长(年)`, `增长率(%)`) is matched as written first.
pub fn understand(header: &str, kind: Kind) -> (Option<Target>, Unit) {
    let mut key = header_key(header);
    let mut unit = Unit::Yuan;
    loop {
        let (bare, u) = unit_from_header(&key);
        if bare != key {
            unit = u;
            key = strip_marks(&bare).to_string();
        }
        if key.is_empty() {
            return (None, unit);
        }
        if let Some(t) = lookup(&key, kind) {
            return (Some(t), unit);
        }
        match strip_hint(&key) {
            Some(rest) => key = strip_marks(rest).to_string(),
            None => return (None, unit),
        }
    }
}

/// The name Excel shows above the column: `A`, `B`, …, `Z`, `AA`, ….
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The name a column without a header is known by (and its cells kept under): `列D`.
fn unnamed_column(index: usize) -> String {
    format!("列{}", column_letter(index))
}

/// One column of the file and what it feeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub index: usize,
    pub header: String,
    /// `None`: no field; kept with the record as an extra column.
    pub target: Option<Target>,
    pub unit: Unit,
    /// Whether the user's `--map` decided it.
    pub mapped_by_user: bool,
}

/// The whole header row understood.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub kind: Kind,
    pub columns: Vec<Column>,
}

/// The field a `--map` names for `header` (as cleaned), if the user mapped it.
fn user_map<'a>(header: &str, user_maps: &'a [(String, String)]) -> Option<&'a str> {
    user_maps
        .iter()
        .find(|(h, _)| text::clean(h) == header)
        .map(|(_, field)| field.as_str())
}

/// The first row (of the first `rows`) that looks like a header: the one with the most
/// cells that name a known field (or that `--map` names) — at least two of them, or one that
/// names the customer: a list of customer names alone is a customers file.
pub fn detect_header(rows: &[Vec<String>], user_maps: &[(String, String)]) -> Option<usize> {
    let score = |row: &Vec<String>| {
        let targets: Vec<Option<Target>> = row.iter().filter_map(|c| known_header(c, user_maps)).collect();
        let names_customer = targets
            .iter()
            .any(|t| matches!(t, Some(Target::Customer(Field::Name | Field::Code | Field::Uscc))));
        (targets.len(), names_customer)
    };
    let (best, (count, names_customer)) =
        rows.iter()
            .enumerate()
            .map(|(i, r)| (i, score(r)))
            .fold(
                (0, (0, false)),
                |best, cur| if cur.1 > best.1 { cur } else { best },
            );
    (count >= 2 || (count == 1 && names_customer)).then_some(best)
}

/// What a header cell is understood as, by any kind of file or by `--map`: `None` for a cell
/// that is no known header, `Some(None)` for one `--map` sends nowhere (`ignore`, `extra`).
fn known_header(cell: &str, user_maps: &[(String, String)]) -> Option<Option<Target>> {
    let c = text::clean(cell);
    if c.is_empty() {
        return None;
    }
    if let Some(field) = user_map(&c, user_maps) {
        return Some(Target::parse(field).ok().flatten());
    }
    [
        Kind::Customers,
        Kind::Orders,
        Kind::Interactions,
        Kind::IndustryGrowth,
    ]
    .into_iter()
    .find_map(|k| understand(&c, k).0)
    .map(Some)
}

/// The header of a two-row heading, when `next` (the row under `header`) is its second row:
/// a merged `联系人` over `姓名 | 手机` reads as `联系人姓名 | 联系人手机`. `next` is one when
/// it has at least two cells, each under a merged heading (a heading with empty cells to its
/// right, or one of those empty cells), each a header alone or after that heading, and none
/// in the columns that name the customer, as a data row's would be.
pub fn two_row_header(
    header: &[String],
    next: &[String],
    user_maps: &[(String, String)],
) -> Option<Vec<String>> {
    let blank = |j: usize| header.get(j).is_none_or(|h| h.trim().is_empty());
    let under_merge = |j: usize| blank(j) || (j + 1 < header.len() && blank(j + 1));
    let filled: Vec<usize> = (0..next.len()).filter(|&j| !next[j].trim().is_empty()).collect();
    if filled.len() < 2 || !filled.iter().all(|&j| under_merge(j)) {
        return None;
    }
    let names_customer = |cell: &str| {
        matches!(
            known_header(cell, user_maps),
            Some(Some(Target::Customer(Field::Name | Field::Code | Field::Uscc)))
        )
    };
    let mut merged = header.to_vec();
    merged.resize(header.len().max(next.len()), String::new());
    let mut above = String::new();
    let mut any = false;
    for (j, sub) in next.iter().enumerate() {
        let top = header.get(j).map_or("", |h| h.trim());
        if !top.is_empty() {
            above = top.to_string();
        }
        let sub = sub.trim();
        if sub.is_empty() {
            continue;
        }
        if names_customer(top) && !names_customer(&format!("{top}{sub}")) && !names_customer(sub) {
            return None;
        }
        let joined = format!("{above}{sub}");
        merged[j] = if known_header(&joined, user_maps).is_some() {
            joined
        } else if known_header(sub, user_maps).is_some() {
            sub.to_string()
        } else {
            return None;
        };
        any = true;
    }
    any.then_some(merged)
}

/// Guesses the kind of file from what its headers are understood as, `--map` included.
///
/// A contract number with a date or an amount, or an order date with an amount, make an
/// orders file; a contact date (拜访日期, 跟进日期) with what was said or how, an interactions
/// file. Contract lists and follow-up logs carry the salesperson and a remark too, which
/// describe the order or the visit, not the customer. Weaker signs (a contract number or an
/// order date alone, 沟通内容 or 沟通方式 alone) decide only when nothing else describes the
/// customer; an amount alone (`金额`) never does, since customers files carry amounts too. A
/// growth column without a customer key makes an industry-growth table. Anything else is a
/// customers file.
pub fn detect_kind(headers: &[String], user_maps: &[(String, String)]) -> Kind {
    let targets = |kind: Kind| -> Vec<Target> {
        headers
            .iter()
            .filter_map(|h| {
                let h = text::clean(h);
                match user_map(&h, user_maps) {
                    Some(field) => Target::parse(field).ok().flatten(),
                    None => understand(&h, kind).0,
                }
            })
            .collect()
    };
    let as_customers = targets(Kind::Customers);
    // Headers named for what they are (合同编号, 签约日期, 合同金额, 跟进日期, 跟进内容); the
    // plain 日期 and 金额 an orders file also uses count only beside a contract number.
    let has = |t: Target| as_customers.contains(&t);
    let as_orders = targets(Kind::Orders);
    let orders = has(Target::ContractNo)
        && (as_orders.contains(&Target::OrderDate) || as_orders.contains(&Target::OrderAmount))
        || has(Target::OrderDate) && has(Target::OrderAmount);
    let interactions = has(Target::InteractionDate) && (has(Target::Summary) || has(Target::Channel));
    let order_like = has(Target::ContractNo) || has(Target::OrderDate);
    let interaction_like = targets(Kind::Interactions)
        .iter()
        .any(|t| matches!(t, Target::Summary | Target::Channel));
    let describes_customer = as_customers.iter().any(|t| {
        matches!(t, Target::Customer(f) if !matches!(f, Field::Code | Field::Name | Field::Uscc | Field::ShortName))
            || *t == Target::Location
    });
    let names_customer = as_customers
        .iter()
        .any(|t| matches!(t, Target::Customer(Field::Code | Field::Name | Field::Uscc)));
    let growth_like = targets(Kind::IndustryGrowth).contains(&Target::GrowthRate);
    if growth_like && !names_customer {
        Kind::IndustryGrowth
    } else if orders || order_like && !describes_customer {
        Kind::Orders
    } else if interactions || interaction_like && !describes_customer {
        Kind::Interactions
    } else {
        // A list of names with contact people is read as customers (new ones are added);
        // `--kind contacts` attaches contacts to stored customers only.
        Kind::Customers
    }
}

impl Mapping {
    /// Understands every header. `user_maps` (`原列名=field`) win over the alias tables.
    /// Refuses a mapping that cannot identify the record each row is about.
    ///
    /// No cell of a customers file is dropped; a column the record has no field for is kept
    /// with it as an extra, under the column's header:
    /// * a column with no header is named by its Excel letter, `列D` (and `--map 列D=…`
    ///   maps it); cells beyond the header row's width are kept the same way;
    /// * a header written twice is told apart by a number, `微信(2)`; the second column
    ///   for a field already fed (a second `手机`, `公司名称` beside `客户名称`) is kept as an
    ///   extra rather than overwriting the first, except remarks, whose texts are joined
    ///   line by line;
    /// * order and interaction columns (合同编号, 签约日期, 拜访日期, 沟通内容) in a customers
    ///   file are extras;
    /// * an English `name` is the customer's name, unless another column names the customer
    ///   (客户名称, company): then it is the contact's name (`name` beside `mobile`), or an
    ///   extra when a contact name column exists too.
    pub fn new(
        headers: &[String],
        user_maps: &[(String, String)],
        kind: Option<Kind>,
    ) -> Result<Mapping, String> {
        for (_, field) in user_maps {
            Target::parse(field)?;
        }
        let kind = kind.unwrap_or_else(|| detect_kind(headers, user_maps));
        let written: Vec<String> = headers.iter().map(|h| text::clean(h)).collect();
        let mut columns = Vec::with_capacity(headers.len());
        // The numbered names given to repeated headers so far.
        let mut given: Vec<String> = Vec::new();
        for (index, header) in written.iter().enumerate() {
            let seen = written[..index].iter().filter(|h| *h == header).count();
            let shown = if header.is_empty() {
                unnamed_column(index)
            } else if seen > 0 {
                // The next number no other header already has: `微信, 微信(2), 微信` gives
                // the second 微信 the name `微信(3)`.
                let name = (seen + 1..)
                    .map(|n| format!("{header}({n})"))
                    .find(|name| !written.contains(name) && !given.contains(name))
                    .expect("some number is free");
                given.push(name.clone());
                name
            } else {
                header.clone()
            };
            let user = user_map(&shown, user_maps)
                .or_else(|| user_map(header, user_maps).filter(|_| !header.is_empty()));
            let (target, unit, mapped_by_user) = match user {
                Some(field) => (Target::parse(field)?, understand(header, kind).1, true),
                None if header.is_empty() => (None, Unit::Yuan, false),
                None => {
                    let (t, u) = understand(header, kind);
                    (t, u, false)
                }
            };
            columns.push(Column {
                index,
                header: shown,
                target,
                unit,
                mapped_by_user,
            });
        }
        for (header, _) in user_maps {
            let h = text::clean(header);
            if !columns
                .iter()
                .zip(&written)
                .any(|(c, w)| c.header == h || *w == h)
            {
                return Err(format!(
                    "--map names column {header}, which the file does not have"
                ));
            }
        }
        let mut mapping = Mapping { kind, columns };
        mapping.settle();
        mapping.check()?;
        Ok(mapping)
    }

    /// The decisions [`Mapping::new`] documents that need every column in view.
    fn settle(&mut self) {
        let customer_name = Some(Target::Customer(Field::Name));
        let name_columns = self.columns.iter().filter(|c| c.target == customer_name).count();
        if name_columns > 1 {
            let contact_name = self.has(Target::Contact(ContactField::Name));
            if let Some(c) = self.columns.iter_mut().find(|c| {
                !c.mapped_by_user
                    && c.target == customer_name
                    && header_key(&c.header).eq_ignore_ascii_case("name")
            }) {
                c.target = (!contact_name).then_some(Target::Contact(ContactField::Name));
            }
        }
        if self.kind == Kind::Customers {
            for c in &mut self.columns {
                if matches!(
                    c.target,
                    Some(
                        Target::OrderDate
                            | Target::OrderAmount
                            | Target::ContractNo
                            | Target::InteractionDate
                            | Target::Channel
                            | Target::Summary
                            | Target::GrowthIndustry
                            | Target::GrowthRate
                    )
                ) {
                    c.target = None;
                }
            }
        }
        if matches!(self.kind, Kind::Contacts | Kind::Orders | Kind::Interactions) {
            let kind = self.kind;
            for c in self.columns.iter_mut().filter(|c| !c.mapped_by_user) {
                c.target = match c.target {
                    // The salesperson who followed the customer up is who had the contact.
                    Some(Target::Customer(Field::Owner)) if kind == Kind::Interactions => {
                        Some(Target::Operator)
                    }
                    Some(Target::Customer(Field::Code | Field::Uscc | Field::Name) | Target::Ignore) => {
                        c.target
                    }
                    Some(t) if kind.sets(t) => c.target,
                    // A contract list's 业务员 and 备注 are about the contract, a contacts
                    // file's 部门 about the person: kept with the record.
                    _ => None,
                };
            }
        }
        for i in 0..self.columns.len() {
            let c = &self.columns[i];
            let repeated = match c.target {
                None | Some(Target::Ignore | Target::Customer(Field::Remarks)) => false,
                Some(t) => !c.mapped_by_user && self.columns[..i].iter().any(|e| e.target == Some(t)),
            };
            if repeated {
                self.columns[i].target = None;
            }
        }
    }

    fn has(&self, target: Target) -> bool {
        self.columns.iter().any(|c| c.target == Some(target))
    }

    fn check(&self) -> Result<(), String> {
        if self.kind == Kind::IndustryGrowth {
            return match (self.has(Target::GrowthIndustry), self.has(Target::GrowthRate)) {
                (true, true) => Ok(()),
                _ => Err(
                    "an industry-growth file needs an industry (行业门类) and a growth (增长率(%)) column"
                        .into(),
                ),
            };
        }
        let identifies = self.has(Target::Customer(Field::Name))
            || self.has(Target::Customer(Field::Code))
            || self.has(Target::Customer(Field::Uscc));
        if !identifies {
            return Err("no column identifies the customer (need 客户名称/name, 客户编号/code or 统一社会信用代码/uscc; \
                 use --map '原列名=name')"
                .into());
        }
        if matches!(self.kind, Kind::Contacts | Kind::Orders | Kind::Interactions)
            && let Some(c) = self.columns.iter().find(|c| {
                c.mapped_by_user
                    && c.target.is_some_and(|t| {
                        !self.kind.sets(t)
                            && !matches!(
                                t,
                                Target::Customer(Field::Code | Field::Uscc | Field::Name) | Target::Ignore
                            )
                    })
            })
        {
            return Err(format!(
                "--map {}={}: {} file does not change customers or contacts; import that column with --kind customers",
                c.header,
                c.target.expect("mapped").describe(),
                self.kind.with_article()
            ));
        }
        let need = |target: Target, what: &str| {
            if self.has(target) {
                Ok(())
            } else {
                Err(format!("{} file needs a {what} column", self.kind.with_article()))
            }
        };
        match self.kind {
            Kind::Orders => {
                need(Target::OrderDate, "date (签约日期/订单日期)")?;
                need(Target::OrderAmount, "amount (合同金额/订单金额)")
            }
            Kind::Interactions => need(Target::InteractionDate, "date (互动日期/拜访日期)"),
            Kind::Contacts => need(Target::Contact(ContactField::Name), "contact name (联系人)"),
            Kind::Customers | Kind::IndustryGrowth => Ok(()),
        }
    }

    /// The cell of the first column mapped to `target`, as [`cell_value`] gives it.
    fn cell(&self, cells: &[String], target: Target) -> Option<(String, &Column)> {
        self.columns
            .iter()
            .filter(|c| c.target == Some(target))
            .find_map(|c| cell_value(cells.get(c.index).map_or("", String::as_str)).map(|v| (v, c)))
    }

    /// Parses one row into what it says. Errors name the column (its header as written).
    pub fn parse_row(&self, cells: &[String], today: NaiveDate) -> Result<Row, RowError> {
        self.excel_errors(cells)?;
        if self.kind == Kind::IndustryGrowth {
            return self.growth(cells);
        }
        let keys = Keys {
            code: self.keyed(cells, Field::Code)?,
            uscc: self.keyed(cells, Field::Uscc)?,
            name: self.cell(cells, Target::Customer(Field::Name)).map(|(v, _)| v),
        };
        if keys.code.is_none() && keys.uscc.is_none() && keys.name.is_none() {
            let column = self
                .columns
                .iter()
                .find(|c| c.target == Some(Target::Customer(Field::Name)))
                .or_else(|| {
                    self.columns
                        .iter()
                        .find(|c| matches!(c.target, Some(Target::Customer(Field::Code | Field::Uscc))))
                })
                .map_or_else(String::new, |c| c.header.clone());
            return Err(RowError::new(
                column,
                "",
                "no customer name, code or USCC in this row",
            ));
        }
        let body = match self.kind {
            Kind::Customers => RowBody::Customer(self.customer_part(cells)?),
            Kind::Contacts => {
                let (contact, unused) = self.contact(cells)?;
                let mut contact = contact.ok_or_else(|| {
                    RowError::new(
                        self.header_of(Target::Contact(ContactField::Name)),
                        "",
                        "contact name is required",
                    )
                })?;
                contact.extra = self.extras(cells);
                contact.extra.extend(unused);
                RowBody::Contact(contact)
            }
            Kind::Orders => RowBody::Order(self.order(cells, today)?),
            Kind::Interactions => RowBody::Interaction(self.interaction(cells)?),
            Kind::IndustryGrowth => unreachable!("growth rows return above"),
        };
        Ok(Row { keys, body })
    }

    /// A field's cell that holds an Excel error (`#N/A`, `#REF!`, …) is refused: the value
    /// the formula was meant to give is not in the file. Extra columns treat it as empty.
    fn excel_errors(&self, cells: &[String]) -> Result<(), RowError> {
        for column in &self.columns {
            if matches!(column.target, None | Some(Target::Ignore)) {
                continue;
            }
            let value = text::clean(cells.get(column.index).map_or("", String::as_str));
            if is_excel_error(&value) {
                return Err(RowError::new(
                    &column.header,
                    &value,
                    format!(
                        "the cell holds the Excel error {value}, not a value: fix the formula or type the value in the spreadsheet"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The header of the first column mapped to `target` (empty when none is).
    pub fn header_of(&self, target: Target) -> String {
        self.columns
            .iter()
            .find(|c| c.target == Some(target))
            .map_or_else(String::new, |c| c.header.clone())
    }

    fn keyed(&self, cells: &[String], field: Field) -> Result<Option<String>, RowError> {
        let Some((value, column)) = self.cell(cells, Target::Customer(field)) else {
            return Ok(None);
        };
        let mut scratch = Customer::new("-").expect("a one-character name is valid");
        scratch
            .set(field, &value, column.unit)
            .map_err(|e| RowError::from_invalid(column, e))?;
        Ok(scratch.value(field))
    }

    fn customer_part(&self, cells: &[String]) -> Result<CustomerPart, RowError> {
        let mut part = CustomerPart::default();
        let cell = |field: Field, raw: String, column: &Column| FieldCell {
            field,
            raw,
            unit: column.unit,
            column: column.header.clone(),
        };
        part.extra = self.extras(cells);
        for column in &self.columns {
            let raw = cells.get(column.index).map_or("", String::as_str);
            let Some(value) = cell_value(raw) else {
                continue;
            };
            match column.target {
                None | Some(Target::Customer(Field::Code | Field::Uscc | Field::Name)) => {}
                Some(Target::Customer(Field::Remarks)) => {
                    let text = raw.trim();
                    match part.fields.iter_mut().find(|c| c.field == Field::Remarks) {
                        Some(earlier) => {
                            earlier.raw.push('\n');
                            earlier.raw.push_str(text);
                        }
                        None => part.fields.push(cell(Field::Remarks, text.to_string(), column)),
                    }
                }
                Some(Target::Customer(f)) => part.fields.push(cell(f, value, column)),
                Some(Target::Location) => {
                    let (province, city) = split_location(&value);
                    if province.is_none() && city.is_none() {
                        return Err(RowError::new(
                            &column.header,
                            &value,
                            "no province or city recognised in this location",
                        ));
                    }
                    if let Some(province) = province {
                        let mut c = cell(Field::Province, province.name.to_string(), column);
                        c.unit = Unit::Yuan;
                        part.fields.push(c);
                    }
                    if let Some(city) = city {
                        let mut c = cell(Field::City, city, column);
                        c.unit = Unit::Yuan;
                        part.fields.push(c);
                    }
                }
                _ => {}
            }
        }
        let (contact, unused) = self.contact(cells)?;
        part.contact = contact;
        part.extra.extend(unused);
        Ok(part)
    }

    /// The row's cells that no field takes, by header: those of the columns with no target,
    /// and those past the header row's width (named by their Excel letter).
    fn extras(&self, cells: &[String]) -> BTreeMap<String, String> {
        let beyond = cells
            .iter()
            .enumerate()
            .skip(self.columns.len())
            .filter_map(|(index, raw)| Some((unnamed_column(index), cell_value(raw)?)));
        self.columns
            .iter()
            .filter(|c| c.target.is_none())
            .filter_map(|c| Some((c.header.clone(), cell_value(cells.get(c.index)?)?)))
            .chain(beyond)
            .collect()
    }

    /// The row's contact, and the cells of a 联系电话 column that did not go into it (a
    /// second mobile beside a 手机 column), by header.
    #[allow(clippy::type_complexity)]
    fn contact(&self, cells: &[String]) -> Result<(Option<Contact>, Vec<(String, String)>), RowError> {
        let name = self.cell(cells, Target::Contact(ContactField::Name));
        let mut fields: Vec<(ContactField, String, &Column)> = Vec::new();
        let mut unused = Vec::new();
        for f in [
            ContactField::Title,
            ContactField::Mobile,
            ContactField::Landline,
            ContactField::Email,
        ] {
            if let Some((v, c)) = self.cell(cells, Target::Contact(f)) {
                fields.push((f, v, c));
            }
        }
        if let Some((v, c)) = self.cell(cells, Target::Phone) {
            let (field, canonical) = match parse_phone(&v) {
                Ok(Phone::Mobile(m)) => (ContactField::Mobile, m),
                Ok(Phone::Landline(n) | Phone::Service(n)) => (ContactField::Landline, n),
                Err(reason) => return Err(RowError::new(&c.header, &v, reason)),
            };
            match fields.iter().find(|(f, _, _)| *f == field) {
                None => fields.push((field, v, c)),
                Some((_, other, _)) => {
                    let same = match field {
                        ContactField::Mobile => super::phone::parse_mobile(other).ok(),
                        _ => super::phone::parse_landline(other).ok(),
                    };
                    if same.as_deref() != Some(canonical.as_str()) {
                        unused.push((c.header.clone(), v));
                    }
                }
            }
        }
        if name.is_none() && fields.is_empty() {
            return Ok((None, unused));
        }
        let (name, name_column) = match &name {
            Some((n, c)) => (n.as_str(), Some(*c)),
            None => (UNNAMED_CONTACT, None),
        };
        let mut contact = Contact::new(name).map_err(|e| match name_column {
            Some(c) => RowError::from_invalid(c, e),
            None => RowError::new("", name, e.reason),
        })?;
        for (field, value, column) in fields {
            contact
                .set(field, &value)
                .map_err(|e| RowError::from_invalid(column, e))?;
        }
        Ok((Some(contact), unused))
    }

    fn required(&self, cells: &[String], target: Target) -> Result<(String, &Column), RowError> {
        self.cell(cells, target).ok_or_else(|| {
            RowError::new(
                self.header_of(target),
                "",
                format!("{} is required", target.describe()),
            )
        })
    }

    fn order(&self, cells: &[String], today: NaiveDate) -> Result<Order, RowError> {
        let (date, date_col) = self.required(cells, Target::OrderDate)?;
        let (amount, amount_col) = self.required(cells, Target::OrderAmount)?;
        let contract = self
            .cell(cells, Target::ContractNo)
            .map(|(v, _)| v)
            .unwrap_or_default();
        let mut order = Order::parse(&date, &amount, amount_col.unit, &contract, today).map_err(|e| {
            let column = if e.field == "order.date" {
                date_col
            } else {
                amount_col
            };
            RowError::from_invalid(column, e)
        })?;
        order.extra = self.extras(cells);
        Ok(order)
    }

    fn growth(&self, cells: &[String]) -> Result<Row, RowError> {
        let (industry, industry_col) = self.required(cells, Target::GrowthIndustry)?;
        let (growth, growth_col) = self.required(cells, Target::GrowthRate)?;
        let industry =
            parse_industry(&industry).map_err(|r| RowError::new(&industry_col.header, &industry, r))?;
        let growth =
            number::parse_percent(&growth).map_err(|r| RowError::new(&growth_col.header, &growth, r))?;
        Ok(Row {
            keys: Keys::default(),
            body: RowBody::Growth { industry, growth },
        })
    }

    fn interaction(&self, cells: &[String]) -> Result<Interaction, RowError> {
        let (date, date_col) = self.required(cells, Target::InteractionDate)?;
        let channel = self
            .cell(cells, Target::Channel)
            .map(|(v, _)| v)
            .unwrap_or_default();
        // Taken as typed, line breaks and all, as a customer's remarks are.
        let summary = self
            .cell(cells, Target::Summary)
            .and_then(|(_, column)| cells.get(column.index))
            .map_or("", String::as_str);
        let mut interaction =
            Interaction::parse(&date, &channel, summary).map_err(|e| RowError::from_invalid(date_col, e))?;
        interaction.operator = self
            .cell(cells, Target::Operator)
            .and_then(|(v, _)| text::clean_opt(&v));
        interaction.extra = self.extras(cells);
        Ok(interaction)
    }
}

/// Legal forms and noise left out when comparing two names of one company.
const NAME_NOISE: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "集团",
    "分公司",
    "总公司",
    "公司",
    "(",
    ")",
    "（",
    "）",
    " ",
];

/// The part of a company name that tells it apart: no region prefix, no legal form.
fn core_name(name: &str) -> String {
    let cleaned = text::clean(name);
    let (rest, _) = super::region::strip_region_prefix(&cleaned);
    // A city prefix (深圳市…) as well.
    let rest = match rest.char_indices().take(4).find(|(_, c)| *c == '市') {
        Some((i, c)) if i > 0 => &rest[i + c.len_utf8()..],
        _ => rest,
    };
    NAME_NOISE
        .iter()
        .fold(rest.to_string(), |n, noise| n.replace(noise, ""))
}

/// Whether two names are plainly different companies: their core names share no pair of
/// adjacent characters and neither holds the other. Renames that keep the 字号 are not.
pub fn plainly_different(a: &str, b: &str) -> bool {
    let (a, b) = (core_name(a), core_name(b));
    if a.is_empty() || b.is_empty() || a.contains(&b) || b.contains(&a) {
        return false;
    }
    let bigrams = |s: &str| -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    bigrams(&a).is_disjoint(&bigrams(&b))
}

/// What a row would change of a customer an earlier row of the same file came to: the
/// fields it would overwrite (filling an empty one is not a change of mind), or `None`.
pub fn contradiction(before: &Customer, after: &Customer) -> Option<String> {
    let overwritten = overwritten(Customer::diff(before, after));
    (!overwritten.is_empty()).then(|| {
        format!(
            "an earlier row of this file is the same customer; this row would change {}",
            overwritten.join(", ")
        )
    })
}

/// [`contradiction`] for a contact an earlier row of the same file gave.
pub fn contact_contradiction(stored: &Contact, incoming: &Contact) -> Option<String> {
    let overwritten = overwritten(Contact::diff(stored, &stored.given_again(incoming)));
    (!overwritten.is_empty()).then(|| {
        format!(
            "an earlier row of this file is the same contact; this row would change {}'s {}",
            stored.name,
            overwritten.join(", ")
        )
    })
}

/// The refusal (`--on-existing error`) of a row that would change `stored`, a contact of
/// customer `code`: it names the first cell that would change. `None` when the row changes
/// nothing.
pub fn contact_already_stored(stored: &Contact, incoming: &Contact, code: &str) -> Option<RowError> {
    let change = Contact::diff(stored, &stored.given_again(incoming))
        .into_iter()
        .next()?;
    Some(RowError::new(
        change.field,
        change.after.unwrap_or_default(),
        format!(
            "{} is already stored for {code} (--on-existing error)",
            stored.name
        ),
    ))
}

/// The changes that replace a value, as `owner 张三 → 李四`.
fn overwritten(changes: Vec<Change>) -> Vec<String> {
    changes
        .into_iter()
        .filter_map(|c| {
            let was = c.before?;
            Some(format!("{} {was} → {}", c.field, c.after.unwrap_or_default()))
        })
        .collect()
}

/// The name given to a contact whose row has a phone but no name.
pub const UNNAMED_CONTACT: &str = "未具名联系人";

/// A row is blank when every cell is empty after cleaning.
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| text::clean(c).is_empty())
}

/// Words that start a total row: `合计`, `总计（元）`, `小计：`, `共计2家`.
const TOTAL_WORDS: &[&str] = &[
    "合计", "总计", "小计", "共计", "总额", "合計", "總計", "小計", "共計", "總額",
];

/// What may come before a total word: `本页小计`, `本表合计`.
const TOTAL_PREFIXES: &[&str] = &["", "本页", "本頁", "本表", "全部", "以上"];

/// Whether one cell (spaces removed) is a total label. The total word must stand alone or
/// be followed by something that cannot continue a name — a bracket, colon, digit or
/// space (`合计（共2家）`, `合计：2家`, `合计（元）`): a company's name never starts with a
/// total word followed by more Han characters, and `合计科技有限公司` is a name.
fn is_total_label(cell: &str) -> bool {
    let lower = cell.to_lowercase();
    if let Some(rest) = lower.strip_prefix("total") {
        return !rest.starts_with(|c: char| c.is_alphabetic());
    }
    TOTAL_PREFIXES.iter().any(|prefix| {
        let Some(rest) = cell.strip_prefix(prefix) else {
            return false;
        };
        TOTAL_WORDS.iter().any(|word| {
            rest.strip_prefix(word)
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphabetic()))
        })
    })
}

/// Labels of the notes below a table that need a colon after them: `注：金额单位为万元`,
/// `说明：…`, `日期：2024-06-30`.
const NOTE_LABELS: &[&str] = &[
    "注",
    "注意",
    "备注",
    "说明",
    "附注",
    "日期",
    "制表日期",
    "填表日期",
    "填报日期",
    "数据来源",
    "来源",
];

/// Signatures below a table: `制表人：张三`, `审核人 李四`, `审核：`. A label without 人 must
/// not run on into more Han characters (`审核` yes, `审核科技有限公司` no).
const SIGNATURE_LABELS: &[&str] = &[
    "制表人",
    "填表人",
    "填报人",
    "审核人",
    "复核人",
    "审批人",
    "编制人",
    "统计人",
    "经办人",
    "制表",
    "填表",
    "审核",
    "复核",
    "审批",
    "编制",
];

/// Whether one cell is a footer note: a note label with a colon (`注：`, `注1：`, `说明:`)
/// or a signature (`制表人：张三  日期：2024-06-30`, `填表人`, `审核…`).
fn is_note(cell: &str) -> bool {
    let signature = SIGNATURE_LABELS.iter().any(|label| {
        cell.strip_prefix(label)
            .is_some_and(|rest| label.ends_with('人') || !rest.starts_with(|c: char| c.is_alphabetic()))
    });
    if signature {
        return true;
    }
    NOTE_LABELS.iter().any(|label| {
        cell.strip_prefix(label).is_some_and(|rest| {
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || ('①'..='⑳').contains(&c));
            rest.starts_with([':', '：'])
        })
    })
}

/// A row to skip as a total: a total label (合计/总计/小计/共计, `本页小计`, `合计（共2家）`)
/// in its first non-empty cell, where a total row is labelled, or a footer whose every
/// non-empty cell is a note or signature (`注：金额单位为万元`, `制表人：张三  日期：2024-06-30`).
/// A label further right is a remark (`1, 甲科技有限公司, 合计2个项目在谈`), and a company's
/// name is never a label (`共计（北京）信息技术有限公司`, `TOTAL (China) Investment Co., Ltd.`).
/// Footers are counted with the total rows.
pub fn is_total(cells: &[String]) -> bool {
    let filled: Vec<String> = cells
        .iter()
        .map(|c| text::clean(c).replace(' ', ""))
        .filter(|c| !c.is_empty())
        .collect();
    filled
        .first()
        .is_some_and(|c| is_total_label(c) && !names_an_organisation(c))
        || (!filled.is_empty() && filled.iter().all(|c| is_note(c)))
}

/// Whether a cell reads as an organisation's name: it holds a legal form or ends as one.
fn names_an_organisation(cell: &str) -> bool {
    const FORMS: &[&str] = &[
        "公司",
        "集团",
        "合伙",
        "事务所",
        "研究院",
        "co.",
        "ltd",
        "inc.",
        "corp",
        "llc",
    ];
    const ENDINGS: &[&str] = &["厂", "店", "商行", "银行", "合作社", "中心", "医院", "学院", "馆"];
    let lower = cell.to_lowercase();
    FORMS.iter().any(|f| lower.contains(f)) || ENDINGS.iter().any(|e| cell.ends_with(e))
}

/// What clerks type for "nothing here"; such a cell is empty.
const PLACEHOLDERS: &[&str] = &["-", "--", "---", "—", "——", "/", "无", "暂无", "n/a"];

/// The error values Excel shows in a cell whose formula failed.
const EXCEL_ERRORS: &[&str] = &[
    "#N/A",
    "#DIV/0!",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
];

/// Whether a (cleaned) cell holds an Excel error literal such as `#N/A` or `#REF!`.
pub fn is_excel_error(value: &str) -> bool {
    EXCEL_ERRORS.iter().any(|e| value.eq_ignore_ascii_case(e))
}

/// A cell's value: cleaned, or `None` when nothing is there — an empty cell, a placeholder
/// for nothing (`-`, `—`, `/`, `无`, `暂无`, `N/A`), or an Excel error (`#N/A`, `#REF!`;
/// a field's cell holding one is refused before this is asked, see
/// [`Mapping::parse_row`], and an extra column does not keep it).
pub fn cell_value(raw: &str) -> Option<String> {
    let value = text::clean_opt(raw)?;
    let lower = value.to_lowercase();
    let nothing = PLACEHOLDERS.contains(&lower.as_str()) || is_excel_error(&value);
    (!nothing).then_some(value)
}

/// How a row names its customer. Values are canonical (USCC upper-case, code upper-case).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    pub code: Option<String>,
    pub uscc: Option<String>,
    pub name: Option<String>,
}

impl Keys {
    /// The key a row names its customer by, first of code, USCC and name, with its field:
    /// what a message about which customer the row means shows.
    pub fn first(&self) -> (&'static str, &str) {
        match (&self.code, &self.uscc, &self.name) {
            (Some(c), _, _) => ("code", c),
            (_, Some(u), _) => ("uscc", u),
            (_, _, Some(n)) => ("name", n),
            _ => ("name", ""),
        }
    }
}

/// A customer field's cell, still as typed (applied to the stored or a new record later).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCell {
    pub field: Field,
    pub raw: String,
    pub unit: Unit,
    pub column: String,
}

/// What a customers row says beyond its keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerPart {
    pub fields: Vec<FieldCell>,
    pub contact: Option<Contact>,
    pub extra: BTreeMap<String, String>,
}

impl CustomerPart {
    /// Applies the row to `base` (the stored customer, or a new one): every non-empty cell
    /// sets its field, extra columns are kept. Errors name the column.
    pub fn apply(&self, base: &Customer) -> Result<Customer, RowError> {
        let mut customer = base.clone();
        for cell in &self.fields {
            customer
                .set(cell.field, &cell.raw, cell.unit)
                .map_err(|e| RowError::new(&cell.column, &cell.raw, e.reason))?;
        }
        for (k, v) in &self.extra {
            customer.extra.insert(k.clone(), v.clone());
        }
        Ok(customer)
    }

    /// The column a field came from (for cross-field errors).
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|c| c.field.key() == field)
            .map(|c| c.column.as_str())
    }

    /// A cross-field rule's error, named by the column its field came from.
    /// The value shown is the cell as the clerk typed it (`合作中`, not the `成交` it means).
    /// When the field at fault is a stored one the row does not bring, the error names the
    /// row's cell it disagrees with (a first cooperation date after the stored last one).
    pub fn error_for(&self, e: Invalid) -> RowError {
        if let Some(cell) = self.fields.iter().find(|c| c.field.key() == e.field) {
            return RowError::new(&cell.column, cell.raw.trim(), e.reason);
        }
        let stored = Field::from_name(&e.field);
        let partner = stored.and_then(|f| match f {
            Field::LastCoopDate => Some(Field::FirstCoopDate),
            Field::FirstCoopDate => Some(Field::LastCoopDate),
            Field::Stage => Some(Field::FirstCoopDate),
            _ => None,
        });
        match (stored, self.fields.iter().find(|c| Some(c.field) == partner)) {
            (Some(stored), Some(cell)) => RowError::new(
                &cell.column,
                cell.raw.trim(),
                format!("the stored {} {} {}", stored.zh(), e.value, e.reason),
            ),
            _ => RowError::new(e.field, e.value, e.reason),
        }
    }

    /// The record this row creates when no stored customer matches it: every cell applied,
    /// inferred values filled, the cross-field rules checked (with no orders yet); with the
    /// probe that finds the stored customers it may duplicate.
    pub fn new_customer(&self, keys: &Keys, today: NaiveDate) -> Result<NewCustomer, RowError> {
        let name = keys
            .name
            .as_deref()
            .ok_or_else(|| RowError::new("name", "", "a new customer needs a name"))?;
        let mut base = Customer::new(name).map_err(|e| RowError::new("name", e.value, e.reason))?;
        base.code = keys.code.clone().unwrap_or_default();
        base.uscc = keys.uscc.clone();
        let mut customer = self.apply(&base)?;
        customer.complete();
        customer.check(today, false).map_err(|e| self.error_for(e))?;
        let probe = Candidate::from_customer(0, &customer, self.contact.as_slice());
        Ok(NewCustomer { customer, probe })
    }
}

/// A customers row's new record and its match probe. Both are worked out with the row, so an
/// import does it on the thread that reads the file, ahead of the one that writes.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub customer: Customer,
    /// The record as [`super::dedupe::compare`] sees it; its core is the record's
    /// [`super::dedupe::name_key`].
    pub probe: Candidate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowBody {
    Customer(CustomerPart),
    Contact(Contact),
    Order(Order),
    Interaction(Interaction),
    Growth {
        industry: Industry,
        growth: rust_decimal::Decimal,
    },
}

/// One data row understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub keys: Keys,
    pub body: RowBody,
}

/// Why a row was rejected: the column (header as written), the value and the rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl RowError {
    pub fn new(column: impl Into<String>, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    fn from_invalid(column: &Column, e: Invalid) -> Self {
        Self::new(&column.header, e.value, e.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
    }

    #[test]
    fn the_header_row_is_found_below_title_and_blank_rows() {
        let rows = vec![
            strings(&["2024年第二季度客户信息汇总表", "", ""]),
            strings(&["", "", ""]),
            strings(&["制表人：张三", "", "2024-06-30"]),
            strings(&["序号", "客户名称", "统一社会信用代码", "所在地区"]),
            strings(&["1", "北京某某科技有限公司", "91110000600037341L", "北京市朝阳区"]),
        ];
        assert_eq!(detect_header(&rows, &[]), Some(3));
        assert_eq!(detect_header(&rows[..3], &[]), None);
    }

    #[test]
    fn headers_map_by_chinese_and_english_aliases_with_units() {
        let headers = strings(&[
            "公司名称",
            "信用代码",
            "所在地区",
            "手机号码",
            "累计合作金额(万元)",
            "微信号",
            "Owner",
        ]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        assert_eq!(m.kind, Kind::Customers);
        let targets: Vec<Option<Target>> = m.columns.iter().map(|c| c.target).collect();
        assert_eq!(
            targets,
            vec![
                Some(Target::Customer(Field::Name)),
                Some(Target::Customer(Field::Uscc)),
                Some(Target::Location),
                Some(Target::Contact(ContactField::Mobile)),
                Some(Target::Customer(Field::TotalAmount)),
                None,
                Some(Target::Customer(Field::Owner)),
            ]
        );
        assert_eq!(m.columns[4].unit, Unit::Wan);
    }

    #[test]
    fn a_two_row_heading_reads_as_one() {
        let header = strings(&["客户名称", "统一社会信用代码", "联系人", ""]);
        let sub = strings(&["", "", "姓名", "手机"]);
        assert_eq!(
            two_row_header(&header, &sub, &[]),
            Some(strings(&[
                "客户名称",
                "统一社会信用代码",
                "联系人姓名",
                "联系人手机"
            ]))
        );
        // A data row is not a heading: it names its customer, or holds values.
        let data = strings(&["甲贸易有限公司", "", "王总", "13812345678"]);
        assert_eq!(two_row_header(&header, &data, &[]), None);
        let nameless = strings(&["", "", "王总", "13812345678"]);
        assert_eq!(two_row_header(&header, &nameless, &[]), None);
        assert_eq!(two_row_header(&header, &strings(&["", "", "", ""]), &[]), None);
        // A first data row with one word under an unmerged heading is data.
        let plain = strings(&["客户名称", "负责人", "备注"]);
        assert_eq!(two_row_header(&plain, &strings(&["", "", "邮箱"]), &[]), None);
        assert_eq!(two_row_header(&plain, &strings(&["", "手机", "邮箱"]), &[]), None);
    }

    #[test]
    fn a_repeated_header_is_numbered_clear_of_the_other_headers() {
        let headers = strings(&["客户名称", "微信", "微信(2)", "微信", "微信"]);
        let mapping = Mapping::new(&headers, &[], None).unwrap();
        let shown: Vec<&str> = mapping.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(shown, ["客户名称", "微信", "微信(2)", "微信(3)", "微信(4)"]);
    }

    #[test]
    fn user_maps_win_and_unknown_targets_are_refused() {
        let headers = strings(&["单位", "对接人"]);
        assert!(
            Mapping::new(&headers, &[], None).is_err(),
            "no column identifies the customer"
        );
        let maps = vec![
            ("单位".to_string(), "name".to_string()),
            ("对接人".to_string(), "contact.name".to_string()),
        ];
        let m = Mapping::new(&headers, &maps, Some(Kind::Customers)).unwrap();
        assert_eq!(m.columns[1].target, Some(Target::Contact(ContactField::Name)));
        let bad = vec![("单位".to_string(), "colour".to_string())];
        assert!(
            Mapping::new(&headers, &bad, None)
                .unwrap_err()
                .contains("unknown field colour")
        );
        let missing = vec![("部门".to_string(), "name".to_string())];
        assert!(
            Mapping::new(&headers, &missing, None)
                .unwrap_err()
                .contains("does not have")
        );
    }

    #[test]
    fn the_kind_is_detected_from_headers() {
        assert_eq!(
            detect_kind(
                &strings(&["客户编号", "合同编号", "签约日期", "合同金额(元)"]),
                &[]
            ),
            Kind::Orders
        );
        assert_eq!(
            detect_kind(&strings(&["客户名称", "拜访日期", "沟通方式", "沟通内容"]), &[]),
            Kind::Interactions
        );
        assert_eq!(
            detect_kind(&strings(&["客户名称", "联系人", "手机"]), &[]),
            Kind::Customers
        );
        assert_eq!(
            detect_kind(&strings(&["客户名称", "所属行业", "联系人", "手机"]), &[]),
            Kind::Customers
        );
    }

    #[test]
    fn a_row_becomes_keys_fields_contact_and_extras() {
        let headers = strings(&[
            "客户名称",
            "统一社会信用代码",
            "地区",
            "联系电话",
            "联系人",
            "累计合作金额（万元）",
            "微信",
        ]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        let row = m
            .parse_row(
                &strings(&[
                    "北京某某科技有限公司",
                    "91110000600037341l",
                    "广东省深圳市南山区",
                    "0755-86123456",
                    "陈工",
                    "12.5",
                    "wx_abc",
                ]),
                today(),
            )
            .unwrap();
        assert_eq!(row.keys.uscc.as_deref(), Some("91110000600037341L"));
        let RowBody::Customer(part) = row.body else {
            panic!("customer row")
        };
        let c = part
            .apply(&Customer::new("北京某某科技有限公司").unwrap())
            .unwrap();
        assert_eq!(c.province.map(|p| p.name), Some("广东省"));
        assert_eq!(c.city.as_deref(), Some("深圳"));
        assert_eq!(c.total_amount_fen, Some(12_500_000));
        assert_eq!(c.extra.get("微信").map(String::as_str), Some("wx_abc"));
        let contact = part.contact.unwrap();
        assert_eq!(
            (contact.name.as_str(), contact.landline.as_deref()),
            ("陈工", Some("075586123456"))
        );
    }

    #[test]
    fn a_new_customer_comes_with_the_probe_that_matches_it() {
        let headers = strings(&["单位名称", "统一社会信用代码", "联系人", "手机"]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        let row = m
            .parse_row(
                &strings(&[
                    "（深圳）华通电子科技有限公司上海分公司",
                    "91110000600037341L",
                    "王总",
                    "+86 138-0013-8000",
                ]),
                today(),
            )
            .unwrap();
        let RowBody::Customer(part) = &row.body else {
            panic!("customer row")
        };
        let NewCustomer { customer, probe } = part.new_customer(&row.keys, today()).unwrap();
        assert_eq!(probe.name(), customer.name);
        assert_eq!(probe.core(), super::super::dedupe::name_key(&customer.name));
        assert_eq!(probe.core(), "华通电子科技");
        assert_eq!(probe.branch(), Some("上海分公司"));
        assert_eq!(probe.uscc(), Some("91110000600037341L"));
        assert_eq!(probe.mobiles().collect::<Vec<_>>(), ["13800138000"]);
    }

    #[test]
    fn bad_cells_name_their_column_value_and_rule() {
        let headers = strings(&["客户名称", "信用代码", "首次合作日期"]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        let err = m
            .parse_row(&strings(&["某公司", "91110000600037341A", ""]), today())
            .unwrap_err();
        assert_eq!(
            err,
            RowError::new("信用代码", "91110000600037341A", "check character should be L")
        );
        let row = m
            .parse_row(&strings(&["某公司", "", "2023-02-30"]), today())
            .unwrap();
        let RowBody::Customer(part) = row.body else {
            panic!()
        };
        let err = part.apply(&Customer::new("某公司").unwrap()).unwrap_err();
        assert_eq!(err.column, "首次合作日期");
        assert_eq!(err.value, "2023-02-30");
        let err = m
            .parse_row(&strings(&["", "", "2023-01-01"]), today())
            .unwrap_err();
        assert!(err.reason.contains("no customer name"), "{err:?}");
    }

    #[test]
    fn order_rows_need_date_and_amount() {
        let headers = strings(&["客户编号", "合同编号", "签约日期", "合同金额(万元)"]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        let row = m
            .parse_row(&strings(&["cst20240001", "HT-1", "2024/5/20", "12"]), today())
            .unwrap();
        assert_eq!(row.keys.code.as_deref(), Some("CST20240001"));
        assert_eq!(
            row.body,
            RowBody::Order(Order::parse("2024-05-20", "120000", Unit::Yuan, "HT-1", today()).unwrap())
        );
        let err = m
            .parse_row(&strings(&["CST20240001", "HT-2", "", "12"]), today())
            .unwrap_err();
        assert_eq!(err.column, "签约日期");
    }

    #[test]
    fn plainly_different_names_are_told_from_variants() {
        assert!(!plainly_different("北京某某科技有限公司", "某某科技有限责任公司"));
        assert!(!plainly_different("北京某某科技有限公司", "（北京）某某科技"));
        assert!(!plainly_different("北京小米科技有限责任公司", "小米科技"));
        assert!(plainly_different(
            "北京小米科技有限责任公司",
            "深圳市腾讯计算机系统有限公司"
        ));
    }

    #[test]
    fn blank_and_total_rows_are_recognised() {
        assert!(is_blank(&strings(&["", " ", "\u{3000}"])));
        assert!(!is_blank(&strings(&["", "x"])));
        assert!(is_total(&strings(&["合 计", "", "1234"])));
        assert!(is_total(&strings(&["", "总计：", "1234"])));
        assert!(!is_total(&strings(&["合计科技有限公司", "", ""])));
        // A total word in a remark or a name is no total row.
        assert!(!is_total(&strings(&[
            "1",
            "甲科技有限公司",
            "合计2个项目在谈",
            "张伟"
        ])));
        assert!(!is_total(&strings(&[
            "2",
            "乙科技有限公司",
            "小计：年采购约50万"
        ])));
        assert!(!is_total(&strings(&["", "共计（北京）信息技术有限公司", "王总"])));
        assert!(!is_total(&strings(&[
            "TOTAL (China) Investment Co., Ltd.",
            "北京"
        ])));
    }

    fn maps(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(h, f)| (h.to_string(), f.to_string()))
            .collect()
    }

    fn targets(headers: &[&str], user: &[(&str, &str)]) -> Vec<Option<Target>> {
        Mapping::new(&strings(headers), &maps(user), None)
            .unwrap()
            .columns
            .iter()
            .map(|c| c.target)
            .collect()
    }

    #[test]
    fn total_labels_with_notes_and_page_totals_are_totals() {
        for label in [
            "合计（共2家）",
            "本页小计",
            "本页合计",
            "合计（元）",
            "合计：2家",
            "共计",
            "共计 3 家",
            "总计(万元)",
            "小计:",
            "Total",
            "TOTAL:",
        ] {
            assert!(is_total(&strings(&["", label, "", "300000"])), "{label}");
        }
    }

    #[test]
    fn footer_notes_are_skipped_with_the_totals() {
        for note in [
            "注：金额单位为万元",
            "注1：以上数据截至6月",
            "制表人：张三  日期：2024-06-30",
            "填表人：李四",
            "审核：王五",
            "审核人",
            "说明：本表由销售部提供",
        ] {
            assert!(is_total(&strings(&[note, "", ""])), "{note}");
            assert!(is_total(&strings(&["", "", note])), "{note}");
        }
        assert!(is_total(&strings(&["制表人：张三", "", "日期：2024-06-30"])));
        // A note beside real data is a row, not a footer.
        assert!(!is_total(&strings(&["某某科技有限公司", "注：老客户"])));
        assert!(!is_total(&strings(&["注册资本较大的公司", "", ""])));
        assert!(!is_total(&strings(&["审核科技有限公司"])));
        assert!(!is_total(&strings(&["说明书印刷厂"])));
    }

    proptest::proptest! {
        /// A company name never starts with a total word followed by a bracket or colon, so
        /// whatever Han characters follow a total word, the cell is a name, not a total.
        #[test]
        fn company_names_are_not_totals(
            head in proptest::sample::select(vec!["合计", "共计", "小计", "总计", "本页合计", "审核", "编制", "说明", "注", ""]),
            body in "[\\u4e00-\\u9fa5]{1,8}",
            form in proptest::sample::select(vec!["有限公司", "科技有限公司", "股份有限公司", "商行", "(普通合伙)"]),
        ) {
            proptest::prop_assume!(!body.starts_with('人'));
            let name = format!("{head}{body}{form}");
            proptest::prop_assert!(!is_total(&strings(&["1", name.as_str(), "91110000600037341L"])), "{}", name);
            proptest::prop_assert!(!is_total(&strings(&[name.as_str()])), "{}", name);
        }
    }

    #[test]
    fn header_decorations_are_read_past() {
        assert_eq!(
            targets(
                &[
                    "*客户名称",
                    "客户名称*",
                    "*统一社会信用代码",
                    "统一社会信用代码（18位）",
                    "手机号码*",
                    "负责人（必填）",
                    "所在地区(省市)",
                    "首次合作日期(yyyy-mm-dd)",
                    "备注(选填)",
                    "累计合作金额（万元）*",
                    "联系人【必填】",
                ],
                &[]
            ),
            vec![
                Some(Target::Customer(Field::Name)),
                None, // a second name column is kept as an extra
                Some(Target::Customer(Field::Uscc)),
                None,
                Some(Target::Contact(ContactField::Mobile)),
                Some(Target::Customer(Field::Owner)),
                Some(Target::Location),
                Some(Target::Customer(Field::FirstCoopDate)),
                Some(Target::Customer(Field::Remarks)),
                Some(Target::Customer(Field::TotalAmount)),
                Some(Target::Contact(ContactField::Name)),
            ]
        );
        assert_eq!(
            understand("合同金额（元）（必填）", Kind::Orders),
            (Some(Target::OrderAmount), Unit::Yuan)
        );
        assert_eq!(
            understand("累计合作金额(万元)(选填)", Kind::Customers),
            (Some(Target::Customer(Field::TotalAmount)), Unit::Wan)
        );
        assert_eq!(
            understand("合作时长(年)", Kind::Customers).0,
            Some(Target::Customer(Field::TenureYears))
        );
        assert_eq!(understand("(必填)", Kind::Customers).0, None);
        assert_eq!(understand("*", Kind::Customers).0, None);
    }

    #[test]
    fn more_header_aliases() {
        assert_eq!(
            targets(
                &[
                    "客户名称",
                    "社会统一信用代码",
                    "所属省份",
                    "联系人手机",
                    "联系人手机号",
                    "联系人电话"
                ],
                &[]
            ),
            vec![
                Some(Target::Customer(Field::Name)),
                Some(Target::Customer(Field::Uscc)),
                Some(Target::Customer(Field::Province)),
                Some(Target::Contact(ContactField::Mobile)),
                None, // a second mobile column is kept as an extra
                Some(Target::Phone),
            ]
        );
    }

    #[test]
    fn english_name_is_the_customer_unless_another_column_is() {
        assert_eq!(
            targets(&["name", "mobile", "remarks"], &[]),
            vec![
                Some(Target::Customer(Field::Name)),
                Some(Target::Contact(ContactField::Mobile)),
                Some(Target::Customer(Field::Remarks)),
            ]
        );
        for header in ["company", "customer", "Customer Name", "company_name"] {
            assert_eq!(
                targets(&[header], &[]),
                vec![Some(Target::Customer(Field::Name))],
                "{header}"
            );
        }
        assert_eq!(
            targets(&["company", "name", "mobile"], &[]),
            vec![
                Some(Target::Customer(Field::Name)),
                Some(Target::Contact(ContactField::Name)),
                Some(Target::Contact(ContactField::Mobile)),
            ]
        );
        assert_eq!(
            targets(&["客户名称", "联系人", "name"], &[]),
            vec![
                Some(Target::Customer(Field::Name)),
                Some(Target::Contact(ContactField::Name)),
                None,
            ]
        );
    }

    #[test]
    fn a_name_column_alone_is_a_header() {
        let rows = vec![
            strings(&["客户清单"]),
            strings(&["客户名称", "微信号", "QQ"]),
            strings(&["某某科技有限公司", "wx1", "10001"]),
        ];
        assert_eq!(detect_header(&rows, &[]), Some(1));
        assert_eq!(detect_header(&[strings(&["客户名称"])], &[]), Some(0));
        assert_eq!(detect_header(&[strings(&["单位", "微信"])], &[]), None);
        assert_eq!(
            detect_header(&[strings(&["单位", "微信"])], &maps(&[("单位", "name")])),
            Some(0)
        );
        // One known column that does not name the customer is not enough.
        assert_eq!(detect_header(&[strings(&["单位", "手机"])], &[]), None);
        assert!(Mapping::new(&strings(&["客户名称", "微信号", "QQ"]), &[], None).is_ok());
    }

    #[test]
    fn an_amount_alone_does_not_make_an_orders_file_and_maps_count() {
        let kind = |h: &[&str], m: &[(&str, &str)]| detect_kind(&strings(h), &maps(m));
        assert_eq!(kind(&["客户名称", "金额", "地址"], &[]), Kind::Customers);
        assert_eq!(kind(&["客户名称", "合同金额"], &[]), Kind::Customers);
        assert_eq!(
            kind(&["客户名称", "金额"], &[("金额", "total_amount")]),
            Kind::Customers
        );
        assert_eq!(
            kind(&["客户名称", "合同编号", "金额"], &[("合同编号", "extra")]),
            Kind::Customers
        );
        assert_eq!(
            kind(
                &["客户名称", "单号", "日子", "钱"],
                &[("单号", "order.contract_no")]
            ),
            Kind::Orders
        );
        assert_eq!(kind(&["客户编号", "合同编号", "金额"], &[]), Kind::Orders);
        let err = Mapping::new(&strings(&["客户编号", "合同编号"]), &[], None).unwrap_err();
        assert_eq!(err, "an orders file needs a date (签约日期/订单日期) column");
    }

    #[test]
    fn contract_lists_and_follow_up_logs_are_known_by_their_own_columns() {
        let kind = |h: &[&str], m: &[(&str, &str)]| detect_kind(&strings(h), &maps(m));
        // The salesperson and a remark describe the contract or the visit.
        assert_eq!(
            kind(
                &[
                    "合同编号",
                    "客户名称",
                    "签约日期",
                    "合同金额(万元)",
                    "业务员",
                    "备注"
                ],
                &[]
            ),
            Kind::Orders
        );
        assert_eq!(
            kind(&["客户名称", "合同编号", "金额", "负责人", "省份"], &[]),
            Kind::Orders
        );
        assert_eq!(
            kind(&["客户名称", "签约日期", "合同金额", "销售"], &[]),
            Kind::Orders
        );
        assert_eq!(
            kind(
                &["客户名称", "成交日", "成交额", "销售"],
                &[("成交日", "order.date"), ("成交额", "order.amount")]
            ),
            Kind::Orders
        );
        assert_eq!(
            kind(&["客户名称", "跟进日期", "跟进方式", "跟进内容", "跟进人"], &[]),
            Kind::Interactions
        );
        assert_eq!(
            kind(&["客户名称", "拜访日期", "沟通内容", "省份", "备注"], &[]),
            Kind::Interactions
        );
        // Plain 日期 and 金额 beside customer columns are not a contract.
        assert_eq!(
            kind(&["客户名称", "日期", "金额", "负责人"], &[]),
            Kind::Customers
        );
        // A contract number alone among customer columns is a customers file's extra.
        assert_eq!(
            kind(&["客户名称", "合同编号", "省份", "负责人"], &[]),
            Kind::Customers
        );
        assert_eq!(kind(&["客户名称", "沟通内容", "负责人"], &[]), Kind::Customers);
    }

    #[test]
    fn no_cell_of_a_customers_row_is_dropped() {
        let headers = strings(&[
            "客户名称",
            "",
            "微信",
            "微信",
            "备注",
            "备注",
            "手机",
            "手机",
            "合同编号",
            "沟通内容",
        ]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        assert_eq!(m.kind, Kind::Customers);
        let shown: Vec<&str> = m.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(
            shown,
            [
                "客户名称",
                "列B",
                "微信",
                "微信(2)",
                "备注",
                "备注(2)",
                "手机",
                "手机(2)",
                "合同编号",
                "沟通内容"
            ]
        );
        let row = m
            .parse_row(
                &strings(&[
                    "乙公司",
                    "b",
                    "wx1",
                    "wx2",
                    "第一条",
                    "第二条",
                    "13812345678",
                    "13912345678",
                    "HT-1",
                    "聊过",
                    "多余1",
                    "",
                    "多余2",
                ]),
                today(),
            )
            .unwrap();
        let RowBody::Customer(part) = row.body else {
            panic!("customer row")
        };
        let c = part.apply(&Customer::new("乙公司").unwrap()).unwrap();
        assert_eq!(c.remarks.as_deref(), Some("第一条\n第二条"));
        let extra: Vec<(&str, &str)> = c.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            extra,
            [
                ("列B", "b"),
                ("列K", "多余1"),
                ("列M", "多余2"),
                ("合同编号", "HT-1"),
                ("微信", "wx1"),
                ("微信(2)", "wx2"),
                ("手机(2)", "13912345678"),
                ("沟通内容", "聊过"),
            ]
        );
        assert_eq!(part.contact.unwrap().mobile.as_deref(), Some("13812345678"));
        let m = Mapping::new(&headers, &maps(&[("列B", "owner")]), None).unwrap();
        assert_eq!(m.columns[1].target, Some(Target::Customer(Field::Owner)));
    }

    #[test]
    fn a_second_phone_in_a_phone_column_is_kept() {
        let m = Mapping::new(&strings(&["客户名称", "手机", "联系电话"]), &[], None).unwrap();
        let extra = |cells: &[&str]| {
            let RowBody::Customer(part) = m.parse_row(&strings(cells), today()).unwrap().body else {
                panic!()
            };
            part.extra
        };
        assert_eq!(
            extra(&["甲", "13812345678", "13912345678"])
                .get("联系电话")
                .map(String::as_str),
            Some("13912345678")
        );
        assert!(extra(&["甲", "13812345678", "138-1234-5678"]).is_empty());
    }

    #[test]
    fn excel_errors_are_refused_in_fields_and_dropped_from_extras() {
        let m = Mapping::new(&strings(&["客户名称", "统一社会信用代码", "微信"]), &[], None).unwrap();
        for error in ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"] {
            let err = m.parse_row(&strings(&["甲", error, ""]), today()).unwrap_err();
            assert_eq!(
                (err.column.as_str(), err.value.as_str()),
                ("统一社会信用代码", error)
            );
            assert!(err.reason.contains(&format!("Excel error {error}")), "{err:?}");
            let row = m.parse_row(&strings(&["甲", "", error]), today()).unwrap();
            let RowBody::Customer(part) = row.body else {
                panic!()
            };
            assert!(part.extra.is_empty(), "{error}");
        }
    }

    #[test]
    fn placeholders_for_nothing_are_empty_cells() {
        let m = Mapping::new(
            &strings(&["客户名称", "统一社会信用代码", "手机", "微信"]),
            &[],
            None,
        )
        .unwrap();
        for nothing in ["-", "—", "/", "无", "N/A", "n/a", "--", "暂无"] {
            let row = m
                .parse_row(&strings(&["甲", nothing, nothing, nothing]), today())
                .unwrap();
            assert_eq!(row.keys.uscc, None, "{nothing}");
            let RowBody::Customer(part) = row.body else {
                panic!()
            };
            assert_eq!(part.contact, None, "{nothing}");
            assert!(part.extra.is_empty(), "{nothing}");
        }
    }

    #[test]
    fn a_rule_broken_across_fields_shows_the_cell_as_typed() {
        let m = Mapping::new(&strings(&["客户名称", "合作阶段"]), &[], None).unwrap();
        let RowBody::Customer(part) = m.parse_row(&strings(&["甲", "合作中"]), today()).unwrap().body
        else {
            panic!()
        };
        let keys = Keys {
            name: Some("甲".into()),
            ..Keys::default()
        };
        let err = part.new_customer(&keys, today()).unwrap_err();
        assert_eq!((err.column.as_str(), err.value.as_str()), ("合作阶段", "合作中"));
    }

    #[test]
    fn a_city_alone_is_kept_without_a_province() {
        let m = Mapping::new(&strings(&["客户名称", "所在地区"]), &[], None).unwrap();
        let RowBody::Customer(part) = m
            .parse_row(&strings(&["甲", "深圳市南山区"]), today())
            .unwrap()
            .body
        else {
            panic!()
        };
        let c = part.apply(&Customer::new("甲").unwrap()).unwrap();
        assert_eq!((c.province, c.city.as_deref()), (None, Some("深圳")));
    }

    #[test]
    fn column_letters_are_excels() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .iter()
            .map(|i| column_letter(*i))
            .collect();
        assert_eq!(letters, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn a_contact_already_stored_is_refused_at_the_first_cell_it_would_change() {
        let mut stored = Contact::new("张三").unwrap();
        stored.set(ContactField::Title, "销售总监").unwrap();
        stored.set(ContactField::Mobile, "13812345678").unwrap();
        let mut incoming = stored.clone();
        assert_eq!(contact_already_stored(&stored, &incoming, "CST20240001"), None);
        incoming.title = None;
        assert_eq!(
            contact_already_stored(&stored, &incoming, "CST20240001"),
            None,
            "an empty cell changes nothing"
        );
        incoming.set(ContactField::Title, "副总裁").unwrap();
        incoming.set(ContactField::Email, "zhangsan@example.com").unwrap();
        assert_eq!(
            contact_already_stored(&stored, &incoming, "CST20240001"),
            Some(RowError::new(
                "contact.title",
                "副总裁",
                "张三 is already stored for CST20240001 (--on-existing error)"
            ))
        );
    }
}
