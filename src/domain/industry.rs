//! GB/T 4754-2017 国民经济行业分类: sections (门类 A–T, 20) and divisions (大类 01–97, 97).
//!
//! Data comes from `data/gbt4754-2017-sections.csv` and `data/gbt4754-2017-divisions.csv`,
//! embedded with `include_str!` and parsed once into a [`OnceLock`]. Groups (中类, 3
//! digits) and classes (小类, 4 digits) are not tabulated: `I651` / `I6510` / `6510`
//! are accepted and reduced to their division without checking the class exists.
//!
//! [`parse_industry`] accepts, after NFKC and with whitespace ignored:
//!
//! 1. a code: section letter (`C`, `c`), division (`39`, `C39`, `I65`), group or class
//!    (`I651`, `I6510`, `6510`); a one-digit number is a division with its leading zero
//!    lost by a spreadsheet (`1` = `01`). A letter that does not match the division's
//!    section (`C65`) is an error. A code may be followed by a name (`I65 软件和信息技术服务业`,
//!    `C(制造业)`), which must agree with it;
//! 2. the exact Chinese name of a division or section, with or without `、` / `，`
//!    (`信息传输软件和信息技术服务业`). Three sections have a single division of the same
//!    name — K 房地产业, P 教育, T 国际组织 — and these names give the division
//!    (K70, P83, T97);
//! 3. a 2011-edition division name that was renamed in 2017 (`LEGACY_2011`), mapped to
//!    the 2017 division. 2011 *codes* are not accepted (codes are always 2017; 2011
//!    codes 79–96 moved to 80–97);
//! 4. a clerk alias (`ALIASES`), also with a trailing `业` / `行业` (`物流业`, `IT行业`);
//! 5. a name missing its final `业` (`纺织` → C17 纺织业, `娱乐` → R90 娱乐业);
//! 6. a fragment contained in exactly one division name (`汽车` → C36, `科技` → M75
//!    科技推广和应用服务业), or, when no division name contains it, in exactly one
//!    section name (`交通运输` → G). Fragments found in several names are an error that
//!    lists the candidates.
//!
//! Clerk aliases (step 4), checked against the CSV:
//!
//! | typed | result | |
//! | --- | --- | --- |
//! | `IT`, `IT服务`, `软件`, `信息技术`, `software` | I65 | 软件和信息技术服务业 |
//! | `互联网`, `internet` | I64 | 互联网和相关服务 |
//! | `制造`, `manufacturing` | C | 制造业 |
//! | `电力` | D | 电力、热力、燃气及水生产和供应业 |
//! | `建筑`, `construction` | E | 建筑业 |
//! | `贸易`, `商贸`, `trade` | F | 批发和零售业 |
//! | `批发`, `wholesale` | F51 | 批发业 |
//! | `零售`, `retail` | F52 | 零售业 |
//! | `物流`, `运输`, `logistics` | G | 交通运输、仓储和邮政业 |
//! | `快递` | G60 | 邮政业 |
//! | `酒店` | H61 | 住宿业 |
//! | `餐饮`, `catering` | H62 | 餐饮业 |
//! | `金融`, `finance` | J | 金融业 |
//! | `银行` | J66 | 货币金融服务 |
//! | `证券` | J67 | 资本市场服务 |
//! | `房地产`, `real estate` | K | 房地产业 |
//! | `物业`, `物业管理`, `房地产开发` | K70 | 房地产业 |
//! | `咨询`, `广告`, `consulting` | L72 | 商务服务业 |
//! | `研发` | M73 | 研究和试验发展 |
//! | `环保` | N77 | 生态保护和环境治理业 |
//! | `医疗`, `healthcare` | Q84 | 卫生 |
//! | `化工` | C26 | 化学原料和化学制品制造业 |
//! | `education` | P83 | 教育 |
//! | `agriculture` | A01 | 农业 |
//!
//! Words that are exact names need no alias: `教育` → P83 (the only division of P),
//! `卫生` → Q84, `农业` → A01. `医疗` follows `卫生` (hospitals are class 841 under 84).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

