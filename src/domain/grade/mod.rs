//! Grading: customers' indicators turned into a score and a tier by a model (spec §5).
//!
//! - [`indicators`]: what is measured about a customer as of a date, from its orders or,
//!   lacking those, from the values its record declares.
//! - [`model`]: weighted and rule models read from TOML; the built-in `standard` model.
//! - [`eval`]: a model applied to indicators.
//!
//! [`grade`] puts them together for one customer, pins included, and [`Record`] is what a
//! run keeps per customer so the result can be explained later exactly as it was made.

pub mod eval;
pub mod indicators;
pub mod model;

use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use eval::{Evaluation, evaluate};
pub use indicators::{
    Declared, GrowthTable, Indicator, Indicators, Measured, OrderLine, Source, Value, measure,
};
pub use model::Model;

/// A manual tier that overrides the model until removed or expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// A tier key.
    pub tier: String,
    pub reason: String,
    /// Last day the pin holds (inclusive).
    pub until: Option<NaiveDate>,
    pub operator: String,
    pub created_at: String,
}

impl Pin {
    /// Whether the pin holds on `date`.
    pub fn holds_on(&self, date: NaiveDate) -> bool {
        self.until.is_none_or(|u| date <= u)
    }
}

/// One customer's grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    pub evaluation: Evaluation,
    /// The tier key the model gave.
    pub model_tier: String,
    /// The tier key that applies: the pin's when a pin holds, else the model's.
    pub tier: String,
    pub pinned: bool,
}

/// Grades one customer: the model's tier, overridden by `pin` when it holds on as-of and
/// names one of the model's tiers.
pub fn grade(model: &Model, ind: &Indicators, pin: Option<&Pin>) -> Grade {
    let evaluation = evaluate(model, ind);
    let model_tier = model.tiers[evaluation.tier].key.clone();
    let pin = pin.filter(|p| p.holds_on(ind.as_of) && model.tier_by_key(&p.tier).is_some());
    Grade {
        tier: pin.map_or_else(|| model_tier.clone(), |p| p.tier.clone()),
        pinned: pin.is_some(),
        model_tier,
        evaluation,
    }
}

/// What a run keeps per customer, as compact JSON: for each indicator the model reads,
/// `[value, source, band, points]` (`band`/`points` for weighted models only; a missing value
/// is `null`), plus `deal` and, when the model uses them, the per-year amounts.
///
/// `{"deal":true,"trade_12m":["125000.00","orders",1,80],"tenure":["2022-03-01","orders",0,100]}`
pub struct Record;

impl Record {
    /// Writes the record of `ind` and its grade into `out` (cleared first).
    pub fn encode(model: &Model, ind: &Indicators, evaluation: &Evaluation, out: &mut String) {
        out.clear();
        let _ = write!(out, "{{\"deal\":{}", ind.deal);
        let scores = evaluation.dimensions.iter().flat_map(|d| &d.indicators);
        for &i in model.indicators() {
            let _ = write!(out, ",\"{}\":[", i.key());
            match ind.get(i) {
                Some(m) => {
                    let _ = write!(out, "\"{}\",\"{}\"", m.value.encode(), m.source.key());
                }
                None => out.push_str("null,null"),
            }
            if let Some(s) = scores.clone().find(|s| s.indicator == i) {
                match s.band {
                    Some(b) => {
                        let _ = write!(out, ",{b}");
                    }
                    None => out.push_str(",null"),
                }
                let _ = write!(out, ",{}", s.points.normalize());
            }
            out.push(']');
        }
        if model.uses_years() {
            if ind.years_known {
                out.push_str(",\"years\":{");
                for (k, (year, fen)) in ind.years.iter().enumerate() {
                    let sep = if k == 0 { "" } else { "," };
                    let _ = write!(
                        out,
                        "{sep}\"{year}\":\"{}\"",
                        crate::domain::money::format_fen(*fen)
                    );
                }
                out.push('}');
            } else {
                out.push_str(",\"years\":null");
            }
        }
        out.push('}');
    }

