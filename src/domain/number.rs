//! Plain numbers typed in spreadsheets: decimals, percentages, counts and scores.
//!
//! Input goes through [`clean`] first (NFKC turns `１５％` into `15%` and `，` into `,`).
//! `,` thousands separators must be in groups of three; a leading `+`, `-`, `−` or
//! `负` sets the sign. Exponents (`1e5`) and spaces inside a number are refused.

use chinese_number::{ChineseCountMethod, ChineseToNumber};
use rust_decimal::Decimal;

use super::text::clean;

/// Measure words that may follow a count (`3次`, `5个`, `2家`).
const MEASURE_WORDS: [&str; 29] = [
    "次", "回", "个", "個", "人", "位", "名", "家", "户", "戶", "笔", "筆", "单", "單", "件", "项", "項",
    "份", "张", "張", "台", "套", "条", "條", "场", "場", "间", "間", "只",
];

/// Suffixes that mark a percentage, longest first.
const PERCENT_SUFFIXES: [&str; 3] = ["个百分点", "百分点", "%"];

/// Why a workbook's number cell holding `text` cannot be trusted, if it cannot: a whole
/// number of more than 15 digits (a contract, bank account or ID number typed into a
/// number cell). A spreadsheet keeps 15 significant digits of a number, so those after
/// the 15th are not the ones typed.
pub fn digits_lost(text: &str) -> Option<String> {
    let digits = text.trim().trim_start_matches('-');
    (digits.len() > 15 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| {
        format!(
            "is a number of {} digits, and a spreadsheet keeps only 15 of a number: the last \
             ones are not those typed; format the column as text and type the number again",
            digits.len()
        )
    })
}

/// A signed decimal: `1,234.5`, `１２３４.５`, `+3`, `-0.25`, `负3.5`.
pub fn parse_decimal(input: &str) -> Result<Decimal, String> {
    let shown = clean(input);
    if shown.is_empty() {
        return Err("empty number".to_string());
    }
    let compact = remove_spaces(&shown).ok_or_else(|| not_a_number(&shown))?;
    signed_literal(&compact).ok_or_else(|| not_a_number(&shown))
}

/// A percentage in percent units: `15%`, `15`, `１５％`, `-3.5%`, `15个百分点` → 15.
/// A bare number is taken as already in percent (`0.15` is 0.15 %, not 15 %).
pub fn parse_percent(input: &str) -> Result<Decimal, String> {
    let shown = clean(input);
    if shown.is_empty() {
        return Err("empty percentage".to_string());
    }
    let compact = remove_spaces(&shown).ok_or_else(|| not_a_percentage(&shown))?;
    let body = PERCENT_SUFFIXES
        .iter()
        .find_map(|s| compact.strip_suffix(s))
        .unwrap_or(&compact);
    signed_literal(body).ok_or_else(|| not_a_percentage(&shown))
}

/// A non-negative whole count: `3`, `３`, `3次`, `3个`, `2.0`, `1,200`, `三次`.
/// `2.5` and negatives are refused.
pub fn parse_count(input: &str) -> Result<u32, String> {
    let shown = clean(input);
    if shown.is_empty() {
        return Err("empty count".to_string());
    }
    let compact = remove_spaces(&shown).ok_or_else(|| not_a_number(&shown))?;
    let body = MEASURE_WORDS
        .iter()
        .find_map(|w| compact.strip_suffix(w))
        .unwrap_or(&compact);
    if let Some(value) = chinese_count(body) {
        return Ok(value);
    }
    let value = signed_literal(body).ok_or_else(|| not_a_number(&shown))?;
    whole_count(value, &shown)
}

/// A score between 0 and `max` inclusive: `8.5`, `8.5分`, `８`, `8/10` (the
/// denominator must equal `max`).
pub fn parse_score(input: &str, max: Decimal) -> Result<Decimal, String> {
    let shown = clean(input);
    if shown.is_empty() {
        return Err("empty score".to_string());
    }
    let compact = remove_spaces(&shown).ok_or_else(|| not_a_number(&shown))?;
    let body = compact.strip_suffix('分').unwrap_or(&compact);
    let max_shown = max.normalize();
    let numerator = match body.split_once('/') {
        Some((numerator, denominator)) => {
            let scale = signed_literal(denominator).ok_or_else(|| not_a_number(&shown))?;
            if scale != max {
                return Err(format!(
                    "{shown} is on a 0-{} scale, not 0-{max_shown}",
                    scale.normalize()
                ));
            }
            numerator
        }
        None => body,
    };
    let value = signed_literal(numerator).ok_or_else(|| not_a_number(&shown))?;
    if value < Decimal::ZERO || value > max {
        return Err(format!("{shown} is outside 0-{max_shown}"));
    }
    Ok(value)
}

