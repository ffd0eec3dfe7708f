//! The pieces of an ad-hoc question that need parsing: ranges (`10万..50万`,
//! `2024-01-01..`), free text with phone numbers in it, and "not updated in N days".

use chrono::{Days, NaiveDate};

use super::phone::{Phone, parse_phone};
use super::text;

/// An inclusive range; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

impl<T> Default for Range<T> {
    fn default() -> Self {
        Range { min: None, max: None }
    }
}

impl<T> Range<T> {
    pub fn is_open(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }
}

/// Parses `A..B`, `A..`, `..B` (or `~` for `..`) with `item` parsing each end; a single value
/// means exactly that value. Refuses a range whose low end is above its high end.
pub fn parse_range<T: PartialOrd + Clone>(
    input: &str,
    item: impl Fn(&str) -> Result<T, String>,
) -> Result<Range<T>, String> {
    let cleaned = text::clean(input);
    let (low, high) = match cleaned.split_once("..").or_else(|| cleaned.split_once('~')) {
        Some((l, h)) => (l.trim(), h.trim()),
        None => {
            let v = item(cleaned.trim())?;
            return Ok(Range {
                min: Some(v.clone()),
                max: Some(v),
            });
        }
    };
    if low.is_empty() && high.is_empty() {
        return Err("a range needs at least one end (A..B, A.. or ..B)".into());
    }
    let end = |s: &str| (!s.is_empty()).then(|| item(s)).transpose();
    let range = Range {
        min: end(low)?,
        max: end(high)?,
    };
    if let (Some(a), Some(b)) = (&range.min, &range.max)
        && a > b
    {
        return Err(format!("the low end {low} is above the high end {high}"));
    }
    Ok(range)
}

/// One word of a free-text search: matched as a substring of the name, short name or
/// remarks, or — when it reads as a phone number — of a contact's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word, ASCII letters lowercased (matching ignores their case).
    pub text: String,
    /// The digits to look for among contact phones, in their stored form.
    pub phone: Option<String>,
}

/// Splits a search into words (all must match). A phone number typed with spaces or dashes
/// (`138-1234-5678`, `+86 138 1234 5678`, `010-6512 3456`) stays one word.
pub fn parse_text(input: &str) -> Result<Vec<Word>, String> {
    if text::has_control_chars(input) {
        return Err("contains control characters".into());
    }
    let cleaned = text::clean(input);
    if cleaned.is_empty() {
        return Err("empty search".into());
    }
    if let Some(phone) = phone_form(&cleaned) {
        return Ok(vec![Word {
            text: cleaned.to_ascii_lowercase(),
            phone: Some(phone),
        }]);
    }
    Ok(cleaned
        .split(' ')
        .map(|w| Word {
            text: w.to_ascii_lowercase(),
            phone: phone_form(w),
        })
        .collect())
}

/// The stored form of a (possibly partial) phone number, when `s` is made only of digits and
/// the separators people type inside numbers, with at least 3 digits.
fn phone_form(s: &str) -> Option<String> {
    let phone_chars = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')');
    if !s.chars().all(phone_chars) {
        return None;
    }
    let canonical = match parse_phone(s) {
        Ok(Phone::Mobile(p) | Phone::Landline(p) | Phone::Service(p)) => p,
        Err(_) => s.chars().filter(char::is_ascii_digit).collect(),
    };
    (canonical.chars().filter(char::is_ascii_digit).count() >= 3).then_some(canonical)
}

/// The first day that does *not* count as stale: a customer is stale after `days` days
/// without an update when it was last updated before this date.
pub fn fresh_since(today: NaiveDate, days: u32) -> NaiveDate {
    today
        .checked_sub_days(Days::new(u64::from(days)))
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(NaiveDate::MIN)
}

/// The spellings a city may be stored under: `深圳` and `深圳市` find each other.
pub fn city_names(input: &str) -> Vec<String> {
    let cleaned = text::clean(input);
    match cleaned.strip_suffix('市') {
        Some(bare) if !bare.is_empty() => vec![cleaned.clone(), bare.to_string()],
        _ => vec![format!("{cleaned}市"), cleaned],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn int(s: &str) -> Result<i64, String> {
        s.parse().map_err(|_| format!("not a number: {s}"))
    }

    #[test]
    fn ranges_take_either_end_or_both() {
        assert_eq!(
            parse_range("1..5", int),
            Ok(Range {
                min: Some(1),
                max: Some(5)
            })
        );
        assert_eq!(
            parse_range("1..", int),
            Ok(Range {
                min: Some(1),
                max: None
            })
        );
        assert_eq!(
            parse_range("..5", int),
            Ok(Range {
                min: None,
                max: Some(5)
            })
        );
        assert_eq!(
            parse_range(" 2 ～ 3 ", int),
            Ok(Range {
                min: Some(2),
                max: Some(3)
            })
        );
        assert_eq!(
            parse_range("4", int),
            Ok(Range {
                min: Some(4),
                max: Some(4)
            })
        );
        assert!(parse_range("..", int).unwrap_err().contains("at least one end"));
        assert!(parse_range("5..1", int).unwrap_err().contains("above"));
        assert_eq!(parse_range("x..1", int).unwrap_err(), "not a number: x");
    }

    #[test]
    fn date_ranges_use_the_date_parser() {
        let r = parse_range("2024/1/5..2024年6月30日", super::super::date::parse_date).unwrap();
        assert_eq!(r.min.unwrap().to_string(), "2024-01-05");
        assert_eq!(r.max.unwrap().to_string(), "2024-06-30");
    }

    #[test]
    fn text_splits_into_words_and_spots_phone_numbers() {
        let words = parse_text(" 北京  科技 ").unwrap();
        assert_eq!(
            words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["北京", "科技"]
        );
        assert!(words.iter().all(|w| w.phone.is_none()));
        let phone = parse_text("+86 138-1234-5678").unwrap();
        assert_eq!(phone.len(), 1);
        assert_eq!(phone[0].phone.as_deref(), Some("13812345678"));
        assert_eq!(
            parse_text("010-6512 3456").unwrap()[0].phone.as_deref(),
            Some("01065123456")
        );
        assert_eq!(
            parse_text("1234-5678").unwrap()[0].phone.as_deref(),
            Some("12345678")
        );
        assert_eq!(parse_text("ABC").unwrap()[0].text, "abc");
        assert_eq!(parse_text("12").unwrap()[0].phone, None);
        assert!(parse_text("  ").is_err());
        assert!(parse_text("a\u{0}b").is_err());
    }

    #[test]
    fn staleness_counts_whole_days() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
        assert_eq!(fresh_since(today, 30).to_string(), "2024-06-01");
        assert_eq!(fresh_since(today, 0).to_string(), "2024-07-01");
        assert_eq!(fresh_since(today, u32::MAX), NaiveDate::MIN);
    }

    #[test]
    fn city_spellings() {
        assert_eq!(city_names("深圳"), ["深圳市", "深圳"]);
        assert_eq!(city_names("深圳市"), ["深圳市", "深圳"]);
        assert_eq!(city_names("市"), ["市市", "市"]);
    }

    proptest! {
        #[test]
        fn a_range_never_has_low_above_high(a in -1000i64..1000, b in -1000i64..1000) {
            match parse_range(&format!("{a}..{b}"), int) {
                Ok(r) => prop_assert!(r.min <= r.max),
                Err(e) => { prop_assert!(a > b); prop_assert!(e.contains("above")); }
            }
        }
    }
}
