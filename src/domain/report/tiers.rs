//! Per-tier analysis (seed 004 §5.1.4): which customers are close enough to the next tier to
//! be worth a push, and which key customers are slipping.

use rust_decimal::Decimal;

use super::STANDARD_TIERS;
use super::movement::{Move, classify};

/// A customer who could move up a tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The tier within reach (a standard key).
    pub next: &'static str,
    /// The score that reaches it.
    pub threshold: Decimal,
    /// Points still missing (0 when only a first deal is missing).
    pub gap: Decimal,
    /// A customer with no deal stays 潜在 whatever the score: it needs a first deal.
    pub needs_deal: bool,
}

/// Whether a customer of the standard model, at `tier` with `score`, is within `within`
/// points of the next tier's threshold (or has the points but no deal yet). Other models'
/// tiers have no score thresholds kehu knows, so they have no candidates.
pub fn upgrade_candidate(tier: &str, score: Decimal, has_deal: bool, within: Decimal) -> Option<Candidate> {
    let at = STANDARD_TIERS.iter().position(|(key, _, _)| *key == tier)?;
    let (next, _, threshold) = STANDARD_TIERS.get(at.checked_sub(1)?)?;
    let threshold = Decimal::from((*threshold)?);
    let needs_deal = tier == "potential" && !has_deal;
    let gap = (threshold - score).max(Decimal::ZERO);
    if (gap > Decimal::ZERO && gap <= within) || (gap.is_zero() && needs_deal) {
        return Some(Candidate {
            next,
            threshold,
            gap: gap.normalize(),
            needs_deal,
        });
    }
    None
}

/// A graded customer in two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub code: String,
    pub name: String,
    pub tier_before: String,
    pub tier_now: String,
    pub score_before: Option<Decimal>,
    pub score_now: Option<Decimal>,
}

/// How a key customer slipped between two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    /// Score change (negative), when both runs have a score.
    pub score_change: Option<Decimal>,
    pub tier_down: bool,
}

/// The key tiers of a ladder: its top two (核心/重要 for the standard model).
pub fn key_tiers(order: &[&'static str]) -> Vec<&'static str> {
    order.iter().take(2).copied().collect()
}

/// Whether a key customer (a key tier in either run) fell: a lower score or a lower tier.
pub fn decline(p: &Pair, order: &[&'static str]) -> Option<Decline> {
    let keys = key_tiers(order);
    if !keys.contains(&p.tier_before.as_str()) && !keys.contains(&p.tier_now.as_str()) {
        return None;
    }
    let score_change = match (p.score_before, p.score_now) {
        (Some(b), Some(n)) => Some((n - b).normalize()),
        _ => None,
    };
    let tier_down = classify(Some(&p.tier_before), Some(&p.tier_now), Some(order)) == Move::Down;
    let lower = score_change.is_some_and(|c| c.is_sign_negative() && !c.is_zero());
    (lower || tier_down).then_some(Decline {
        score_change,
        tier_down,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const STD: &[&str] = &["core", "important", "ordinary", "potential"];

    #[test]
    fn candidates_are_within_the_set_distance_of_the_next_threshold() {
        let c = upgrade_candidate("important", dec("86.5"), true, dec("5")).unwrap();
        assert_eq!(
            (c.next, c.gap.to_string(), c.needs_deal),
            ("core", "3.5".into(), false)
        );
        assert!(upgrade_candidate("important", dec("85"), true, dec("5")).is_some());
        assert!(upgrade_candidate("important", dec("84.9"), true, dec("5")).is_none());
        assert!(upgrade_candidate("core", dec("99"), true, dec("5")).is_none());
        assert!(upgrade_candidate("稳定", dec("99"), true, dec("5")).is_none());
        let o = upgrade_candidate("ordinary", dec("66"), true, dec("5")).unwrap();
        assert_eq!(o.next, "important");
    }

    #[test]
    fn a_prospect_with_the_points_needs_a_first_deal() {
        let c = upgrade_candidate("potential", dec("62"), false, dec("5")).unwrap();
        assert_eq!((c.next, c.gap, c.needs_deal), ("ordinary", Decimal::ZERO, true));
        let c = upgrade_candidate("potential", dec("47"), false, dec("5")).unwrap();
        assert_eq!((c.gap.to_string(), c.needs_deal), ("3".into(), true));
        assert!(upgrade_candidate("potential", dec("40"), false, dec("5")).is_none());
    }

    fn pair(before: &str, now: &str, sb: &str, sn: &str) -> Pair {
        Pair {
            code: "C1".into(),
            name: "甲".into(),
            tier_before: before.into(),
            tier_now: now.into(),
            score_before: Some(dec(sb)),
            score_now: Some(dec(sn)),
        }
    }

    #[test]
    fn key_customers_who_slip_are_found() {
        let d = decline(&pair("core", "core", "95", "91.5"), STD).unwrap();
        assert_eq!(d.score_change.unwrap().to_string(), "-3.5");
        assert!(!d.tier_down);
        let d = decline(&pair("important", "ordinary", "72", "68"), STD).unwrap();
        assert!(d.tier_down);
        assert!(decline(&pair("core", "core", "91", "93"), STD).is_none());
        assert!(decline(&pair("ordinary", "ordinary", "60", "52"), STD).is_none());
    }
}
