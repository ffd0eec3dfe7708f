//! A customer's contacts (联系人), orders (交易/合同) and interactions (互动记录).
//!
//! A contact who leaves stays in the history, marked inactive. At most one active contact is
//! the primary one; the store keeps that rule.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::customer::{Change, Invalid};
use super::dedupe::{Likeness, Person, is_title};
use super::money::{Unit, format_fen, parse_amount};
use super::{date, email, phone, text};

/// A contact person of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub name: String,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub landline: Option<String>,
    pub email: Option<String>,
    pub is_primary: bool,
    pub active: bool,
    /// A contacts file's other columns about this person (微信, 部门), by header.
    pub extra: BTreeMap<String, String>,
}

/// The settable fields of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    Name,
    Title,
    Mobile,
    Landline,
    Email,
}

impl ContactField {
    pub const ALL: &'static [ContactField] =
        &[Self::Name, Self::Title, Self::Mobile, Self::Landline, Self::Email];

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Title => "title",
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::Email => "email",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Name => "联系人",
            Self::Title => "职务",
            Self::Mobile => "手机",
            Self::Landline => "座机",
            Self::Email => "邮箱",
        }
    }

    /// Other names accepted (`--contact mobile=…`, import headers).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Name => &["联系人姓名", "姓名", "contact", "contact_name"],
            Self::Title => &["职位", "岗位", "position"],
            Self::Mobile => &["手机号", "手机号码", "移动电话", "phone"],
            Self::Landline => &["固定电话", "座机号码", "办公电话", "电话", "tel"],
            Self::Email => &["电子邮箱", "邮件", "e-mail", "mail"],
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        let cleaned = text::clean(name);
        let lower = cleaned.to_lowercase();
        Self::ALL.iter().copied().find(|f| {
            f.key() == lower || f.zh() == cleaned || f.aliases().iter().any(|a| *a == cleaned || *a == lower)
        })
    }
}

/// Why a row's contact is taken for a stored one, weakest first ([`Contact::evidence_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    /// The same landline under names that agree (the same name, one surname written with
    /// two titles, 王总 / 王经理, or a name not given), and no two different mobiles: a
    /// company's switchboard is everyone's line, and alone it does not make two people one.
    Landline,
    /// The same name, even with another mobile: the person has a new phone.
    Name,
    /// The same mobile under names that agree (王总 in one file is 王经理 in another, or a
    /// row with no name). Under a name that plainly names someone else (李经理's mobile in a
    /// row for 孙八) it is no evidence but a clash ([`Found::MobileOfAnother`]).
    Mobile,
}

/// What a row's contact is among a customer's stored contacts ([`given_again`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Stored contact `i`, given again.
    Again(usize),
    /// Someone not stored yet: added beside the others.
    New,
    /// Stored contact `i`, still with the customer, has the row's mobile under a name that
    /// plainly names someone else. Taking the row for them would write one person's title
    /// and e-mail over another's, and adding it would give one mobile to two people; only
    /// the clerk knows whether the number changed hands or the row is wrong.
    MobileOfAnother(usize),
}

/// The stored contact a row's contact is: the one with the strongest [`Evidence`], the
/// first of equals. A row that finds nobody by its mobile, while someone still with the
/// customer has that mobile under another person's name, is that person's clash, even when
/// its name or landline finds someone else: the mobile would then be two people's.
pub fn given_again<'a>(stored: impl IntoIterator<Item = &'a Contact>, incoming: &Contact) -> Found {
    let mut best: Option<(usize, Evidence)> = None;
    let mut holder = None;
    for (i, contact) in stored.into_iter().enumerate() {
        if let Some(e) = contact.evidence_for(incoming)
            && best.is_none_or(|(_, b)| e > b)
        {
            best = Some((i, e));
        }
        if holder.is_none()
            && contact.active
            && incoming.mobile.is_some()
            && contact.mobile == incoming.mobile
        {
            holder = Some(i);
        }
    }
    match (best, holder) {
        (Some((i, Evidence::Mobile)), _) => Found::Again(i),
        (_, Some(i)) => Found::MobileOfAnother(i),
        (Some((i, _)), None) => Found::Again(i),
        (None, None) => Found::New,
    }
}