fn not_a_number(shown: &str) -> String {
    format!("{shown} is not a number")
}

fn not_a_percentage(shown: &str) -> String {
    format!("{shown} is not a percentage")
}

fn whole_count(value: Decimal, shown: &str) -> Result<u32, String> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!("{shown} is negative; a count cannot be"));
    }
    if !value.fract().is_zero() {
        return Err(format!("{shown} is not a whole number"));
    }
    u32::try_from(value.trunc()).map_err(|_| format!("{shown} is too large for a count"))
}

/// `三`, `十二`, `一百零五`: a count written in Chinese numerals.
fn chinese_count(s: &str) -> Option<u32> {
    let numerals = !s.is_empty()
        && s.chars().all(|c| {
            matches!(
                c,
                '零' | '〇'
                    | '一'
                    | '二'
                    | '两'
                    | '兩'
                    | '三'
                    | '四'
                    | '五'
                    | '六'
                    | '七'
                    | '八'
                    | '九'
                    | '十'
                    | '百'
                    | '千'
                    | '万'
                    | '萬'
            )
        });
    numerals
        .then(|| s.to_number(ChineseCountMethod::TenThousand).ok())
        .flatten()
}

/// Removes spaces; `None` when a space separates two digits (`1 234`).
fn remove_spaces(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let digit_at = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(char::is_ascii_digit);
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
        } else if digit_at(i.checked_sub(1)) && digit_at(Some(i + 1)) {
            return None;
        }
    }
    Some(out)
}

