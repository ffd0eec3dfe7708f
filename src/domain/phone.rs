//! Mainland China phone numbers: mobiles, landlines (固定电话) and service numbers.
//!
//! Numbering plan facts (as published by MIIT and used by libphonenumber's CN
//! metadata; summarised in kehu's reference notes §3–4):
//!
//! * Mobile: 11 digits, first `1`, second `3`–`9` (the common lenient rule
//!   `^1[3-9]\d{9}$`); never dialled with the trunk prefix `0`. Canonical: 11 bare digits.
//! * Landline: trunk `0` + area code + local number. The area code including its `0`
//!   is 3 digits for `010` and `020`–`025`, `027`–`029` (`026` is unused) and 4 digits
//!   (`03xx`–`09xx`) elsewhere; the local number is 7 or 8 digits not starting with
//!   `0` (real local numbers do not start with `1` either, but placeholder numbers
//!   such as `010-12345678` are accepted; which length a city uses is not checked).
//!   Canonical: the digits
//!   `0AAA…NNNNNNNN`, then `转` + extension when there is one.
//! * Service: 10-digit `400`/`800` numbers, 5-digit `95xxx` numbers and `12345`.
//!   Canonical: the digits.
//!
//! Accepted decorations: NFKC (full-width digits, `＋`, `（）`), spaces, hyphens, the
//! prefixes `+86`, `(+86)`, `0086` and — for mobiles only — a bare `86` when 13 digits
//! starting `861` remain, trailing bracketed notes such as `（微信同号）`, and landline
//! extensions written `转123`, `分机123`, `ext.123`, `x123`, `#123` or as a further
//! hyphen/space group after a complete number (`010-12345678-123`).

use unicode_normalization::UnicodeNormalization;

/// A phone number from a column that may hold any kind, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Phone {
    /// 11 digits, e.g. `13812345678`.
    Mobile(String),
    /// Area code with its `0`, local number, optional `转` + extension, e.g. `01012345678`.
    Landline(String),
    /// 400/800 numbers, `95xxx` or `12345`, digits only.
    Service(String),
}

const MOBILE_RULE: &str = "mobile must be 11 digits starting with 1 and a second digit 3-9";
const LANDLINE_RULE: &str = "a landline is 0, a 2-3 digit area code and a 7-8 digit number";
const EXTENSION_MARKERS: [&str; 6] = ["分机", "转", "ext.", "ext", "x", "#"];
const COUNTRY_PREFIXES: [&str; 4] = ["(+86)", "+86", "(0086)", "0086"];
const MAX_EXTENSION_DIGITS: usize = 6;
const BRACKETS: [(char, char); 4] = [('(', ')'), ('[', ']'), ('【', '】'), ('〔', '〕')];

/// Normalises and validates a mobile number; `Ok` holds 11 bare digits.
pub fn parse_mobile(input: &str) -> Result<String, String> {
    let text = prepare(input);
    reject_excel_number(&text, MOBILE_RULE)?;
    let compact: String = text.chars().filter(|&c| !is_separator(c)).collect();
    if compact.is_empty() {
        return Err("empty".to_string());
    }
    let (_, national) = strip_country_code(&compact)?;
    let national = strip_bare_86(national);
    check_ascii_digits(national)?;
    check_mobile_rule(national)?;
    Ok(national.to_string())
}

/// Normalises and validates a landline; `Ok` holds area code + local number digits,
/// followed by `转` and the extension digits when an extension was given.
pub fn parse_landline(input: &str) -> Result<String, String> {
    let text = prepare(input);
    reject_excel_number(&text, LANDLINE_RULE)?;
    let (main, extension) = split_extension(&text)?;
    let (international, groups) = landline_groups(main)?;
    if groups.is_empty() {
        return Err("empty".to_string());
    }
    let (number, extension) = match extension {
        Some(ext) => (landline_number(&groups, international)?, Some(ext)),
        None => number_with_group_extension(&groups, international)?,
    };
    Ok(match extension {
        Some(ext) => format!("{number}转{ext}"),
        None => number,
    })
}

