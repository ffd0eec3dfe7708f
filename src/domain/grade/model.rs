//! Grading models, read from TOML.
//!
//! A **weighted** model scores each indicator by bands (first band that matches wins),
//! averages the points per dimension, adds the dimensions by weight (percent, summing to
//! 100) and cuts the total into tiers; gates (such as "no deal → 潜在") override the cut.
//! A **rule** model tries its rules in order and the first whose conditions all hold gives
//! the tier. See `fixtures/models/` for one of each and the README for the format.
//!
//! [`Model::parse`] refuses a malformed file with the line and what is wrong.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::indicators::{Indicator, Kind};
use crate::domain::Invalid;

/// The built-in `standard` model (spec §5).
pub const STANDARD: &str = include_str!("standard.toml");

/// A validated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    pub description: Option<String>,
    /// Best first.
    pub tiers: Vec<Tier>,
    pub scoring: Scoring,
    /// SHA-256 of the file's text (hex).
    pub sha256: String,
    /// The file's text, kept with each run so results can be explained later.
    pub text: String,
    /// Every indicator the model reads, in a stable order.
    used: Vec<Indicator>,
    /// Whether any condition looks at per-year order totals.
    uses_years: bool,
}

/// A tier (or class): a stable key and the label people see.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub key: String,
    pub label: String,
    /// Weighted models: the lowest total that reaches the tier (`None` for the last).
    pub min: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scoring {
    Weighted(Weighted),
    Rules(Vec<Rule>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    pub gates: Vec<Gate>,
    pub dimensions: Vec<Dimension>,
}

/// A condition that sends a customer to a tier whatever the score.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub tier: usize,
    pub reason: Option<String>,
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub key: String,
    pub label: String,
    /// Percent.
    pub weight: Decimal,
    pub indicators: Vec<Scored>,
}

/// An indicator scored by bands.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub indicator: Indicator,
    /// The last band has no bounds and catches every other value.
    pub bands: Vec<Band>,
    /// Points when the value is missing.
    pub missing_points: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub bounds: Bounds,
    pub points: Decimal,
}

/// Bounds on a value, all of which must hold; none means "any value".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bounds {
    pub min: Option<Decimal>,
    pub above: Option<Decimal>,
    pub max: Option<Decimal>,
    pub below: Option<Decimal>,
}

impl Bounds {
    fn is_empty(&self) -> bool {
        self.min.is_none() && self.above.is_none() && self.max.is_none() && self.below.is_none()
    }

    fn thresholds(&self) -> impl Iterator<Item = Decimal> {
        [self.min, self.above, self.max, self.below].into_iter().flatten()
    }

    /// `≥ 100000`, `> 0 and ≤ 2`, `any`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            ("≥", self.min),
            (">", self.above),
            ("≤", self.max),
            ("<", self.below),
        ]
        .into_iter()
        .filter_map(|(op, v)| v.map(|v| format!("{op} {}", v.normalize())))
        .collect();
        if parts.is_empty() {
            "any".into()
        } else {
            parts.join(" and ")
        }
    }
}

/// A rule of a rule model: the tier it gives when every condition holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub tier: usize,
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The indicator is present and within the bounds.
    Indicator {
        indicator: Indicator,
        bounds: Bounds,
    },
    /// At least `years` consecutive calendar years, each with orders totalling ≥ `each_min`.
    ConsecutiveYears {
        years: u32,
        each_min: Decimal,
    },
    /// Whether the customer has any deal.
    Deal(bool),
    Any(Vec<Condition>),
    All(Vec<Condition>),
}

