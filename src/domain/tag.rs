//! Tags (标签): `dimension:value` (`意向:高`, `需求:采购设备`) or a plain label
//! (`长期稳定合作`, stored with the dimension `""`).
//!
//! Some dimensions are *derived*: kehu reads them from the record itself, so they are always
//! current and cannot be set by hand — 区域 (region, from the province), 省份 (province),
//! 行业 (the GB/T 4754 section of the industry), 阶段 (stage) and 等级 (tier). `地区`
//! names a region or a province, whichever its value is (`地区:华东`, `地区:上海`).
//! Every other dimension is stored: declared with `kehu tag dim add` (single-valued, with a
//! closed list of values) or born on first use.
//!
//! This module parses and checks; the store keeps the tags and the search index.

use std::fmt;

use super::choice::{Choice, Stage};
use super::industry::{Industry, parse_industry};
use super::region::{Province, Region, parse_province};
use super::{Invalid, text};

/// Longest dimension name, in characters.
pub const MAX_DIM_CHARS: usize = 32;
/// Longest value or label, in characters.
pub const MAX_VALUE_CHARS: usize = 64;

/// A stored tag. A plain label has the dimension `""`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    pub dim: String,
    pub value: String,
}

impl Tag {
    pub fn new(dim: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            dim: dim.into(),
            value: value.into(),
        }
    }

    /// Parses `dimension:value` or a plain label (a full-width `：` works too). Refuses an
    /// empty tag, `:` alone, an empty side, control characters and overlong parts.
    pub fn parse(input: &str) -> Result<Tag, Invalid> {
        let (dim, value) = split(input)?;
        if value == "*" {
            return Err(Invalid::new(
                "tag",
                input.trim(),
                "`*` means any value in a filter; it cannot be a tag",
            ));
        }
        Ok(Tag { dim, value })
    }

    /// The change-log field of this tag: `tag.意向`, or `tag` for a plain label.
    pub fn log_field(&self) -> String {
        log_field(&self.dim)
    }

    pub fn is_label(&self) -> bool {
        self.dim.is_empty()
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dim.is_empty() {
            f.write_str(&self.value)
        } else {
            write!(f, "{}:{}", self.dim, self.value)
        }
    }
}

/// The change-log field for a dimension: `tag.意向`, or `tag` for plain labels.
pub fn log_field(dim: &str) -> String {
    if dim.is_empty() {
        "tag".to_string()
    } else {
        format!("tag.{dim}")
    }
}

/// Cleans `input` and splits it into (dimension, value); `("", label)` for a plain label.
fn split(input: &str) -> Result<(String, String), Invalid> {
    if text::has_control_chars(input) {
        return Err(Invalid::new(
            "tag",
            input.escape_debug().to_string(),
            "contains control characters",
        ));
    }
    let cleaned = text::clean(input);
    let bad = |reason: &str| Invalid::new("tag", cleaned.clone(), reason);
    if cleaned.is_empty() {
        return Err(Invalid::new("tag", "", "empty tag"));
    }
    let (dim, value) = match cleaned.split_once(':') {
        Some((d, v)) => (d.trim(), v.trim()),
        None => ("", cleaned.as_str()),
    };
    if cleaned.contains(':') {
        match (dim.is_empty(), value.is_empty()) {
            (true, true) => {
                return Err(Invalid::new(
                    "tag",
                    "",
                    "`:` alone is not a tag (give dimension:value or a plain label)",
                ));
            }
            (true, false) => return Err(bad("empty dimension before `:`")),
            (false, true) => return Err(bad("empty value after `:`")),
            (false, false) => {}
        }
    }
    if dim.chars().count() > MAX_DIM_CHARS {
        return Err(bad(&format!("a dimension is at most {MAX_DIM_CHARS} characters")));
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(bad(&format!(
            "a tag value is at most {MAX_VALUE_CHARS} characters"
        )));
    }
    Ok((dim.to_string(), value.to_string()))
}

/// A dimension kehu derives from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Derived {
    Region,
    Province,
    Industry,
    Stage,
    Tier,
}

/// The dimension name that means a region or a province, whichever the value is.
pub const PLACE: &str = "地区";

impl Derived {
    pub const ALL: [Derived; 5] = [
        Derived::Region,
        Derived::Province,
        Derived::Industry,
        Derived::Stage,
        Derived::Tier,
    ];

