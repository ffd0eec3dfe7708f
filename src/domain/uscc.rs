//! 统一社会信用代码 (Unified Social Credit Code, USCC) validation per GB 32100-2015.
//!
//! A USCC has 18 characters from the 31-character set `0123456789ABCDEFGHJKLMNPQRTUWXY`
//! (the letters I, O, Z, S, V are never used):
//!
//! * 1 — registering authority, 2 — entity category (any charset character);
//! * 3–8 — GB/T 2260 area code of the registering office (digits);
//! * 9–17 — the GB 11714 organisation code (主体标识码);
//! * 18 — check character: with weights `Wi = 3^(i-1) mod 31` and
//!   `S = Σ value(Ci) × Wi` over positions 1–17, `C18 = (31 − S mod 31) mod 31`.
//!
//! Input is normalised before checking: NFKC (full-width → ASCII), whitespace
//! (ASCII, ideographic, no-break), hyphens/dashes and zero-width characters
//! (U+200B–U+200D, U+2060, U+FEFF) are removed, and ASCII letters are uppercased.
//! The canonical form is the 18 uppercase ASCII characters.
//!
//! Pre-2015 identifiers (the 15-digit 工商注册号 and the 9-character 组织机构代码) are
//! recognised and rejected with a reason that says so.

use super::text::{identifier, is_scientific_notation, show_char};

/// The 31 characters a USCC may use; a character's value is its index.
const CHARSET: [char; 31] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L',
    'M', 'N', 'P', 'Q', 'R', 'T', 'U', 'W', 'X', 'Y',
];

/// `Wi = 3^(i-1) mod 31` for positions 1..=17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Letters a USCC never uses, and the look-alikes people probably meant.
const FORBIDDEN_HINT: &str = "USCC never uses I, O, Z, S, V; did you mean 1, 0, 2, 5, U?";

const LENGTH: usize = 18;

/// Normalises and validates a USCC; `Ok` holds the canonical 18-character code.
///
/// `Err` holds a short lowercase reason such as `check character should be L`.
pub fn parse_uscc(input: &str) -> Result<String, String> {
    let code = identifier(input);
    let chars: Vec<char> = code.chars().collect();
    if chars.is_empty() {
        return Err("empty".to_string());
    }
    if chars.len() != LENGTH {
        return Err(length_reason(&code, &chars));
    }
    check_charset(&chars)?;
    check_area_digits(&chars)?;
    check_check_char(&chars)?;
    Ok(code)
}

/// Computes the 18th (check) character for the first 17 characters of a USCC.
///
/// Lowercase ASCII letters are accepted; returns `None` unless `first17` is exactly
/// 17 characters from the USCC character set.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != LENGTH - 1 {
        return None;
    }
    check_char_for(&chars)
}

/// Returns the province part (positions 3–4) of a canonical USCC, e.g. `"11"` for
/// `91110000600037341L`; an empty string if those positions are not two digits.
pub fn uscc_province_code(canonical: &str) -> &str {
    match canonical.get(2..4) {
        Some(code) if code.bytes().all(|b| b.is_ascii_digit()) => code,
        _ => "",
    }
}

fn value_of(c: char) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&x| x == c)
        .and_then(|i| u32::try_from(i).ok())
}

fn check_char_for(first17: &[char]) -> Option<char> {
    let mut sum = 0u32;
    for (&c, &w) in first17.iter().zip(WEIGHTS.iter()) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    usize::try_from(check).ok().and_then(|i| CHARSET.get(i)).copied()
}

fn length_reason(code: &str, chars: &[char]) -> String {
    if is_old_registration_number(chars) {
        "15-digit number is an old 工商注册号 (business registration number), not a USCC".to_string()
    } else if is_old_organisation_code(chars) {
        "9-character code is an old 组织机构代码 (organisation code), not a USCC \
         (a USCC contains it at positions 9-17)"
            .to_string()
    } else if is_scientific_notation(code) {
        format!(
            "{} looks like a spreadsheet turned the code into scientific notation; \
             re-export the column as text",
            code.to_lowercase()
        )
    } else {
        format!("must be {LENGTH} characters, got {}", chars.len())
    }
}

fn is_old_registration_number(chars: &[char]) -> bool {
    chars.len() == 15 && chars.iter().all(char::is_ascii_digit)
}

/// GB 11714 organisation code: 8 digits/letters plus a check digit or `X`.
fn is_old_organisation_code(chars: &[char]) -> bool {
    match chars.split_last() {
        Some((last, body)) if chars.len() == 9 => {
            body.iter().all(char::is_ascii_alphanumeric) && (last.is_ascii_digit() || *last == 'X')
        }
        _ => false,
    }
}