    /// Reads a record back into the indicators it was made from; `None` when it is not a
    /// record.
    pub fn decode(text: &str, as_of: NaiveDate) -> Option<Indicators> {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        let obj = json.as_object()?;
        let mut ind = Indicators::new(as_of, obj.get("deal")?.as_bool()?);
        for i in Indicator::ALL {
            let Some(entry) = obj.get(i.key()).and_then(|e| e.as_array()) else {
                continue;
            };
            let value = entry.first().and_then(|v| v.as_str());
            let source = entry.get(1).and_then(|v| v.as_str()).and_then(Source::from_key);
            if let (Some(value), Some(source)) = (value, source) {
                ind.set(i, Value::decode(i, value)?, source);
            }
        }
        match obj.get("years") {
            Some(serde_json::Value::Object(years)) => {
                ind.years_known = true;
                ind.years = years
                    .iter()
                    .filter_map(|(y, v)| {
                        let fen = v.as_str()?.parse::<Decimal>().ok()? * Decimal::ONE_HUNDRED;
                        Some((y.parse().ok()?, i64::try_from(fen).ok()?))
                    })
                    .collect();
                ind.years.sort_unstable();
            }
            Some(_) => ind.years_known = false,
            None => {}
        }
        Some(ind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sample(as_of: &str) -> Indicators {
        let orders = [
            OrderLine {
                date: d("2021-03-01"),
                amount_fen: 60_000_000,
            },
            OrderLine {
                date: d("2022-03-01"),
                amount_fen: 60_000_000,
            },
            OrderLine {
                date: d("2024-03-01"),
                amount_fen: 12_345,
            },
        ];
        let declared = Declared {
            satisfaction: Some("8.5".parse().unwrap()),
            ..Declared::default()
        };
        measure(&declared, &orders, d(as_of), &GrowthTable::default())
    }

    #[test]
    fn a_record_reads_back_to_the_same_grade() {
        for model in [
            Model::standard(),
            Model::parse(
                include_str!("../../../fixtures/models/seed004-classes.toml"),
                "seed004",
            )
            .unwrap(),
        ] {
            let ind = sample("2024-06-30");
            let e = evaluate(&model, &ind);
            let mut text = String::new();
            Record::encode(&model, &ind, &e, &mut text);
            serde_json::from_str::<serde_json::Value>(&text).expect("valid json");
            let back = Record::decode(&text, ind.as_of).unwrap();
            assert_eq!(evaluate(&model, &back), e, "{}: {text}", model.name);
        }
    }

    #[test]
    fn the_record_of_the_standard_model_is_compact() {
        let model = Model::standard();
        let ind = sample("2024-06-30");
        let mut text = String::new();
        Record::encode(&model, &ind, &evaluate(&model, &ind), &mut text);
        assert_eq!(
            text,
            "{\"deal\":true,\"trade_12m\":[\"123.45\",\"orders\",3,40],\
             \"tenure\":[\"2021-03-01\",\"orders\",0,100],\
             \"industry_growth\":[null,null,null,40],\"budget_growth\":[null,null,null,40],\
             \"satisfaction\":[\"8.5\",\"declared\",1,80],\"referrals_12m\":[null,null,null,40],\
             \"complaints_12m\":[null,null,null,40]}"
        );
    }

    #[test]
    fn a_pin_overrides_until_it_expires() {
        let model = Model::standard();
        let ind = sample("2024-06-30");
        let pin = Pin {
            tier: "core".into(),
            reason: "strategic".into(),
            until: Some(d("2024-06-30")),
            operator: "王".into(),
            created_at: String::new(),
        };
        let g = grade(&model, &ind, Some(&pin));
        assert!(g.pinned);
        assert_eq!((g.tier.as_str(), g.model_tier.as_str()), ("core", "ordinary"));
        let later = sample("2024-07-01");
        let g = grade(&model, &later, Some(&pin));
        assert!(!g.pinned);
        assert_eq!(g.tier, g.model_tier);
        // A pin to a tier the model does not have does not apply.
        let value_level = Model::parse(
            include_str!("../../../fixtures/models/seed000-value-level.toml"),
            "v",
        )
        .unwrap();
        assert!(!grade(&value_level, &ind, Some(&pin)).pinned);
    }
}
