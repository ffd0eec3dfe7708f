//! Data quality: which fields completeness is reported for, stored values that break the
//! rules kehu applies on input (re-checked with the very same parsers), and values that are
//! valid but suspicious (placeholders, a phone shared by several customers).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;

use crate::domain::contact::{Contact, ContactField};
use crate::domain::money::Unit;
use crate::domain::{Customer, Field, text};

/// The record's fields whose completeness is reported, in display order (name and code are
/// always there; stage and secrecy always have a value).
pub const COMPLETENESS: [Field; 18] = [
    Field::ShortName,
    Field::Uscc,
    Field::Industry,
    Field::Province,
    Field::City,
    Field::Nature,
    Field::Size,
    Field::Source,
    Field::Intent,
    Field::Owner,
    Field::FirstCoopDate,
    Field::LastCoopDate,
    Field::TotalAmount,
    Field::Trade12m,
    Field::Satisfaction,
    Field::Referrals12m,
    Field::Complaints12m,
    Field::BudgetGrowth,
];

/// How complete the records are, counted customer by customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completeness {
    pub customers: i64,
    /// Customers with each [`COMPLETENESS`] field filled, in that order.
    pub filled: [i64; COMPLETENESS.len()],
    /// Customers with an active contact, and with an active contact who has a phone.
    pub with_contact: CustomerSet,
    pub with_phone: CustomerSet,
}

impl Completeness {
    pub fn customer(&mut self, c: &StoredCustomer) {
        self.customers += 1;
        for (n, field) in self.filled.iter_mut().zip(COMPLETENESS) {
            *n += i64::from(c.filled(field));
        }
    }

    /// Counts a contact of customer `id` (only active ones count).
    pub fn contact(&mut self, id: i64, active: bool, values: &[(ContactField, Option<&str>)]) {
        if !active {
            return;
        }
        self.with_contact.insert(id);
        let phone = values
            .iter()
            .any(|(f, v)| matches!(f, ContactField::Mobile | ContactField::Landline) && v.is_some());
        if phone {
            self.with_phone.insert(id);
        }
    }
}

/// A set of customer ids: a bitmap while ids are small (they are row ids, usually 1…N),
/// a hash set beyond.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerSet {
    bits: Vec<u64>,
    others: std::collections::HashSet<i64>,
    len: i64,
}

impl CustomerSet {
    const DENSE_LIMIT: i64 = 1 << 26;

    pub fn insert(&mut self, id: i64) {
        let fresh = if (0..CustomerSet::DENSE_LIMIT).contains(&id) {
            let (word, bit) = ((id / 64) as usize, id % 64);
            if word >= self.bits.len() {
                self.bits.resize(word + 1, 0);
            }
            let had = self.bits[word] & (1 << bit) != 0;
            self.bits[word] |= 1 << bit;
            !had
        } else {
            self.others.insert(id)
        };
        self.len += i64::from(fresh);
    }

    pub fn len(&self) -> i64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What kind of problem a value has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Breaks the field's rule.
    Invalid,
    /// Valid, but not in the form kehu stores (edited behind its back).
    NotCanonical,
    /// Contradicts another field of the same record.
    Inconsistent,
    /// Looks like a placeholder someone typed to get past a required field.
    Placeholder,
    /// One phone or e-mail on contacts of several customers.
    Shared,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Invalid,
        Kind::NotCanonical,
        Kind::Inconsistent,
        Kind::Placeholder,
        Kind::Shared,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Invalid => "invalid",
            Kind::NotCanonical => "not_canonical",
            Kind::Inconsistent => "inconsistent",
            Kind::Placeholder => "placeholder",
            Kind::Shared => "shared",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Kind::Invalid => "无效值",
            Kind::NotCanonical => "非规范值",
            Kind::Inconsistent => "前后矛盾",
            Kind::Placeholder => "疑似占位值",
            Kind::Shared => "多客户共用",
        }
    }
}

