//! 居民身份证号码 (resident identity card number) validation per GB 11643-1999.
//!
//! An 18-character number is a 6-digit address code (GB/T 2260), an 8-digit birth
//! date `YYYYMMDD`, a 3-digit sequence (odd = male, even = female) and a check
//! character. With weights `Wi = 2^(18−i) mod 11` and `S = Σ digit × Wi` over
//! positions 1–17, the check value is `(12 − S mod 11) mod 11`, written `X` for 10.
//!
//! The first two digits must be a province code (11–15, 21–23, 31–37, 41–46, 50–54,
//! 61–65, 71, 81, 82) or 83 (港澳台居民居住证 numbers start 810000/820000/830000).
//! The birth date must be a real calendar date from 1800 on. Whether it lies in the
//! future is not checked here: this module reads no clock (compare with today outside).
//!
//! Legacy 15-digit numbers (issued before 1999: address + `YYMMDD` + sequence, no
//! check digit) are accepted unchanged after checking the province and the date 19YYMMDD.
//!
//! Input is normalised first: NFKC (full-width → ASCII), whitespace, hyphens/dashes
//! and zero-width characters removed, lowercase `x` uppercased. The canonical form is
//! the 18 (or 15) ASCII characters. An ID number is personal information: mask it on
//! display.

use super::text::{identifier, is_scientific_notation, show_char};

/// `Wi = 2^(18−i) mod 11` for positions 1..=17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Province-level codes (GB/T 2260) plus 83 used by Taiwan residents' residence permits.
const PROVINCES: [&str; 35] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    "83",
];

const EARLIEST_BIRTH_YEAR: u32 = 1800;

/// Normalises and validates a resident ID number; `Ok` holds the canonical form
/// (18 characters ending in a digit or `X`, or 15 digits for a legacy number).
///
/// `Err` holds a short lowercase reason such as `check character should be X`.
pub fn parse_resident_id(input: &str) -> Result<String, String> {
    let id = identifier(input);
    let chars: Vec<char> = id.chars().collect();
    match chars.len() {
        0 => Err("empty".to_string()),
        18 => parse_18(&id, &chars).map(|()| id),
        15 => parse_15(&id, &chars).map(|()| id),
        n => Err(length_reason(&id, n)),
    }
}

fn parse_18(id: &str, chars: &[char]) -> Result<(), String> {
    check_characters(chars, "only digits, and X as the 18th character")?;
    check_province(id)?;
    let birth = id.get(6..14).unwrap_or_default();
    check_birth_date(birth, birth)?;
    check_check_char(chars)
}

fn parse_15(id: &str, chars: &[char]) -> Result<(), String> {
    check_characters(chars, "a 15-digit number is all digits")?;
    if chars.last() == Some(&'X') {
        return Err(
            "character X at position 15 is not allowed (a 15-digit number is all digits)".to_string(),
        );
    }
    check_province(id)?;
    let birth = id.get(6..12).unwrap_or_default();
    check_birth_date(&format!("19{birth}"), birth)
}

fn length_reason(id: &str, len: usize) -> String {
    if is_scientific_notation(id) {
        format!(
            "{} looks like a spreadsheet turned the number into scientific notation; \
             re-export the column as text",
            id.to_lowercase()
        )
    } else {
        format!("must be 18 characters (or 15 digits for a pre-1999 number), got {len}")
    }
}

/// All digits, except that the 18th character may be `X`.
fn check_characters(chars: &[char], hint: &str) -> Result<(), String> {
    let last = chars.len().saturating_sub(1);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() || (c == 'X' && i == last) {
            continue;
        }
        return Err(format!(
            "character {} at position {} is not allowed ({hint})",
            show_char(c),
            i + 1
        ));
    }
    Ok(())
}

fn check_province(id: &str) -> Result<(), String> {
    let province = id.get(0..2).unwrap_or_default();
    if PROVINCES.contains(&province) {
        Ok(())
    } else {
        Err(format!("first two digits {province} are not a province code"))
    }
}

/// `yyyymmdd` is the 8-digit date to check; `shown` is how the number writes it.
fn check_birth_date(yyyymmdd: &str, shown: &str) -> Result<(), String> {
    let Some((year, month, day)) = split_date(yyyymmdd) else {
        return Err(format!("birth date {shown} is not a real date"));
    };
    if !is_real_date(year, month, day) {
        return Err(format!("birth date {shown} is not a real date"));
    }
    if year < EARLIEST_BIRTH_YEAR {
        return Err(format!("birth date {shown} is before {EARLIEST_BIRTH_YEAR}"));
    }
    Ok(())
}

fn split_date(yyyymmdd: &str) -> Option<(u32, u32, u32)> {
    let year = yyyymmdd.get(0..4)?.parse().ok()?;
    let month = yyyymmdd.get(4..6)?.parse().ok()?;
    let day = yyyymmdd.get(6..8)?.parse().ok()?;
    Some((year, month, day))
}