const SECTIONS_CSV: &str = include_str!("data/gbt4754-2017-sections.csv");
const DIVISIONS_CSV: &str = include_str!("data/gbt4754-2017-divisions.csv");

/// Clerk aliases → code (see the table in the module doc). Keys are matched after NFKC,
/// lowercasing and removal of whitespace.
const ALIASES: &[(&str, &str)] = &[
    ("IT", "I65"),
    ("IT服务", "I65"),
    ("软件", "I65"),
    ("信息技术", "I65"),
    ("software", "I65"),
    ("互联网", "I64"),
    ("internet", "I64"),
    ("制造", "C"),
    ("manufacturing", "C"),
    ("化工", "C26"),
    ("电力", "D"),
    ("建筑", "E"),
    ("construction", "E"),
    ("贸易", "F"),
    ("商贸", "F"),
    ("trade", "F"),
    ("批发", "F51"),
    ("wholesale", "F51"),
    ("零售", "F52"),
    ("retail", "F52"),
    ("物流", "G"),
    ("运输", "G"),
    ("logistics", "G"),
    ("快递", "G60"),
    ("酒店", "H61"),
    ("餐饮", "H62"),
    ("catering", "H62"),
    ("金融", "J"),
    ("finance", "J"),
    ("银行", "J66"),
    ("证券", "J67"),
    ("房地产", "K"),
    ("real estate", "K"),
    ("物业", "K70"),
    ("物业管理", "K70"),
    ("房地产开发", "K70"),
    ("咨询", "L72"),
    ("广告", "L72"),
    ("consulting", "L72"),
    ("研发", "M73"),
    ("环保", "N77"),
    ("医疗", "Q84"),
    ("healthcare", "Q84"),
    ("education", "P83"),
    ("agriculture", "A01"),
];

/// 2011-edition division names renamed in 2017 → 2017 division. (2011 names of the
/// divisions renumbered 79–96 → 80–97 are unchanged and match the 2017 list directly.)
const LEGACY_2011: &[(&str, u8)] = &[
    ("农、林、牧、渔服务业", 5),
    ("开采辅助活动", 11),
    ("石油加工、炼焦和核燃料加工业", 25),
    ("建筑装饰和其他建筑业", 50),
    ("装卸搬运和运输代理业", 58),
    ("仓储业", 59),
    ("广播、电视、电影和影视录音制作业", 87),
    ("基层群众自治组织", 96),
];

/// Characters removed before any matching: zero-width space/joiners, word joiner, BOM.
const INVISIBLE: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Punctuation ignored inside names (`信息传输、软件…` = `信息传输软件…`).
const NAME_PUNCTUATION: [char; 4] = ['、', ',', '，', '·'];

/// Separators allowed between a code and a following name (`I65-软件…`, `C(制造业)`).
const CODE_NAME_SEPARATORS: [char; 16] = [
    '-', '_', ':', '：', '.', '。', '、', ',', '，', '(', ')', '[', ']', '【', '】', '|',
];

/// 门类: a letter and a contiguous range of divisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Section {
    pub letter: char,
    pub name: &'static str,
    /// First division of the section.
    pub from: u8,
    /// Last division of the section (inclusive).
    pub to: u8,
}

impl Section {
    /// True when `division` lies in this section's range.
    pub fn contains(&self, division: u8) -> bool {
        (self.from..=self.to).contains(&division)
    }

    /// The section's divisions, in code order.
    pub fn divisions(&self) -> impl Iterator<Item = &'static Division> + use<> {
        let letter = self.letter;
        divisions().iter().filter(move |d| d.section == letter)
    }
}

/// 大类: two-digit division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Division {
    pub code: u8,
    pub name: &'static str,
    pub section: char,
}

/// A section, optionally narrowed to one of its divisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Industry {
    pub section: char,
    pub division: Option<u8>,
}

impl Industry {
    /// The whole section `letter` (`'C'` or `'c'`), if it exists.
    pub fn of_section(letter: char) -> Option<Industry> {
        section(letter).map(|s| Industry {
            section: s.letter,
            division: None,
        })
    }

    /// Division `code` with its section, if it exists.
    pub fn of_division(code: u8) -> Option<Industry> {
        division(code).map(|d| Industry {
            section: d.section,
            division: Some(d.code),
        })
    }