/// One problem value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: String,
    pub name: String,
    /// The field's key (`uscc`, `contact.mobile`).
    pub field: String,
    pub value: String,
    pub kind: Kind,
    pub reason: String,
}

/// A customer's stored values, as text, for re-checking (borrowed from the row being read).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredCustomer<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// Stored text of the [`CHECKED`] fields, in that order (`None` = empty).
    pub values: [Option<&'a str>; CHECKED.len()],
    pub industry_section: Option<&'a str>,
    pub region: Option<&'a str>,
    pub total_amount_fen: Option<i64>,
    pub trade_12m_fen: Option<i64>,
    pub referrals_12m: Option<i64>,
    pub complaints_12m: Option<i64>,
    pub short_name: Option<&'a str>,
    pub city: Option<&'a str>,
}

impl<'a> StoredCustomer<'a> {
    /// Whether one of the [`COMPLETENESS`] fields is filled.
    pub fn filled(&self, field: Field) -> bool {
        match field {
            Field::ShortName => self.short_name.is_some(),
            Field::City => self.city.is_some(),
            Field::TotalAmount => self.total_amount_fen.is_some(),
            Field::Trade12m => self.trade_12m_fen.is_some(),
            Field::Referrals12m => self.referrals_12m.is_some(),
            Field::Complaints12m => self.complaints_12m.is_some(),
            other => self.get(other).is_some(),
        }
    }

    /// The stored text of one of the [`CHECKED`] fields.
    pub fn get(&self, field: Field) -> Option<&'a str> {
        CHECKED
            .iter()
            .position(|f| *f == field)
            .and_then(|i| self.values[i])
    }

    /// Sets one of the [`CHECKED`] fields (tests and callers that build one by hand).
    pub fn set(&mut self, field: Field, value: Option<&'a str>) {
        if let Some(i) = CHECKED.iter().position(|f| *f == field) {
            self.values[i] = value;
        }
    }
}

/// The text fields re-checked through [`Customer::set`], in the order the store reads them.
pub const CHECKED: [Field; 17] = [
    Field::Uscc,
    Field::Industry,
    Field::Province,
    Field::Nature,
    Field::Size,
    Field::Source,
    Field::Stage,
    Field::StageDate,
    Field::Intent,
    Field::FirstCoopDate,
    Field::LastCoopDate,
    Field::TenureYears,
    Field::Satisfaction,
    Field::BudgetGrowth,
    Field::Secrecy,
    Field::Name,
    Field::Owner,
];

type Finding = Option<(Kind, String)>;

/// Re-checks stored values. Values of small sets (provinces, stages, dates, owners, …) are
/// checked once each and remembered, and values that are plainly in kehu's stored form
/// (see [`plainly_clean`], [`plain_uscc`]) skip the full parse, so a million customers
/// take seconds.
#[derive(Debug)]
pub struct Checker {
    today: String,
    /// Per [`CHECKED`] field: what was found for each distinct value.
    memo: Vec<HashMap<String, Finding, BuildHasherDefault<FxHasher>>>,
    scratch: Customer,
    contact: Contact,
}

/// A small, fast hash for the memo's short keys (FxHash: rotate, xor, multiply per 8 bytes);
/// the keys are the database's own values, so flooding is no concern.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Fields too varied to remember (each customer has its own).
fn unique_per_customer(field: Field) -> bool {
    matches!(field, Field::Uscc | Field::Name)
}

impl Checker {
    pub fn new(today: NaiveDate) -> Checker {
        Checker {
            today: today.to_string(),
            memo: vec![HashMap::default(); CHECKED.len()],
            scratch: Customer::new("-").expect("a name"),
            contact: Contact::new("-").expect("a name"),
        }
    }

