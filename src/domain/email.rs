//! E-mail address normalisation and a shape check (not full RFC 5322 validation).
//!
//! Follows the addr-spec shape of RFC 5322 §3.4.1 / RFC 5321 §4.1.2 loosely:
//! exactly one `@`, a non-empty local part whose dots separate non-empty parts, and a
//! domain of at least two non-empty dot-separated labels made of letters, digits
//! and hyphens (non-ASCII letters allowed for internationalised domains).
//!
//! Normalisation handles what Chinese spreadsheets contain: NFKC (full-width `＠`,
//! `．`, letters and digits → ASCII), the ideographic full stop `。` typed for `.`,
//! zero-width characters, surrounding whitespace and stray separators. The whole
//! address is lowercased — the canonical form is used as a match key; mainstream
//! providers (qq.com, 163.com, 126.com, …) treat local parts case-insensitively.
//!
//! A cell holding several addresses (separated by `；` `;` `，` `,` `、` `/` or
//! whitespace) is rejected by [`parse_email`]; [`split_emails`] splits such a cell.

use unicode_normalization::UnicodeNormalization;

use super::text::{is_zero_width, show_char};

/// Separators seen between several addresses in one cell (whitespace also splits).
const SEPARATORS: [char; 8] = [';', '；', ',', '，', '、', '/', '／', '\u{FF64}'];

/// Characters that never appear in an unquoted address.
const FORBIDDEN: [char; 9] = ['<', '>', '(', ')', '[', ']', '\\', '"', ':'];

/// Normalises and shape-checks one e-mail address; `Ok` holds it lowercased.
///
/// `Err` holds a short lowercase reason such as `several addresses in one cell`.
pub fn parse_email(input: &str) -> Result<String, String> {
    let text = normalise(input);
    if text.is_empty() {
        return Err("empty".to_string());
    }
    let pieces = split_emails(&text);
    if pieces.iter().filter(|p| p.contains('@')).count() >= 2 {
        return Err("several addresses in one cell".to_string());
    }
    let address = match pieces.as_slice() {
        [single] => single.clone(),
        [] => return Err("empty".to_string()),
        _ => text,
    };
    check_shape(&address)?;
    Ok(address)
}

/// Splits a cell holding several addresses into trimmed, non-empty raw pieces
/// (not normalised, not validated). A cell with one address gives one piece.
pub fn split_emails(input: &str) -> Vec<String> {
    input
        .split(|c: char| c.is_whitespace() || SEPARATORS.contains(&c))
        .map(|piece| piece.trim_matches(is_zero_width))
        .filter(|piece| !piece.is_empty())
        .map(str::to_string)
        .collect()
}

/// NFKC, `。` → `.`, zero-width characters removed, trimmed, lowercased.
fn normalise(input: &str) -> String {
    let text: String = input
        .nfkc()
        .filter(|&c| !is_zero_width(c))
        .map(|c| if c == '。' { '.' } else { c })
        .collect();
    text.trim().to_lowercase().nfkc().collect()
}

fn check_shape(address: &str) -> Result<(), String> {
    if address.chars().any(char::is_whitespace) {
        return Err("contains a space".to_string());
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err("missing @".to_string());
    };
    if domain.contains('@') {
        return Err("must contain exactly one @".to_string());
    }
    if let Some(c) = address
        .chars()
        .find(|&c| c.is_control() || FORBIDDEN.contains(&c) || SEPARATORS.contains(&c))
    {
        return Err(format!("unexpected character {}", show_char(c)));
    }
    check_local_part(local)?;
    check_domain(domain)
}

