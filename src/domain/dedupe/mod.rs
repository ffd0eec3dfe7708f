//! Duplicate customers: is this record the same real company as that one?
//!
//! The matching core is pure. A [`Candidate`] is what matching needs from a customer (its
//! name taken apart by [`normalize_name`], USCC, place, industry, and its contacts' names,
//! phones and e-mails). [`compare`] scores a pair and says why; [`find_groups`] finds every
//! group of duplicates among many candidates without comparing all pairs (blocking), and
//! [`name_key`] is the blocking key an import looks stored customers up by.
//!
//! The rules, strongest first:
//! - the same USCC is the same company (score 100); two different USCCs never are;
//! - names are compared on their core (legal form, region, brackets, branch and width set
//!   aside); equal cores, a short name equal to a full name's core, or a bare 字号 score
//!   high; a 字号 read the same (华兴 / 华星) or a long 字号 one character off, with the
//!   same line of business ([`spelling`]), less; other similar cores (character bigrams)
//!   less again;
//! - a shared mobile, landline or e-mail, the same contact (full name, or surname + title:
//!   王总 / 王经理), the same province, city and industry add to the score; a different
//!   province, city, industry or branch takes from it.
//!
//! A score of [`SURE`] or more is `sure` (merged by `--apply-sure`), [`REVIEW`] or more is
//! `review` (a person decides).

mod group;
mod merge;
mod name;
mod person;
mod spelling;

pub use group::{Edge, Group, Options, find_groups};
pub use merge::{Version, survive};
pub use name::{LegalClass, NameParts, TRADE_WORDS, name_key, normalize_name, strip_trade_word};
pub use person::{Likeness, Person, is_title};
pub use spelling::{Spelling, spelling, split_trade};

use super::contact::Contact;
use super::industry::Industry;
use super::phone::mask_mobile;
use super::region::Province;
use super::uscc::uscc_province_code;
use super::{Customer, region};

/// Scores at or above this are `sure`.
pub const SURE: u8 = 85;
/// Scores at or above this are `review`; the default `--min-score`.
pub const REVIEW: u8 = 50;

/// How certain a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Review,
    Sure,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Sure => "sure",
            Level::Review => "review",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::Sure => "确定",
            Level::Review => "待核实",
        }
    }

    /// The level of a score, if it reaches `review`.
    pub fn of(score: u8) -> Option<Level> {
        if score >= SURE {
            Some(Level::Sure)
        } else if score >= REVIEW {
            Some(Level::Review)
        } else {
            None
        }
    }
}

/// The texts a [`Candidate`] keeps, in the order they sit in its one allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Code,
    Name,
    Core,
    Short,
    Branch,
    Uscc,
    City,
    /// The lists: values joined by `\n`.
    Mobiles,
    Landlines,
    Emails,
    People,
}

const SLOTS: usize = Slot::People as usize + 1;

/// What matching needs to know about one customer (or one incoming row).
///
/// A million of these are held at once, so every text — code, name, core, short name,
/// branch, USCC, city, phones, e-mails, contact names — sits in one allocation, read
/// through the accessors; a contact's name is taken apart ([`Person`]) when compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The store's id (or the row number of an incoming row); carried, never compared.
    pub id: i64,
    /// The texts, one [`Slot`] after another.
    text: Box<str>,
    /// Where each slot ends in `text`.
    ends: [u32; SLOTS],
    /// The legal form's class, as found in the name.
    pub legal: Option<LegalClass>,
    /// The province field; else the province the name names; else the USCC's.
    pub province: Option<&'static Province>,
    pub industry: Option<Industry>,
}