    /// What is wrong with `raw` as the stored value of `field`, if anything.
    fn value(&mut self, at: usize, field: Field, raw: &str) -> Finding {
        if unique_per_customer(field) {
            let plain = match field {
                Field::Uscc => plain_uscc(raw),
                _ => plainly_clean(raw),
            };
            return if plain {
                None
            } else {
                check_value(&mut self.scratch, field, raw)
            };
        }
        if let Some(found) = self.memo[at].get(raw) {
            return found.clone();
        }
        let found = check_value(&mut self.scratch, field, raw);
        self.memo[at].insert(raw.to_string(), found.clone());
        found
    }

    /// Every problem of one customer's stored values.
    pub fn customer(&mut self, c: &StoredCustomer) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut problem = |field: &str, value: &str, kind: Kind, reason: String| {
            out.push(Problem {
                code: c.code.to_string(),
                name: c.name.to_string(),
                field: field.to_string(),
                value: value.to_string(),
                kind,
                reason,
            })
        };
        let get = |f: Field| c.get(f);
        for (at, (field, value)) in CHECKED.iter().zip(&c.values).enumerate() {
            let Some(raw) = value else { continue };
            if let Some((kind, reason)) = self.value(at, *field, raw) {
                problem(field.key(), raw, kind, reason);
            } else if *field == Field::Name
                && let Some(reason) = placeholder_name(raw)
            {
                problem(field.key(), raw, Kind::Placeholder, reason.into());
            }
        }
        for (field, fen) in [
            (Field::TotalAmount, c.total_amount_fen),
            (Field::Trade12m, c.trade_12m_fen),
            (Field::Referrals12m, c.referrals_12m),
            (Field::Complaints12m, c.complaints_12m),
        ] {
            if let Some(v) = fen.filter(|v| *v < 0) {
                problem(
                    field.key(),
                    &v.to_string(),
                    Kind::Invalid,
                    "must not be negative".into(),
                );
            }
        }
        let today = self.today.as_str();
        for field in [Field::FirstCoopDate, Field::LastCoopDate] {
            if let Some(d) = get(field).filter(|d| *d > today && d.len() == 10) {
                problem(
                    field.key(),
                    d,
                    Kind::Inconsistent,
                    format!("is after today ({today})"),
                );
            }
        }
        if let (Some(first), Some(last)) = (get(Field::FirstCoopDate), get(Field::LastCoopDate))
            && first > last
        {
            problem(
                Field::LastCoopDate.key(),
                last,
                Kind::Inconsistent,
                format!("is before the first cooperation date {first}"),
            );
        }
        if let Some(p) = get(Field::Province)
            && let Ok(province) = crate::domain::region::parse_province(p)
        {
            let expected = province.region.en();
            if c.region != Some(expected) {
                problem(
                    Field::Region.key(),
                    c.region.unwrap_or(""),
                    Kind::Inconsistent,
                    format!("province {p} is in region {expected}"),
                );
            }
        }
        if let Some(i) = get(Field::Industry) {
            let section = i.get(..1);
            if c.industry_section != section {
                problem(
                    "industry_section",
                    c.industry_section.unwrap_or(""),
                    Kind::Inconsistent,
                    format!("industry {i} is in section {}", section.unwrap_or("")),
                );
            }
        }
        out
    }

    /// Every problem of one contact's stored phone numbers and e-mail.
    pub fn contact(
        &mut self,
        code: &str,
        name: &str,
        contact: &str,
        values: &[(ContactField, Option<&str>)],
    ) -> Vec<Problem> {
        let mut out = Vec::new();
        for (field, value) in values {
            let Some(raw) = value else { continue };
            let found = if *field == ContactField::Mobile && plain_mobile(raw) {
                placeholder_mobile(raw).map(|r| (Kind::Placeholder, r.to_string()))
            } else if *field == ContactField::Email && plain_email(raw) {
                None
            } else {
                match self.contact.set(*field, raw) {
                    Err(e) => Some((Kind::Invalid, e.reason)),
                    Ok(()) if self.contact.value(*field).as_deref() != Some(*raw) => Some((
                        Kind::NotCanonical,
                        format!(
                            "kehu would store {}",
                            self.contact.value(*field).unwrap_or_default()
                        ),
                    )),
                    Ok(()) if *field == ContactField::Mobile => {
                        placeholder_mobile(raw).map(|r| (Kind::Placeholder, r.to_string()))
                    }
                    Ok(()) => None,
                }
            };
            if let Some((kind, reason)) = found {
                out.push(Problem {
                    code: code.to_string(),
                    name: name.to_string(),
                    field: format!("contact.{}", field.key()),
                    value: raw.to_string(),
                    kind,
                    reason: format!("{reason} (contact {contact})"),
                });
            }
        }
        out
    }
}