fn check_charset(chars: &[char]) -> Result<(), String> {
    for (i, &c) in chars.iter().enumerate() {
        if value_of(c).is_some() {
            continue;
        }
        let position = i + 1;
        let shown = show_char(c);
        return Err(if matches!(c, 'I' | 'O' | 'Z' | 'S' | 'V') {
            format!("character {shown} at position {position} is not allowed ({FORBIDDEN_HINT})")
        } else {
            format!("character {shown} at position {position} is not allowed")
        });
    }
    Ok(())
}

fn check_area_digits(chars: &[char]) -> Result<(), String> {
    if chars.iter().skip(2).take(6).all(char::is_ascii_digit) {
        Ok(())
    } else {
        Err("positions 3-8 must be digits (registering office area code)".to_string())
    }
}

fn check_check_char(chars: &[char]) -> Result<(), String> {
    let Some((&given, first17)) = chars.split_last() else {
        return Err("empty".to_string());
    };
    match check_char_for(first17) {
        Some(expected) if expected == given => Ok(()),
        // All digits: likely a number cell, of which Excel keeps 15 significant digits.
        Some(expected) if chars.iter().all(char::is_ascii_digit) => Err(format!(
            "check character should be {expected} (if the spreadsheet held it as a number, it \
             kept only its first 15 digits: format the column as text and type it again)"
        )),
        Some(expected) => Err(format!("check character should be {expected}")),
        None => Err("invalid characters".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 8] = [
        "91110000600037341L",
        "91310115MA1K3BTP2B",
        "9144030071526726XG",
        "121200004013590816",
        "91620105L015101280",
        "92340621MA2UK3PJXE",
        "91340600MA2PBP2120",
        "913101127033980359",
    ];

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for &expected in &WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn reference_valid_codes() {
        for code in VALID {
            assert_eq!(parse_uscc(code), Ok(code.to_string()), "{code}");
        }
    }

    #[test]
    fn reference_invalid_codes() {
        let cases = [
            ("91110000600037341N", "check character should be L"),
            (
                "911100006000373000",
                "check character should be D (if the spreadsheet held it as a number, it kept \
                 only its first 15 digits: format the column as text and type it again)",
            ),
            ("91110000600037342L", "check character should be P"),
            ("91110000600073341L", "check character should be N"),
            ("91310115MA1K3BTP2C", "check character should be B"),
            (
                "9111000060003IOZSV",
                "character I at position 14 is not allowed \
                 (USCC never uses I, O, Z, S, V; did you mean 1, 0, 2, 5, U?)",
            ),
            ("9111000060003734", "must be 18 characters, got 16"),
            ("911100006000373410L", "must be 18 characters, got 19"),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_uscc(input), Err(reason.to_string()), "{input}");
        }
    }

    #[test]
    fn normalises_decorated_input() {
        let cases = [
            ("91110000600037341l", "91110000600037341L"),
            ("91310115ma1k3btp2b", "91310115MA1K3BTP2B"),
            ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
            ("９１１１００００６０００３７３４１ｌ", "91110000600037341L"),
            ("  9111 0000 6000 3734 1L ", "91110000600037341L"),
            ("\u{3000}91110000600037341L\u{3000}", "91110000600037341L"),
            ("91110000-600037341-L", "91110000600037341L"),
            ("\u{FEFF}9111000060\u{200B}0037341L", "91110000600037341L"),
            ("9144030071526726xg", "9144030071526726XG"),
        ];
        for (input, canonical) in cases {
            assert_eq!(parse_uscc(input), Ok(canonical.to_string()), "{input}");
        }
    }

    #[test]
    fn other_invalid_inputs() {
        let cases = [
            ("", "empty"),
            (" \u{3000}- ", "empty"),
            (
                "110108000000016",
                "15-digit number is an old 工商注册号 (business registration number), not a USCC",
            ),
            (
                "60003734-1",
                "9-character code is an old 组织机构代码 (organisation code), not a USCC \
                 (a USCC contains it at positions 9-17)",
            ),
            (
                "71526726X",
                "9-character code is an old 组织机构代码 (organisation code), not a USCC \
                 (a USCC contains it at positions 9-17)",
            ),
            (
                "9.13101E+17",
                "9.13101e+17 looks like a spreadsheet turned the code into scientific \
                 notation; re-export the column as text",
            ),
            (
                "91AB0000600037341L",
                "positions 3-8 must be digits (registering office area code)",
            ),
            ("9111000060003734*L", "character * at position 17 is not allowed"),
            (
                "O1110000600037341L",
                "character O at position 1 is not allowed \
                 (USCC never uses I, O, Z, S, V; did you mean 1, 0, 2, 5, U?)",
            ),
            (
                "911100006000中7341L",
                "character 中 at position 13 is not allowed",
            ),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_uscc(input), Err(reason.to_string()), "{input}");
        }
    }

    #[test]
    fn check_char_examples() {
        let cases = [
            ("91110000600037341", Some('L')),
            ("91620105L01510128", Some('0')),
            ("91340600MA2PBP212", Some('0')),
            ("91310115ma1k3btp2", Some('B')),
            ("9111000060003734", None),
            ("911100006000373410", None),
            ("9111000060003734I", None),
            ("", None),
        ];
        for (first17, expected) in cases {
            assert_eq!(uscc_check_char(first17), expected, "{first17}");
        }
    }

    #[test]
    fn province_codes() {
        let cases = [
            ("91110000600037341L", "11"),
            ("91310115MA1K3BTP2B", "31"),
            ("9144030071526726XG", "44"),
            ("121200004013590816", "12"),
            ("92340621MA2UK3PJXE", "34"),
            ("91", ""),
            ("91中国", ""),
            ("", ""),
        ];
        for (code, province) in cases {
            assert_eq!(uscc_province_code(code), province, "{code}");
        }
    }

    fn charset_char() -> impl Strategy<Value = char> {
        prop::sample::select(CHARSET.to_vec())
    }

    prop_compose! {
        fn valid_uscc()(
            head in prop::collection::vec(charset_char(), 2),
            area in "[0-9]{6}",
            body in prop::collection::vec(charset_char(), 9),
        ) -> String {
            let mut first17: String = head.into_iter().collect();
            first17.push_str(&area);
            first17.extend(body);
            let check = uscc_check_char(&first17).unwrap_or('?');
            first17.push(check);
            first17
        }
    }

    /// Lowercases, widens to full-width and/or inserts separators per character.
    fn decorate(code: &str, modes: &[(u8, u8)]) -> String {
        let mut out = String::new();
        for (c, &(case_mode, sep)) in code.chars().zip(modes.iter().cycle()) {
            let c = if case_mode % 2 == 1 {
                c.to_ascii_lowercase()
            } else {
                c
            };
            let c = if case_mode >= 2 {
                char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c)
            } else {
                c
            };
            out.push(c);
            match sep % 6 {
                0 => out.push(' '),
                1 => out.push('-'),
                2 => out.push('\u{3000}'),
                3 => out.push('\u{200B}'),
                _ => {}
            }
        }
        out
    }

    proptest! {
        #[test]
        fn generated_codes_are_valid(code in valid_uscc()) {
            prop_assert_eq!(parse_uscc(&code), Ok(code.clone()));
        }

        #[test]
        fn any_single_substitution_is_invalid(
            code in valid_uscc(),
            position in 0usize..18,
            shift in 1usize..31,
        ) {
            let mut chars: Vec<char> = code.chars().collect();
            let old = CHARSET.iter().position(|&c| c == chars[position]).unwrap_or(0);
            chars[position] = CHARSET[(old + shift) % 31];
            let changed: String = chars.into_iter().collect();
            prop_assert!(parse_uscc(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn decorated_codes_parse_to_canonical(
            code in valid_uscc(),
            modes in prop::collection::vec((0u8..4, 0u8..12), 1..18),
        ) {
            let decorated = decorate(&code, &modes);
            prop_assert_eq!(parse_uscc(&decorated), Ok(code));
        }

        #[test]
        fn parse_is_idempotent_on_decorated(
            code in valid_uscc(),
            modes in prop::collection::vec((0u8..4, 0u8..12), 1..18),
        ) {
            let first = parse_uscc(&decorate(&code, &modes));
            if let Ok(canonical) = &first {
                prop_assert_eq!(parse_uscc(canonical), first.clone());
            }
        }

        #[test]
        fn parse_is_idempotent_on_near_codes(input in "[0-9A-Za-z \\-]{14,20}") {
            if let Ok(canonical) = parse_uscc(&input) {
                prop_assert_eq!(parse_uscc(&canonical), Ok(canonical.clone()));
            }
        }

        #[test]
        fn random_strings_never_panic(input in any::<String>()) {
            let result = parse_uscc(&input);
            if let Ok(canonical) = result {
                prop_assert_eq!(parse_uscc(&canonical), Ok(canonical.clone()));
            }
            let _ = uscc_check_char(&input);
            let _ = uscc_province_code(&input);
        }
    }
}
