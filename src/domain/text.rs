//! Text clean-up for values typed by clerks into spreadsheets.
//!
//! [`clean`] gives the canonical single-line form used before any parsing and for
//! match keys: zero-width characters removed, NFKC applied (full-width letters and
//! digits, `（）`, U+3000 and U+00A0 become their ASCII forms, Kangxi radicals become
//! the ordinary characters), every whitespace run turned into one ASCII space, and
//! the ends trimmed. [`clean_multiline`] does the same line by line for remarks.
//! NFKC does not touch `【】`, `〔〕`, Chinese punctuation or traditional characters.

use unicode_normalization::UnicodeNormalization;

/// Zero-width characters that NFKC leaves in place: ZWSP, ZWNJ, ZWJ, word joiner, BOM.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Characters that end a line in [`clean_multiline`] (besides `\n` and `\r`).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Zero-width characters removed, then NFKC. Stripping first keeps [`clean`]
/// idempotent: removing a ZWSP afterwards could join characters that NFKC composes.
fn normalize(input: &str) -> String {
    input.chars().filter(|c| !is_zero_width(*c)).nfkc().collect()
}

/// Turns every whitespace run into one ASCII space and trims both ends.
fn collapse_whitespace(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Canonical single-line form of a typed value: zero-width characters stripped,
/// NFKC, whitespace runs (including U+3000, U+00A0, tabs and line breaks) turned into
/// one ASCII space, ends trimmed. Idempotent.
pub fn clean(input: &str) -> String {
    // Most cells are already clean; checking is much cheaper than normalising.
    if is_clean(input) {
        return input.to_string();
    }
    collapse_whitespace(&normalize(input))
}

/// Whether [`clean`] would leave `input` as it is: NFKC already (quick check), no
/// zero-width characters, no whitespace other than single inner ASCII spaces.
fn is_clean(input: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfkc_quick};
    let mut previous_space = true;
    for c in input.chars() {
        if c.is_whitespace() {
            if c != ' ' || previous_space {
                return false;
            }
            previous_space = true;
        } else if is_zero_width(c) {
            return false;
        } else {
            previous_space = false;
        }
    }
    (input.is_empty() || !previous_space) && is_nfkc_quick(input.chars()) == IsNormalized::Yes
}

/// [`clean`], or `None` when nothing is left.
pub fn clean_opt(input: &str) -> Option<String> {
    let cleaned = clean(input);
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Like [`clean`] but keeps line breaks (for remarks): `\r\n`, `\r`, U+0085, U+2028
/// and U+2029 become `\n`, each line is cleaned on its own, interior empty lines are
/// kept and leading/trailing empty lines are dropped. Idempotent.
pub fn clean_multiline(input: &str) -> String {
    let unified = input.replace("\r\n", "\n");
    let lines: Vec<String> = unified.split(is_line_break).map(clean).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].join("\n"),
        _ => String::new(),
    }
}