impl Contact {
    /// What says a row's contact, `incoming`, is this stored one, if anything. Either way
    /// round the answer is the same.
    pub fn evidence_for(&self, incoming: &Contact) -> Option<Evidence> {
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        if same(&self.mobile, &incoming.mobile) && !plainly_two_people(self, incoming) {
            return Some(Evidence::Mobile);
        }
        if named(self) && self.name == incoming.name {
            return Some(Evidence::Name);
        }
        let two_mobiles = self.mobile.is_some() && incoming.mobile.is_some();
        (same(&self.landline, &incoming.landline) && !two_mobiles && names_agree(self, incoming))
            .then_some(Evidence::Landline)
    }

    /// This stored contact given again by a row: what the row brings replaces what is
    /// stored; what it leaves empty stays.
    pub fn given_again(&self, incoming: &Contact) -> Contact {
        let mut after = self.clone();
        for (value, slot) in [
            (&incoming.title, &mut after.title),
            (&incoming.mobile, &mut after.mobile),
            (&incoming.landline, &mut after.landline),
            (&incoming.email, &mut after.email),
        ] {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
        after.extra = extra_given_again(&self.extra, &incoming.extra);
        after
    }

    /// A new active contact with a name.
    pub fn new(name: &str) -> Result<Self, Invalid> {
        let mut c = Contact {
            active: true,
            ..Contact::default()
        };
        c.set(ContactField::Name, name)?;
        Ok(c)
    }

    /// Parses and stores one field; an empty value clears it (the name is required).
    pub fn set(&mut self, field: ContactField, raw: &str) -> Result<(), Invalid> {
        let label = format!("contact.{}", field.key());
        if text::has_control_chars(raw) {
            return Err(Invalid::new(
                label,
                raw.escape_debug().to_string(),
                "contains control characters",
            ));
        }
        let value = text::clean_opt(raw);
        let bad = |reason: String| Invalid::new(label.clone(), raw.trim(), reason);
        match (field, value) {
            (ContactField::Name, None) => return Err(Invalid::new(label, "", "required")),
            (ContactField::Name, Some(v)) => self.name = normalise_middle_dot(&v),
            (ContactField::Title, v) => self.title = v,
            (ContactField::Mobile, v) => {
                self.mobile = v.map(|v| phone::parse_mobile(&v)).transpose().map_err(bad)?
            }
            (ContactField::Landline, v) => {
                self.landline = v.map(|v| phone::parse_landline(&v)).transpose().map_err(bad)?
            }
            (ContactField::Email, v) => {
                self.email = v.map(|v| email::parse_email(&v)).transpose().map_err(bad)?
            }
        }
        Ok(())
    }

    pub fn value(&self, field: ContactField) -> Option<String> {
        match field {
            ContactField::Name => Some(self.name.clone()),
            ContactField::Title => self.title.clone(),
            ContactField::Mobile => self.mobile.clone(),
            ContactField::Landline => self.landline.clone(),
            ContactField::Email => self.email.clone(),
        }
    }

    /// Every value as a change from nothing (the log entry of a new contact).
    pub fn as_changes(&self) -> Vec<Change> {
        let mut changes: Vec<Change> = ContactField::ALL
            .iter()
            .filter_map(|&f| {
                self.value(f)
                    .map(|v| Change::new(format!("contact.{}", f.key()), None, Some(v)))
            })
            .collect();
        if self.is_primary {
            changes.push(Change::new("contact.primary", None, Some("true".into())));
        }
        for (key, value) in &self.extra {
            changes.push(Change::new(
                format!("contact.extra.{key}"),
                None,
                Some(value.clone()),
            ));
        }
        changes
    }

    /// Field changes from `before` to `self`, keyed `contact.<field>`.
    pub fn diff(before: &Contact, after: &Contact) -> Vec<Change> {
        let mut changes: Vec<Change> = ContactField::ALL
            .iter()
            .filter_map(|&f| {
                let (b, a) = (before.value(f), after.value(f));
                (b != a).then(|| Change::new(format!("contact.{}", f.key()), b, a))
            })
            .collect();
        for (key, b, a) in [
            ("contact.primary", before.is_primary, after.is_primary),
            ("contact.active", before.active, after.active),
        ] {
            if b != a {
                changes.push(Change::new(key, Some(b.to_string()), Some(a.to_string())));
            }
        }
        changes.extend(extra_diff("contact", &before.extra, &after.extra));
        changes
    }

    /// Puts back the value a logged change (`contact.title`, `contact.extra.微信`) had before.
    pub fn restore(&mut self, change: &Change) {
        let value = change.before.clone();
        match change.field.as_str() {
            "contact.title" => self.title = value,
            "contact.mobile" => self.mobile = value,
            "contact.landline" => self.landline = value,
            "contact.email" => self.email = value,
            "contact.primary" => self.is_primary = value.as_deref() == Some("true"),
            _ => extra_restore("contact", &mut self.extra, std::slice::from_ref(change)),
        }
    }
}

/// A record's extra columns once a file gives the record again: the file's values win, and a
/// column it does not have keeps its value.
pub fn extra_given_again(
    stored: &BTreeMap<String, String>,
    incoming: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut after = stored.clone();
    after.extend(incoming.iter().map(|(k, v)| (k.clone(), v.clone())));
    after
}

/// The changes from `before` to `after`, keyed `{record}.extra.{column}`.
pub fn extra_diff(
    record: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<Change> {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            Change::new(
                format!("{record}.extra.{k}"),
                before.get(k).cloned(),
                after.get(k).cloned(),
            )
        })
        .collect()
}