    /// The Chinese name, which is also how tags show the dimension.
    pub fn zh(self) -> &'static str {
        match self {
            Derived::Region => "区域",
            Derived::Province => "省份",
            Derived::Industry => "行业",
            Derived::Stage => "阶段",
            Derived::Tier => "等级",
        }
    }

    /// The English key.
    pub fn key(self) -> &'static str {
        match self {
            Derived::Region => "region",
            Derived::Province => "province",
            Derived::Industry => "industry",
            Derived::Stage => "stage",
            Derived::Tier => "tier",
        }
    }

    /// The record field the dimension comes from.
    pub fn source(self) -> &'static str {
        match self {
            Derived::Region | Derived::Province => "province",
            Derived::Industry => "industry",
            Derived::Stage => "stage",
            Derived::Tier => "tier",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Derived::Region => &["大区", "所在区域"],
            Derived::Province => &["省", "所在省份"],
            Derived::Industry => &["所属行业", "行业类型", "行业分类"],
            Derived::Stage => &["合作阶段", "客户阶段"],
            Derived::Tier => &["客户等级"],
        }
    }

    /// The derived dimension called `name` (Chinese, English key or alias), if any.
    pub fn find(name: &str) -> Option<Derived> {
        let name = text::clean(name);
        let lower = name.to_lowercase();
        Derived::ALL
            .into_iter()
            .find(|d| d.zh() == name || d.key() == lower || d.aliases().contains(&name.as_str()))
    }

    /// Parses a value of this dimension as a person types it.
    pub fn resolve(self, value: &str) -> Result<DerivedValue, String> {
        match self {
            Derived::Region => Region::parse(value).map(DerivedValue::Region),
            Derived::Province => parse_province(value).map(DerivedValue::Province),
            Derived::Industry => parse_industry(value).map(DerivedValue::Industry),
            Derived::Stage => Stage::parse(value).map(DerivedValue::Stage),
            Derived::Tier => parse_tier(value).map(DerivedValue::Tier),
        }
    }
}

/// Whether `name` is a derived dimension (or `地区`), which only kehu sets.
pub fn is_derived_name(name: &str) -> bool {
    Derived::find(name).is_some() || text::clean(name) == PLACE
}

/// A value of a derived dimension, resolved to what the record holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DerivedValue {
    Region(Region),
    Province(&'static Province),
    /// A section letter matches the whole section; a division matches that division.
    Industry(Industry),
    Stage(Stage),
    /// A tier key (`core` …) or, for models with other classes, the label as written.
    Tier(String),
}

impl DerivedValue {
    pub fn dim(&self) -> Derived {
        match self {
            DerivedValue::Region(_) => Derived::Region,
            DerivedValue::Province(_) => Derived::Province,
            DerivedValue::Industry(_) => Derived::Industry,
            DerivedValue::Stage(_) => Derived::Stage,
            DerivedValue::Tier(_) => Derived::Tier,
        }
    }
}

/// The tiers of the standard model: key and Chinese label.
pub const TIERS: [(&str, &str); 4] = [
    ("core", "核心"),
    ("important", "重要"),
    ("ordinary", "普通"),
    ("potential", "潜在"),
];

/// Parses a tier: `core`, `核心`, `核心客户` → `core`; any other non-empty text (a class of
/// another model, e.g. `稳定`) is kept as written.
pub fn parse_tier(input: &str) -> Result<String, String> {
    let cleaned = text::clean(input);
    if cleaned.is_empty() {
        return Err("empty tier".into());
    }
    let lower = cleaned.to_lowercase();
    let bare = cleaned.strip_suffix("客户").unwrap_or(&cleaned);
    Ok(TIERS
        .iter()
        .find(|(key, zh)| *key == lower || *zh == bare)
        .map_or(cleaned.clone(), |(key, _)| key.to_string()))
}

/// The label of a stored tier: `核心` / `core` for the standard keys, else as stored.
pub fn tier_label(stored: &str, zh: bool) -> String {
    match TIERS.iter().find(|(key, _)| *key == stored) {
        Some((key, label)) => if zh { label } else { key }.to_string(),
        None => stored.to_string(),
    }
}

/// One condition of a tag filter (`--tag`, `--any-tag`, `--not-tag`, `--where-tag`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagCond {
    /// The customer has this stored tag.
    Stored(Tag),
    /// The customer has some value of this stored dimension (`意向:*`).
    StoredDim(String),
    /// The record has this derived value.
    Derived(DerivedValue),
    /// The record has some value of this derived dimension (`等级:*`).
    DerivedDim(Derived),
}