/// Parses a cell that may hold a mobile, a landline or a service number.
pub fn parse_phone(input: &str) -> Result<Phone, String> {
    let text = prepare(input);
    let rule = if text.starts_with('1') {
        MOBILE_RULE
    } else {
        LANDLINE_RULE
    };
    reject_excel_number(&text, rule)?;
    let mobile_error = match parse_mobile(input) {
        Ok(mobile) => return Ok(Phone::Mobile(mobile)),
        Err(reason) => reason,
    };
    if let Some(service) = parse_service(input) {
        return Ok(Phone::Service(service));
    }
    let landline_error = match parse_landline(input) {
        Ok(landline) => return Ok(Phone::Landline(landline)),
        Err(reason) => reason,
    };
    Err(best_reason(input, mobile_error, landline_error))
}

/// Masks the middle four digits of a canonical mobile: `138****5678`.
///
/// Other strings keep their first 3 and last 4 characters (all masked if shorter than 8).
pub fn mask_mobile(canonical: &str) -> String {
    let chars: Vec<char> = canonical.chars().collect();
    let n = chars.len();
    if n < 8 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < 3 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// All ASCII digits of the input after NFKC, e.g. for searching by number.
pub fn phone_digits(input: &str) -> String {
    input.nfkc().filter(char::is_ascii_digit).collect()
}

/// Refuses what Excel makes of a phone number stored as a number: `1.38123E+10`
/// (scientific notation, digits lost) or `13812345678.0` (a decimal part), naming `rule`.
fn reject_excel_number(text: &str, rule: &str) -> Result<(), String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if super::text::is_scientific_notation(&compact.to_uppercase()) {
        return Err(format!(
            "looks like a number Excel reformatted in scientific notation, which loses digits: \
             format the column as text and type the whole number ({rule})"
        ));
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((whole, fraction)) = compact.split_once('.')
        && whole.len() >= 5
        && all_digits(whole)
        && all_digits(fraction)
        && fraction.bytes().all(|b| b == b'0')
    {
        return Err(format!(
            "looks like a number Excel reformatted with a decimal part (.{fraction}): \
             write it without the decimal, as {whole} ({rule})"
        ));
    }
    Ok(())
}

/// NFKC, zero-width characters removed, trimmed, trailing bracketed notes removed.
fn prepare(input: &str) -> String {
    let text: String = input.nfkc().filter(|&c| !is_zero_width(c)).collect();
    strip_trailing_notes(text.trim())
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || is_hyphen(c)
}

/// Removes trailing bracketed notes without digits (`（微信同号）`); a bracketed
/// extension such as `(转123)` loses its brackets instead.
fn strip_trailing_notes(text: &str) -> String {
    let mut text = text.to_string();
    while let Some((open_at, inner)) = trailing_bracket_group(&text) {
        let inner = inner.trim().to_string();
        if !inner.chars().any(|c| c.is_ascii_digit()) {
            text.truncate(open_at);
        } else if starts_with_extension_marker(&inner) {
            text.truncate(open_at);
            text.push(' ');
            text.push_str(&inner);
            break;
        } else {
            break;
        }
        text = text.trim_end().to_string();
    }
    text
}

/// The byte offset of the opening bracket and the text inside, if `text` ends with
/// a closing bracket that has a matching opening one.
fn trailing_bracket_group(text: &str) -> Option<(usize, &str)> {
    let last = text.chars().next_back()?;
    let &(open, close) = BRACKETS.iter().find(|(_, close)| *close == last)?;
    let body = text.strip_suffix(close)?;
    let open_at = body.rfind(open)?;
    let inner = body.get(open_at + open.len_utf8()..)?;
    Some((open_at, inner))
}

fn starts_with_extension_marker(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    EXTENSION_MARKERS.iter().any(|m| lower.starts_with(m))
}

/// Strips `(+86)`, `+86`, `(0086)` or `0086`; returns whether one was present.
fn strip_country_code(compact: &str) -> Result<(bool, &str), String> {
    for prefix in COUNTRY_PREFIXES {
        if let Some(rest) = compact.strip_prefix(prefix) {
            return Ok((true, rest));
        }
    }
    if compact.starts_with('+') || compact.starts_with("(+") {
        return Err("not a mainland China number (only +86 is accepted)".to_string());
    }
    Ok((false, compact))
}

/// Drops a bare `86` country code when 13 digits starting `861` remain.
fn strip_bare_86(digits: &str) -> &str {
    let is_13_digits = digits.len() == 13 && digits.bytes().all(|b| b.is_ascii_digit());
    match digits.strip_prefix("86") {
        Some(rest) if is_13_digits && rest.starts_with('1') => rest,
        _ => digits,
    }
}

fn check_ascii_digits(text: &str) -> Result<(), String> {
    match text.chars().find(|c| !c.is_ascii_digit()) {
        Some(c) => Err(format!("unexpected character {}", show_char(c))),
        None => Ok(()),
    }
}

fn check_mobile_rule(digits: &str) -> Result<(), String> {
    let len = digits.len();
    if len != 11 {
        return Err(format!("{MOBILE_RULE}, got {len} digits"));
    }
    let mut bytes = digits.bytes();
    let first_ok = bytes.next() == Some(b'1');
    let second_ok = bytes.next().is_some_and(|b| (b'3'..=b'9').contains(&b));
    if first_ok && second_ok {
        Ok(())
    } else {
        Err(MOBILE_RULE.to_string())
    }
}

fn is_mobile(digits: &str) -> bool {
    check_mobile_rule(digits).is_ok()
}

/// 400/800 (10 digits), 95xxx (5 digits) or 12345.
fn is_service(digits: &str) -> bool {
    let len = digits.len();
    ((digits.starts_with("400") || digits.starts_with("800")) && len == 10)
        || (digits.starts_with("95") && len == 5)
        || digits == "12345"
}

fn parse_service(input: &str) -> Option<String> {
    let compact: String = prepare(input).chars().filter(|&c| !is_separator(c)).collect();
    let (_, national) = strip_country_code(&compact).ok()?;
    let digits: String = national.chars().filter(|&c| c != '(' && c != ')').collect();
    let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
    (all_digits && is_service(&digits)).then_some(digits)
}

/// Splits off an extension introduced by a marker (`转`, `分机`, `ext.`, `x`, `#`).
fn split_extension(text: &str) -> Result<(&str, Option<String>), String> {
    let lower = text.to_ascii_lowercase();
    let found = EXTENSION_MARKERS
        .iter()
        .filter_map(|m| lower.find(m).map(|at| (at, m.len())))
        .min_by_key(|&(at, len)| (at, usize::MAX - len));
    let Some((at, marker_len)) = found else {
        return Ok((text, None));
    };
    let main = text.get(..at).unwrap_or_default();
    let rest = text.get(at + marker_len..).unwrap_or_default();
    let digits: String = rest
        .trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '.')
        .trim_end()
        .to_string();
    if main.trim().is_empty() {
        return Err("extension without a number".to_string());
    }
    check_extension(&digits)?;
    Ok((main, Some(digits)))
}

