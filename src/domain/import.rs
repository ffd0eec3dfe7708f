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
use super::customer::{Customer, Field, Invalid};
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
            _ => {
                if let Some(f) = lower.strip_prefix("contact.").and_then(ContactField::from_name) {
                    Target::Contact(f)
                } else if let Some(f) = Field::from_name(&name).filter(|f| f.settable()) {
                    Target::Customer(f)
                } else {
                    return Err(format!(
                        "unknown field {name} (a customer field such as name, uscc, owner; contact.mobile; \
                         order.date/amount/contract_no; interaction.date/channel/summary; location; ignore; extra)"
                    ));
                }
            }
        };
        Ok(Some(target))
    }
}

/// Headers that mean something beyond the fields' own names and aliases.
const EXTRA_ALIASES: &[(&str, Target)] = &[
    ("地区", Target::Location),
    ("所在地区", Target::Location),
    ("所在地", Target::Location),
    ("省市", Target::Location),
    ("联系电话", Target::Phone),
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

/// How one header is understood, by the alias tables alone.
pub fn understand(header: &str, kind: Kind) -> (Option<Target>, Unit) {
    let (bare, unit) = unit_from_header(header);
    let key: String = text::clean(&bare)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let lower = key.to_lowercase();
    if key.is_empty() {
        return (None, unit);
    }
    if let Some(t) = kind_alias(&lower, kind) {
        return (Some(t), unit);
    }
    if let Some((_, t)) = EXTRA_ALIASES.iter().find(|(a, _)| *a == key || *a == lower) {
        return (Some(*t), unit);
    }
    if let Some(f) = ContactField::from_name(&key).filter(|f| *f != ContactField::Landline || key != "电话")
    {
        return (Some(Target::Contact(f)), unit);
    }
    if let Some(f) = Field::from_name(&key) {
        let target = if f.settable() {
            Target::Customer(f)
        } else {
            Target::Ignore
        };
        return (Some(target), unit);
    }
    (None, unit)
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

/// The first row (of the first `rows`) that looks like a header: the one with the most
/// cells that name a known field, at least two of them.
pub fn detect_header(rows: &[Vec<String>], user_maps: &[(String, String)]) -> Option<usize> {
    let score = |row: &Vec<String>| {
        row.iter()
            .filter(|cell| {
                let c = text::clean(cell);
                !c.is_empty()
                    && (understand(&c, Kind::Customers).0.is_some()
                        || understand(&c, Kind::Orders).0.is_some()
                        || understand(&c, Kind::Interactions).0.is_some()
                        || understand(&c, Kind::IndustryGrowth).0.is_some()
                        || user_maps.iter().any(|(h, _)| text::clean(h) == c))
            })
            .count()
    };
    let (best, count) = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i, score(r)))
        .fold((0, 0), |best, cur| if cur.1 > best.1 { cur } else { best });
    (count >= 2).then_some(best)
}