/// An optional sign followed by [`unsigned_literal`]; `-0` is returned as 0.
fn signed_literal(s: &str) -> Option<Decimal> {
    let (negative, body) = ["-", "−", "负", "負"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .map(|rest| (true, rest))
        .unwrap_or_else(|| (false, s.strip_prefix('+').unwrap_or(s)));
    let value = unsigned_literal(body)?;
    Some(if negative && !value.is_zero() {
        -value
    } else {
        value
    })
}

/// Digits with optional `,` thousands separators (groups of three) and an optional
/// fractional part: `1,234.5`, `0.25`, `.5`.
fn unsigned_literal(s: &str) -> Option<Decimal> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_ok = groups.len() == 1
        || groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups.iter().skip(1).all(|g| g.len() == 3);
    let digits: String = groups.concat();
    let all_digits = digits.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit());
    if !grouped_ok || !all_digits || digits.len() + fraction.len() == 0 {
        return None;
    }
    let whole = if digits.is_empty() { "0" } else { &digits };
    let fraction = if fraction.is_empty() { "0" } else { fraction };
    let value: Decimal = format!("{whole}.{fraction}").parse().ok()?;
    Some(value.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_number_of_more_than_15_digits_has_lost_some() {
        assert_eq!(digits_lost("622202123456789"), None, "15 digits are kept");
        assert_eq!(
            digits_lost("20240501000000124"),
            Some(
                "is a number of 17 digits, and a spreadsheet keeps only 15 of a number: the last ones \
             are not those typed; format the column as text and type the number again"
                    .into()
            )
        );
        assert!(digits_lost("-1234567890123456").is_some());
        assert_eq!(digits_lost("12345678901234.5"), None, "not a whole number");
        assert_eq!(digits_lost("HT20240501000000124"), None, "not a number");
    }
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("valid test decimal")
    }

    #[test]
    fn decimals() {
        let cases = [
            ("0", "0"),
            ("1234.5", "1234.5"),
            ("1,234.5", "1234.5"),
            ("1，234.5", "1234.5"),
            ("１２３４.５", "1234.5"),
            ("+3", "3"),
            ("-0.25", "-0.25"),
            ("−2", "-2"),
            ("负3.5", "-3.5"),
            ("- 3.5", "-3.5"),
            (".5", "0.5"),
            ("007", "7"),
            ("1,234,567", "1234567"),
            (" 42 ", "42"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_decimal(input), Ok(dec(want)), "input {input:?}");
        }
        assert!(!parse_decimal("-0").is_ok_and(|v| v.is_sign_negative()));
    }

    #[test]
    fn decimal_refusals() {
        let cases = [
            ("", "empty number"),
            ("abc", "abc is not a number"),
            ("1,23", "1,23 is not a number"),
            ("1.2.3", "1.2.3 is not a number"),
            ("1e5", "1e5 is not a number"),
            ("1 234", "1 234 is not a number"),
            ("--1", "--1 is not a number"),
            ("-", "- is not a number"),
            (".", ". is not a number"),
            ("12%", "12% is not a number"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_decimal(input), Err(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn percents() {
        let cases = [
            ("15%", "15"),
            ("15", "15"),
            ("１５％", "15"),
            ("-3.5%", "-3.5"),
            ("15个百分点", "15"),
            ("2.5百分点", "2.5"),
            ("15 %", "15"),
            ("0.15", "0.15"),
            ("120%", "120"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_percent(input), Ok(dec(want)), "input {input:?}");
        }
        assert_eq!(parse_percent(""), Err("empty percentage".to_string()));
        assert_eq!(parse_percent("15%%"), Err("15%% is not a percentage".to_string()));
        assert_eq!(
            parse_percent("百分之十五"),
            Err("百分之十五 is not a percentage".to_string())
        );
    }

    #[test]
    fn counts() {
        let cases = [
            ("3", 3),
            ("３", 3),
            ("3次", 3),
            ("3个", 3),
            ("3 次", 3),
            ("2.0", 2),
            ("0", 0),
            ("1,200", 1200),
            ("三次", 3),
            ("十二家", 12),
            ("两个", 2),
            ("4294967295", u32::MAX),
        ];
        for (input, want) in cases {
            assert_eq!(parse_count(input), Ok(want), "input {input:?}");
        }
        let refusals = [
            ("", "empty count"),
            ("2.5", "2.5 is not a whole number"),
            ("-3", "-3 is negative; a count cannot be"),
            ("4294967296", "4294967296 is too large for a count"),
            ("三次以上", "三次以上 is not a number"),
            ("几次", "几次 is not a number"),
            ("3次3次", "3次3次 is not a number"),
        ];
        for (input, want) in refusals {
            assert_eq!(parse_count(input), Err(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn scores() {
        let ten = Decimal::TEN;
        let cases = [
            ("8.5", "8.5"),
            ("8.5分", "8.5"),
            ("８分", "8"),
            ("0", "0"),
            ("10", "10"),
            ("8/10", "8"),
            ("9.5 分", "9.5"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_score(input, ten), Ok(dec(want)), "input {input:?}");
        }
        let refusals = [
            ("", "empty score"),
            ("11", "11 is outside 0-10"),
            ("-1", "-1 is outside 0-10"),
            ("10.01", "10.01 is outside 0-10"),
            ("4/5", "4/5 is on a 0-5 scale, not 0-10"),
            ("好", "好 is not a number"),
        ];
        for (input, want) in refusals {
            assert_eq!(parse_score(input, ten), Err(want.to_string()), "input {input:?}");
        }
        assert_eq!(parse_score("4/5", Decimal::from(5)), Ok(dec("4")));
        assert_eq!(parse_score("6", dec("5.0")), Err("6 is outside 0-5".to_string()));
    }

    proptest! {
        #[test]
        fn decimal_round_trips(whole in -1_000_000_000i64..1_000_000_000, cents in 0u32..100) {
            let text = format!("{whole}.{cents:02}");
            let want: Decimal = text.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(parse_decimal(&text), Ok(want));
            prop_assert_eq!(parse_percent(&format!("{text}%")), Ok(want));
        }

        #[test]
        fn count_round_trips(n in any::<u32>()) {
            prop_assert_eq!(parse_count(&n.to_string()), Ok(n));
            prop_assert_eq!(parse_count(&format!("{n}次")), Ok(n));
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = parse_decimal(&s);
            let _ = parse_percent(&s);
            let _ = parse_count(&s);
            let _ = parse_score(&s, Decimal::TEN);
        }

        #[test]
        fn never_panics_on_number_like(s in "[0-9.,，%％+\\-负/分次个十百千万两三 ]{0,16}") {
            let _ = parse_decimal(&s);
            let _ = parse_percent(&s);
            let _ = parse_count(&s);
            let _ = parse_score(&s, Decimal::TEN);
        }
    }
}