impl Candidate {
    /// A candidate with a name (and short name); other facts are added with the `with_*`
    /// and `set_*` methods or set directly.
    pub fn new(id: i64, code: &str, name: &str, short_name: Option<&str>) -> Candidate {
        let parts = normalize_name(name);
        let short = short_name
            .map(|s| normalize_name(s).core)
            .filter(|s| !s.is_empty() && *s != parts.core);
        let texts = [
            code,
            name,
            &parts.core,
            short.as_deref().unwrap_or(""),
            parts.branch.as_deref().unwrap_or(""),
            "",
            parts.city.as_deref().unwrap_or(""),
        ];
        let mut text = String::with_capacity(texts.iter().map(|t| t.len()).sum());
        let mut ends = [0; SLOTS];
        for (i, t) in texts.iter().enumerate() {
            text.push_str(t);
            ends[i] = text.len() as u32;
        }
        for end in &mut ends[texts.len()..] {
            *end = text.len() as u32;
        }
        Candidate {
            id,
            text: text.into_boxed_str(),
            ends,
            legal: parts.legal_class(),
            province: parts.province,
            industry: None,
        }
    }

    /// From a stored (or parsed incoming) customer and its contacts.
    pub fn from_customer(id: i64, customer: &Customer, contacts: &[Contact]) -> Candidate {
        let mut c = Candidate::new(id, &customer.code, &customer.name, customer.short_name.as_deref());
        c.set_uscc(customer.uscc.as_deref());
        c = c.with_place(customer.province, customer.city.as_deref());
        c.industry = customer.industry;
        for contact in contacts {
            c.add_contact(
                Some(&contact.name),
                contact.mobile.as_deref(),
                contact.landline.as_deref(),
                contact.email.as_deref(),
            );
        }
        c.finish()
    }

    fn slot(&self, slot: Slot) -> &str {
        let i = slot as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn optional(&self, slot: Slot) -> Option<&str> {
        Some(self.slot(slot)).filter(|s| !s.is_empty())
    }

    fn list(&self, slot: Slot) -> impl Iterator<Item = &str> + Clone {
        self.slot(slot).split('\n').filter(|s| !s.is_empty())
    }

    /// Puts `value` in place of the slot's text (or, with `append`, after it, on a new line).
    fn put(&mut self, slot: Slot, value: &str, append: bool) {
        let i = slot as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends[i] as usize;
        let keep = if append { end } else { start };
        let sep = if append && end > start { "\n" } else { "" };
        let mut text = String::with_capacity(self.text.len() + sep.len() + value.len());
        text.push_str(&self.text[..keep]);
        text.push_str(sep);
        text.push_str(value);
        text.push_str(&self.text[end..]);
        let grown = (text.len() as i64 - self.text.len() as i64) as i32;
        for e in &mut self.ends[i..] {
            *e = e.wrapping_add_signed(grown);
        }
        self.text = text.into_boxed_str();
    }

    /// The customer's code.
    pub fn code(&self) -> &str {
        self.slot(Slot::Code)
    }

    /// The name as stored, for display and reasons.
    pub fn name(&self) -> &str {
        self.slot(Slot::Name)
    }

    /// The core of the name ([`NameParts::core`]).
    pub fn core(&self) -> &str {
        self.slot(Slot::Core)
    }

    /// The core of the short name, when there is one and it differs from the core.
    pub fn short(&self) -> Option<&str> {
        self.optional(Slot::Short)
    }

    /// The branch, as found in the name (`上海分公司`).
    pub fn branch(&self) -> Option<&str> {
        self.optional(Slot::Branch)
    }

    pub fn uscc(&self) -> Option<&str> {
        self.optional(Slot::Uscc)
    }

    /// The city without 市 (field, else named in the name).
    pub fn city(&self) -> Option<&str> {
        self.optional(Slot::City)
    }

    pub fn mobiles(&self) -> impl Iterator<Item = &str> + Clone {
        self.list(Slot::Mobiles)
    }

    pub fn landlines(&self) -> impl Iterator<Item = &str> + Clone {
        self.list(Slot::Landlines)
    }

    pub fn emails(&self) -> impl Iterator<Item = &str> + Clone {
        self.list(Slot::Emails)
    }

    /// The contacts' names, taken apart.
    pub fn people(&self) -> impl Iterator<Item = Person<'_>> + Clone {
        self.list(Slot::People).filter_map(Person::parse)
    }