/// Whether `text::clean` would leave `raw` as it is, decided without normalising: already
/// NFKC (quick check), no zero-width characters, single ASCII spaces only, no space at the
/// ends. When this says no, the full check decides.
pub fn plainly_clean(raw: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfkc_quick};
    let mut prev_space = true;
    for c in raw.chars() {
        let space = c == ' ';
        if (c.is_whitespace() && !space)
            || (space && prev_space)
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        {
            return false;
        }
        prev_space = space;
    }
    // ASCII and CJK unified ideographs never change under NFKC and cannot combine.
    let simple = |c: char| (c.is_ascii() && !c.is_ascii_control()) || ('\u{4E00}'..='\u{9FFF}').contains(&c);
    !prev_space && (raw.chars().all(simple) || is_nfkc_quick(raw.chars()) == IsNormalized::Yes)
}

/// Whether `raw` is a valid USCC in stored form: 18 upper-case characters of the USCC set,
/// digits at positions 3–8, the right check character.
fn plain_uscc(raw: &str) -> bool {
    const SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let b = raw.as_bytes();
    b.len() == 18
        && b.iter().all(|c| SET.contains(c))
        && b[2..8].iter().all(u8::is_ascii_digit)
        && crate::domain::uscc::uscc_check_char(&raw[..17]) == Some(b[17] as char)
}

/// Whether `raw` is an e-mail in stored form and of the plainest shape: lower-case ASCII
/// letters, digits and `._+-`, one `@`, no empty dot-separated part, a dot in the domain
/// (whose part has no `_` or `+`).
fn plain_email(raw: &str) -> bool {
    let Some((local, domain)) = raw.split_once('@') else {
        return false;
    };
    let ok = |part: &str, extra: &[u8]| {
        !part.is_empty()
            && part.split('.').all(|p| !p.is_empty())
            && part.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || extra.contains(&b)
            })
    };
    ok(local, b"_+") && ok(domain, b"") && domain.contains('.')
}

/// Whether `raw` is a mobile in stored form: 11 digits, `1`, then 3–9.
fn plain_mobile(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Runs the input rules on a stored value: an error, or a value kehu would store differently.
fn check_value(scratch: &mut Customer, field: Field, raw: &str) -> Finding {
    let set = match field {
        // Stage dates are set by kehu; check them as dates.
        Field::StageDate => scratch
            .set(Field::FirstCoopDate, raw, Unit::Yuan)
            .map(|_| Field::FirstCoopDate),
        _ => scratch.set(field, raw, Unit::Yuan).map(|_| field),
    };
    match set {
        Err(e) => Some((Kind::Invalid, e.reason)),
        Ok(f) => {
            let stored = scratch.value(f);
            (stored.as_deref() != Some(raw)).then(|| {
                (
                    Kind::NotCanonical,
                    format!("kehu would store {}", stored.unwrap_or_default()),
                )
            })
        }
    }
}

/// Names people type to get past a required field.
const PLACEHOLDER_NAMES: [&str; 14] = [
    "测试",
    "测试公司",
    "测试客户",
    "test",
    "无",
    "暂无",
    "未知",
    "不详",
    "待定",
    "xxx",
    "某某",
    "客户",
    "公司",
    "na",
];

/// Why a customer name looks like a placeholder, if it does.
pub fn placeholder_name(name: &str) -> Option<&'static str> {
    // Every listed placeholder is short; longer names skip the clean-up.
    if name.chars().count() <= 8 {
        let n = text::clean(name).to_lowercase();
        if PLACEHOLDER_NAMES.contains(&n.as_str()) || n.chars().all(|c| c == 'x' || c == '*' || c == '?') {
            return Some("looks like a placeholder, not a name");
        }
    }
    if name
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace())
    {
        return Some("has no letters");
    }
    None
}