/// Guesses the kind of file from what its headers are understood as.
pub fn detect_kind(headers: &[String]) -> Kind {
    let targets: Vec<Target> = headers
        .iter()
        .filter_map(|h| understand(h, Kind::Customers).0)
        .collect();
    let order_like = headers
        .iter()
        .filter(|h| {
            matches!(
                understand(h, Kind::Orders).0,
                Some(Target::OrderAmount | Target::ContractNo)
            )
        })
        .count();
    let interaction_like = headers
        .iter()
        .filter(|h| {
            matches!(
                understand(h, Kind::Interactions).0,
                Some(Target::Summary | Target::Channel)
            )
        })
        .count();
    let describes_customer = targets.iter().any(|t| {
        matches!(t, Target::Customer(f) if !matches!(f, Field::Code | Field::Name | Field::Uscc | Field::ShortName))
            || *t == Target::Location
    });
    let names_customer = targets
        .iter()
        .any(|t| matches!(t, Target::Customer(Field::Code | Field::Name | Field::Uscc)));
    let growth_like = headers
        .iter()
        .any(|h| understand(h, Kind::IndustryGrowth).0 == Some(Target::GrowthRate));
    if growth_like && !names_customer {
        Kind::IndustryGrowth
    } else if order_like >= 1 && !describes_customer {
        Kind::Orders
    } else if interaction_like >= 1 && !describes_customer {
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
    pub fn new(
        headers: &[String],
        user_maps: &[(String, String)],
        kind: Option<Kind>,
    ) -> Result<Mapping, String> {
        let kind = kind.unwrap_or_else(|| detect_kind(headers));
        let mut columns = Vec::with_capacity(headers.len());
        for (index, raw) in headers.iter().enumerate() {
            let header = text::clean(raw);
            let user = user_maps.iter().find(|(h, _)| text::clean(h) == header);
            let (target, unit, mapped_by_user) = match user {
                Some((_, field)) => (Target::parse(field)?, unit_from_header(&header).1, true),
                None => {
                    let (t, u) = understand(&header, kind);
                    (t, u, false)
                }
            };
            columns.push(Column {
                index,
                header,
                target,
                unit,
                mapped_by_user,
            });
        }
        for (header, _) in user_maps {
            if !columns.iter().any(|c| c.header == text::clean(header)) {
                return Err(format!(
                    "--map names column {header}, which the file does not have"
                ));
            }
        }
        let mapping = Mapping { kind, columns };
        mapping.check()?;
        Ok(mapping)
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
        let need = |target: Target, what: &str| {
            if self.has(target) {
                Ok(())
            } else {
                Err(format!("a {} file needs a {what} column", self.kind.key()))
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

    /// The cell of the first column mapped to `target`, cleaned; `None` when empty.
    fn cell(&self, cells: &[String], target: Target) -> Option<(String, &Column)> {
        self.columns
            .iter()
            .filter(|c| c.target == Some(target))
            .find_map(|c| text::clean_opt(cells.get(c.index).map_or("", String::as_str)).map(|v| (v, c)))
    }

    /// Parses one row into what it says. Errors name the column (its header as written).
    pub fn parse_row(&self, cells: &[String], today: NaiveDate) -> Result<Row, RowError> {
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
            Kind::Contacts => RowBody::Contact(self.contact(cells)?.ok_or_else(|| {
                RowError::new(
                    self.header_of(Target::Contact(ContactField::Name)),
                    "",
                    "contact name is required",
                )
            })?),
            Kind::Orders => RowBody::Order(self.order(cells, today)?),
            Kind::Interactions => RowBody::Interaction(self.interaction(cells)?),
            Kind::IndustryGrowth => unreachable!("growth rows return above"),
        };
        Ok(Row { keys, body })
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
        for column in &self.columns {
            let raw = cells.get(column.index).map_or("", String::as_str);
            let Some(value) = text::clean_opt(raw) else {
                continue;
            };
            match column.target {
                None if !column.header.is_empty() => {
                    part.extra.insert(column.header.clone(), value);
                }
                Some(Target::Customer(Field::Code | Field::Uscc | Field::Name)) => {}
                Some(Target::Customer(f)) => part.fields.push(FieldCell {
                    field: f,
                    raw: if f == Field::Remarks {
                        raw.trim().to_string()
                    } else {
                        value
                    },
                    unit: column.unit,
                    column: column.header.clone(),
                }),
                Some(Target::Location) => {
                    let (province, city) = split_location(&value);
                    let Some(province) = province else {
                        return Err(RowError::new(
                            &column.header,
                            &value,
                            "no province recognised in this location",
                        ));
                    };
                    part.fields.push(FieldCell {
                        field: Field::Province,
                        raw: province.name.to_string(),
                        unit: Unit::Yuan,
                        column: column.header.clone(),
                    });
                    if let Some(city) = city {
                        part.fields.push(FieldCell {
                            field: Field::City,
                            raw: city,
                            unit: Unit::Yuan,
                            column: column.header.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        part.contact = self.contact(cells)?;
        Ok(part)
    }

    fn contact(&self, cells: &[String]) -> Result<Option<Contact>, RowError> {
        let name = self.cell(cells, Target::Contact(ContactField::Name));
        let mut fields: Vec<(ContactField, String, &Column)> = Vec::new();
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
            let field = match parse_phone(&v) {
                Ok(Phone::Mobile(_)) => ContactField::Mobile,
                Ok(_) => ContactField::Landline,
                Err(reason) => return Err(RowError::new(&c.header, &v, reason)),
            };
            if !fields.iter().any(|(f, _, _)| *f == field) {
                fields.push((field, v, c));
            }
        }
        if name.is_none() && fields.is_empty() {
            return Ok(None);
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
        Ok(Some(contact))
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
        Order::parse(&date, &amount, amount_col.unit, &contract, today).map_err(|e| {
            let column = if e.field == "order.date" {
                date_col
            } else {
                amount_col
            };
            RowError::from_invalid(column, e)
        })
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
        let summary = self
            .cell(cells, Target::Summary)
            .map(|(v, _)| v)
            .unwrap_or_default();
        Interaction::parse(&date, &channel, &summary).map_err(|e| RowError::from_invalid(date_col, e))
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

/// The name given to a contact whose row has a phone but no name.
pub const UNNAMED_CONTACT: &str = "未具名联系人";

/// A row is blank when every cell is empty after cleaning.
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| text::clean(c).is_empty())
}

/// A total row (合计/总计/小计) among the first cells that are not empty.
pub fn is_total(cells: &[String]) -> bool {
    cells
        .iter()
        .map(|c| text::clean(c).replace(' ', ""))
        .filter(|c| !c.is_empty())
        .take(3)
        .any(|c| {
            let c = c.trim_end_matches([':', '：']);
            [
                "合计", "总计", "小计", "总额", "合計", "總計", "total", "Total", "TOTAL",
            ]
            .contains(&c)
        })
}

/// How a row names its customer. Values are canonical (USCC upper-case, code upper-case).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    pub code: Option<String>,
    pub uscc: Option<String>,
    pub name: Option<String>,
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
    pub fn error_for(&self, e: Invalid) -> RowError {
        let column = self.column_of(&e.field).unwrap_or(&e.field).to_string();
        RowError::new(column, e.value, e.reason)
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
            detect_kind(&strings(&["客户编号", "合同编号", "签约日期", "合同金额(元)"])),
            Kind::Orders
        );
        assert_eq!(
            detect_kind(&strings(&["客户名称", "拜访日期", "沟通方式", "沟通内容"])),
            Kind::Interactions
        );
        assert_eq!(
            detect_kind(&strings(&["客户名称", "联系人", "手机"])),
            Kind::Customers
        );
        assert_eq!(
            detect_kind(&strings(&["客户名称", "所属行业", "联系人", "手机"])),
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
    }
}