    /// Sets (or clears) the USCC.
    pub fn set_uscc(&mut self, uscc: Option<&str>) {
        self.put(Slot::Uscc, uscc.unwrap_or(""), false);
    }

    /// Sets the province and city fields (they win over what the name says).
    pub fn with_place(mut self, province: Option<&'static Province>, city: Option<&str>) -> Candidate {
        if province.is_some() {
            self.province = province;
        }
        if let Some(city) = city.map(city_key).filter(|c| !c.is_empty()) {
            self.put(Slot::City, &city, false);
        }
        self
    }

    /// Adds one contact's name and numbers (stored, canonical values).
    pub fn add_contact(
        &mut self,
        name: Option<&str>,
        mobile: Option<&str>,
        landline: Option<&str>,
        email: Option<&str>,
    ) {
        let written: Option<String> = name
            .map(|n| n.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .filter(|n| !n.is_empty());
        for (slot, value) in [
            (Slot::People, written.as_deref()),
            (Slot::Mobiles, mobile),
            (Slot::Landlines, landline),
            (Slot::Emails, email),
        ] {
            if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty())
                && !self.list(slot).any(|x| x == v)
            {
                self.put(slot, v, true);
            }
        }
    }

    /// Fills the province from the USCC when nothing else gave one. Call after setting the
    /// USCC and place.
    pub fn finish(mut self) -> Candidate {
        if self.province.is_none()
            && let Some(u) = self.uscc()
        {
            self.province = region::province_by_code(uscc_province_code(u));
        }
        self
    }
}

/// `深圳市` → `深圳`: the city as compared.
fn city_key(city: &str) -> String {
    let c: String = super::text::clean(city)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    c.strip_suffix('市').map(str::to_string).unwrap_or(c)
}

/// The result of comparing two candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// 0–100.
    pub score: u8,
    /// `None` below [`REVIEW`], and always for two different USCCs.
    pub level: Option<Level>,
    /// Why, in the order the evidence was weighed, e.g. `same USCC 91110000600037341L`,
    /// `names equal after removing 北京, 有限公司, 有限责任公司`, `same mobile 138****5678`.
    pub reasons: Vec<String>,
}

/// Compares two candidates: the score, its level and the reasons.
pub fn compare(a: &Candidate, b: &Candidate) -> Match {
    let mut reasons = Vec::new();
    let score = evaluate(a, b, Some(&mut reasons));
    Match {
        score: score.unwrap_or(0),
        level: score.and_then(Level::of),
        reasons,
    }
}

/// Whether `a` names the company `b` is, rather than one like it: the same USCC, the same
/// name once region, brackets and legal form are set aside, or the one's short name for the
/// other's name. A `sure` match made of a name spelled alike and shared contacts
/// (`中建三局` and `中建八局` with one switchboard) is strong evidence, not this.
pub fn same_company_named(a: &Candidate, b: &Candidate) -> bool {
    match (a.uscc(), b.uscc()) {
        (Some(x), Some(y)) => x == y,
        _ => a.core() == b.core() || a.short() == Some(b.core()) || b.short() == Some(a.core()),
    }
}

/// The score alone (no reasons): `None` when the two can never be the same company.
pub fn score(a: &Candidate, b: &Candidate) -> Option<u8> {
    evaluate(a, b, None)
}

fn push(reasons: &mut Option<&mut Vec<String>>, reason: impl FnOnce() -> String) {
    if let Some(r) = reasons {
        r.push(reason());
    }
}