impl TagCond {
    /// Parses a filter tag: like [`Tag::parse`], plus `dim:*` for any value of a dimension;
    /// derived dimensions resolve to the record values they mean.
    pub fn parse(input: &str) -> Result<TagCond, Invalid> {
        let (dim, value) = split(input)?;
        let bad = |reason: String| Invalid::new("tag", format!("{dim}:{value}"), reason);
        if dim.is_empty() {
            if value == "*" {
                return Err(bad("`*` needs a dimension (e.g. 意向:*)".into()));
            }
            return Ok(TagCond::Stored(Tag { dim, value }));
        }
        if dim == PLACE {
            if value == "*" {
                return Ok(TagCond::DerivedDim(Derived::Province));
            }
            return Region::parse(&value)
                .map(DerivedValue::Region)
                .or_else(|_| parse_province(&value).map(DerivedValue::Province))
                .map(TagCond::Derived)
                .map_err(|_| bad(format!("{PLACE} takes a region (华东 …) or a province (上海 …)")));
        }
        match Derived::find(&dim) {
            Some(d) if value == "*" => Ok(TagCond::DerivedDim(d)),
            Some(d) => d.resolve(&value).map(TagCond::Derived).map_err(bad),
            None if value == "*" => Ok(TagCond::StoredDim(dim)),
            None => Ok(TagCond::Stored(Tag { dim, value })),
        }
    }
}

/// A stored dimension: whether it keeps one value per customer, and its closed list of
/// values, if declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDim {
    pub name: String,
    pub single: bool,
    pub allowed: Option<Vec<String>>,
}

impl TagDim {
    /// A dimension that appears on first use: multi-valued, any value.
    pub fn open(name: &str) -> Self {
        Self {
            name: name.to_string(),
            single: false,
            allowed: None,
        }
    }

    /// The value as this dimension keeps it (its declared spelling, matched without regard to
    /// ASCII case), or why it is refused.
    pub fn check(&self, value: &str) -> Result<String, String> {
        match &self.allowed {
            None => Ok(value.to_string()),
            Some(list) => list
                .iter()
                .find(|v| v.eq_ignore_ascii_case(value))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "{} has no value {value} (values: {})",
                        self.label(),
                        list.join(", ")
                    )
                }),
        }
    }

    /// How messages name the dimension.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            "a plain label".into()
        } else {
            self.name.clone()
        }
    }
}

/// Checks a dimension name for `kehu tag dim add`: a valid, non-derived name.
pub fn parse_dim_name(input: &str) -> Result<String, Invalid> {
    let (dim, value) = split(&format!("{}:x", input.trim()))
        .map_err(|e| Invalid::new("dimension", input.trim(), e.reason))?;
    let bad = |reason: &str| Invalid::new("dimension", input.trim(), reason);
    if value != "x" || dim.contains('*') {
        return Err(bad("a dimension name cannot contain `:` or `*`"));
    }
    if is_derived_name(&dim) {
        return Err(bad("is derived from the record by kehu and cannot be declared"));
    }
    Ok(dim)
}