fn is_real_date(year: u32, month: u32, day: u32) -> bool {
    (1..=days_in_month(year, month)).contains(&day)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn check_check_char(chars: &[char]) -> Result<(), String> {
    let Some((&given, first17)) = chars.split_last() else {
        return Err("empty".to_string());
    };
    let expected = check_char_for(first17);
    if expected == Some(given) {
        Ok(())
    } else {
        match expected {
            Some(c) => Err(format!("check character should be {c}")),
            None => Err("first 17 characters must be digits".to_string()),
        }
    }
}

fn check_char_for(first17: &[char]) -> Option<char> {
    let mut sum = 0u32;
    for (c, &w) in first17.iter().zip(WEIGHTS.iter()) {
        sum += c.to_digit(10)? * w;
    }
    match (12 - sum % 11) % 11 {
        10 => Some('X'),
        v => char::from_digit(v, 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weights_are_powers_of_two_mod_11() {
        for (i, &w) in WEIGHTS.iter().enumerate() {
            let exponent = 17 - i as u32; // 18 − position, position = i + 1
            assert_eq!(2u32.pow(exponent) % 11, w);
        }
    }

    #[test]
    fn reference_valid_numbers() {
        let valid = [
            "360426199101010071",
            "44011320141005001X",
            "412723199010050012",
            "110102199101010078",
            "120110199212010072",
        ];
        for id in valid {
            assert_eq!(parse_resident_id(id), Ok(id.to_string()), "{id}");
        }
    }

    #[test]
    fn reference_invalid_numbers() {
        let cases = [
            ("36042619910102009X", "check character should be 3"),
            ("360426199113010079", "birth date 19911301 is not a real date"),
            (
                "T60426199101010078",
                "character T at position 1 is not allowed \
                 (only digits, and X as the 18th character)",
            ),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_resident_id(input), Err(reason.to_string()), "{input}");
        }
    }

    #[test]
    fn normalises_decorated_input() {
        let cases = [
            ("44011320141005001x", "44011320141005001X"),
            ("４４０１１３２０１４１００５００１ｘ", "44011320141005001X"),
            ("360426 19910101 0071", "360426199101010071"),
            ("360426-19910101-0071", "360426199101010071"),
            ("\u{FEFF}360426199101010071\u{200B}\u{3000}", "360426199101010071"),
            ("\t360426199101010071", "360426199101010071"),
            ("110102200002290014", "110102200002290014"),
            ("810000199001010019", "810000199001010019"),
            ("830000199001010020", "830000199001010020"),
            ("360426910101007", "360426910101007"),
            ("360426 910101 007", "360426910101007"),
        ];
        for (input, canonical) in cases {
            assert_eq!(parse_resident_id(input), Ok(canonical.to_string()), "{input}");
        }
    }

    #[test]
    fn other_invalid_numbers() {
        let cases = [
            ("", "empty"),
            ("  ", "empty"),
            ("110102190002290018", "birth date 19000229 is not a real date"),
            ("110102199100000078", "birth date 19910000 is not a real date"),
            ("110102179912310017", "birth date 17991231 is before 1800"),
            (
                "990000199001010017",
                "first two digits 99 are not a province code",
            ),
            ("36042619910101007X", "check character should be 1"),
            (
                "3604261991010100X1",
                "character X at position 17 is not allowed \
                 (only digits, and X as the 18th character)",
            ),
            ("360426911301007", "birth date 911301 is not a real date"),
            ("360426000229007", "birth date 000229 is not a real date"),
            (
                "36042691010100X",
                "character X at position 15 is not allowed (a 15-digit number is all digits)",
            ),
            (
                "36042619910101007",
                "must be 18 characters (or 15 digits for a pre-1999 number), got 17",
            ),
            (
                "3.60426E+17",
                "3.60426e+17 looks like a spreadsheet turned the number into scientific \
                 notation; re-export the column as text",
            ),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_resident_id(input), Err(reason.to_string()), "{input}");
        }
    }

    prop_compose! {
        fn valid_id()(
            province in prop::sample::select(PROVINCES.to_vec()),
            area in "[0-9]{4}",
            year in 1900u32..2020,
            month in 1u32..=12,
            day in 1u32..=28,
            sequence in "[0-9]{3}",
        ) -> String {
            let first17 = format!("{province}{area}{year}{month:02}{day:02}{sequence}");
            let chars: Vec<char> = first17.chars().collect();
            let check = check_char_for(&chars).unwrap_or('?');
            format!("{first17}{check}")
        }
    }

    proptest! {
        #[test]
        fn generated_numbers_are_valid(id in valid_id()) {
            prop_assert_eq!(parse_resident_id(&id), Ok(id.clone()));
        }

        #[test]
        fn any_single_digit_change_is_invalid(
            id in valid_id(),
            position in 0usize..18,
            shift in 1usize..11,
        ) {
            const SYMBOLS: [char; 11] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];
            let mut chars: Vec<char> = id.chars().collect();
            let old = SYMBOLS.iter().position(|&c| c == chars[position]).unwrap_or(0);
            chars[position] = SYMBOLS[(old + shift) % 11];
            let changed: String = chars.into_iter().collect();
            prop_assert!(parse_resident_id(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn lowercase_and_spaced_forms_parse(id in valid_id()) {
            let decorated = format!(" {} {} ", &id[..6], id[6..].to_lowercase());
            prop_assert_eq!(parse_resident_id(&decorated), Ok(id));
        }

        #[test]
        fn parse_is_idempotent(input in "[0-9xX \\-]{14,20}") {
            if let Ok(canonical) = parse_resident_id(&input) {
                prop_assert_eq!(parse_resident_id(&canonical), Ok(canonical.clone()));
            }
        }

        #[test]
        fn random_strings_never_panic(input in any::<String>()) {
            if let Ok(canonical) = parse_resident_id(&input) {
                prop_assert_eq!(parse_resident_id(&canonical), Ok(canonical.clone()));
            }
        }
    }
}