/// Puts back the before values that `changes` logged for `{record}.extra.*`.
pub fn extra_restore(record: &str, extra: &mut BTreeMap<String, String>, changes: &[Change]) {
    let prefix = format!("{record}.extra.");
    for change in changes {
        if let Some(key) = change.field.strip_prefix(&prefix) {
            match &change.before {
                Some(v) => extra.insert(key.to_string(), v.clone()),
                None => extra.remove(key),
            };
        }
    }
}

/// Whether a contact has a name of its own, not the one given a row without a name.
fn named(contact: &Contact) -> bool {
    contact.name != super::import::UNNAMED_CONTACT
}

/// Whether two contacts' names may be one person's: equal, the same surname with a title
/// (王总 / 王经理 / 王伟), or one not given.
fn names_agree(a: &Contact, b: &Contact) -> bool {
    if !named(a) || !named(b) || a.name == b.name {
        return true;
    }
    match (Person::parse(&a.name), Person::parse(&b.name)) {
        (Some(a), Some(b)) => a.likeness(&b) != Likeness::Different,
        _ => false,
    }
}

/// Whether two contacts' names plainly name two people, so that one mobile cannot be both
/// of theirs: two Chinese names with different surnames (孙八 / 李经理). Anything less may be
/// one person written two ways: the given name in another form (王建国 / 王建國 / 王董), a
/// note beside it (王建国(总经理), 王建国/总经理), a title alone (总经理), a name in Latin
/// letters (David Chen / 陈大卫).
fn plainly_two_people(a: &Contact, b: &Contact) -> bool {
    if !named(a) || !named(b) {
        return false;
    }
    let (a, b) = (bare_name(&a.name), bare_name(&b.name));
    if is_title(&a) || is_title(&b) {
        return false;
    }
    match (Person::parse(&a), Person::parse(&b)) {
        (Some(a), Some(b)) if !a.is_latin() && !b.is_latin() => a.surname != b.surname,
        _ => false,
    }
}

/// A contact name without what clerks write beside it: a note in brackets or after a slash,
/// spaces inside.
fn bare_name(name: &str) -> String {
    let end = name
        .find(['(', '（', '/', '／', '、', ',', '，'])
        .unwrap_or(name.len());
    name[..end].chars().filter(|c| !c.is_whitespace()).collect()
}

/// Transliterated names join their parts with a middle dot typed several ways; keep one.
fn normalise_middle_dot(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '•' | '・' | '‧' | '．' => '·',
            c => c,
        })
        .collect()
}

/// An order or contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub date: NaiveDate,
    pub amount_fen: i64,
    pub contract_no: Option<String>,
    /// The file's other columns about this order (产品, 付款方式, 业务员), by header.
    pub extra: BTreeMap<String, String>,
}

impl Order {
    /// Parses an order from its typed date, amount (scaled by `unit`) and contract number.
    pub fn parse(
        date_raw: &str,
        amount_raw: &str,
        unit: Unit,
        contract_no: &str,
        today: NaiveDate,
    ) -> Result<Self, Invalid> {
        let date = date::parse_date(date_raw).map_err(|r| Invalid::new("order.date", date_raw.trim(), r))?;
        if date > today {
            return Err(Invalid::new(
                "order.date",
                date.to_string(),
                format!("is after today ({today})"),
            ));
        }
        let amount_fen =
            parse_amount(amount_raw, unit).map_err(|r| Invalid::new("order.amount", amount_raw.trim(), r))?;
        if amount_fen < 0 {
            return Err(Invalid::new(
                "order.amount",
                amount_raw.trim(),
                "an amount must not be negative",
            ));
        }
        Ok(Order {
            date,
            amount_fen,
            contract_no: text::clean_opt(contract_no),
            extra: BTreeMap::new(),
        })
    }