fn check_local_part(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("nothing before the @".to_string());
    }
    if local.split('.').any(str::is_empty) {
        return Err("local part must not start or end with a dot or contain ..".to_string());
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("nothing after the @".to_string());
    }
    if !domain.contains('.') {
        return Err("domain must contain a dot".to_string());
    }
    if domain.split('.').any(str::is_empty) {
        return Err("domain has an empty label".to_string());
    }
    match domain
        .chars()
        .find(|&c| !(c.is_alphanumeric() || c == '-' || c == '.'))
    {
        Some(c) => Err(format!("unexpected character {} in domain", show_char(c))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_quirks_are_fixed() {
        let cases = [
            ("zhangsan@qq.com", "zhangsan@qq.com"),
            ("12345678@qq.com", "12345678@qq.com"),
            ("zhangsan＠qq．com", "zhangsan@qq.com"),
            ("ｚｈａｎｇｓａｎ＠ｑｑ．ｃｏｍ", "zhangsan@qq.com"),
            ("zhangsan@163。com", "zhangsan@163.com"),
            ("zhangsan@126｡com", "zhangsan@126.com"),
            ("ZhangSan@Foxmail.COM", "zhangsan@foxmail.com"),
            ("  li.si@sina.com\u{3000}", "li.si@sina.com"),
            ("\u{FEFF}wang_wu@139.com\u{200B}", "wang_wu@139.com"),
            ("service@aliyun.com；", "service@aliyun.com"),
            ("，zhao@yeah.net", "zhao@yeah.net"),
            (
                "first.last+tag@mail.example.com.cn",
                "first.last+tag@mail.example.com.cn",
            ),
            ("user@例子.中国", "user@例子.中国"),
        ];
        for (input, canonical) in cases {
            assert_eq!(parse_email(input), Ok(canonical.to_string()), "{input}");
        }
    }

    #[test]
    fn several_addresses_are_rejected() {
        let cells = [
            "a@qq.com；b@163.com",
            "a@qq.com;b@163.com",
            "a@qq.com，b@163.com",
            "a@qq.com, b@163.com",
            "a@qq.com、b@163.com",
            "a@qq.com/b@163.com",
            "a@qq.com b@163.com",
            "a@qq.com\u{3000}b@163.com",
            "a＠qq．com；b＠163．com",
        ];
        for cell in cells {
            assert_eq!(
                parse_email(cell),
                Err("several addresses in one cell".to_string()),
                "{cell}"
            );
        }
    }

    #[test]
    fn malformed_addresses() {
        let cases = [
            ("", "empty"),
            (" ；\u{3000}", "empty"),
            ("zhangsan.qq.com", "missing @"),
            ("a@b@qq.com", "must contain exactly one @"),
            ("@qq.com", "nothing before the @"),
            ("zhangsan@", "nothing after the @"),
            ("zhangsan@localhost", "domain must contain a dot"),
            ("zhangsan@qq..com", "domain has an empty label"),
            ("zhangsan@.qq.com", "domain has an empty label"),
            ("zhangsan@qq.com.", "domain has an empty label"),
            ("zhang san@qq.com", "contains a space"),
            ("zhangsan @qq.com", "contains a space"),
            ("张三<zhangsan@qq.com>", "unexpected character <"),
            ("mailto:zhangsan@qq.com", "unexpected character :"),
            ("a,b@qq.com", "unexpected character ,"),
            ("zhangsan@qq_mail.com", "unexpected character _ in domain"),
            (
                "zhang..san@qq.com",
                "local part must not start or end with a dot or contain ..",
            ),
            (
                ".zhangsan@qq.com",
                "local part must not start or end with a dot or contain ..",
            ),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_email(input), Err(reason.to_string()), "{input}");
        }
    }

    #[test]
    fn splitting_cells() {
        let cases: [(&str, &[&str]); 7] = [
            ("a@qq.com", &["a@qq.com"]),
            ("a@qq.com；b@163.com", &["a@qq.com", "b@163.com"]),
            (
                "a@qq.com ， b@163.com、c@126.com",
                &["a@qq.com", "b@163.com", "c@126.com"],
            ),
            ("a@qq.com/b@163.com；", &["a@qq.com", "b@163.com"]),
            ("a＠qq．com\u{3000}B@163.COM", &["a＠qq．com", "B@163.COM"]),
            ("", &[]),
            (" ;；, ", &[]),
        ];
        for (cell, expected) in cases {
            assert_eq!(split_emails(cell), expected.to_vec(), "{cell}");
        }
    }

    fn widen(text: &str) -> String {
        text.chars()
            .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c))
            .collect()
    }

    prop_compose! {
        fn address()(
            local in "[a-z0-9_+]{1,8}(\\.[a-z0-9_+]{1,8}){0,2}",
            domain in "[a-z0-9]{1,8}(-[a-z0-9]{1,5})?(\\.[a-z]{2,6}){1,2}",
        ) -> String {
            format!("{local}@{domain}")
        }
    }

    proptest! {
        #[test]
        fn generated_addresses_are_valid(address in address()) {
            prop_assert_eq!(parse_email(&address), Ok(address.clone()));
        }

        #[test]
        fn decorated_addresses_normalise(
            address in address(),
            upper in any::<bool>(),
            wide in any::<bool>(),
            chinese_dot in any::<bool>(),
        ) {
            let mut text = address.clone();
            if upper {
                text = text.to_uppercase();
            }
            if wide {
                text = widen(&text);
            }
            if chinese_dot {
                text = text.replace(['.', '．'], "。");
            }
            let text = format!(" {text}\u{3000}");
            prop_assert_eq!(parse_email(&text), Ok(address));
        }

        #[test]
        fn split_recovers_joined_addresses(
            addresses in prop::collection::vec(address(), 1..5),
            separator in prop::sample::select(vec!["；", ";", "，", ", ", "、", "/", " ", "\u{3000}"]),
        ) {
            let cell = addresses.join(separator);
            prop_assert_eq!(split_emails(&cell), addresses.clone());
            if addresses.len() > 1 {
                prop_assert_eq!(
                    parse_email(&cell),
                    Err("several addresses in one cell".to_string())
                );
            }
        }

        #[test]
        fn parse_is_idempotent(input in "[a-zA-Z0-9._@＠．。 ;，\\-]{1,30}") {
            if let Ok(canonical) = parse_email(&input) {
                prop_assert_eq!(parse_email(&canonical), Ok(canonical.clone()));
            }
        }

        #[test]
        fn random_strings_never_panic(input in any::<String>()) {
            if let Ok(canonical) = parse_email(&input) {
                prop_assert_eq!(parse_email(&canonical), Ok(canonical.clone()));
            }
            let _ = split_emails(&input);
        }

        #[test]
        fn unicode_local_parts_are_idempotent(local in "\\PC{1,6}", domain in "[a-z]{1,5}\\.[a-z]{2,3}") {
            let input = format!("{local}@{domain}");
            if let Ok(canonical) = parse_email(&input) {
                prop_assert_eq!(parse_email(&canonical), Ok(canonical.clone()));
            }
        }
    }
}