impl Condition {
    /// `trade_12m ≥ 500000`, `3 consecutive years each ≥ 500000`, `deal`, `any of (…)`.
    pub fn describe(&self) -> String {
        match self {
            Condition::Indicator { indicator, bounds } => {
                format!("{indicator} {}", bounds.describe())
            }
            Condition::ConsecutiveYears { years, each_min } => {
                format!("{years} consecutive years each ≥ {}", each_min.normalize())
            }
            Condition::Deal(true) => "deal".into(),
            Condition::Deal(false) => "no deal".into(),
            Condition::Any(cs) => format!("any of ({})", describe_all(cs, " | ")),
            Condition::All(cs) => format!("all of ({})", describe_all(cs, " & ")),
        }
    }

    fn indicators(&self, out: &mut Vec<Indicator>) {
        match self {
            Condition::Indicator { indicator, .. } => out.push(*indicator),
            Condition::Any(cs) | Condition::All(cs) => cs.iter().for_each(|c| c.indicators(out)),
            Condition::ConsecutiveYears { .. } | Condition::Deal(_) => {}
        }
    }

    fn uses_years(&self) -> bool {
        match self {
            Condition::ConsecutiveYears { .. } => true,
            Condition::Any(cs) | Condition::All(cs) => cs.iter().any(Condition::uses_years),
            Condition::Indicator { .. } | Condition::Deal(_) => false,
        }
    }
}

fn used(scoring: &Scoring) -> (Vec<Indicator>, bool) {
    let mut out = Vec::new();
    let conditions: Vec<&Condition> = match scoring {
        Scoring::Weighted(w) => {
            for d in &w.dimensions {
                out.extend(d.indicators.iter().map(|s| s.indicator));
            }
            w.gates.iter().flat_map(|g| &g.when).collect()
        }
        Scoring::Rules(rules) => rules.iter().flat_map(|r| &r.when).collect(),
    };
    conditions.iter().for_each(|c| c.indicators(&mut out));
    out.sort();
    out.dedup();
    (out, conditions.iter().any(|c| c.uses_years()))
}

fn describe_all(cs: &[Condition], sep: &str) -> String {
    cs.iter().map(Condition::describe).collect::<Vec<_>>().join(sep)
}

impl Model {
    /// The built-in `standard` model.
    pub fn standard() -> Model {
        Model::parse(STANDARD, "standard (built in)").expect("the built-in model is valid")
    }