/// Points for each kind of evidence.
mod points {
    pub const SAME_CORE: i32 = 60;
    pub const SHORT_NAME: i32 = 52;
    pub const TRADE_NAME: i32 = 45;
    /// The 字号 read the same, or a long 字号 one character off: like a bare 字号, it takes
    /// the place, the industry or a contact agreeing to reach `review`.
    pub const SPELLED_ALIKE: i32 = 42;
    pub const MOBILE: i32 = 35;
    pub const LANDLINE: i32 = 30;
    pub const EMAIL: i32 = 30;
    /// Shared numbers and e-mails together count at most this much.
    pub const NUMBERS_MAX: i32 = 45;
    pub const SAME_PERSON: i32 = 20;
    pub const SURNAME_TITLE: i32 = 8;
    pub const SAME_PROVINCE: i32 = 8;
    pub const OTHER_PROVINCE: i32 = -50;
    pub const SAME_CITY: i32 = 5;
    pub const OTHER_CITY: i32 = -25;
    /// On top of the place's own points, when the cores are equal too.
    pub const SAME_NAME_SAME_PLACE: i32 = 17;
    pub const SAME_DIVISION: i32 = 5;
    pub const SAME_SECTION: i32 = 2;
    pub const OTHER_SECTION: i32 = -10;
    pub const OTHER_BRANCH: i32 = -35;
    pub const OTHER_LEGAL_CLASS: i32 = -5;
}

fn evaluate(a: &Candidate, b: &Candidate, mut reasons: Option<&mut Vec<String>>) -> Option<u8> {
    if let (Some(ua), Some(ub)) = (a.uscc(), b.uscc()) {
        if ua == ub {
            push(&mut reasons, || format!("same USCC {ua}"));
            return Some(100);
        }
        push(&mut reasons, || format!("different USCCs {ua} and {ub}"));
        return None;
    }
    let mut total = name_points(a, b, &mut reasons);
    total += number_points(a, b, &mut reasons);
    total += person_points(a, b, &mut reasons);
    total += place_points(a, b, &mut reasons);
    if let (Some(ia), Some(ib)) = (a.industry, b.industry) {
        if ia.section != ib.section {
            total += points::OTHER_SECTION;
            push(&mut reasons, || {
                format!("different industries {} and {}", ia.code(), ib.code())
            });
        } else if ia.division.is_some() && ia.division == ib.division {
            total += points::SAME_DIVISION;
            push(&mut reasons, || format!("same industry {}", ia.code()));
        } else {
            total += points::SAME_SECTION;
        }
    }
    if a.branch() != b.branch() {
        total += points::OTHER_BRANCH;
        push(&mut reasons, || {
            format!(
                "{} and {}",
                a.branch().unwrap_or("head office"),
                b.branch().unwrap_or("head office")
            )
        });
    }
    if let (Some(la), Some(lb)) = (a.legal, b.legal)
        && la != lb
        && la != LegalClass::Other
        && lb != LegalClass::Other
    {
        total += points::OTHER_LEGAL_CLASS;
        push(&mut reasons, || "different legal forms".to_string());
    }
    Some(total.clamp(0, 100) as u8)
}

fn name_points(a: &Candidate, b: &Candidate, reasons: &mut Option<&mut Vec<String>>) -> i32 {
    if a.core() == b.core() {
        push(reasons, || same_core_reason(a, b));
        return points::SAME_CORE;
    }
    for (x, y) in [(a, b), (b, a)] {
        if x.short() == Some(y.core()) {
            push(reasons, || {
                format!("name {} equals the short name of {}", y.name(), x.name())
            });
            return points::SHORT_NAME;
        }
    }
    if let Some(short) = a.short().filter(|s| b.short() == Some(s)) {
        push(reasons, || format!("same short name {short}"));
        return points::SHORT_NAME;
    }
    for (x, y) in [(a, b), (b, a)] {
        if strip_trade_word(x.core()) == Some(y.core()) {
            push(reasons, || {
                format!("{} is {} without its line of business", y.core(), x.core())
            });
            return points::TRADE_NAME;
        }
    }
    let sim = similarity(a.core(), b.core());
    let similar = if sim < 0.5 { 0 } else { (70.0 * sim) as i32 - 15 };
    if let Some(how) = spelling(a.core(), b.core()).filter(|_| points::SPELLED_ALIKE > similar) {
        push(reasons, || match how {
            Spelling::SoundsAlike(x, y, sound) => format!("字号 {x} and {y} sound alike ({sound})"),
            Spelling::OneCharOff(x, y) => format!("字号 {x} and {y} one character apart"),
        });
        return points::SPELLED_ALIKE;
    }
    if similar > 0 {
        push(reasons, || format!("names {:.0}% alike", sim * 100.0));
    }
    similar
}

