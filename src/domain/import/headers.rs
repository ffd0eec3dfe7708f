//! Finding the header row and understanding each header: aliases, units, marks and hints,
//! two-row headings, and what kind of file the headers describe.

use super::*;

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
    pub(super) fn sets(self, target: Target) -> bool {
        match self {
            Kind::Contacts => matches!(
                target,
                Target::Contact(_) | Target::Phone | Target::ContactPrimary
            ),
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
    /// 主联系人: whether the row's contact is the customer's primary one (是/否).
    ContactPrimary,
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
            Target::ContactPrimary => "contact.primary".into(),
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

    /// Whether the column holds a date.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Target::Customer(Field::FirstCoopDate | Field::LastCoopDate | Field::StageDate)
                | Target::OrderDate
                | Target::InteractionDate
        )
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
            "contact.primary" | "contact.主联系人" | "primary" | "主联系人" => Target::ContactPrimary,
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
                        "unknown field {name} (a customer field such as name, uscc, owner; contact.mobile; contact.primary; \
                         order.date/amount/contract_no; interaction.date/channel/summary/operator; location; ignore; extra)"
                    ));
                }
            }
        };
        Ok(Some(target))
    }
}

/// Headers that mean something beyond the fields' own names and aliases.
pub(super) const EXTRA_ALIASES: &[(&str, Target)] = &[
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
    // Whether the row's contact is the primary one; beside no contact name column, kept as
    // an extra (see [`Mapping::new`]).
    ("主联系人", Target::ContactPrimary),
    ("是否主联系人", Target::ContactPrimary),
    ("首要联系人", Target::ContactPrimary),
    ("primary", Target::ContactPrimary),
    ("primarycontact", Target::ContactPrimary),
    ("primary_contact", Target::ContactPrimary),
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
    ("拜访方式", Target::Channel),
    ("方式", Target::Channel),
    ("沟通内容", Target::Summary),
    ("跟进内容", Target::Summary),
    ("互动内容", Target::Summary),
    ("拜访内容", Target::Summary),
    ("内容", Target::Summary),
    ("摘要", Target::Summary),
    ("summary", Target::Summary),
    // The reason column of kehu's own rejects file, for a fixed one to import cleanly. A
    // clerk's 原因 (why a customer left, say) is theirs, kept like any other column.
    ("导入退回原因", Target::Ignore),
    ("序号", Target::Ignore),
    ("行号", Target::Ignore),
    ("no.", Target::Ignore),
];

/// Headers whose meaning depends on the kind of file.
pub(super) fn kind_alias(header: &str, kind: Kind) -> Option<Target> {
    match (header, kind) {
        ("日期" | "date", Kind::Orders) => Some(Target::OrderDate),
        ("金额" | "金额(元)", Kind::Orders) => Some(Target::OrderAmount),
        ("日期" | "date", Kind::Interactions) => Some(Target::InteractionDate),
        ("渠道" | "channel", Kind::Interactions) => Some(Target::Channel),
        ("跟进人" | "跟进人员" | "拜访人" | "沟通人" | "operator", Kind::Interactions) => {
            Some(Target::Operator)
        }
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
pub(super) const REQUIRED_MARKS: &[char] = &['*', '※', '★', '☆'];

/// A header as the alias tables compare it: cleaned, no spaces, no required marks, no
/// trailing colon.
pub(super) fn header_key(header: &str) -> String {
    let key: String = text::clean(header)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    strip_marks(&key).to_string()
}

pub(super) fn strip_marks(key: &str) -> &str {
    key.trim_matches(|c| REQUIRED_MARKS.contains(&c) || c == ':' || c == '：')
}

/// The header without its trailing bracketed note (`(必填)`, `（18位）`, `[选填]`,
/// `【省市】`, `(yyyy-mm-dd)`); `None` when there is none or nothing would be left.
pub(super) fn strip_hint(key: &str) -> Option<&str> {
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
pub(super) fn lookup(key: &str, kind: Kind) -> Option<Target> {
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
pub(super) fn unnamed_column(index: usize) -> String {
    format!("列{}", column_letter(index))
}

/// The field a `--map` names for `header` (as cleaned), if the user mapped it.
pub(super) fn user_map<'a>(header: &str, user_maps: &'a [(String, String)]) -> Option<&'a str> {
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
pub(super) fn known_header(cell: &str, user_maps: &[(String, String)]) -> Option<Option<Target>> {
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
/// A contract list names a date and an amount with its contract number (or an order date
/// and an amount), and a follow-up log a contact date with what was said or how; each
/// often carries the salesperson (业务员, 跟进人), a remark and the customer's province too,
/// which describe the order or the visit, and the name of the person met (联系人). So a file
/// with those columns and no other customer field is an orders or an interactions file. Any
/// other customer field (行业, 合作阶段, 累计合作金额, a contact's phone, title or e-mail)
/// makes it a customers file that also lists a
/// contract or a follow-up, as a sales list or a CRM export does. Weaker signs (a contract
/// number or an order date alone, 沟通内容 or 沟通方式 alone) decide only when nothing
/// describes the customer; an amount alone (`金额`) never does, since customers files carry
/// amounts too. A growth column without a customer key makes an industry-growth table.
/// Anything else is a customers file.
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
    let orders = as_orders.contains(&Target::OrderDate)
        && as_orders.contains(&Target::OrderAmount)
        && (has(Target::ContractNo) || has(Target::OrderDate) && has(Target::OrderAmount));
    let interactions = has(Target::InteractionDate) && (has(Target::Summary) || has(Target::Channel));
    // What a contract list or a follow-up log carries beside the contract or the visit: the
    // customer's keys, its salesperson, a remark, where it is, the name of the person met
    // (kept with the record); no contact's phone, title or e-mail.
    let incidental = |t: &Target| match t {
        Target::Customer(f) => matches!(
            f,
            Field::Code
                | Field::Name
                | Field::Uscc
                | Field::ShortName
                | Field::Owner
                | Field::Remarks
                | Field::Province
                | Field::City
        ),
        Target::Contact(f) => *f == ContactField::Name,
        Target::Phone => false,
        _ => true,
    };
    let only_incidental = as_customers.iter().all(incidental);
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
    } else if orders && only_incidental || order_like && !describes_customer {
        Kind::Orders
    } else if interactions && only_incidental || interaction_like && !describes_customer {
        Kind::Interactions
    } else {
        // A list of names with contact people is read as customers (new ones are added);
        // `--kind contacts` attaches contacts to stored customers only.
        Kind::Customers
    }
}