    pub fn amount(&self) -> String {
        format_fen(self.amount_fen)
    }
}

/// A recorded contact with the customer: a visit, a call, a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub date: NaiveDate,
    pub channel: Option<String>,
    pub summary: Option<String>,
    /// Who had the contact, when the file says (跟进人); else whoever records it.
    pub operator: Option<String>,
    /// The file's other columns about this contact, by header.
    pub extra: BTreeMap<String, String>,
}

impl Interaction {
    pub fn parse(date_raw: &str, channel: &str, summary: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let date =
            date::parse_date(date_raw).map_err(|r| Invalid::new("interaction.date", date_raw.trim(), r))?;
        // A record of a contact that happened: a later date is a typo (2052 for 2025), as for
        // an order. A visit planned is not one yet.
        if date > today {
            return Err(Invalid::new(
                "interaction.date",
                date.to_string(),
                format!("is after today ({today})"),
            ));
        }
        Ok(Interaction {
            date,
            channel: text::clean_opt(channel),
            summary: Some(text::clean_multiline(summary)).filter(|s| !s.is_empty()),
            operator: None,
            extra: BTreeMap::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_records_extra_columns_round_trip_through_their_changes() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let before = map(&[("业务员", "赵六"), ("付款状态", "首付30%")]);
        let after = extra_given_again(&before, &map(&[("付款状态", "已付清"), ("发票", "已开")]));
        assert_eq!(
            after,
            map(&[("业务员", "赵六"), ("付款状态", "已付清"), ("发票", "已开")])
        );
        let changes = extra_diff("order", &before, &after);
        assert_eq!(
            changes,
            [
                Change::new(
                    "order.extra.付款状态",
                    Some("首付30%".into()),
                    Some("已付清".into())
                ),
                Change::new("order.extra.发票", None, Some("已开".into())),
            ]
        );
        let mut undone = after.clone();
        extra_restore("order", &mut undone, &changes);
        assert_eq!(undone, before);
        extra_restore("interaction", &mut undone, &changes);
        assert_eq!(undone, before, "another record's changes are not this one's");
    }

    #[test]
    fn extra_columns_are_given_again_diffed_and_restored() {
        let mut stored = Contact::new("张三").unwrap();
        stored.extra.insert("微信".into(), "zs_wx".into());
        stored.extra.insert("部门".into(), "销售部".into());
        let mut incoming = Contact::new("张三").unwrap();
        incoming.extra.insert("微信".into(), "zs_new".into());
        let after = stored.given_again(&incoming);
        assert_eq!(
            after.extra.get("部门").map(String::as_str),
            Some("销售部"),
            "kept"
        );
        let changes = Contact::diff(&stored, &after);
        assert_eq!(
            changes,
            [Change::new(
                "contact.extra.微信",
                Some("zs_wx".into()),
                Some("zs_new".into())
            )]
        );
        let mut undone = after.clone();
        for change in &changes {
            undone.restore(change);
        }
        assert_eq!(undone, stored);
        let mut fresh = Contact::new("李四").unwrap();
        fresh.extra.insert("微信".into(), "ls".into());
        fresh.restore(&Change::new("contact.extra.微信", None, Some("ls".into())));
        assert!(fresh.extra.is_empty(), "a column the change added goes");
    }

    #[test]
    fn contact_fields_are_normalised() {
        let mut c = Contact::new(" 王 总 ").unwrap();
        c.set(ContactField::Mobile, "+86 138-1234-5678").unwrap();
        assert_eq!(c.mobile.as_deref(), Some("13812345678"));
        c.set(ContactField::Email, "Wang@Example.COM").unwrap();
        assert_eq!(c.email.as_deref(), Some("wang@example.com"));
        let d = Contact::new("阿卜杜•热合曼").unwrap();
        assert_eq!(d.name, "阿卜杜·热合曼");
    }

    /// A contact from `name` and the mobile and landline given (empty: none).
    fn person(name: &str, mobile: &str, landline: &str) -> Contact {
        let mut c = Contact::new(name).unwrap();
        c.set(ContactField::Mobile, mobile).unwrap();
        c.set(ContactField::Landline, landline).unwrap();
        c
    }

    const UNNAMED: &str = crate::domain::import::UNNAMED_CONTACT;

    #[test]
    fn a_contact_given_again_is_found_by_phone_or_name_and_keeps_what_the_row_leaves_empty() {
        let mut stored = person("王总", "13812345678", "");
        stored.set(ContactField::Email, "wang@example.com").unwrap();
        let by_phone = person("王经理", "13812345678", "");
        assert_eq!(stored.evidence_for(&by_phone), Some(Evidence::Mobile));
        let by_name = person("王总", "13900000009", "");
        assert_eq!(stored.evidence_for(&by_name), Some(Evidence::Name));
        let unnamed = Contact::new(UNNAMED).unwrap();
        assert_eq!(
            unnamed.evidence_for(&unnamed),
            None,
            "no name, no phone: nothing to go by"
        );

        let after = stored.given_again(&by_name);
        assert_eq!(after.mobile.as_deref(), Some("13900000009"));
        assert_eq!(
            after.email.as_deref(),
            Some("wang@example.com"),
            "not in the row, kept"
        );
        assert_eq!(
            crate::domain::import::contact_contradiction(&stored, &by_name.clone().into()).as_deref(),
            Some(
                "an earlier row of this file is the same contact; this row would change 王总's contact.mobile 13812345678 → 13900000009 (imported again on its own, it will)"
            )
        );
        assert_eq!(
            crate::domain::import::contact_contradiction(&stored, &by_phone.clone().into()),
            None
        );
    }

    #[test]
    fn a_shared_landline_is_one_person_only_under_names_that_agree_and_no_two_mobiles() {
        let zhang = person("张三", "13812345678", "010-62345678");
        let board = "010-62345678";
        for (incoming, expected, why) in [
            (
                person("李四", "13912345678", board),
                None,
                "another person on the switchboard",
            ),
            (
                person("李四", "", board),
                None,
                "another name, even without a mobile",
            ),
            (
                person("张总", "13912345678", board),
                None,
                "two mobiles are two people",
            ),
            (
                person("张总", "", board),
                Some(Evidence::Landline),
                "张三 under a title",
            ),
            (
                person(UNNAMED, "", board),
                Some(Evidence::Landline),
                "a phone with no name",
            ),
            (
                person("张三", "13912345678", board),
                Some(Evidence::Name),
                "张三 with a new mobile",
            ),
            (
                person("张总", "13812345678", ""),
                Some(Evidence::Mobile),
                "张三's own mobile",
            ),
            (
                person("李四", "13812345678", ""),
                None,
                "张三's mobile under another person's name",
            ),
        ] {
            assert_eq!(zhang.evidence_for(&incoming), expected, "{why}");
        }
        let wang = person("王总", "", board);
        assert_eq!(
            wang.evidence_for(&person("王经理", "13812345678", board)),
            Some(Evidence::Landline),
            "王总 / 王经理 on one line, one mobile given"
        );
        assert_eq!(
            wang.evidence_for(&person("王伟", "", board)),
            Some(Evidence::Landline)
        );
        assert_eq!(wang.evidence_for(&person("李总", "", board)), None);
        assert_eq!(
            person("王先生", "", board).evidence_for(&person("王女士", "", board)),
            None
        );
    }

    #[test]
    fn the_stored_contact_given_again_is_the_one_with_the_strongest_evidence() {
        let board = "010-62345678";
        let stored = [
            person("王总", "", board),
            person("王伟", "13812345678", board),
            person("李四", "13912345678", ""),
        ];
        assert_eq!(
            given_again(&stored, &person("王经理", "", board)),
            Found::Again(0),
            "the first of equals"
        );
        assert_eq!(
            given_again(&stored, &person("王经理", "13812345678", board)),
            Found::Again(1)
        );
        assert_eq!(
            given_again(&stored, &person("李四", "", board)),
            Found::Again(2),
            "by name"
        );
        assert_eq!(
            given_again(&stored, &person("赵六", "13700000000", board)),
            Found::New
        );
    }

    #[test]
    fn a_stored_mobile_under_a_name_that_plainly_names_someone_else_is_a_clash() {
        let li = person("李经理", "13912345678", "");
        for (name, expected) in [
            ("孙八", Found::MobileOfAnother(0)),
            ("李总", Found::Again(0)),
            ("李伟", Found::Again(0)),
            ("李经理", Found::Again(0)),
            (UNNAMED, Found::Again(0)),
        ] {
            assert_eq!(
                given_again([&li], &person(name, "13912345678", "")),
                expected,
                "{name}"
            );
        }
        // One person written another way keeps their mobile.
        let wang = person("王建国", "13812345678", "");
        for name in [
            "王董",
            "王 建国",
            "王建国(总经理)",
            "王建国/总经理",
            "王建國",
            "王局",
            "总经理",
            "Wang Jianguo",
        ] {
            assert_eq!(
                given_again([&wang], &person(name, "13812345678", "")),
                Found::Again(0),
                "{name}"
            );
        }
        assert_eq!(
            given_again(
                [&person("陈大卫", "13812345678", "")],
                &person("David Chen", "13812345678", "")
            ),
            Found::Again(0)
        );
        let sun = person("孙八", "13700000000", "");
        assert_eq!(
            given_again([&sun, &li], &person("孙八", "13912345678", "")),
            Found::MobileOfAnother(1),
            "孙八 by name, but the mobile is still 李经理's"
        );
        let wang = person("王总", "13912345678", "");
        assert_eq!(
            given_again([&li, &wang], &person("王经理", "13912345678", "")),
            Found::Again(1),
            "two people on one number: the row is the one its name agrees with"
        );
        let left = Contact {
            active: false,
            ..li.clone()
        };
        assert_eq!(
            given_again([&left], &person("孙八", "13912345678", "")),
            Found::New,
            "the number of someone who left passes to whoever has it now"
        );
        assert_eq!(
            given_again([&left], &person("李经理", "13912345678", "")),
            Found::Again(0)
        );
    }

    fn any_contact() -> impl Strategy<Value = Contact> {
        let names = prop::sample::select(vec![
            "张三",
            "李四",
            "王总",
            "王经理",
            "王伟",
            "王芳",
            "李总",
            UNNAMED,
        ]);
        let mobiles = prop::sample::select(vec!["", "13812345678", "13912345678"]);
        let landlines = prop::sample::select(vec!["", "010-62345678", "021-55556666"]);
        (names, mobiles, landlines).prop_map(|(n, m, l)| person(n, m, l))
    }

    proptest! {
        #[test]
        fn evidence_reads_the_same_either_way_round(a in any_contact(), b in any_contact()) {
            prop_assert_eq!(a.evidence_for(&b), b.evidence_for(&a));
        }

        #[test]
        fn a_contact_with_a_name_or_a_mobile_is_itself(a in any_contact()) {
            prop_assume!(named(&a) || a.mobile.is_some() || a.landline.is_some());
            prop_assert!(a.evidence_for(&a).is_some());
        }

        #[test]
        fn two_names_apart_with_two_mobiles_are_two_people(
            names in prop::sample::subsequence(vec!["张三", "李四", "王总", "王经理", "王伟", "李总"], 2),
            landlines in prop::collection::vec(prop::sample::select(vec!["", "010-62345678"]), 2),
            swap in any::<bool>(),
        ) {
            let (a, b) = (
                person(names[0], "13812345678", landlines[0]),
                person(names[1], "13912345678", landlines[1]),
            );
            let (a, b) = if swap { (b, a) } else { (a, b) };
            prop_assert_eq!(a.evidence_for(&b), None);
        }
    }

    #[test]
    fn bad_contact_values_are_refused_with_the_field() {
        let mut c = Contact::new("王五").unwrap();
        let err = c.set(ContactField::Mobile, "12345678901").unwrap_err();
        assert_eq!(err.field, "contact.mobile");
        assert_eq!(err.value, "12345678901");
        assert_eq!(
            Contact::new("").unwrap_err().to_string(),
            "contact.name: required"
        );
    }

    #[test]
    fn orders_need_a_real_past_date_and_a_non_negative_amount() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
        let o = Order::parse("2024/1/5", "¥1,234.50", Unit::Yuan, "HT-001", today).unwrap();
        assert_eq!(
            (o.amount_fen, o.contract_no.as_deref()),
            (123_450, Some("HT-001"))
        );
        assert_eq!(
            Order::parse("2024-07-01", "1", Unit::Yuan, "", today)
                .unwrap_err()
                .field,
            "order.date"
        );
        assert_eq!(
            Order::parse("2024-01-01", "-1", Unit::Yuan, "", today)
                .unwrap_err()
                .field,
            "order.amount"
        );
        assert_eq!(
            Order::parse("2024-01-01", "2", Unit::Wan, "", today)
                .unwrap()
                .amount_fen,
            2_000_000
        );
    }
}