fn same_core_reason(a: &Candidate, b: &Candidate) -> String {
    if a.name() == b.name() {
        return "same name".to_string();
    }
    let (pa, pb) = (normalize_name(a.name()), normalize_name(b.name()));
    let bare = |r: &str| r.trim_start_matches('(').trim_end_matches(')').to_string();
    let mut removed: Vec<&str> = Vec::new();
    for r in pa.removed.iter().chain(&pb.removed) {
        if !removed.iter().any(|x| bare(x) == bare(r)) {
            removed.push(r);
        }
    }
    if removed.is_empty() {
        "names equal after normalising width and spacing".to_string()
    } else {
        format!("names equal after removing {}", removed.join(", "))
    }
}

/// Dice coefficient of the character bigrams of `^core$`, in 0–1.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> Vec<(char, char)> {
        let chars: Vec<char> = std::iter::once('^')
            .chain(s.chars())
            .chain(std::iter::once('$'))
            .collect();
        let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

fn number_points(a: &Candidate, b: &Candidate, reasons: &mut Option<&mut Vec<String>>) -> i32 {
    fn shared<'a>(
        mut x: impl Iterator<Item = &'a str>,
        y: impl Iterator<Item = &'a str> + Clone,
    ) -> Option<&'a str> {
        x.find(|v| y.clone().any(|w| w == *v))
    }
    let mut total = 0;
    if let Some(m) = shared(a.mobiles(), b.mobiles()) {
        total += points::MOBILE;
        push(reasons, || format!("same mobile {}", mask_mobile(m)));
    }
    if let Some(l) = shared(a.landlines(), b.landlines()) {
        total += points::LANDLINE;
        push(reasons, || format!("same landline {}", mask_mobile(l)));
    }
    if let Some(e) = shared(a.emails(), b.emails()) {
        total += points::EMAIL;
        push(reasons, || format!("same e-mail {e}"));
    }
    total.min(points::NUMBERS_MAX)
}

fn person_points(a: &Candidate, b: &Candidate, reasons: &mut Option<&mut Vec<String>>) -> i32 {
    let best = a
        .people()
        .flat_map(|x| b.people().map(move |y| (x.likeness(&y), x.clone(), y)))
        .max_by_key(|(l, _, _)| *l);
    match best {
        Some((Likeness::Same, x, _)) => {
            push(reasons, || format!("same contact {}", x.written));
            points::SAME_PERSON
        }
        Some((Likeness::SurnameAndTitle, x, y)) => {
            push(reasons, || {
                format!("contacts {} and {} alike", x.written, y.written)
            });
            points::SURNAME_TITLE
        }
        _ => 0,
    }
}

