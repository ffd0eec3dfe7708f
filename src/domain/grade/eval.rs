//! Applying a model to a customer's indicators.
//!
//! The weighted total is compared with the tier cut-offs exactly: dimension means are kept
//! as fractions (sum of points over count), so a mean of thirds never rounds a customer
//! across a boundary. The score shown and stored is the total rounded to two decimals.

use rust_decimal::{Decimal, RoundingStrategy};

use super::indicators::{Indicator, Indicators};
use super::model::{Bounds, Condition, Model, Scoring};

/// The outcome of a model for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Index into the model's tiers.
    pub tier: usize,
    /// Weighted models: the total, rounded to two decimals.
    pub score: Option<Decimal>,
    /// Weighted models: the gate that set the tier, if any.
    pub gate: Option<usize>,
    /// Rule models: the rule that matched.
    pub rule: Option<usize>,
    /// Weighted models: per dimension, its indicators' bands and points.
    pub dimensions: Vec<DimensionScore>,
    /// Indicators the model reads that could not be measured.
    pub missing: Vec<Indicator>,
    /// Per-year amounts were needed but the customer is known only from declared figures.
    pub years_missing: bool,
}

impl Evaluation {
    /// "Incomplete data": something the model reads was missing.
    pub fn incomplete(&self) -> bool {
        !self.missing.is_empty() || self.years_missing
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DimensionScore {
    /// The mean of the points, rounded to two decimals.
    pub score: Decimal,
    pub indicators: Vec<IndicatorScore>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorScore {
    pub indicator: Indicator,
    /// The band that matched; `None` when the value is missing.
    pub band: Option<usize>,
    pub points: Decimal,
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Applies `model` to `ind`.
pub fn evaluate(model: &Model, ind: &Indicators) -> Evaluation {
    let missing: Vec<Indicator> = model
        .indicators()
        .iter()
        .copied()
        .filter(|i| ind.get(*i).is_none())
        .collect();
    let years_missing = model.uses_years() && !ind.years_known;
    match &model.scoring {
        Scoring::Weighted(w) => {
            let mut dimensions = Vec::with_capacity(w.dimensions.len());
            let mut sums = Vec::with_capacity(w.dimensions.len());
            for d in &w.dimensions {
                let mut sum = Decimal::ZERO;
                let mut scores = Vec::with_capacity(d.indicators.len());
                for s in &d.indicators {
                    let (band, points) = match ind.get(s.indicator) {
                        None => (None, s.missing_points),
                        Some(m) => {
                            let i = s
                                .bands
                                .iter()
                                .position(|b| within(&b.bounds, &m.value, ind))
                                .unwrap_or(s.bands.len() - 1);
                            (Some(i), s.bands[i].points)
                        }
                    };
                    sum += points;
                    scores.push(IndicatorScore {
                        indicator: s.indicator,
                        band,
                        points,
                    });
                }
                let n = Decimal::from(d.indicators.len());
                sums.push((d.weight, sum, d.indicators.len() as u64));
                dimensions.push(DimensionScore {
                    score: round2(sum / n),
                    indicators: scores,
                });
            }
            // total = Σ weight × (sum / n) / 100 = numerator / denominator, exactly.
            let lcm = sums.iter().fold(1u64, |l, (_, _, n)| l / gcd(l, *n) * n);
            let numerator: Decimal = sums
                .iter()
                .map(|(w, sum, n)| w * sum * Decimal::from(lcm / n))
                .sum();
            let denominator = Decimal::ONE_HUNDRED * Decimal::from(lcm);
            let by_score = model
                .tiers
                .iter()
                .position(|t| t.min.is_none_or(|min| numerator >= min * denominator))
                .unwrap_or(model.tiers.len() - 1);
            let gate = w.gates.iter().position(|g| all_hold(&g.when, ind));
            Evaluation {
                tier: gate.map_or(by_score, |g| w.gates[g].tier),
                score: Some(round2(numerator / denominator)),
                gate,
                rule: None,
                dimensions,
                missing,
                years_missing,
            }
        }
        Scoring::Rules(rules) => {
            let rule = rules
                .iter()
                .position(|r| all_hold(&r.when, ind))
                .unwrap_or(rules.len() - 1);
            Evaluation {
                tier: rules[rule].tier,
                score: None,
                gate: None,
                rule: Some(rule),
                dimensions: Vec::new(),
                missing,
                years_missing,
            }
        }
    }
}

fn within(bounds: &Bounds, value: &super::indicators::Value, ind: &Indicators) -> bool {
    use std::cmp::Ordering::*;
    let cmp = |t: Decimal| value.compare(t, ind.as_of);
    bounds.min.is_none_or(|t| cmp(t) != Less)
        && bounds.above.is_none_or(|t| cmp(t) == Greater)
        && bounds.max.is_none_or(|t| cmp(t) != Greater)
        && bounds.below.is_none_or(|t| cmp(t) == Less)
}

fn all_hold(conditions: &[Condition], ind: &Indicators) -> bool {
    conditions.iter().all(|c| holds(c, ind))
}

/// Whether a condition holds; a missing indicator never satisfies one.
pub fn holds(c: &Condition, ind: &Indicators) -> bool {
    match c {
        Condition::Indicator { indicator, bounds } => {
            ind.get(*indicator).is_some_and(|m| within(bounds, &m.value, ind))
        }
        Condition::ConsecutiveYears { years, each_min } => {
            ind.years_known && ind.consecutive_years(*each_min) >= *years
        }
        Condition::Deal(deal) => ind.deal == *deal,
        Condition::Any(cs) => cs.iter().any(|c| holds(c, ind)),
        Condition::All(cs) => all_hold(cs, ind),
    }
}

/// What a condition saw, for explanations: `trade_12m ≥ 500000 (125000.00) ✗`.
pub fn trace(c: &Condition, ind: &Indicators) -> String {
    let mark = if holds(c, ind) { "✓" } else { "✗" };
    let seen = match c {
        Condition::Indicator { indicator, .. } => match ind.get(*indicator) {
            Some(m) => m.value.display(ind.as_of),
            None => "missing".into(),
        },
        Condition::ConsecutiveYears { each_min, .. } => {
            if ind.years_known {
                format!("years: {}", ind.consecutive_years(*each_min))
            } else {
                "no per-year amounts (no orders)".into()
            }
        }
        Condition::Deal(_) => if ind.deal { "deal" } else { "no deal" }.into(),
        Condition::Any(cs) | Condition::All(cs) => {
            return format!(
                "{} {mark} [{}]",
                c.describe(),
                cs.iter().map(|c| trace(c, ind)).collect::<Vec<_>>().join("; ")
            );
        }
    };
    format!("{} ({seen}) {mark}", c.describe())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::grade::indicators::{Source, Value};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const AS_OF: &str = "2024-12-31";

    /// A customer who scores 100 on everything in the standard model.
    fn top() -> Indicators {
        let mut ind = Indicators::new(d(AS_OF), true);
        ind.set(Indicator::Trade12m, Value::Money(50_000_000), Source::Orders);
        ind.set(Indicator::Tenure, Value::Since(d("2022-12-31")), Source::Orders);
        ind.set(
            Indicator::IndustryGrowth,
            Value::Number(dec("15.01")),
            Source::IndustryTable,
        );
        ind.set(
            Indicator::BudgetGrowth,
            Value::Number(dec("20.5")),
            Source::Declared,
        );
        ind.set(Indicator::Satisfaction, Value::Number(dec("9")), Source::Declared);
        ind.set(Indicator::Referrals12m, Value::Count(2), Source::Declared);
        ind.set(Indicator::Complaints12m, Value::Count(0), Source::Declared);
        ind
    }

    fn points(model: &Model, ind: &Indicators, which: Indicator) -> Decimal {
        evaluate(model, ind)
            .dimensions
            .iter()
            .flat_map(|d| &d.indicators)
            .find(|s| s.indicator == which)
            .unwrap()
            .points
    }

    /// Every band boundary of the standard model: (indicator, value, expected points).
    #[test]
    fn every_band_boundary_of_the_standard_model() {
        let m = Model::standard();
        let money = |yuan: &str| Value::Money(i64::try_from(dec(yuan) * Decimal::ONE_HUNDRED).unwrap());
        let num = |s: &str| Value::Number(dec(s));
        let since = |s: &str| Value::Since(d(s));
        use Indicator::*;
        let cases = [
            (Trade12m, money("500000"), 100),
            (Trade12m, money("499999.99"), 80),
            (Trade12m, money("100000"), 80),
            (Trade12m, money("99999.99"), 60),
            (Trade12m, money("10000"), 60),
            (Trade12m, money("9999.99"), 40),
            (Trade12m, money("0"), 40),
            // As of 2024-12-31: two years back is 2022-12-31, one year 2023-12-31.
            (Tenure, since("2022-12-31"), 100),
            (Tenure, since("2023-01-01"), 80),
            (Tenure, since("2023-12-31"), 80),
            (Tenure, since("2024-01-01"), 60),
            (Tenure, since("2024-12-30"), 60),
            // A first deal on the as-of day itself is 0 years: not "> 0".
            (Tenure, since("2024-12-31"), 40),
            (Tenure, Value::Years(dec("2")), 100),
            (Tenure, Value::Years(dec("1.99")), 80),
            (Tenure, Value::Years(dec("0.01")), 60),
            (Tenure, Value::Years(dec("0")), 40),
            (IndustryGrowth, num("15.01"), 100),
            (IndustryGrowth, num("15"), 80),
            (IndustryGrowth, num("10"), 80),
            (IndustryGrowth, num("9.99"), 60),
            (IndustryGrowth, num("5"), 60),
            (IndustryGrowth, num("4.99"), 40),
            (BudgetGrowth, num("20.01"), 100),
            (BudgetGrowth, num("20"), 80),
            (BudgetGrowth, num("10"), 80),
            (BudgetGrowth, num("9.99"), 60),
            (BudgetGrowth, num("0"), 60),
            (BudgetGrowth, num("-0.01"), 40),
            (Satisfaction, num("10"), 100),
            (Satisfaction, num("9"), 100),
            (Satisfaction, num("8.99"), 80),
            (Satisfaction, num("8"), 80),
            (Satisfaction, num("7.99"), 60),
            (Satisfaction, num("7"), 60),
            (Satisfaction, num("6.99"), 40),
            (Referrals12m, Value::Count(3), 100),
            (Referrals12m, Value::Count(2), 100),
            (Referrals12m, Value::Count(1), 80),
            (Referrals12m, Value::Count(0), 60),
            (Complaints12m, Value::Count(0), 100),
            (Complaints12m, Value::Count(1), 80),
            (Complaints12m, Value::Count(2), 60),
            (Complaints12m, Value::Count(3), 40),
            (Complaints12m, Value::Count(9), 40),
        ];
        for (which, value, expected) in cases {
            let mut ind = top();
            ind.set(which, value, Source::Declared);
            assert_eq!(
                points(&m, &ind, which),
                Decimal::from(expected),
                "{which} = {value:?}"
            );
        }
    }

    #[test]
    fn tenure_from_29_february_moves_to_28_february() {
        let m = Model::standard();
        let mut ind = top();
        ind.as_of = d("2024-02-29");
        ind.set(Indicator::Tenure, Value::Since(d("2022-02-28")), Source::Orders);
        assert_eq!(points(&m, &ind, Indicator::Tenure), Decimal::from(100));
        ind.set(Indicator::Tenure, Value::Since(d("2022-03-01")), Source::Orders);
        assert_eq!(points(&m, &ind, Indicator::Tenure), Decimal::from(80));
    }

    #[test]
    fn a_missing_indicator_scores_40_and_marks_incomplete() {
        let m = Model::standard();
        let mut ind = top();
        assert!(!evaluate(&m, &ind).incomplete());
        ind = Indicators::new(ind.as_of, true);
        ind.set(Indicator::Trade12m, Value::Money(50_000_000), Source::Declared);
        let e = evaluate(&m, &ind);
        assert!(e.incomplete());
        assert_eq!(e.missing.len(), 6);
        // value (100 + 40) / 2 = 70 → 35; potential 40 → 12; relationship 40 → 8.
        assert_eq!(e.score, Some(dec("55")));
        assert_eq!(m.tiers[e.tier].key, "ordinary");
    }

    /// The standard model on a customer with these values, as of 2024-12-31:
    /// (trade 元, first order, industry growth %, budget growth %, satisfaction,
    /// referrals, complaints) → (score, tier key).
    fn standard(trade: i64, since: &str, values: (&str, &str, &str, i64, i64)) -> (Decimal, String) {
        let (industry, budget, satisfaction, referrals, complaints) = values;
        let mut ind = Indicators::new(d(AS_OF), true);
        ind.set(Indicator::Trade12m, Value::Money(trade * 100), Source::Orders);
        ind.set(Indicator::Tenure, Value::Since(d(since)), Source::Orders);
        ind.set(
            Indicator::IndustryGrowth,
            Value::Number(dec(industry)),
            Source::IndustryTable,
        );
        ind.set(
            Indicator::BudgetGrowth,
            Value::Number(dec(budget)),
            Source::Declared,
        );
        ind.set(
            Indicator::Satisfaction,
            Value::Number(dec(satisfaction)),
            Source::Declared,
        );
        ind.set(Indicator::Referrals12m, Value::Count(referrals), Source::Declared);
        ind.set(
            Indicator::Complaints12m,
            Value::Count(complaints),
            Source::Declared,
        );
        let m = Model::standard();
        let e = evaluate(&m, &ind);
        (e.score.unwrap(), m.tiers[e.tier].key.clone())
    }

    /// Totals exactly on the tier cut-offs 90, 70 and 50, and just below each.
    /// total = 0.5 × mean(value) + 0.3 × mean(potential) + 0.2 × mean(relationship).
    #[test]
    fn totals_exactly_on_a_cut_off_reach_the_tier() {
        let t = |score: &str, tier: &str| (dec(score), tier.to_string());
        // value (100 + 100) → 50; potential (80 + 80) → 24; relationship
        // (100 + 100 + 40) / 3 = 80 → 16: 90 exactly.
        assert_eq!(
            standard(500_000, "2022-12-31", ("10", "10", "9", 2, 3)),
            t("90", "core")
        );
        // Satisfaction 8 instead: relationship (80 + 100 + 40) / 3 = 73.33… → 14.67: 88.67.
        assert_eq!(
            standard(500_000, "2022-12-31", ("10", "10", "8", 2, 3)),
            t("88.67", "important")
        );
        // value (80 + 80) → 40; potential (60 + 60) → 18; relationship (60 + 60 + 60) → 12: 70.
        assert_eq!(
            standard(100_000, "2023-12-31", ("5", "0", "7", 0, 2)),
            t("70", "important")
        );
        // Three complaints: relationship (60 + 60 + 40) / 3 = 53.33… → 10.67: 68.67.
        assert_eq!(
            standard(100_000, "2023-12-31", ("5", "0", "7", 0, 3)),
            t("68.67", "ordinary")
        );
        // value (40 + 40) → 20 (under 1万, first deal on the as-of day); potential 60 → 18;
        // relationship 60 → 12: 50.
        assert_eq!(standard(9_999, AS_OF, ("5", "0", "7", 0, 2)), t("50", "ordinary"));
        assert_eq!(
            standard(9_999, AS_OF, ("5", "0", "7", 0, 3)),
            t("48.67", "potential")
        );
    }

    #[test]
    fn thirds_do_not_round_across_a_cut_off() {
        // A dimension of three indicators weighted 30: (100 + 100 + 80) / 3 × 0.3 = 28 exactly,
        // which a rounded mean (93.33…) would miss.
        let text = r#"
name = "thirds"
kind = "weighted"
[[tiers]]
key = "a"
label = "A"
min = 98
[[tiers]]
key = "b"
label = "B"
[[dimensions]]
key = "x"
weight = 70
[[dimensions.indicators]]
indicator = "trade_12m"
bands = [{ points = 100 }]
[[dimensions]]
key = "y"
weight = 30
[[dimensions.indicators]]
indicator = "satisfaction"
bands = [{ min = 9, points = 100 }, { points = 80 }]
[[dimensions.indicators]]
indicator = "referrals_12m"
bands = [{ min = 2, points = 100 }, { points = 80 }]
[[dimensions.indicators]]
indicator = "complaints_12m"
bands = [{ max = 0, points = 100 }, { points = 80 }]
"#;
        let m = Model::parse(text, "t.toml").unwrap();
        let mut ind = top();
        ind.set(Indicator::Complaints12m, Value::Count(1), Source::Declared);
        let e = evaluate(&m, &ind);
        assert_eq!(e.score, Some(dec("98")));
        assert_eq!(m.tiers[e.tier].key, "a");
    }

    #[test]
    fn no_deal_is_potential_whatever_the_score() {
        let m = Model::standard();
        let mut ind = top();
        ind.deal = false;
        let e = evaluate(&m, &ind);
        assert_eq!(e.score, Some(dec("100")));
        assert_eq!(m.tiers[e.tier].key, "potential");
        assert_eq!(e.gate, Some(0));
    }

    fn seed004() -> Model {
        Model::parse(
            include_str!("../../../fixtures/models/seed004-classes.toml"),
            "seed004-classes.toml",
        )
        .unwrap()
    }

    fn with_years(years: &[(i32, i64)], max_order_yuan: i64, trade_yuan: i64) -> Indicators {
        let mut ind = Indicators::new(d("2024-06-30"), true);
        ind.years = years.iter().map(|(y, yuan)| (*y, yuan * 100)).collect();
        ind.years_known = true;
        ind.set(
            Indicator::MaxOrder12m,
            Value::Money(max_order_yuan * 100),
            Source::Orders,
        );
        ind.set(
            Indicator::Trade12m,
            Value::Money(trade_yuan * 100),
            Source::Orders,
        );
        ind
    }

    #[test]
    fn seed004_classes_follow_consecutive_years() {
        let m = seed004();
        let class = |ind: &Indicators| m.tiers[evaluate(&m, ind).tier].key.clone();
        // 2021-2023 each ≥ 50万 and a 20万 contract: 重要.
        let three = [(2021, 500_000), (2022, 600_000), (2023, 500_000)];
        assert_eq!(class(&with_years(&three, 200_000, 300_000)), "important");
        // Same years but neither a 20万 contract nor 100万 in 12 months: 稳定 (2 years ≥ 20万
        // and a yearly total ≥ 50万? trade 30万 < 50万, max 15万 ≥ 10万 → yes).
        assert_eq!(class(&with_years(&three, 150_000, 300_000)), "stable");
        // A gap year (2022 without orders) breaks the run: 2023 alone → 一般.
        let gap = [(2020, 900_000), (2021, 900_000), (2023, 900_000)];
        assert_eq!(class(&with_years(&gap, 300_000, 900_000)), "general");
        // A year below the bar breaks it too.
        let low = [(2021, 900_000), (2022, 499_999), (2023, 900_000)];
        assert_eq!(class(&with_years(&low, 300_000, 900_000)), "stable");
        // No deal: 潜在.
        let none = Indicators::new(d("2024-06-30"), false);
        assert_eq!(class(&none), "potential");
    }

    #[test]
    fn declared_only_customers_have_no_consecutive_years() {
        let m = seed004();
        let mut ind = Indicators::new(d("2024-06-30"), true);
        ind.set(Indicator::Trade12m, Value::Money(200_000_000), Source::Declared);
        let e = evaluate(&m, &ind);
        assert_eq!(m.tiers[e.tier].key, "general");
        assert!(e.years_missing && e.incomplete());
    }

    #[test]
    fn traces_show_what_each_condition_saw() {
        let m = seed004();
        let ind = with_years(&[(2022, 600_000), (2023, 600_000)], 1, 2);
        let Scoring::Rules(rules) = &m.scoring else {
            panic!()
        };
        assert_eq!(
            trace(&rules[0].when[0], &ind),
            "3 consecutive years each ≥ 500000 (years: 2) ✗"
        );
        assert_eq!(
            trace(&rules[1].when[1], &ind),
            "any of (max_order_12m ≥ 100000 | trade_12m ≥ 500000) ✗ [max_order_12m ≥ 100000 (1.00) ✗; trade_12m ≥ 500000 (2.00) ✗]"
        );
    }
}