fn check_extension(digits: &str) -> Result<(), String> {
    let ok = (1..=MAX_EXTENSION_DIGITS).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!("extension must be 1-{MAX_EXTENSION_DIGITS} digits"))
    }
}

/// Strips the country code and splits the rest into digit groups (separated by
/// spaces, hyphens or brackets); returns whether the number was international.
fn landline_groups(main: &str) -> Result<(bool, Vec<String>), String> {
    let compact: String = main.chars().filter(|c| !c.is_whitespace()).collect();
    let (international, _) = strip_country_code(&compact)?;
    let mut rest = main.trim_start();
    if international {
        rest = strip_spaced_country_code(rest);
    }
    let groups: Vec<String> = rest
        .split(|c: char| is_separator(c) || c == '(' || c == ')')
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect();
    for group in &groups {
        check_ascii_digits(group)?;
    }
    Ok((international, groups))
}

/// Removes `+86` / `(+86)` / `0086` / `(0086)` even with spaces inside the prefix.
fn strip_spaced_country_code(text: &str) -> &str {
    let mut seen = String::new();
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() {
            seen.push(c);
        }
        if COUNTRY_PREFIXES.contains(&seen.as_str()) {
            return text.get(i + c.len_utf8()..).unwrap_or_default();
        }
        if seen.len() >= 6 {
            break;
        }
    }
    text
}