/// Parses a declared list of values (`高,中,低`; `，` and `、` separate too).
pub fn parse_values(input: &str) -> Result<Vec<String>, Invalid> {
    let mut values: Vec<String> = Vec::new();
    for piece in text::clean(input).split([',', '，', '、']) {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let tag = Tag::parse(piece).map_err(|e| Invalid::new("values", input.trim(), e.reason))?;
        if !tag.is_label() {
            return Err(Invalid::new("values", piece, "a value cannot contain `:`"));
        }
        if !values.iter().any(|v| v.eq_ignore_ascii_case(&tag.value)) {
            values.push(tag.value);
        }
    }
    if values.is_empty() {
        return Err(Invalid::new("values", input.trim(), "no values given"));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_dimension_value_and_labels() {
        assert_eq!(Tag::parse("意向:高").unwrap(), Tag::new("意向", "高"));
        assert_eq!(Tag::parse(" 意向 ： 高 ").unwrap(), Tag::new("意向", "高"));
        assert_eq!(Tag::parse("长期稳定合作").unwrap(), Tag::new("", "长期稳定合作"));
        assert_eq!(Tag::parse("时间:2024:Q1").unwrap(), Tag::new("时间", "2024:Q1"));
        assert_eq!(Tag::parse("ＶＩＰ").unwrap(), Tag::new("", "VIP"));
        assert_eq!(Tag::parse("意向:高").unwrap().to_string(), "意向:高");
        assert_eq!(Tag::parse("意向:高").unwrap().log_field(), "tag.意向");
        assert_eq!(Tag::parse("VIP").unwrap().log_field(), "tag");
    }

    #[test]
    fn refuses_bad_tags_with_a_reason() {
        let reason = |s: &str| Tag::parse(s).unwrap_err().reason;
        assert_eq!(reason(""), "empty tag");
        assert_eq!(reason("   "), "empty tag");
        assert!(reason(":").contains("`:` alone"));
        assert!(reason(" ： ").contains("`:` alone"));
        assert!(reason(":高").contains("empty dimension"));
        assert!(reason("意向:").contains("empty value"));
        assert!(reason("意\u{7}向:高").contains("control characters"));
        assert!(reason("意向:*").contains("any value"));
        assert!(reason(&"长".repeat(65)).contains("at most 64"));
        assert!(reason(&format!("{}:x", "维".repeat(33))).contains("at most 32"));
    }

    #[test]
    fn derived_dimensions_resolve_to_record_values() {
        let cond = |s: &str| TagCond::parse(s).unwrap();
        assert_eq!(
            cond("区域:华东"),
            TagCond::Derived(DerivedValue::Region(Region::East))
        );
        assert_eq!(
            cond("region:east"),
            TagCond::Derived(DerivedValue::Region(Region::East))
        );
        assert_eq!(
            cond("行业:制造业"),
            TagCond::Derived(DerivedValue::Industry(Industry::of_section('C').unwrap()))
        );
        assert_eq!(
            cond("行业:IT服务业"),
            TagCond::Derived(DerivedValue::Industry(Industry::of_division(65).unwrap()))
        );
        assert_eq!(
            cond("阶段:成交"),
            TagCond::Derived(DerivedValue::Stage(Stage::Customer))
        );
        assert_eq!(
            cond("等级:核心客户"),
            TagCond::Derived(DerivedValue::Tier("core".into()))
        );
        assert_eq!(
            cond("等级:稳定"),
            TagCond::Derived(DerivedValue::Tier("稳定".into()))
        );
        match cond("地区:上海") {
            TagCond::Derived(DerivedValue::Province(p)) => assert_eq!(p.name, "上海市"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            cond("地区:华南"),
            TagCond::Derived(DerivedValue::Region(Region::South))
        );
        assert_eq!(cond("等级:*"), TagCond::DerivedDim(Derived::Tier));
        assert_eq!(cond("意向:*"), TagCond::StoredDim("意向".into()));
        assert_eq!(cond("意向:高"), TagCond::Stored(Tag::new("意向", "高")));
        let err = TagCond::parse("区域:火星").unwrap_err();
        assert_eq!(err.to_string(), "tag 区域:火星: unknown region 火星");
        assert!(TagCond::parse("地区:火星").is_err());
        assert!(TagCond::parse("*").is_err());
    }

    #[test]
    fn declared_dimensions_check_their_values() {
        let dim = TagDim {
            name: "意向".into(),
            single: true,
            allowed: Some(vec!["高".into(), "中".into(), "低".into(), "VIP".into()]),
        };
        assert_eq!(dim.check("高"), Ok("高".into()));
        assert_eq!(dim.check("vip"), Ok("VIP".into()));
        assert_eq!(
            dim.check("强").unwrap_err(),
            "意向 has no value 强 (values: 高, 中, 低, VIP)"
        );
        assert_eq!(TagDim::open("需求").check("任何"), Ok("任何".into()));
    }

    #[test]
    fn dimension_names_and_value_lists() {
        assert_eq!(parse_dim_name(" 意向 ").unwrap(), "意向");
        assert!(parse_dim_name("区域").unwrap_err().reason.contains("derived"));
        assert!(parse_dim_name("tier").unwrap_err().reason.contains("derived"));
        assert!(parse_dim_name("地区").is_err());
        assert!(parse_dim_name("a:b").is_err());
        assert!(parse_dim_name("").is_err());
        assert_eq!(parse_values("高,中，低、高").unwrap(), ["高", "中", "低"]);
        assert!(parse_values(" , ").is_err());
        assert!(parse_values("a:b").is_err());
    }

    #[test]
    fn tiers_parse_and_label() {
        assert_eq!(parse_tier("Core").unwrap(), "core");
        assert_eq!(parse_tier("重要客户").unwrap(), "important");
        assert_eq!(parse_tier("一般").unwrap(), "一般");
        assert!(parse_tier(" ").is_err());
        assert_eq!(tier_label("core", true), "核心");
        assert_eq!(tier_label("core", false), "core");
        assert_eq!(tier_label("稳定", false), "稳定");
    }

    proptest! {
        #[test]
        fn a_parsed_tag_reparses_to_itself(input in "\\PC{0,40}") {
            if let Ok(tag) = Tag::parse(&input) {
                prop_assert!(!tag.value.is_empty());
                prop_assert!(!tag.dim.contains(':'));
                prop_assert_eq!(Tag::parse(&tag.to_string()).unwrap(), tag);
            }
        }

        #[test]
        fn control_characters_are_always_refused(
            head in "[a-z意向]{0,5}", c in proptest::char::range('\u{0}', '\u{1f}'), tail in "[a-z高]{0,5}"
        ) {
            prop_assume!(!matches!(c, '\n' | '\r' | '\t'));
            let input = format!("{head}{c}{tail}");
            prop_assert!(Tag::parse(&input).is_err());
            prop_assert!(TagCond::parse(&input).is_err());
        }
    }
}