    /// All 20 sections followed by all 97 divisions.
    pub fn all() -> impl Iterator<Item = Industry> {
        let sections = sections().iter().filter_map(|s| Industry::of_section(s.letter));
        let divisions = divisions().iter().filter_map(|d| Industry::of_division(d.code));
        sections.chain(divisions)
    }

    /// `"C"` or `"C39"`.
    pub fn code(&self) -> String {
        match self.division {
            Some(d) => format!("{}{d:02}", self.section),
            None => self.section.to_string(),
        }
    }

    /// Division name when a division is set, else the section name (`""` if unknown).
    pub fn name(&self) -> &'static str {
        match self.division {
            Some(code) => division(code).map_or("", |d| d.name),
            None => self.section_name(),
        }
    }

    /// Name of the section (`""` if unknown).
    pub fn section_name(&self) -> &'static str {
        section(self.section).map_or("", |s| s.name)
    }
}

impl fmt::Display for Industry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl FromStr for Industry {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_industry(s)
    }
}

struct Tables {
    sections: Vec<Section>,
    divisions: Vec<Division>,
    /// Name keys: 2017 sections, 2017 divisions (win over sections), 2011 names.
    names: HashMap<String, Industry>,
    aliases: HashMap<String, Industry>,
    /// Division name keys in code order, for fragment search.
    division_keys: Vec<(String, Industry)>,
    /// Section name keys in letter order, for fragment search.
    section_keys: Vec<(String, Industry)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::load)
}

impl Tables {
    fn load() -> Tables {
        let sections: Vec<Section> = csv_rows(SECTIONS_CSV, 5).map(parse_section).collect();
        let divisions: Vec<Division> = csv_rows(DIVISIONS_CSV, 3).map(parse_division).collect();
        let section_keys: Vec<(String, Industry)> = sections
            .iter()
            .map(|s| {
                (
                    name_key(s.name),
                    Industry {
                        section: s.letter,
                        division: None,
                    },
                )
            })
            .collect();
        let division_keys: Vec<(String, Industry)> = divisions
            .iter()
            .map(|d| {
                (
                    name_key(d.name),
                    Industry {
                        section: d.section,
                        division: Some(d.code),
                    },
                )
            })
            .collect();
        let mut names: HashMap<String, Industry> = section_keys.iter().cloned().collect();
        names.extend(division_keys.iter().cloned());
        for (name, code) in LEGACY_2011 {
            let target = division_industry(&divisions, *code);
            names.entry(name_key(name)).or_insert(target);
        }
        let aliases = ALIASES
            .iter()
            .map(|(alias, code)| (name_key(alias), alias_target(&sections, &divisions, code)))
            .collect();
        Tables {
            sections,
            divisions,
            names,
            aliases,
            division_keys,
            section_keys,
        }
    }
}

/// Data rows of an embedded CSV (header skipped), each checked for `fields` fields.
/// The files have no quoted fields, so a plain split on `,` is exact.
fn csv_rows(csv: &'static str, fields: usize) -> impl Iterator<Item = Vec<&'static str>> {
    csv.lines()
        .skip(1)
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty())
        .map(move |line| {
            let row: Vec<&'static str> = line.split(',').collect();
            assert_eq!(row.len(), fields, "GB/T 4754 CSV: bad row {line:?}");
            row
        })
}

fn csv_u8(field: &str) -> u8 {
    field
        .parse()
        .unwrap_or_else(|_| panic!("GB/T 4754 CSV: bad number {field:?}"))
}

fn csv_letter(field: &str) -> char {
    match field.as_bytes() {
        [b] if b.is_ascii_uppercase() => char::from(*b),
        _ => panic!("GB/T 4754 CSV: bad section letter {field:?}"),
    }
}

fn parse_section(row: Vec<&'static str>) -> Section {
    Section {
        letter: csv_letter(row[0]),
        name: row[1],
        from: csv_u8(row[2]),
        to: csv_u8(row[3]),
    }
}