/// Reads the groups as one number, unless the groups before the last one already
/// form a complete number: then the last group is an extension (`010-12345678-123`).
fn number_with_group_extension(
    groups: &[String],
    international: bool,
) -> Result<(String, Option<String>), String> {
    if let Some((last, init)) = groups.split_last()
        && !init.is_empty()
        && check_extension(last).is_ok()
        && let Ok(number) = landline_number(init, international)
    {
        return Ok((number, Some(last.clone())));
    }
    landline_number(groups, international).map(|number| (number, None))
}

/// Validates digit groups as area code + local number; returns the canonical digits.
fn landline_number(groups: &[String], international: bool) -> Result<String, String> {
    let national = groups.concat();
    if !national.starts_with('0') {
        if is_mobile(&national) {
            return Err("this is a mobile number, not a landline".to_string());
        }
        if is_service(&national) {
            return Err("this is a service number, not a landline".to_string());
        }
        if !international {
            let guess = format!("0{national}");
            if landline_number(std::slice::from_ref(&guess), false).is_ok() {
                return Err(format!(
                    "landline must start with an area code such as 010 or 0755 ({guess}? a \
                     number cell drops the leading 0: format the column as text)"
                ));
            }
            return Err("landline must start with an area code such as 010 or 0755".to_string());
        }
    }
    let digits = if national.starts_with('0') {
        national
    } else {
        format!("0{national}")
    };
    let (area, local) = split_area_code(&digits)?;
    check_local_number(local)?;
    Ok(format!("{area}{local}"))
}

/// Splits `0…` digits into the area code (with its `0`) and the local number.
fn split_area_code(digits: &str) -> Result<(&str, &str), String> {
    let bytes = digits.as_bytes();
    let area_len = match (bytes.get(1), bytes.get(2)) {
        (Some(b'1'), Some(b'0')) => 3,
        (Some(b'2'), Some(b'6')) => return Err("area code 026 is not in use".to_string()),
        (Some(b'2'), Some(_)) => 3,
        (Some(b'3'..=b'9'), Some(_)) => 4,
        _ => {
            return Err("area code must be 010, 020-029 or a 4-digit code 03xx-09xx".to_string());
        }
    };
    match (digits.get(..area_len), digits.get(area_len..)) {
        (Some(area), Some(local)) => Ok((area, local)),
        _ => Err("local number must be 7 or 8 digits, got 0".to_string()),
    }
}

fn check_local_number(local: &str) -> Result<(), String> {
    let len = local.len();
    if !(7..=8).contains(&len) {
        return Err(format!("local number must be 7 or 8 digits, got {len}"));
    }
    if local.starts_with('0') {
        return Err("local number must not start with 0".to_string());
    }
    Ok(())
}

/// Picks the reason that matches what the input most looks like.
fn best_reason(input: &str, mobile_error: String, landline_error: String) -> String {
    let compact: String = prepare(input).chars().filter(|&c| !is_separator(c)).collect();
    let (international, national) = match strip_country_code(&compact) {
        Ok(split) => split,
        Err(reason) => return reason,
    };
    let national = strip_bare_86(national);
    if national.is_empty() {
        "empty".to_string()
    } else if national.starts_with("400") || national.starts_with("800") {
        "400/800 service numbers must be 10 digits".to_string()
    } else if national.starts_with("95") {
        "95xxx service numbers must be 5 digits".to_string()
    } else if national.starts_with('1') && !(international && national.starts_with("10")) {
        mobile_error
    } else {
        landline_error
    }
}

