//! Reports: the pure part. The store aggregates in SQL and hands small results here; this
//! module turns them into what a manager reads — shares, the order values are shown in, tier
//! ladders and moves, the monthly review's rules, data-quality checks, upgrade candidates.
//! Nothing here does I/O; "today" and the as-of date come in as arguments.

pub mod dist;
pub mod movement;
pub mod quality;
pub mod review;
pub mod tiers;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::date::minus_years;
use super::text;

/// `part` as a percentage of `whole` with two decimals (half away from zero); 0 when `whole`
/// is 0.
pub fn share(part: i64, whole: i64) -> Decimal {
    if whole == 0 {
        return Decimal::new(0, 2);
    }
    let mut d = (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}

/// The mean of `sum` over `count` values with two decimals; `None` for no values.
pub fn mean(sum: Decimal, count: i64) -> Option<Decimal> {
    (count > 0).then(|| {
        let mut d =
            (sum / Decimal::from(count)).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        d.rescale(2);
        d
    })
}

/// "The last 12 months" as grading counts them: orders dated after the same day one year
/// before `as_of`, up to and including `as_of` (as-of 2024-06-30 → 2023-07-01 … 2024-06-30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Exclusive lower bound.
    pub after: NaiveDate,
    /// Inclusive upper bound.
    pub until: NaiveDate,
}

impl Window {
    pub fn twelve_months(as_of: NaiveDate) -> Window {
        Window {
            after: minus_years(as_of, 1),
            until: as_of,
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        date > self.after && date <= self.until
    }
}

/// The standard model's tiers: stored key, Chinese label, and the score that reaches it.
pub const STANDARD_TIERS: [(&str, &str, Option<i64>); 4] = [
    ("core", "核心", Some(90)),
    ("important", "重要", Some(70)),
    ("ordinary", "普通", Some(50)),
    ("potential", "潜在", None),
];

/// Tier ladders kehu knows, best tier first: the standard model's keys and labels, seed
/// 004's rule classes (重要 稳定 一般 潜在) and seed 000's value levels (高 中 低). A run whose
/// tiers fit none of them has no known order, so its moves are "changed", not up or down.
const LADDERS: [&[&str]; 4] = [
    &["core", "important", "ordinary", "potential"],
    &["核心", "重要", "普通", "潜在"],
    &["重要", "稳定", "一般", "潜在"],
    &["高", "中", "低"],
];

/// The first known ladder holding every label in `labels`.
pub fn ladder<'a>(labels: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'static [&'static str]> {
    LADDERS
        .into_iter()
        .find(|l| labels.clone().into_iter().all(|t| l.contains(&t)))
}

/// How a tier shows in Chinese: the standard keys get their labels, other models' labels
/// are already what people call them.
pub fn tier_zh(tier: &str) -> &str {
    STANDARD_TIERS
        .iter()
        .find(|(key, _, _)| *key == tier)
        .map_or(tier, |(_, zh, _)| zh)
}

/// What a typed tier may be stored as: the standard key it names (`核心`, `核心客户`,
/// `Core` → `core`) and the text as typed (another model's own label, e.g. `稳定`).
pub fn tier_spellings(input: &str) -> Vec<String> {
    let typed = text::clean(input);
    let lower = typed.to_lowercase();
    let base = typed.strip_suffix("客户").unwrap_or(&typed);
    let mut out = Vec::new();
    if let Some((key, _, _)) = STANDARD_TIERS
        .iter()
        .find(|(key, zh, _)| *key == lower || *zh == base)
    {
        out.push((*key).to_string());
    }
    if !out.contains(&typed) {
        out.push(typed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn shares_are_exact_percentages_with_two_decimals() {
        assert_eq!(share(1, 3).to_string(), "33.33");
        assert_eq!(share(2, 3).to_string(), "66.67");
        assert_eq!(share(1, 8).to_string(), "12.50");
        assert_eq!(share(5, 5).to_string(), "100.00");
        assert_eq!(share(0, 0).to_string(), "0.00");
    }

    #[test]
    fn means_round_half_away_from_zero() {
        assert_eq!(mean(Decimal::new(175, 1), 2).unwrap().to_string(), "8.75");
        assert_eq!(mean(Decimal::from(25), 3).unwrap().to_string(), "8.33");
        assert_eq!(mean(Decimal::ZERO, 0), None);
    }

    #[test]
    fn the_window_is_the_twelve_months_up_to_and_including_as_of() {
        let w = Window::twelve_months(d("2024-06-30"));
        assert!(!w.contains(d("2023-06-30")));
        assert!(w.contains(d("2023-07-01")));
        assert!(w.contains(d("2024-06-30")));
        assert!(!w.contains(d("2024-07-01")));
        let leap = Window::twelve_months(d("2024-02-29"));
        assert_eq!(leap.after, d("2023-02-28"));
    }

    #[test]
    fn ladders_are_found_from_the_labels_in_use() {
        assert_eq!(ladder(["core", "potential"]).unwrap()[0], "core");
        assert_eq!(ladder(["稳定", "潜在"]).unwrap()[0], "重要");
        assert_eq!(ladder(["重要", "潜在"]).unwrap()[0], "核心");
        assert_eq!(ladder(["高", "低"]).unwrap()[0], "高");
        assert_eq!(ladder(["core", "稳定"]), None);
    }

    #[test]
    fn tiers_are_typed_either_way() {
        assert_eq!(tier_spellings("核心客户"), ["core", "核心客户"]);
        assert_eq!(tier_spellings("Core"), ["core", "Core"]);
        assert_eq!(tier_spellings("core"), ["core"]);
        assert_eq!(tier_spellings("稳定"), ["稳定"]);
        assert_eq!(tier_zh("important"), "重要");
        assert_eq!(tier_zh("稳定"), "稳定");
    }
}