fn parse_division(row: Vec<&'static str>) -> Division {
    Division {
        code: csv_u8(row[0]),
        name: row[1],
        section: csv_letter(row[2]),
    }
}

fn division_industry(divisions: &[Division], code: u8) -> Industry {
    let d = divisions
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("GB/T 4754 table: no division {code:02}"));
    Industry {
        section: d.section,
        division: Some(d.code),
    }
}

/// Target of an alias written as `"C"` or `"I65"`, checked against the CSV.
fn alias_target(sections: &[Section], divisions: &[Division], code: &str) -> Industry {
    let letter = code.chars().next().expect("alias code is not empty");
    let section = sections
        .iter()
        .find(|s| s.letter == letter)
        .unwrap_or_else(|| panic!("alias code {code}: no section {letter}"));
    if code.len() == 1 {
        return Industry {
            section: section.letter,
            division: None,
        };
    }
    let target = division_industry(divisions, csv_u8(&code[1..]));
    assert_eq!(target.section, letter, "alias code {code}: wrong section");
    target
}

/// All 20 sections in letter order.
pub fn sections() -> &'static [Section] {
    &tables().sections
}

/// All 97 divisions in code order.
pub fn divisions() -> &'static [Division] {
    &tables().divisions
}

/// Section by letter (either case).
pub fn section(letter: char) -> Option<&'static Section> {
    let letter = letter.to_ascii_uppercase();
    sections().iter().find(|s| s.letter == letter)
}

/// Division by its number (1–97).
pub fn division(code: u8) -> Option<&'static Division> {
    divisions().iter().find(|d| d.code == code)
}

/// Parses an industry as clerks type it; see the module doc for the accepted forms.
pub fn parse_industry(input: &str) -> Result<Industry, String> {
    let text = compact(input);
    let head_len = text
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(text.len());
    let (head, rest) = text.split_at(head_len);
    match code_shape(head) {
        Some((letter, digits)) => {
            let code = resolve_code(letter, digits, input)?;
            let rest = rest.trim_matches(|c| CODE_NAME_SEPARATORS.contains(&c));
            if rest.is_empty() {
                return Ok(code);
            }
            reconcile(code, parse_name(rest, input)?)
        }
        None => parse_name(&text, input),
    }
}

fn unknown(input: &str) -> String {
    format!(
        "unknown industry {} (use a GB/T 4754-2017 section letter, 2-digit division or its Chinese name)",
        input.trim()
    )
}

/// NFKC, invisible characters and all whitespace removed.
fn compact(input: &str) -> String {
    input
        .nfkc()
        .filter(|c| !c.is_whitespace() && !INVISIBLE.contains(c))
        .collect()
}

/// Matching key of a name: [`compact`], lowercase, `、` and commas removed.
fn name_key(text: &str) -> String {
    compact(text)
        .chars()
        .filter(|c| !NAME_PUNCTUATION.contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits an ASCII code into an optional letter and 0–4 digits (`I6510` → `I`, `6510`).
fn code_shape(head: &str) -> Option<(Option<char>, &str)> {
    let first = head.chars().next()?;
    let (letter, digits) = if first.is_ascii_alphabetic() {
        (Some(first.to_ascii_uppercase()), &head[1..])
    } else {
        (None, head)
    };
    let is_digits = digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit());
    is_digits.then_some((letter, digits))
}

fn resolve_code(letter: Option<char>, digits: &str, input: &str) -> Result<Industry, String> {
    if digits.is_empty() {
        return letter
            .and_then(Industry::of_section)
            .ok_or_else(|| unknown(input));
    }
    let number: u8 = digits[..digits.len().min(2)]
        .parse()
        .map_err(|_| unknown(input))?;
    let found = division(number).ok_or_else(|| unknown(input))?;
    match letter {
        Some(l) if l != found.section => Err(format!(
            "industry code {l}{digits}: division {number:02} ({}) belongs to section {}, not {l}",
            found.name, found.section
        )),
        _ => Ok(Industry {
            section: found.section,
            division: Some(found.code),
        }),
    }
}

/// A code followed by a name: both must describe the same industry; the more specific
/// one is returned.
fn reconcile(code: Industry, named: Industry) -> Result<Industry, String> {
    let same_division = match (code.division, named.division) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    if code.section != named.section || !same_division {
        return Err(format!(
            "industry code {} ({}) does not match name {} ({})",
            code.code(),
            code.name(),
            named.name(),
            named.code()
        ));
    }
    Ok(if code.division.is_some() { code } else { named })
}

/// Steps 2–6 of the module doc on a name (no leading code).
fn parse_name(text: &str, input: &str) -> Result<Industry, String> {
    let key = name_key(text);
    if key.is_empty() {
        return Err(unknown(input));
    }
    let base = strip_nonempty(&key, "行业");
    let bare = strip_nonempty(base, "业");
    let t = tables();
    let found = t
        .names
        .get(&key)
        .or_else(|| t.names.get(base))
        .or_else(|| t.aliases.get(base))
        .or_else(|| t.aliases.get(bare))
        .or_else(|| t.names.get(&format!("{bare}业")));
    match found {
        Some(industry) => Ok(*industry),
        None => by_fragment(base, input),
    }
}

fn strip_nonempty<'a>(text: &'a str, suffix: &str) -> &'a str {
    text.strip_suffix(suffix)
        .filter(|rest| !rest.is_empty())
        .unwrap_or(text)
}

