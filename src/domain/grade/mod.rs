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
    /// The tier that applies (index into the model's tiers): the pin's when a pin holds,
    /// else the model's (`evaluation.tier`).
    pub tier: usize,
    pub pinned: bool,
}

/// Grades one customer: the model's tier, overridden by `pin` when it holds on as-of and
/// names one of the model's tiers.
pub fn grade(model: &Model, ind: &Indicators, pin: Option<&Pin>) -> Grade {
    let evaluation = evaluate(model, ind);
    let pinned = pin
        .filter(|p| p.holds_on(ind.as_of))
        .and_then(|p| model.tiers.iter().position(|t| t.key == p.tier));
    Grade {
        tier: pinned.unwrap_or(evaluation.tier),
        pinned: pinned.is_some(),
        evaluation,
    }
}

/// What a run keeps per customer: the indicator values and their sources, as compact JSON
/// read with the run's model (kept with the run). A run writes one per customer, a million
/// at a time, so it is small:
///
/// `[deal, value…, "sources", years?]` — `deal` is 1 or 0; one value per indicator the model
/// reads, in [`Model::indicators`] order (a number, a `YYYY-MM-DD` tenure start, or `null`
/// when missing); one source letter per indicator (`o` orders, `d` declared, `t` industry
/// table, `n` no deal, `-` missing); and, when the model uses per-year amounts, an object of
/// year → amount (or `null` when unknown). Bands and points follow from the values and the
/// model, so they are not stored.
///
/// `[1,697911.11,"2018-09-05",5,10,10,0,2,"odtdddd"]`
pub struct Record;

fn source_letter(source: Source) -> char {
    match source {
        Source::Orders => 'o',
        Source::Declared => 'd',
        Source::IndustryTable => 't',
        Source::NoDeal => 'n',
    }
}

fn letter_source(letter: char) -> Option<Source> {
    Some(match letter {
        'o' => Source::Orders,
        'd' => Source::Declared,
        't' => Source::IndustryTable,
        'n' => Source::NoDeal,
        _ => return None,
    })
}

impl Record {
    /// Writes the record of `ind` for `model` into `out` (cleared first).
    pub fn encode(model: &Model, ind: &Indicators, out: &mut String) {
        out.clear();
        out.push_str(if ind.deal { "[1" } else { "[0" });
        for &i in model.indicators() {
            out.push(',');
            match ind.get(i) {
                Some(Measured {
                    value: v @ Value::Since(_),
                    ..
                }) => {
                    out.push('"');
                    v.encode_into(out);
                    out.push('"');
                }
                Some(m) => m.value.encode_into(out),
                None => out.push_str("null"),
            }
        }
        out.push_str(",\"");
        for &i in model.indicators() {
            out.push(ind.get(i).map_or('-', |m| source_letter(m.source)));
        }
        out.push('"');
        if model.uses_years() {
            if ind.years_known {
                out.push_str(",{");
                for (k, (year, fen)) in ind.years.iter().enumerate() {
                    let sep = if k == 0 { "" } else { "," };
                    let _ = write!(out, "{sep}\"{year}\":");
                    Value::Money(*fen).encode_into(out);
                }
                out.push('}');
            } else {
                out.push_str(",null");
            }
        }
        out.push(']');
    }

    /// Reads a record written for `model` back into the indicators it was made from;
    /// `None` when it is not such a record.
    pub fn decode(model: &Model, text: &str, as_of: NaiveDate) -> Option<Indicators> {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        let items = json.as_array()?;
        let used = model.indicators();
        let mut ind = Indicators::new(as_of, items.first()?.as_u64()? == 1);
        let sources: Vec<char> = items.get(used.len() + 1)?.as_str()?.chars().collect();
        for (k, &i) in used.iter().enumerate() {
            let text = match items.get(k + 1)? {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            let source = letter_source(*sources.get(k)?)?;
            ind.set(i, Value::decode(i, &text)?, source);
        }
        if model.uses_years() {
            match items.get(used.len() + 2)? {
                serde_json::Value::Object(years) => {
                    ind.years_known = true;
                    ind.years = years
                        .iter()
                        .filter_map(
                            |(y, v)| match Value::decode(Indicator::TotalAmount, &v.to_string())? {
                                Value::Money(fen) => Some((y.parse().ok()?, fen)),
                                _ => None,
                            },
                        )
                        .collect();
                    ind.years.sort_unstable();
                }
                _ => ind.years_known = false,
            }
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
            Record::encode(&model, &ind, &mut text);
            serde_json::from_str::<serde_json::Value>(&text).expect("valid json");
            let back = Record::decode(&model, &text, ind.as_of).unwrap();
            assert_eq!(evaluate(&model, &back), e, "{}: {text}", model.name);
        }
    }

    #[test]
    fn the_record_of_the_standard_model_is_compact() {
        let model = Model::standard();
        let ind = sample("2024-06-30");
        let mut text = String::new();
        Record::encode(&model, &ind, &mut text);
        // trade_12m, tenure, industry_growth, budget_growth, satisfaction, referrals, complaints.
        assert_eq!(
            text,
            r#"[1,123.45,"2021-03-01",null,null,8.5,null,null,"oo--d--"]"#
        );
        let seed004 = Model::parse(
            include_str!("../../../fixtures/models/seed004-classes.toml"),
            "seed004",
        )
        .unwrap();
        Record::encode(&seed004, &ind, &mut text);
        // trade_12m, max_order_12m, then the years.
        assert_eq!(
            text,
            r#"[1,123.45,123.45,"oo",{"2021":600000.00,"2022":600000.00,"2024":123.45}]"#
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
        let key = |i: usize| model.tiers[i].key.as_str();
        assert_eq!((key(g.tier), key(g.evaluation.tier)), ("core", "ordinary"));
        let later = sample("2024-07-01");
        let g = grade(&model, &later, Some(&pin));
        assert!(!g.pinned);
        assert_eq!(g.tier, g.evaluation.tier);
        // A pin to a tier the model does not have does not apply.
        let value_level = Model::parse(
            include_str!("../../../fixtures/models/seed000-value-level.toml"),
            "v",
        )
        .unwrap();
        assert!(!grade(&value_level, &ind, Some(&pin)).pinned);
    }
}