fn place_points(a: &Candidate, b: &Candidate, reasons: &mut Option<&mut Vec<String>>) -> i32 {
    // A registered name is unique within its registration authority (企业名称登记管理规定):
    // the same name in the same province or city is the same company. A branch's name is
    // its own (`<parent>上海分公司`), so a head office and its branch share no name.
    let same_core = a.core() == b.core() && a.branch() == b.branch();
    let mut total = 0;
    let mut unique_name = false;
    if let (Some(pa), Some(pb)) = (a.province, b.province) {
        if pa.code == pb.code {
            total += points::SAME_PROVINCE;
            if same_core {
                unique_name = true;
                push(reasons, || format!("both in {}", pa.name));
            }
        } else {
            total += points::OTHER_PROVINCE;
            push(reasons, || {
                format!("different provinces {} and {}", pa.name, pb.name)
            });
        }
    }
    if let (Some(ca), Some(cb)) = (a.city(), b.city()) {
        if ca == cb {
            total += points::SAME_CITY;
            if same_core && !unique_name {
                unique_name = true;
                push(reasons, || format!("both in {ca}"));
            }
        } else {
            total += points::OTHER_CITY;
            push(reasons, || format!("different cities {ca} and {cb}"));
        }
    }
    if unique_name {
        total += points::SAME_NAME_SAME_PLACE;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::parse_province;

    fn cand(code: &str, name: &str) -> Candidate {
        Candidate::new(0, code, name, None)
    }

    fn with_contact(mut c: Candidate, person: &str, mobile: &str) -> Candidate {
        c.add_contact(Some(person), Some(mobile), None, None);
        c
    }

    #[test]
    fn the_seed_spellings_are_one_company_with_reasons() {
        let a = cand("A", "北京某某科技有限公司");
        // Nothing says where these two are: the same name, to be checked by a person.
        for name in ["某某科技有限责任公司", "某某科技"] {
            let m = compare(&a, &cand("B", name));
            assert_eq!(m.level, Some(Level::Review), "{name}: {m:?}");
        }
        let m = compare(&a, &cand("B", "某某科技有限责任公司"));
        assert_eq!(
            m.reasons,
            vec!["names equal after removing 北京, 有限公司, 有限责任公司"]
        );
        // The same name registered in the same province is the same company.
        let m = compare(&a, &cand("B", "（北京）某某科技"));
        assert_eq!(m.level, Some(Level::Sure), "{m:?}");
        assert_eq!(
            m.reasons,
            vec!["names equal after removing 北京, 有限公司", "both in 北京市"]
        );
    }

    #[test]
    fn wang_zong_and_wang_jingli_on_one_mobile_are_sure() {
        let a = with_contact(cand("A", "北京某某科技有限公司"), "王总", "13812345678");
        let b = with_contact(cand("B", "某某科技有限责任公司"), "王经理", "13812345678");
        let m = compare(&a, &b);
        assert_eq!(m.level, Some(Level::Sure), "{m:?}");
        assert_eq!(
            m.reasons,
            vec![
                "names equal after removing 北京, 有限公司, 有限责任公司",
                "same mobile 138****5678",
                "contacts 王总 and 王经理 alike",
            ]
        );
    }

    #[test]
    fn a_short_name_matches_a_full_name() {
        let a = Candidate::new(1, "A", "深圳市华兴电子有限公司", Some("华兴"));
        let b = with_contact(cand("B", "华兴"), "陈工", "13912345678");
        let a = with_contact(a, "陈工", "13912345678");
        let m = compare(&a, &b);
        assert_eq!(
            m.reasons[0],
            "name 华兴 equals the short name of 深圳市华兴电子有限公司"
        );
        assert_eq!(m.level, Some(Level::Sure));
        // Without a short name, a bare 字号 still points at the full name.
        let m = compare(&cand("A", "华兴电子有限公司"), &cand("B", "华兴"));
        assert_eq!(m.reasons, vec!["华兴 is 华兴电子 without its line of business"]);
    }

    #[test]
    fn the_same_uscc_is_certain_and_different_usccs_never_match() {
        let mut a = cand("A", "甲公司");
        let mut b = cand("B", "完全不同的名字");
        a.set_uscc(Some("91110000600037341L"));
        b.set_uscc(Some("91110000600037341L"));
        let m = compare(&a, &b);
        assert_eq!((m.score, m.level), (100, Some(Level::Sure)));
        assert_eq!(m.reasons, vec!["same USCC 91110000600037341L"]);
        let mut c = cand("C", "甲公司");
        c.set_uscc(Some("91310115MA1K3BTP2B"));
        let m = compare(&a, &c);
        assert_eq!((m.score, m.level), (0, None));
        assert!(m.reasons[0].starts_with("different USCCs"));
    }

    #[test]
    fn the_same_name_in_another_province_is_not_a_match() {
        let bj = cand("A", "北京华兴科技有限公司");
        let sh = cand("B", "上海华兴科技有限公司");
        let m = compare(&bj, &sh);
        assert_eq!(m.level, None, "{m:?}");
        assert!(
            m.reasons
                .contains(&"different provinces 北京市 and 上海市".to_string())
        );
        // A province field counts like a prefix.
        let plain = cand("C", "华兴科技有限公司").with_place(parse_province("上海").ok(), None);
        assert_eq!(compare(&bj, &plain).level, None);
    }

    #[test]
    fn a_branch_is_not_its_head_office() {
        let head = cand("A", "华兴科技有限公司");
        let branch = cand("B", "华兴科技有限公司上海分公司");
        let m = compare(&head, &branch);
        assert_eq!(m.level, None, "{m:?}");
        assert!(
            m.reasons.contains(&"head office and 上海分公司".to_string()),
            "{m:?}"
        );
    }

    #[test]
    fn similar_names_need_more_evidence() {
        // 华兴 / 华新: one character of two changed, and it is not read the same.
        let a = with_contact(cand("A", "北京华兴科技有限公司"), "王伟", "13812345678");
        let b = cand("B", "北京华新科技有限公司");
        assert_eq!(compare(&a, &b).level, None);
        let b = with_contact(b, "王伟", "13812345678");
        let m = compare(&a, &b);
        assert_eq!(m.level, Some(Level::Sure), "{m:?}");
        assert_eq!(m.reasons[0], "names 60% alike");
    }

    #[test]
    fn a_trade_name_that_sounds_the_same_in_the_same_place_is_for_review() {
        // 华兴 taken down as 华星 over the phone: same province, same line of business.
        let a = cand("A", "北京华兴科技有限公司");
        let b = cand("B", "北京华星科技有限责任公司");
        let m = compare(&a, &b);
        assert_eq!(m.level, Some(Level::Review), "{m:?}");
        assert_eq!(m.reasons, vec!["字号 华兴 and 华星 sound alike (xing)"]);
        assert_eq!(m.score, 50);
        // With the same mobile and contact it is sure.
        let a = with_contact(a, "王伟", "13812345678");
        let b = with_contact(b, "王经理", "13812345678");
        assert_eq!(compare(&a, &b).level, Some(Level::Sure));
        // Nothing to say where one of them is: not enough.
        assert_eq!(
            compare(&cand("A", "华兴科技有限公司"), &cand("B", "华星科技")).level,
            None
        );
        // Another province, or another line of business, is another company.
        assert_eq!(
            compare(
                &cand("A", "北京华兴科技有限公司"),
                &cand("B", "上海华星科技有限公司")
            )
            .level,
            None
        );
        assert_eq!(
            compare(
                &cand("A", "北京华兴科技有限公司"),
                &cand("B", "北京华星物流有限公司")
            )
            .level,
            None
        );
    }

    #[test]
    fn a_long_trade_name_one_character_off_in_the_same_place_is_for_review() {
        let a = cand("A", "上海荣嘉骏贸易有限公司");
        let m = compare(&a, &cand("B", "上海荣伟骏贸易有限公司"));
        assert_eq!(m.level, Some(Level::Review), "{m:?}");
        assert_eq!(m.reasons[0], "字号 荣嘉骏 and 荣伟骏 one character apart");
        // Two characters off, or one of two (华兴 / 华新), is not.
        assert_eq!(compare(&a, &cand("B", "上海荣伟达贸易有限公司")).level, None);
        assert_eq!(
            compare(
                &cand("A", "上海华兴贸易有限公司"),
                &cand("B", "上海华新贸易有限公司")
            )
            .level,
            None
        );
    }

    #[test]
    fn a_branch_in_the_head_offices_province_is_still_not_the_head_office() {
        // The same core in the same province says "the same registered name" only when
        // neither is a branch: 北京华兴科技有限公司上海分公司 is a name of its own.
        let head = cand("A", "北京华兴科技有限公司");
        let m = compare(&head, &cand("B", "北京华兴科技有限公司上海分公司"));
        assert_eq!(m.level, None, "{m:?}");
        assert!(!m.reasons.contains(&"both in 北京市".to_string()), "{m:?}");
        // Two records of the same branch still are one.
        let m = compare(
            &cand("A", "北京华兴科技有限公司上海分公司"),
            &cand("B", "北京华兴科技有限责任公司上海分公司"),
        );
        assert_eq!(m.level, Some(Level::Sure), "{m:?}");
    }

    #[test]
    fn similarity_is_symmetric_and_one_for_equal_names() {
        assert_eq!(similarity("华兴科技", "华兴科技"), 1.0);
        assert_eq!(
            similarity("华兴科技", "华星科技"),
            similarity("华星科技", "华兴科技")
        );
        assert!(similarity("华兴科技", "远洋物流") < 0.2);
    }

    #[test]
    fn a_candidate_keeps_each_text_apart_in_its_one_allocation() {
        let mut c = Candidate::new(7, "CST20240001", "北京华兴科技有限公司上海分公司", Some("华兴"));
        assert_eq!(
            (c.code(), c.name(), c.core(), c.short(), c.branch()),
            (
                "CST20240001",
                "北京华兴科技有限公司上海分公司",
                "华兴科技",
                Some("华兴"),
                Some("上海分公司")
            )
        );
        assert_eq!((c.uscc(), c.city()), (None, None));
        c.set_uscc(Some("91110000600037341L"));
        c.set_uscc(Some("91310115MA1K3BTP2B"));
        c.add_contact(Some("王 总"), Some("13812345678"), None, Some("a@b.cn"));
        c.add_contact(Some("王总"), Some("13812345678"), Some("01012345678"), None);
        c.add_contact(Some("李伟"), Some("13912345678"), None, None);
        c.add_contact(None, None, None, None);
        let c = c.with_place(None, Some("深圳市"));
        assert_eq!(c.uscc(), Some("91310115MA1K3BTP2B"));
        assert_eq!(c.city(), Some("深圳"));
        assert_eq!(c.mobiles().collect::<Vec<_>>(), ["13812345678", "13912345678"]);
        assert_eq!(c.landlines().collect::<Vec<_>>(), ["01012345678"]);
        assert_eq!(c.emails().collect::<Vec<_>>(), ["a@b.cn"]);
        let people: Vec<&str> = c.people().map(|p| p.written).collect();
        assert_eq!(people, ["王总", "李伟"]);
        // What was set later did not disturb what came before.
        assert_eq!(
            (c.code(), c.core(), c.short()),
            ("CST20240001", "华兴科技", Some("华兴"))
        );
    }

    #[test]
    fn candidates_take_the_province_from_field_name_or_uscc() {
        let c = cand("A", "某某科技有限公司");
        assert_eq!(c.province, None);
        let mut c = cand("A", "某某科技有限公司");
        c.set_uscc(Some("9144030071526726XG"));
        assert_eq!(c.finish().province.map(|p| p.code), Some("44"));
        let c = cand("A", "北京某某科技").with_place(parse_province("广东").ok(), Some("深圳市"));
        assert_eq!(c.province.map(|p| p.code), Some("44"));
        assert_eq!(c.city(), Some("深圳"));
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn comparing_is_symmetric(
            a in "[北京华兴星科技有限公司（）上海]{0,10}",
            b in "[北京华兴星科技有限责任公司上海分]{0,10}",
            same_mobile in any::<bool>(),
        ) {
            let mut x = Candidate::new(1, "A", &a, None);
            let mut y = Candidate::new(2, "B", &b, None);
            x.add_contact(Some("王总"), Some("13812345678"), None, None);
            y.add_contact(Some("王经理"), Some(if same_mobile { "13812345678" } else { "13912345678" }), None, None);
            prop_assert_eq!(score(&x, &y), score(&y, &x));
            let m = compare(&x, &y);
            prop_assert!(m.score <= 100);
            prop_assert_eq!(m.level, Level::of(m.score).filter(|_| score(&x, &y).is_some()));
        }
    }
}