    /// Parses and validates a model file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Model, Invalid> {
        let raw: ModelToml = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start);
            model_error(file, text, at, e.message().trim_end_matches('\n'))
        })?;
        validate(raw, text).map_err(|(at, message)| model_error(file, text, Some(at), &message))
    }

    pub fn is_weighted(&self) -> bool {
        matches!(self.scoring, Scoring::Weighted(_))
    }

    /// Every indicator the model reads, in a stable order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.used
    }

    /// Whether any condition looks at per-year order totals.
    pub fn uses_years(&self) -> bool {
        self.uses_years
    }

    /// Finds a tier by key (any case), label, or label + 客户 (`核心客户`).
    pub fn tier_by_name(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.tiers.iter().position(|t| {
            t.key.eq_ignore_ascii_case(name)
                || t.label == name
                || name.strip_suffix("客户") == Some(t.label.as_str())
        })
    }

    pub fn tier_by_key(&self, key: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.key == key)
    }

    /// `核心/core, 重要/important, …` for messages.
    pub fn tier_list(&self) -> String {
        self.tiers
            .iter()
            .map(|t| format!("{}/{}", t.label, t.key))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn model_error(file: &str, text: &str, at: Option<usize>, message: &str) -> Invalid {
    let message = message.trim().to_string();
    match at {
        Some(at) => {
            let line = text[..at.min(text.len())].matches('\n').count() + 1;
            Invalid::new("model", format!("{file} line {line}"), message)
        }
        None => Invalid::new("model", file, message),
    }
}

// ---- the file format -------------------------------------------------------------------

/// A number in a model file: an integer, a float or a string (`"0.5"`), kept exact.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Num(Decimal);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                // The shortest text that reads back as `v` is what the file says (0.1 → "0.1").
                v.to_string()
                    .parse()
                    .map(Num)
                    .map_err(|_| E::custom(format!("{v} is not a usable number")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                v.trim()
                    .parse()
                    .map(Num)
                    .map_err(|_| E::custom(format!("{v:?} is not a number")))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Indicator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        Indicator::from_key(&key).ok_or_else(|| {
            let known: Vec<&str> = Indicator::ALL.iter().map(|i| i.key()).collect();
            de::Error::custom(format!("unknown indicator `{key}` (known: {})", known.join(", ")))
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum KindToml {
    Weighted,
    Rule,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelToml {
    name: Spanned<String>,
    kind: Spanned<KindToml>,
    description: Option<String>,
    missing_points: Option<Spanned<Num>>,
    #[serde(default)]
    tiers: Vec<Spanned<TierToml>>,
    #[serde(default)]
    gates: Vec<Spanned<GateToml>>,
    #[serde(default)]
    dimensions: Vec<Spanned<DimensionToml>>,
    #[serde(default)]
    rules: Vec<Spanned<RuleToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierToml {
    key: String,
    label: String,
    min: Option<Spanned<Num>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateToml {
    tier: Spanned<String>,
    reason: Option<String>,
    when: Vec<Spanned<ConditionToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DimensionToml {
    key: String,
    label: Option<String>,
    weight: Spanned<Num>,
    indicators: Vec<Spanned<ScoredToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoredToml {
    indicator: Indicator,
    bands: Vec<Spanned<BandToml>>,
    missing_points: Option<Num>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandToml {
    min: Option<Num>,
    above: Option<Num>,
    max: Option<Num>,
    below: Option<Num>,
    points: Num,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    tier: Spanned<String>,
    #[serde(default)]
    when: Vec<Spanned<ConditionToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionToml {
    indicator: Option<Indicator>,
    min: Option<Num>,
    above: Option<Num>,
    max: Option<Num>,
    below: Option<Num>,
    consecutive_years: Option<u32>,
    each_min: Option<Num>,
    deal: Option<bool>,
    any: Option<Vec<Spanned<ConditionToml>>>,
    all: Option<Vec<Spanned<ConditionToml>>>,
}

// ---- validation ------------------------------------------------------------------------

/// A problem at a byte offset of the file.
type Problem = (usize, String);

fn at<T>(s: &Spanned<T>) -> usize {
    s.span().start
}

fn validate(raw: ModelToml, text: &str) -> Result<Model, Problem> {
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err((at(&raw.name), "name must not be empty".into()));
    }
    let weighted = matches!(raw.kind.get_ref(), KindToml::Weighted);
    let kind_at = at(&raw.kind);
    let tiers = tiers(&raw.tiers, weighted, kind_at)?;
    let tier_index = |s: &Spanned<String>| {
        let key = s.get_ref().trim();
        tiers.iter().position(|t| t.key == key).ok_or_else(|| {
            let keys: Vec<&str> = tiers.iter().map(|t| t.key.as_str()).collect();
            (
                at(s),
                format!("unknown tier `{key}` (tiers: {})", keys.join(", ")),
            )
        })
    };
    let scoring = if weighted {
        if let Some(r) = raw.rules.first() {
            return Err((at(r), "rules belong to rule models (kind = \"rule\")".into()));
        }
        let missing = raw
            .missing_points
            .as_ref()
            .map_or(Decimal::from(40), |m| m.get_ref().0);
        if raw.dimensions.is_empty() {
            return Err((kind_at, "a weighted model needs [[dimensions]]".into()));
        }
        let mut dimensions = Vec::new();
        let mut total_weight = Decimal::ZERO;
        for d in &raw.dimensions {
            let dim = dimension(d, missing)?;
            if dimensions.iter().any(|x: &Dimension| x.key == dim.key) {
                return Err((at(d), format!("dimension `{}` appears twice", dim.key)));
            }
            total_weight += dim.weight;
            dimensions.push(dim);
        }
        if total_weight != Decimal::ONE_HUNDRED {
            let first = at(&raw.dimensions[0]);
            return Err((
                first,
                format!(
                    "dimension weights add up to {}, not 100",
                    total_weight.normalize()
                ),
            ));
        }
        let mut gates = Vec::new();
        for g in &raw.gates {
            let gate = g.get_ref();
            gates.push(Gate {
                tier: tier_index(&gate.tier)?,
                reason: gate.reason.clone(),
                when: conditions(&gate.when)?,
            });
        }
        Scoring::Weighted(Weighted { gates, dimensions })
    } else {
        if let Some(d) = raw.dimensions.first() {
            return Err((
                at(d),
                "dimensions belong to weighted models (kind = \"weighted\")".into(),
            ));
        }
        if let Some(g) = raw.gates.first() {
            return Err((
                at(g),
                "gates belong to weighted models; in a rule model write the gate as an earlier rule".into(),
            ));
        }
        if let Some(m) = &raw.missing_points {
            return Err((at(m), "missing_points belongs to weighted models".into()));
        }
        let Some(last) = raw.rules.last() else {
            return Err((kind_at, "a rule model needs [[rules]]".into()));
        };
        if !last.get_ref().when.is_empty() {
            return Err((
                at(last),
                "the last rule must have no `when`, so that every customer gets a tier".into(),
            ));
        }
        let mut rules = Vec::new();
        for r in &raw.rules {
            let rule = r.get_ref();
            rules.push(Rule {
                tier: tier_index(&rule.tier)?,
                when: conditions(&rule.when)?,
            });
        }
        Scoring::Rules(rules)
    };
    let (used, uses_years) = used(&scoring);
    Ok(Model {
        name,
        description: raw.description,
        tiers,
        scoring,
        used,
        uses_years,
        sha256: Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        text: text.to_string(),
    })
}

fn tiers(raw: &[Spanned<TierToml>], weighted: bool, kind_at: usize) -> Result<Vec<Tier>, Problem> {
    if raw.len() < 2 {
        return Err((kind_at, "a model needs at least two [[tiers]], best first".into()));
    }
    let mut tiers: Vec<Tier> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let tier = t.get_ref();
        let key = tier.key.trim().to_string();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err((
                at(t),
                format!("tier key `{key}` must be ASCII letters, digits, `_` or `-`"),
            ));
        }
        if tier.label.trim().is_empty() {
            return Err((at(t), format!("tier `{key}` needs a label")));
        }
        if tiers.iter().any(|x| x.key == key || x.label == tier.label.trim()) {
            return Err((
                at(t),
                format!("tier `{key}` ({}) appears twice", tier.label.trim()),
            ));
        }
        let last = i + 1 == raw.len();
        let min = match (&tier.min, weighted, last) {
            (Some(m), false, _) => {
                return Err((at(m), "tier minimums belong to weighted models".into()));
            }
            (Some(m), true, true) => {
                return Err((
                    at(m),
                    "the last tier takes every lower total and must have no `min`".into(),
                ));
            }
            (None, true, false) => {
                return Err((at(t), format!("tier `{key}` needs a `min` total")));
            }
            (Some(m), true, false) => {
                let v = m.get_ref().0;
                if let Some(prev) = tiers.last().and_then(|p| p.min)
                    && v >= prev
                {
                    return Err((
                        at(m),
                        format!(
                            "tier minimums must fall from best to worst ({} is not below {})",
                            v.normalize(),
                            prev.normalize()
                        ),
                    ));
                }
                Some(v)
            }
            (None, _, _) => None,
        };
        tiers.push(Tier {
            key,
            label: tier.label.trim().to_string(),
            min,
        });
    }
    Ok(tiers)
}

fn dimension(d: &Spanned<DimensionToml>, missing: Decimal) -> Result<Dimension, Problem> {
    let dim = d.get_ref();
    let weight = dim.weight.get_ref().0;
    if weight <= Decimal::ZERO {
        return Err((at(&dim.weight), "a weight must be above 0 (percent)".into()));
    }
    if dim.indicators.is_empty() {
        return Err((at(d), format!("dimension `{}` has no indicators", dim.key)));
    }
    let mut indicators: Vec<Scored> = Vec::new();
    for s in &dim.indicators {
        let scored = s.get_ref();
        if indicators.iter().any(|x| x.indicator == scored.indicator) {
            return Err((
                at(s),
                format!("indicator `{}` appears twice in `{}`", scored.indicator, dim.key),
            ));
        }
        let Some(last) = scored.bands.last() else {
            return Err((at(s), format!("indicator `{}` has no bands", scored.indicator)));
        };
        let mut bands = Vec::new();
        for (i, b) in scored.bands.iter().enumerate() {
            let band = b.get_ref();
            let bounds = Bounds {
                min: band.min.map(|n| n.0),
                above: band.above.map(|n| n.0),
                max: band.max.map(|n| n.0),
                below: band.below.map(|n| n.0),
            };
            if bounds.is_empty() && i + 1 < scored.bands.len() {
                return Err((
                    at(b),
                    "only the last band may have no bounds (it catches the rest)".into(),
                ));
            }
            check_thresholds(scored.indicator, &bounds).map_err(|m| (at(b), m))?;
            bands.push(Band {
                bounds,
                points: band.points.0,
            });
        }
        if !bands.last().is_some_and(|b| b.bounds.is_empty()) {
            return Err((
                at(last),
                "the last band must have no bounds, so that every value scores (e.g. { points = 40 })".into(),
            ));
        }
        indicators.push(Scored {
            indicator: scored.indicator,
            bands,
            missing_points: scored.missing_points.map_or(missing, |n| n.0),
        });
    }
    Ok(Dimension {
        key: dim.key.trim().to_string(),
        label: dim.label.clone().unwrap_or_else(|| dim.key.clone()),
        weight,
        indicators,
    })
}

fn check_thresholds(indicator: Indicator, bounds: &Bounds) -> Result<(), String> {
    if indicator.kind() == Kind::Years
        && bounds
            .thresholds()
            .any(|t| t.is_sign_negative() || (t * Decimal::from(12)).fract() != Decimal::ZERO)
    {
        return Err("tenure thresholds are years in whole months (0.5, 1, 2.25), not negative".into());
    }
    Ok(())
}

fn conditions(raw: &[Spanned<ConditionToml>]) -> Result<Vec<Condition>, Problem> {
    raw.iter().map(condition).collect()
}

fn condition(c: &Spanned<ConditionToml>) -> Result<Condition, Problem> {
    let raw = c.get_ref();
    let bounds = Bounds {
        min: raw.min.map(|n| n.0),
        above: raw.above.map(|n| n.0),
        max: raw.max.map(|n| n.0),
        below: raw.below.map(|n| n.0),
    };
    let kinds = [
        raw.indicator.is_some(),
        raw.consecutive_years.is_some(),
        raw.deal.is_some(),
        raw.any.is_some(),
        raw.all.is_some(),
    ];
    let wrong = |m: &str| Err((at(c), m.to_string()));
    if kinds.iter().filter(|k| **k).count() != 1 {
        return wrong(
            "a condition is exactly one of: { indicator = …, min/above/max/below = … }, \
             { consecutive_years = N, each_min = … }, { deal = true|false }, { any = […] }, { all = […] }",
        );
    }
    if raw.indicator.is_none() && !bounds.is_empty() {
        return wrong("min/above/max/below need an `indicator`");
    }
    if raw.consecutive_years.is_none() && raw.each_min.is_some() {
        return wrong("`each_min` goes with `consecutive_years`");
    }
    if let Some(indicator) = raw.indicator {
        if bounds.is_empty() {
            return wrong("an indicator condition needs min, above, max or below");
        }
        check_thresholds(indicator, &bounds).map_err(|m| (at(c), m))?;
        return Ok(Condition::Indicator { indicator, bounds });
    }
    if let Some(years) = raw.consecutive_years {
        let Some(each_min) = raw.each_min else {
            return wrong("`consecutive_years` needs `each_min` (元 per calendar year)");
        };
        if years == 0 {
            return wrong("`consecutive_years` must be at least 1");
        }
        return Ok(Condition::ConsecutiveYears {
            years,
            each_min: each_min.0,
        });
    }
    if let Some(deal) = raw.deal {
        return Ok(Condition::Deal(deal));
    }
    let (list, any) = match (&raw.any, &raw.all) {
        (Some(list), _) => (list, true),
        (_, Some(list)) => (list, false),
        _ => unreachable!("one kind is set"),
    };
    if list.is_empty() {
        return wrong("`any` and `all` need at least one condition");
    }
    let inner = conditions(list)?;
    Ok(if any {
        Condition::Any(inner)
    } else {
        Condition::All(inner)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Model::parse(text, "m.toml").unwrap_err().to_string()
    }

    const TIERS: &str = r#"
[[tiers]]
key = "high"
label = "高"
min = 50

[[tiers]]
key = "low"
label = "低"
"#;

    const RULE_TIERS: &str = r#"
[[tiers]]
key = "high"
label = "高"

[[tiers]]
key = "low"
label = "低"
"#;

    #[test]
    fn the_built_in_model_is_the_spec() {
        let m = Model::standard();
        assert_eq!(m.name, "standard");
        let keys: Vec<&str> = m.tiers.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["core", "important", "ordinary", "potential"]);
        let Scoring::Weighted(w) = &m.scoring else {
            panic!("weighted")
        };
        let weights: Vec<String> = w.dimensions.iter().map(|d| d.weight.to_string()).collect();
        assert_eq!(weights, ["50", "30", "20"]);
        assert_eq!(m.indicators().len(), 7);
        assert!(!m.uses_years());
    }

    #[test]
    fn the_shipped_standard_fixture_is_the_built_in_model() {
        let fixture = include_str!("../../../fixtures/models/standard.toml");
        assert_eq!(fixture, STANDARD);
    }

    #[test]
    fn the_shipped_example_models_parse() {
        for (file, text) in [
            (
                "seed004-classes.toml",
                include_str!("../../../fixtures/models/seed004-classes.toml"),
            ),
            (
                "seed000-value-level.toml",
                include_str!("../../../fixtures/models/seed000-value-level.toml"),
            ),
        ] {
            let m = Model::parse(text, file).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(!m.is_weighted(), "{file}");
        }
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let e = err("name = \"x\"\nkind = \"rule\"\n[[tiers]\n");
        assert!(e.starts_with("model m.toml line 3: "), "{e}");
    }

    #[test]
    fn an_unknown_field_is_named_with_its_line() {
        let text = format!(
            "name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"low\"\nwhen = [{{ indicatr = \"trade_12m\" }}]\n"
        );
        let e = err(&text);
        assert!(e.contains("line 14"), "{e}");
        assert!(e.contains("unknown field `indicatr`"), "{e}");
    }

    #[test]
    fn an_unknown_indicator_lists_the_known_ones() {
        let text = format!(
            "name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"high\"\nwhen = [{{ indicator = \"trade\", min = 1 }}]\n[[rules]]\ntier = \"low\"\n"
        );
        let e = err(&text);
        assert!(e.contains("line 14"), "{e}");
        assert!(e.contains("unknown indicator `trade` (known: trade_12m,"), "{e}");
    }

    #[test]
    fn an_unknown_kind_is_refused() {
        let e = err("name = \"x\"\nkind = \"weigted\"\n");
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("weighted"), "{e}");
    }

    #[test]
    fn weights_must_add_up_to_100() {
        let text = format!(
            "name = \"x\"\nkind = \"weighted\"\n{TIERS}\n[[dimensions]]\nkey = \"v\"\nweight = 60\n\
             [[dimensions.indicators]]\nindicator = \"trade_12m\"\nbands = [{{ points = 1 }}]\n\
             [[dimensions]]\nkey = \"p\"\nweight = 30\n\
             [[dimensions.indicators]]\nindicator = \"satisfaction\"\nbands = [{{ points = 1 }}]\n"
        );
        let e = err(&text);
        assert!(
            e.contains("line 13: dimension weights add up to 90, not 100"),
            "{e}"
        );
    }

    #[test]
    fn the_last_band_must_catch_the_rest() {
        let text = format!(
            "name = \"x\"\nkind = \"weighted\"\n{TIERS}\n[[dimensions]]\nkey = \"v\"\nweight = 100\n\
             [[dimensions.indicators]]\nindicator = \"trade_12m\"\nbands = [{{ min = 5, points = 1 }}]\n"
        );
        let e = err(&text);
        assert!(e.contains("line 18"), "{e}");
        assert!(e.contains("the last band must have no bounds"), "{e}");
    }

    #[test]
    fn tier_minimums_must_fall() {
        let text = "name = \"x\"\nkind = \"weighted\"\n[[tiers]]\nkey = \"a\"\nlabel = \"A\"\nmin = 50\n\
                    [[tiers]]\nkey = \"b\"\nlabel = \"B\"\nmin = 60\n[[tiers]]\nkey = \"c\"\nlabel = \"C\"\n";
        let e = err(text);
        assert!(e.contains("line 10"), "{e}");
        assert!(e.contains("must fall from best to worst"), "{e}");
    }

    #[test]
    fn a_rule_to_an_unknown_tier_is_refused() {
        let text = format!("name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"mid\"\n");
        let e = err(&text);
        assert!(
            e.contains("line 13: unknown tier `mid` (tiers: high, low)"),
            "{e}"
        );
    }

    #[test]
    fn the_last_rule_must_catch_everyone() {
        let text = format!(
            "name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"low\"\nwhen = [{{ deal = true }}]\n"
        );
        assert!(err(&text).contains("the last rule must have no `when`"));
    }

    #[test]
    fn a_condition_is_one_thing() {
        let text = format!(
            "name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"high\"\nwhen = [{{ deal = true, indicator = \"tenure\", min = 1 }}]\n[[rules]]\ntier = \"low\"\n"
        );
        assert!(err(&text).contains("a condition is exactly one of"));
        let text = format!(
            "name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"high\"\nwhen = [{{ indicator = \"tenure\", min = 0.3 }}]\n[[rules]]\ntier = \"low\"\n"
        );
        assert!(err(&text).contains("whole months"));
    }

    #[test]
    fn numbers_may_be_floats_or_strings_and_stay_exact() {
        let text = format!(
            "name = \"x\"\nkind = \"rule\"\n{RULE_TIERS}\n[[rules]]\ntier = \"high\"\nwhen = [{{ indicator = \"satisfaction\", min = 8.1 }}, {{ indicator = \"budget_growth\", above = \"0.1\" }}]\n[[rules]]\ntier = \"low\"\n"
        );
        let m = Model::parse(&text, "m.toml").unwrap();
        let Scoring::Rules(rules) = &m.scoring else {
            panic!()
        };
        assert_eq!(rules[0].when[0].describe(), "satisfaction ≥ 8.1",);
        assert_eq!(rules[0].when[1].describe(), "budget_growth > 0.1");
    }

    #[test]
    fn tiers_are_found_by_key_label_or_label_with_kehu() {
        let m = Model::standard();
        assert_eq!(m.tier_by_name("core"), Some(0));
        assert_eq!(m.tier_by_name("Important"), Some(1));
        assert_eq!(m.tier_by_name("普通"), Some(2));
        assert_eq!(m.tier_by_name("潜在客户"), Some(3));
        assert_eq!(m.tier_by_name("gold"), None);
    }
}