/// Shows a character in a reason; invisible ones as `U+XXXX`.
fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> Result<String, String> {
        Ok(s.to_string())
    }

    fn err(s: &str) -> Result<String, String> {
        Err(s.to_string())
    }

    #[test]
    fn numbers_excel_reformatted_are_named_as_such() {
        let decimal = format!(
            "looks like a number Excel reformatted with a decimal part (.0): write it without the decimal, as 13812345678 ({MOBILE_RULE})"
        );
        assert_eq!(parse_mobile("13812345678.0"), Err(decimal.clone()));
        assert_eq!(parse_phone("13812345678.0"), Err(decimal));
        let scientific = format!(
            "looks like a number Excel reformatted in scientific notation, which loses digits: \
             format the column as text and type the whole number ({MOBILE_RULE})"
        );
        assert_eq!(parse_mobile("1.38123E+10"), Err(scientific.clone()));
        assert_eq!(parse_mobile("1.38123e+10"), Err(scientific.clone()));
        assert_eq!(parse_phone("1.38123E+10"), Err(scientific));
        let landline = parse_landline("75586123456.00").unwrap_err();
        assert!(
            landline.contains("decimal part (.00)") && landline.contains(LANDLINE_RULE),
            "{landline}"
        );
        // Ordinary numbers are untouched.
        assert_eq!(
            parse_mobile("138.1234.5678").map_err(|e| e.contains("Excel")),
            Err(false)
        );
        assert_eq!(parse_mobile("13812345678"), ok("13812345678"));
    }

    #[test]
    fn mobiles_in_reference_forms() {
        let cases = [
            ("13812345678", "13812345678"),
            ("19212345678", "19212345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("+8613812345678", "13812345678"),
            ("0086 138 1234 5678", "13812345678"),
            ("008613812345678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("86 138-1234-5678", "13812345678"),
            ("(+86)13812345678", "13812345678"),
            ("(+86) 138 1234 5678", "13812345678"),
            ("（＋８６）１３８１２３４５６７８", "13812345678"),
            ("＋８６ １３８ １２３４ ５６７８", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("138 1234 5678", "13812345678"),
            ("13812345678（微信同号）", "13812345678"),
            ("138 1234 5678 (微信同号)", "13812345678"),
            ("13812345678【微信】（张总）", "13812345678"),
            ("\u{FEFF}13812345678\u{200B}", "13812345678"),
            ("\u{3000}13812345678\u{3000}", "13812345678"),
            ("16101234567", "16101234567"),
            ("17400123456", "17400123456"),
        ];
        for (input, canonical) in cases {
            assert_eq!(parse_mobile(input), ok(canonical), "{input}");
        }
    }

    #[test]
    fn invalid_mobiles() {
        let wrong_prefix = MOBILE_RULE;
        let cases = [
            ("", err("empty")),
            (" - ", err("empty")),
            ("12345678901", err(wrong_prefix)),
            ("10012345678", err(wrong_prefix)),
            ("23812345678", err(wrong_prefix)),
            ("01381234567", err(wrong_prefix)),
            ("1381234567", err(&format!("{MOBILE_RULE}, got 10 digits"))),
            ("138123456789", err(&format!("{MOBILE_RULE}, got 12 digits"))),
            (
                "+86 0138 1234 5678",
                err(&format!("{MOBILE_RULE}, got 12 digits")),
            ),
            ("8623812345678", err(&format!("{MOBILE_RULE}, got 13 digits"))),
            ("13812345678转123", err("unexpected character 转")),
            ("138 1234 5678 微信同号", err("unexpected character 微")),
            ("13812345678/13912345678", err("unexpected character /")),
            (
                "+852 6123 4567",
                err("not a mainland China number (only +86 is accepted)"),
            ),
            ("010-12345678", err(wrong_prefix)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_mobile(input), expected, "{input}");
        }
    }

    #[test]
    fn mobile_segments_pass_lenient_rule() {
        // Segments the reference lists as not assigned to mobiles (140-144, 146, 148,
        // 149, 154, 160, 161, 163, 164, 168, 169, 174, 179, 194) still pass the
        // lenient `^1[3-9]\d{9}$` rule the brief asks for.
        for prefix in ["140", "154", "160", "168", "174", "179", "194"] {
            let number = format!("{prefix}12345678");
            assert_eq!(parse_mobile(&number), ok(&number), "{number}");
        }
        for second in '0'..='2' {
            let number = format!("1{second}012345678");
            assert_eq!(parse_mobile(&number), err(MOBILE_RULE), "{number}");
        }
    }

    #[test]
    fn landlines_in_reference_forms() {
        let cases = [
            ("010-12345678", "01012345678"),
            ("0755-86123456", "075586123456"),
            ("(0571) 8765 4321", "057187654321"),
            ("（010）12345678", "01012345678"),
            ("+86 10 1234 5678", "01012345678"),
            ("+86-755-8612-3456", "075586123456"),
            ("0086 10 12345678", "01012345678"),
            ("(+86) 10 12345678", "01012345678"),
            ("+86 (0)10 1234 5678", "01012345678"),
            ("01012345678", "01012345678"),
            ("0351-1234567", "03511234567"),
            ("0351 123 4567", "03511234567"),
            ("020-87654321", "02087654321"),
            ("029-87654321", "02987654321"),
            ("０２１－５５５５１２３４", "02155551234"),
            ("010-12345678转123", "01012345678转123"),
            ("010-12345678 转 123", "01012345678转123"),
            ("010-12345678-123", "01012345678转123"),
            ("0755-86123456-8001", "075586123456转8001"),
            ("010-12345678 ext.123", "01012345678转123"),
            ("010-12345678 EXT 123", "01012345678转123"),
            ("010-12345678x123", "01012345678转123"),
            ("010-12345678 X123", "01012345678转123"),
            ("010-12345678#123", "01012345678转123"),
            ("010-12345678分机123", "01012345678转123"),
            ("010-12345678 分机：123", "01012345678转123"),
            ("010-12345678（转123）", "01012345678转123"),
            ("010-12345678（总机）", "01012345678"),
            ("01012345678转123", "01012345678转123"),
            // Length-vs-city mismatches are not errors.
            ("0351-81234567", "035181234567"),
            ("0755-8612345", "07558612345"),
        ];
        for (input, canonical) in cases {
            assert_eq!(parse_landline(input), ok(canonical), "{input}");
        }
    }

    #[test]
    fn invalid_landlines() {
        let cases = [
            ("", "empty"),
            (
                "12345678",
                "landline must start with an area code such as 010 or 0755",
            ),
            (
                "2012345678",
                "landline must start with an area code such as 010 or 0755 (02012345678? a \
                 number cell drops the leading 0: format the column as text)",
            ),
            ("13812345678", "this is a mobile number, not a landline"),
            ("+86 138 1234 5678", "this is a mobile number, not a landline"),
            ("400-800-1234", "this is a service number, not a landline"),
            ("026-12345678", "area code 026 is not in use"),
            (
                "011-12345678",
                "area code must be 010, 020-029 or a 4-digit code 03xx-09xx",
            ),
            (
                "00852-12345678",
                "area code must be 010, 020-029 or a 4-digit code 03xx-09xx",
            ),
            ("010-123456", "local number must be 7 or 8 digits, got 6"),
            ("010-123456789", "local number must be 7 or 8 digits, got 9"),
            ("010-02345678", "local number must not start with 0"),
            ("0755-02345678", "local number must not start with 0"),
            ("+86 10 0234 5678", "local number must not start with 0"),
            ("010-12345678转", "extension must be 1-6 digits"),
            ("010-12345678转1234567", "extension must be 1-6 digits"),
            ("010-12345678转abc", "extension must be 1-6 digits"),
            ("转123", "extension without a number"),
            ("010-1234567a", "unexpected character a"),
            ("010/12345678", "unexpected character /"),
            (
                "+852 2123 4567",
                "not a mainland China number (only +86 is accepted)",
            ),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_landline(input), err(reason), "{input}");
        }
    }

    #[test]
    fn mixed_column() {
        let cases = [
            ("138 1234 5678", Phone::Mobile("13812345678".into())),
            ("+86 192 1234 5678", Phone::Mobile("19212345678".into())),
            ("010-12345678", Phone::Landline("01012345678".into())),
            ("+86 10 1234 5678", Phone::Landline("01012345678".into())),
            (
                "0755-86123456转8001",
                Phone::Landline("075586123456转8001".into()),
            ),
            ("400-800-1234", Phone::Service("4008001234".into())),
            ("400 820 8820", Phone::Service("4008208820".into())),
            ("800-810-1234", Phone::Service("8008101234".into())),
            ("95588", Phone::Service("95588".into())),
            ("12345", Phone::Service("12345".into())),
            ("（95588）", Phone::Service("95588".into())),
            ("+86 400-820-8820", Phone::Service("4008208820".into())),
            ("0755-12345678", Phone::Landline("075512345678".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_phone(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn mixed_column_reasons() {
        let cases = [
            ("", "empty".to_string()),
            ("12345678901", MOBILE_RULE.to_string()),
            ("1381234567", format!("{MOBILE_RULE}, got 10 digits")),
            (
                "010-123456",
                "local number must be 7 or 8 digits, got 6".to_string(),
            ),
            (
                "+86 10 1234 56",
                "local number must be 7 or 8 digits, got 6".to_string(),
            ),
            (
                "400-800-123",
                "400/800 service numbers must be 10 digits".to_string(),
            ),
            ("955888", "95xxx service numbers must be 5 digits".to_string()),
            (
                "+852 2123 4567",
                "not a mainland China number (only +86 is accepted)".to_string(),
            ),
            ("12315", MOBILE_RULE.to_string() + ", got 5 digits"),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_phone(input), Err(reason), "{input}");
        }
    }

    #[test]
    fn masking_and_digits() {
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_mobile("19212345678"), "192****5678");
        assert_eq!(mask_mobile("01012345678"), "010****5678");
        assert_eq!(mask_mobile("1234567"), "*******");
        assert_eq!(mask_mobile(""), "");
        assert_eq!(phone_digits("+86 (138) 1234-5678"), "8613812345678");
        assert_eq!(phone_digits("＋８６ １３８"), "86138");
        assert_eq!(phone_digits("010-12345678转123"), "01012345678123");
        assert_eq!(phone_digits("无"), "");
    }

    fn widen(text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_graphic() {
                    char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect()
    }

    prop_compose! {
        fn mobile()(number in "1[3-9][0-9]{9}") -> String {
            number
        }
    }

    prop_compose! {
        fn decorated_mobile()(
            number in mobile(),
            prefix in prop::sample::select(vec!["", "+86", "+86 ", "0086", "86", "(+86)", "（+86） "]),
            sep in prop::sample::select(vec!["", " ", "-"]),
            note in prop::sample::select(vec!["", "（微信同号）", " (手机)"]),
            wide in any::<bool>(),
        ) -> (String, String) {
            let text = format!("{prefix}{}{sep}{}{sep}{}{note}", &number[..3], &number[3..7], &number[7..]);
            let text = if wide { widen(&text) } else { text };
            (text, number)
        }
    }

    prop_compose! {
        fn area_code()(
            code in prop_oneof![
                Just("010".to_string()),
                "02[0-57-9]",
                "0[3-9][0-9]{2}".prop_filter("400/800 prefixes", |a| a != "0400" && a != "0800"),
            ]
        ) -> String {
            code
        }
    }

    prop_compose! {
        fn landline()(
            area in area_code(),
            local in "[2-9][0-9]{6,7}",
            extension in prop::option::of("[0-9]{1,6}"),
        ) -> (String, String, Option<String>) {
            (area, local, extension)
        }
    }

    fn render_landline((area, local, extension): &(String, String, Option<String>), style: u8) -> String {
        let split = local.len() - 4;
        let (head, tail) = (&local[..split], &local[split..]);
        let number = match style % 5 {
            0 => format!("{area}-{local}"),
            1 => format!("({area}) {head} {tail}"),
            2 => format!("+86 {} {head} {tail}", &area[1..]),
            3 => format!("（{area}）{local}"),
            _ => format!("{area}{local}"),
        };
        match (extension, style / 5 % 4) {
            (None, _) => number,
            (Some(ext), 0) => format!("{number}转{ext}"),
            (Some(ext), 1) => format!("{number}-{ext}"),
            (Some(ext), 2) => format!("{number} ext.{ext}"),
            (Some(ext), _) => format!("{number}#{ext}"),
        }
    }

    proptest! {
        #[test]
        fn decorated_mobiles_parse((text, number) in decorated_mobile()) {
            prop_assert_eq!(parse_mobile(&text), Ok(number.clone()));
            prop_assert_eq!(parse_phone(&text), Ok(Phone::Mobile(number)));
        }

        #[test]
        fn mobile_parse_is_idempotent(text in "[+0-9 ()\\-]{8,20}") {
            if let Ok(canonical) = parse_mobile(&text) {
                prop_assert_eq!(parse_mobile(&canonical), Ok(canonical.clone()));
            }
        }

        #[test]
        fn rendered_landlines_parse(parts in landline(), style in 0u8..20) {
            let text = render_landline(&parts, style);
            let (area, local, extension) = &parts;
            let expected = match extension {
                Some(ext) => format!("{area}{local}转{ext}"),
                None => format!("{area}{local}"),
            };
            prop_assert_eq!(parse_landline(&text), Ok(expected.clone()));
            prop_assert_eq!(parse_landline(&widen(&text)), Ok(expected.clone()));
            prop_assert_eq!(parse_landline(&expected), Ok(expected.clone()));
            prop_assert_eq!(parse_phone(&text), Ok(Phone::Landline(expected)));
        }

        #[test]
        fn landline_parse_is_idempotent(text in "[+0-9 ()\\-转x#]{8,24}") {
            if let Ok(canonical) = parse_landline(&text) {
                prop_assert_eq!(parse_landline(&canonical), Ok(canonical.clone()));
            }
        }

        #[test]
        fn phone_parse_is_idempotent(text in "[+0-9 ()\\-转]{4,24}") {
            match parse_phone(&text) {
                Ok(Phone::Mobile(m)) => prop_assert_eq!(parse_phone(&m), Ok(Phone::Mobile(m.clone()))),
                Ok(Phone::Landline(l)) => prop_assert_eq!(parse_phone(&l), Ok(Phone::Landline(l.clone()))),
                Ok(Phone::Service(s)) => prop_assert_eq!(parse_phone(&s), Ok(Phone::Service(s.clone()))),
                Err(_) => {}
            }
        }

        #[test]
        fn mask_keeps_ends(number in mobile()) {
            let masked = mask_mobile(&number);
            prop_assert_eq!(&masked[..3], &number[..3]);
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[7..], &number[7..]);
        }

        #[test]
        fn random_strings_never_panic(input in any::<String>()) {
            let _ = parse_mobile(&input);
            let _ = parse_landline(&input);
            let _ = parse_phone(&input);
            let _ = mask_mobile(&input);
            let _ = phone_digits(&input);
        }

        #[test]
        fn phone_like_strings_never_panic(input in "[+0-9 ()（）\\-转分机extx#.:【】微信]{0,30}") {
            let _ = parse_mobile(&input);
            let _ = parse_landline(&input);
            let _ = parse_phone(&input);
        }
    }
}