/// Why a (valid, canonical) mobile looks like a placeholder, if it does: the last eight
/// digits all alike or counting up or down, or China Mobile's well-known 13800138000.
pub fn placeholder_mobile(mobile: &str) -> Option<&'static str> {
    let digits: Vec<u8> = mobile
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.len() != 11 {
        return None;
    }
    let tail = &digits[3..];
    if tail.iter().all(|d| *d == tail[0]) {
        return Some("last eight digits all the same");
    }
    let steps: Vec<i8> = tail.windows(2).map(|w| w[1] as i8 - w[0] as i8).collect();
    if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Some("last eight digits count up or down");
    }
    if mobile == "13800138000" {
        return Some("a well-known placeholder number");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2024-06-30".parse().unwrap()
    }

    fn stored<'a>(values: &[(Field, &'a str)]) -> StoredCustomer<'a> {
        let mut c = StoredCustomer {
            code: "CST20240001",
            name: "甲公司",
            ..StoredCustomer::default()
        };
        for (f, v) in values {
            c.set(*f, Some(*v));
        }
        c
    }

    fn kinds(problems: &[Problem]) -> Vec<(String, Kind)> {
        problems.iter().map(|p| (p.field.clone(), p.kind)).collect()
    }

    #[test]
    fn values_kehu_stored_pass() {
        let mut c = stored(&[
            (Field::Uscc, "91110000600037341L"),
            (Field::Province, "北京市"),
            (Field::Industry, "I65"),
            (Field::Stage, "customer"),
            (Field::FirstCoopDate, "2023-01-05"),
            (Field::Satisfaction, "8.5"),
        ]);
        c.region = Some("north");
        c.industry_section = Some("I");
        assert_eq!(Checker::new(today()).customer(&c), []);
    }

    #[test]
    fn values_edited_behind_kehus_back_are_found() {
        let mut c = stored(&[
            (Field::Uscc, "91110000600037341A"),
            (Field::Province, "北京"),
            (Field::Stage, "签了"),
            (Field::Satisfaction, "11"),
            (Field::FirstCoopDate, "2024-05-01"),
            (Field::LastCoopDate, "2024-02-30"),
        ]);
        c.region = Some("east");
        c.total_amount_fen = Some(-5);
        let problems = Checker::new(today()).customer(&c);
        assert_eq!(
            kinds(&problems),
            [
                ("uscc".into(), Kind::Invalid),
                ("province".into(), Kind::NotCanonical),
                ("stage".into(), Kind::Invalid),
                ("last_coop_date".into(), Kind::Invalid),
                ("satisfaction".into(), Kind::Invalid),
                ("total_amount".into(), Kind::Invalid),
                ("last_coop_date".into(), Kind::Inconsistent),
                ("region".into(), Kind::Inconsistent),
            ]
        );
        assert_eq!(problems[0].reason, "check character should be L");
        assert_eq!(problems[1].reason, "kehu would store 北京市");
        assert_eq!(problems[7].reason, "province 北京 is in region north");
    }

    #[test]
    fn dates_after_today_are_inconsistent() {
        let c = stored(&[(Field::FirstCoopDate, "2024-07-01")]);
        let problems = Checker::new(today()).customer(&c);
        assert_eq!(kinds(&problems), [("first_coop_date".into(), Kind::Inconsistent)]);
    }

    #[test]
    fn contacts_are_checked_with_the_input_rules() {
        let mut checker = Checker::new(today());
        let problems = checker.contact(
            "CST20240001",
            "甲公司",
            "王总",
            &[
                (ContactField::Mobile, Some("12345678901")),
                (ContactField::Landline, Some("010-12345678")),
                (ContactField::Email, Some("wang@example.com")),
            ],
        );
        assert_eq!(
            kinds(&problems),
            [
                ("contact.mobile".into(), Kind::Invalid),
                ("contact.landline".into(), Kind::NotCanonical)
            ]
        );
        assert!(
            problems[0].reason.ends_with("(contact 王总)"),
            "{}",
            problems[0].reason
        );
        let problems = checker.contact("C", "甲", "李", &[(ContactField::Mobile, Some("13888888888"))]);
        assert_eq!(kinds(&problems), [("contact.mobile".into(), Kind::Placeholder)]);
    }

    #[test]
    fn the_fast_paths_agree_with_the_full_checks() {
        for raw in [
            "北京某某科技有限公司",
            "ABC 科技",
            " 前导空格",
            "两个  空格",
            "全角（括号）",
            "tab\there",
            "零宽\u{200B}字",
        ] {
            let full = check_value(&mut Customer::new("-").unwrap(), Field::Name, raw).is_none();
            assert_eq!(plainly_clean(raw), full, "{raw:?}");
        }
        for raw in [
            "91110000600037341L",
            "91110000600037341A",
            "91110000600037341l",
            "9111000060003734",
        ] {
            let full = check_value(&mut Customer::new("-").unwrap(), Field::Uscc, raw).is_none();
            assert_eq!(plain_uscc(raw), full, "{raw}");
        }
        for raw in [
            "wang@qq.com",
            "a.b-c_d+e@mail.example.cn",
            "Wang@qq.com",
            "a..b@qq.com",
            "a@qq",
            "a@b@qq.com",
            "a@q_q.com",
        ] {
            let plain = plain_email(raw);
            let full = crate::domain::email::parse_email(raw).as_deref() == Ok(raw);
            assert!(
                !plain || full,
                "{raw} passes the fast path but not the full check"
            );
        }
        assert!(plain_email("12345678@qq.com"));
        assert!(plain_mobile("13912345678"));
        assert!(!plain_mobile("12912345678"));
        assert!(!plain_mobile("+8613912345678"));
    }

    #[test]
    fn completeness_counts_filled_fields_and_reachable_customers() {
        let mut c = Completeness::default();
        let mut a = stored(&[(Field::Uscc, "91110000600037341L")]);
        a.city = Some("深圳");
        c.customer(&a);
        c.customer(&stored(&[]));
        let at = |f: Field| COMPLETENESS.iter().position(|x| *x == f).unwrap();
        assert_eq!(
            (c.customers, c.filled[at(Field::Uscc)], c.filled[at(Field::City)]),
            (2, 1, 1)
        );
        c.contact(1, true, &[(ContactField::Mobile, Some("13912345678"))]);
        c.contact(1, true, &[(ContactField::Email, Some("a@b.cn"))]);
        c.contact(2, true, &[(ContactField::Email, Some("a@b.cn"))]);
        c.contact(3, false, &[(ContactField::Mobile, Some("13912345678"))]);
        c.contact(i64::MAX, true, &[(ContactField::Landline, Some("01012345678"))]);
        assert_eq!((c.with_contact.len(), c.with_phone.len()), (3, 2));
    }

    #[test]
    fn placeholders_are_recognised() {
        assert!(placeholder_mobile("13800000000").is_some());
        assert!(placeholder_mobile("13812345678").is_some());
        assert!(placeholder_mobile("13887654321").is_some());
        assert!(placeholder_mobile("13800138000").is_some());
        assert!(placeholder_mobile("13912345670").is_none());
        assert!(placeholder_name("测试").is_some());
        assert!(placeholder_name(" TEST ").is_some());
        assert!(placeholder_name("123").is_some());
        assert!(placeholder_name("北京某某科技有限公司").is_none());
    }
}