/// Step 6: the one division name (else the one section name) containing `key`.
fn by_fragment(key: &str, input: &str) -> Result<Industry, String> {
    let t = tables();
    let containing = |list: &[(String, Industry)]| -> Vec<Industry> {
        list.iter()
            .filter(|(name, _)| name.contains(key))
            .map(|(_, industry)| *industry)
            .collect()
    };
    let mut matches = containing(&t.division_keys);
    if matches.is_empty() {
        matches = containing(&t.section_keys);
    }
    match matches.as_slice() {
        [] => Err(unknown(input)),
        [one] => Ok(*one),
        many => Err(ambiguous(input, many)),
    }
}

fn ambiguous(input: &str, matches: &[Industry]) -> String {
    const SHOWN: usize = 4;
    let mut listed: Vec<String> = matches
        .iter()
        .take(SHOWN)
        .map(|i| format!("{} {}", i.code(), i.name()))
        .collect();
    if matches.len() > SHOWN {
        listed.push(format!("and {} more", matches.len() - SHOWN));
    }
    format!(
        "ambiguous industry {}: matches {} (use a 2-digit division code)",
        input.trim(),
        listed.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(input: &str) -> String {
        parse_industry(input)
            .map(|i| i.code())
            .unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    #[test]
    fn counts() {
        assert_eq!(sections().len(), 20);
        assert_eq!(divisions().len(), 97);
        let per_section: Vec<String> = sections()
            .iter()
            .map(|s| format!("{}{}", s.letter, s.divisions().count()))
            .collect();
        assert_eq!(
            per_section.join(" "),
            "A5 B7 C31 D3 E4 F2 G8 H2 I3 J4 K1 L2 M3 N4 O3 P1 Q2 R5 S6 T1"
        );
        assert_eq!(Industry::all().count(), 117);
    }

    #[test]
    fn sections_match_csv_ranges_and_counts() {
        let letters: String = sections().iter().map(|s| s.letter).collect();
        assert_eq!(letters, "ABCDEFGHIJKLMNOPQRST");
        let codes: Vec<u8> = divisions().iter().map(|d| d.code).collect();
        assert_eq!(codes, (1..=97).collect::<Vec<u8>>());
        for row in csv_rows(SECTIONS_CSV, 5) {
            let s = section(csv_letter(row[0])).expect("section from CSV");
            assert_eq!(s.divisions().count(), usize::from(csv_u8(row[4])), "{}", s.letter);
            assert_eq!(usize::from(s.to - s.from + 1), s.divisions().count());
        }
        for d in divisions() {
            let s = section(d.section).expect("division's section");
            assert!(s.contains(d.code), "{:02} outside {}", d.code, s.letter);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(section('c').map(|s| s.name), Some("制造业"));
        assert_eq!(section('U'), None);
        assert_eq!(division(65).map(|d| d.name), Some("软件和信息技术服务业"));
        assert_eq!(division(0), None);
        assert_eq!(division(98), None);
        let i = Industry::of_division(39).expect("C39");
        assert_eq!(i.code(), "C39");
        assert_eq!(i.name(), "计算机、通信和其他电子设备制造业");
        assert_eq!(i.section_name(), "制造业");
        assert_eq!(i.to_string(), "C39");
        let c = Industry::of_section('C').expect("C");
        assert_eq!((c.code().as_str(), c.name()), ("C", "制造业"));
        let bogus = Industry {
            section: 'Z',
            division: Some(99),
        };
        assert_eq!((bogus.name(), bogus.section_name()), ("", ""));
    }

    #[test]
    fn every_code_round_trips() {
        for industry in Industry::all() {
            let code = industry.code();
            assert_eq!(parse_industry(&code), Ok(industry), "{code}");
            assert_eq!(parse_industry(&code.to_lowercase()), Ok(industry), "{code}");
            assert_eq!(code.parse::<Industry>(), Ok(industry));
        }
    }

    #[test]
    fn code_forms() {
        for input in [
            "I65",
            "i65",
            "65",
            "I6510",
            "6510",
            "I651",
            "651",
            " I 65 ",
            "Ｉ６５",
            "I65 软件和信息技术服务业",
            "I65-软件",
            "65(IT)",
        ] {
            assert_eq!(parsed(input), "I65", "{input}");
        }
        assert_eq!(parsed("C"), "C");
        assert_eq!(parsed("c"), "C");
        assert_eq!(parsed("ｃ"), "C");
        assert_eq!(parsed("39"), "C39");
        assert_eq!(parsed("1"), "A01");
        assert_eq!(parsed("01"), "A01");
        assert_eq!(parsed("C 制造业"), "C");
        assert_eq!(parsed("C(计算机、通信和其他电子设备制造业)"), "C39");
        assert_eq!(parsed("C39 制造业"), "C39");
    }

    #[test]
    fn wrong_section_and_bad_codes() {
        assert_eq!(
            parse_industry("C65"),
            Err(
                "industry code C65: division 65 (软件和信息技术服务业) belongs to section I, not C"
                    .to_string()
            )
        );
        assert!(parse_industry("c6510").is_err());
        assert!(parse_industry("A39").is_err());
        for input in [
            "00",
            "98",
            "Z",
            "U12",
            "12345",
            "C39 软件和信息技术服务业",
            "I 制造业",
            "",
            "  ",
        ] {
            assert!(parse_industry(input).is_err(), "{input}");
        }
    }

    #[test]
    fn unknown_message() {
        assert_eq!(
            parse_industry("火箭科技"),
            Err("unknown industry 火箭科技 (use a GB/T 4754-2017 section letter, 2-digit division or its Chinese name)".to_string())
        );
    }

    #[test]
    fn every_division_name_parses_to_itself() {
        for d in divisions() {
            let want = Industry::of_division(d.code);
            assert_eq!(parse_industry(d.name).ok(), want, "{}", d.name);
            assert_eq!(parse_industry(&d.name.replace('、', "")).ok(), want, "{}", d.name);
            assert_eq!(
                parse_industry(&d.name.replace('、', " ")).ok(),
                want,
                "{}",
                d.name
            );
            let tagged = format!("{} {}", d.code, d.name);
            assert_eq!(parse_industry(&tagged).ok(), want, "{tagged}");
        }
    }

    #[test]
    fn section_names_parse_to_section_or_their_only_division() {
        for s in sections() {
            let want = match s.letter {
                'K' => "K70".to_string(),
                'P' => "P83".to_string(),
                'T' => "T97".to_string(),
                letter => letter.to_string(),
            };
            assert_eq!(parsed(s.name), want, "{}", s.name);
            assert_eq!(parsed(&s.name.replace('、', "")), want, "{}", s.name);
            assert_eq!(parsed(&s.name.replace('、', " ")), want, "{}", s.name);
        }
        assert_eq!(parsed("信息传输、软件和信息技术服务业"), "I");
        assert_eq!(parsed("制造业"), "C");
    }

    #[test]
    fn aliases() {
        let expected = [
            ("IT", "I65"),
            ("it", "I65"),
            ("互联网", "I64"),
            ("软件", "I65"),
            ("信息技术", "I65"),
            ("IT服务业", "I65"),
            ("IT 服务业", "I65"),
            ("IT行业", "I65"),
            ("制造", "C"),
            ("房地产", "K"),
            ("金融", "J"),
            ("教育", "P83"),
            ("医疗", "Q84"),
            ("卫生", "Q84"),
            ("建筑", "E"),
            ("物流", "G"),
            ("物流业", "G"),
            ("零售", "F52"),
            ("批发", "F51"),
            ("餐饮", "H62"),
            ("餐饮行业", "H62"),
            ("电力", "D"),
            ("农业", "A01"),
            ("咨询", "L72"),
            ("Real Estate", "K"),
            ("ＩＴ", "I65"),
        ];
        for (input, code) in expected {
            assert_eq!(parsed(input), code, "{input}");
        }
    }

    #[test]
    fn alias_table_is_consistent() {
        let t = tables();
        assert_eq!(t.aliases.len(), ALIASES.len(), "duplicate alias key");
        for (alias, code) in ALIASES {
            assert_eq!(parsed(alias), *code, "alias {alias} is shadowed");
        }
    }

    #[test]
    fn names_of_2011() {
        let expected = [
            ("农、林、牧、渔服务业", "A05"),
            ("开采辅助活动", "B11"),
            ("石油加工、炼焦和核燃料加工业", "C25"),
            ("建筑装饰和其他建筑业", "E50"),
            ("装卸搬运和运输代理业", "G58"),
            ("仓储业", "G59"),
            ("广播、电视、电影和影视录音制作业", "R87"),
            ("基层群众自治组织", "S96"),
            ("居民服务业", "O80"),
            ("国际组织", "T97"),
        ];
        for (input, code) in expected {
            assert_eq!(parsed(input), code, "{input}");
        }
        for (name, _) in LEGACY_2011 {
            let key = name_key(name);
            assert!(
                tables().division_keys.iter().all(|(k, _)| *k != key),
                "{name} is a 2017 name"
            );
        }
    }

    #[test]
    fn fragments_and_missing_suffix() {
        assert_eq!(parsed("纺织"), "C17");
        assert_eq!(parsed("纺织行业"), "C17");
        assert_eq!(parsed("娱乐"), "R90");
        assert_eq!(parsed("汽车"), "C36");
        assert_eq!(parsed("汽车行业"), "C36");
        assert_eq!(parsed("住宿"), "H61");
        assert_eq!(parsed("交通运输"), "G");
        assert_eq!(parsed("信息技术服务"), "I65");
        assert_eq!(parsed("科技"), "M75");
        let err = parse_industry("设备").expect_err("ambiguous");
        assert!(
            err.starts_with("ambiguous industry 设备: matches C34 通用设备制造业"),
            "{err}"
        );
        assert!(err.contains("more"), "{err}");
        assert!(parse_industry("业").is_err());
    }

    fn industry_strategy() -> impl Strategy<Value = Industry> {
        prop_oneof![
            (0usize..20).prop_map(|i| Industry::of_section(sections()[i].letter)),
            (1u8..=97).prop_map(Industry::of_division),
        ]
        .prop_filter_map("known industry", |i| i)
    }

    proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,30}") {
            let _ = parse_industry(&input);
        }

        #[test]
        fn never_panics_on_code_like_input(input in "[A-Za-z]?[0-9]{0,6}[ 、,()制造业软件]{0,4}") {
            let _ = parse_industry(&input);
        }

        #[test]
        fn code_round_trips(industry in industry_strategy()) {
            prop_assert_eq!(parse_industry(&industry.code()), Ok(industry));
        }

        #[test]
        fn name_round_trips(industry in industry_strategy()) {
            let parsed = parse_industry(industry.name());
            prop_assert!(parsed.is_ok());
            let parsed = parsed.unwrap_or(industry);
            prop_assert_eq!(parsed.section, industry.section);
            if industry.division.is_some() {
                prop_assert_eq!(parsed, industry);
            }
        }
    }
}