/// True when the text holds a C0 or C1 control character (including NUL and DEL)
/// other than `\n`, `\r` and `\t`.
pub fn has_control_chars(input: &str) -> bool {
    input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The form an identifier (USCC, resident ID number) is checked in: NFKC, with whitespace,
/// hyphens, dashes, soft hyphens and zero-width characters dropped and ASCII uppercased, so
/// `9111 0000-6000 3734 1l` reads as `91110000600037341L`.
pub fn identifier(input: &str) -> String {
    input
        .nfkc()
        .filter(|&c| !is_identifier_separator(c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn is_identifier_separator(c: char) -> bool {
    c.is_whitespace()
        || is_zero_width(c)
        || matches!(c, '-' | '\u{00AD}' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Whether an identifier is what Excel shows for a long number stored as a number, e.g.
/// `9.13101E+17` (uppercase, as [`identifier`] leaves it).
pub fn is_scientific_notation(value: &str) -> bool {
    let Some((mantissa, exponent)) = value.split_once('E') else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int_part) && all_digits(frac_part) && all_digits(exponent)
}

/// Shows a character in a reason; invisible ones as `U+XXXX`.
pub fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_lose_their_decoration() {
        for (input, canonical) in [
            ("9111 0000-6000 3734 1l", "91110000600037341L"),
            ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
            ("\u{FEFF}110101‐19900307‐123x\u{200B}", "11010119900307123X"),
            ("3.60426e+17", "3.60426E+17"),
        ] {
            assert_eq!(identifier(input), canonical, "{input}");
        }
        assert!(is_scientific_notation("9.13101E+17"));
        assert!(is_scientific_notation("1E17"));
        assert!(!is_scientific_notation("91110000600037341E"));
        assert!(!is_scientific_notation("E+17"));
        assert_eq!(show_char('\u{3000}'), "U+3000");
        assert_eq!(show_char('中'), "中");
    }
    use proptest::prelude::*;

    #[test]
    fn clean_table() {
        let cases = [
            ("", ""),
            ("   ", ""),
            ("  北京  小米 ", "北京 小米"),
            ("（北京）ＡＢＣ１２３\u{3000}⼴东", "(北京)ABC123 广东"),
            ("a\u{00A0}b", "a b"),
            ("a\t\t b\r\nc", "a b c"),
            ("腾讯\u{200B}科技", "腾讯科技"),
            ("\u{FEFF}小米", "小米"),
            ("a\u{200C}b\u{200D}c\u{2060}d", "abcd"),
            ("【注】〔1〕", "【注】〔1〕"),
            ("①Ⅲ㈱℃￥", "1III(株)°C¥"),
            ("廣東", "廣東"),
            ("e\u{200B}\u{0301}", "\u{00E9}"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "input {input:?}");
        }
    }

    #[test]
    fn clean_opt_table() {
        assert_eq!(clean_opt(" \u{3000}\u{200B} "), None);
        assert_eq!(clean_opt(" 王总 "), Some("王总".to_string()));
    }

    #[test]
    fn clean_multiline_table() {
        let cases = [
            ("", ""),
            ("\n\n  \n", ""),
            ("  第一行  \r\n第二　行\r\n", "第一行\n第二 行"),
            ("a\rb\u{2028}c", "a\nb\nc"),
            ("\n a \n\n b \n", "a\n\nb"),
            ("ＡＢ\u{200B}Ｃ\n\t x  y", "ABC\nx y"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_multiline(input), want, "input {input:?}");
        }
    }

    #[test]
    fn control_chars() {
        assert!(!has_control_chars("正常\n文本\r\t"));
        assert!(has_control_chars("a\0b"));
        assert!(has_control_chars("a\u{0007}"));
        assert!(has_control_chars("a\u{007F}"));
        assert!(has_control_chars("a\u{0085}"));
        assert!(has_control_chars("\u{009F}"));
        assert!(!has_control_chars("\u{200B}\u{3000}"));
    }

    /// Strings mixing ordinary text with characters that NFKC, whitespace handling
    /// and zero-width stripping treat specially.
    fn tricky_string() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just(' '),
            Just('\u{3000}'),
            Just('\u{00A0}'),
            Just('\t'),
            Just('\n'),
            Just('\u{200B}'),
            Just('\u{FEFF}'),
            Just('\u{2060}'),
            Just('\u{0301}'),
            Just('\u{0308}'),
            Just('\u{00A8}'),
            Just('\u{00B4}'),
            Just('e'),
            Just('A'),
            Just('１'),
            Just('（'),
            Just('⼴'),
            Just('가'),
            Just('\u{1100}'),
            Just('\u{1161}'),
            Just('\u{11A8}'),
            Just('ﾞ'),
            Just('ｶ'),
            Just('㈱'),
            any::<char>(),
        ];
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn clean_is_idempotent(s in tricky_string()) {
            let once = clean(&s);
            prop_assert_eq!(clean(&once), once);
        }

        #[test]
        fn clean_is_idempotent_any(s in any::<String>()) {
            let once = clean(&s);
            prop_assert_eq!(clean(&once), once);
        }

        #[test]
        fn clean_has_no_edge_or_double_spaces(s in tricky_string()) {
            let once = clean(&s);
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
            prop_assert!(!once.contains("  "));
            prop_assert!(!once.chars().any(|c| c.is_whitespace() && c != ' '));
            prop_assert!(!once.chars().any(is_zero_width));
        }

        #[test]
        fn clean_multiline_is_idempotent(s in tricky_string()) {
            let once = clean_multiline(&s);
            prop_assert_eq!(clean_multiline(&once), once);
        }
    }
}
