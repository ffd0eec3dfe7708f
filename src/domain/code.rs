//! Customer codes (客户编号) from a configurable pattern.
//!
//! A pattern is literal text with placeholders: `{yyyy}` `{yy}` `{mm}` `{dd}` for the date the
//! code is issued and `{seq:N}` for a sequence number padded to N digits (exactly one). The
//! default `CST{yyyy}{seq:04}` gives CST20240001; seed 002's `{yyyy}{mm}-{seq:04}` gives
//! 202405-0001. The sequence restarts in each *period* — the pattern rendered without the
//! sequence — and the store remembers the last number of every period, so a code is never
//! handed out twice.

use chrono::{Datelike, NaiveDate};

/// The pattern used when none is configured.
pub const DEFAULT_PATTERN: &str = "CST{yyyy}{seq:04}";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Year4,
    Year2,
    Month,
    Day,
    Seq(usize),
}

/// A parsed code pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePattern {
    source: String,
    parts: Vec<Part>,
}

impl CodePattern {
    /// Parses a pattern; it must hold exactly one `{seq:N}` (1 ≤ N ≤ 9).
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed {{ in code pattern {pattern}"))?;
            parts.push(placeholder(&rest[open + 1..open + close], pattern)?);
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        let seqs = parts.iter().filter(|p| matches!(p, Part::Seq(_))).count();
        if seqs != 1 {
            return Err(format!(
                "code pattern {pattern} must contain exactly one {{seq:N}}, found {seqs}"
            ));
        }
        if let Some(Part::Text(t)) = parts.iter().find(|p| match p {
            Part::Text(t) => t.chars().any(|c| c.is_whitespace() || c.is_control()),
            _ => false,
        }) {
            return Err(format!("code pattern text {t:?} must not contain spaces"));
        }
        Ok(Self {
            source: pattern.to_string(),
            parts,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The period a code issued on `date` belongs to: the pattern rendered without `{seq}`.
    pub fn period(&self, date: NaiveDate) -> String {
        self.render_with(date, |_| String::from("\u{0}"))
    }

    /// The code for sequence number `seq` issued on `date`.
    pub fn render(&self, date: NaiveDate, seq: u64) -> String {
        self.render_with(date, |width| format!("{seq:0width$}"))
    }

    /// The sequence number of `code` if it was issued from this pattern in `period`.
    pub fn sequence_of(&self, period: &str, code: &str) -> Option<u64> {
        let (head, tail) = period.split_once('\u{0}')?;
        let digits = code.strip_prefix(head)?.strip_suffix(tail)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// Whether `code` has the shape of a code from this pattern (any date, any sequence
    /// number of at least the pattern's width), ignoring ASCII case.
    pub fn matches(&self, code: &str) -> bool {
        fn digits(s: &str, n: usize) -> Option<&str> {
            (s.len() >= n && s.as_bytes()[..n].iter().all(u8::is_ascii_digit)).then(|| &s[n..])
        }
        fn rest(parts: &[Part], s: &str) -> bool {
            let Some((first, others)) = parts.split_first() else {
                return s.is_empty();
            };
            match first {
                Part::Text(t) => {
                    s.get(..t.len()).is_some_and(|head| head.eq_ignore_ascii_case(t))
                        && rest(others, &s[t.len()..])
                }
                Part::Year4 => digits(s, 4).is_some_and(|r| rest(others, r)),
                Part::Year2 | Part::Month | Part::Day => digits(s, 2).is_some_and(|r| rest(others, r)),
                Part::Seq(width) => {
                    let run = s.bytes().take_while(u8::is_ascii_digit).count();
                    (*width..=run).any(|n| rest(others, &s[n..]))
                }
            }
        }
        rest(&self.parts, code.trim())
    }

    fn render_with(&self, date: NaiveDate, seq: impl Fn(usize) -> String) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Year4 => format!("{:04}", date.year()),
                Part::Year2 => format!("{:02}", date.year() % 100),
                Part::Month => format!("{:02}", date.month()),
                Part::Day => format!("{:02}", date.day()),
                Part::Seq(width) => seq(*width),
            })
            .collect()
    }
}

impl Default for CodePattern {
    fn default() -> Self {
        Self::parse(DEFAULT_PATTERN).expect("the default pattern is valid")
    }
}

fn placeholder(inner: &str, pattern: &str) -> Result<Part, String> {
    match inner {
        "yyyy" => Ok(Part::Year4),
        "yy" => Ok(Part::Year2),
        "mm" => Ok(Part::Month),
        "dd" => Ok(Part::Day),
        "seq" => Ok(Part::Seq(4)),
        _ => {
            let width = inner
                .strip_prefix("seq:")
                .and_then(|w| w.parse::<usize>().ok())
                .filter(|w| (1..=9).contains(w));
            width.map(Part::Seq).ok_or_else(|| {
                format!(
                    "unknown placeholder {{{inner}}} in code pattern {pattern} \
                     (use {{yyyy}} {{yy}} {{mm}} {{dd}} {{seq:N}})"
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn default_pattern_renders_cst_year_and_four_digits() {
        let p = CodePattern::default();
        assert_eq!(p.render(day(2024, 3, 9), 1), "CST20240001");
        assert_eq!(p.render(day(2024, 3, 9), 12345), "CST202412345");
    }

    #[test]
    fn seed_002_year_month_pattern() {
        let p = CodePattern::parse("{yyyy}{mm}-{seq:04}").unwrap();
        assert_eq!(p.render(day(2024, 5, 1), 1), "202405-0001");
        assert_ne!(p.period(day(2024, 5, 1)), p.period(day(2024, 6, 1)));
    }

    #[test]
    fn sequence_is_recovered_from_a_code_in_its_period() {
        let p = CodePattern::default();
        let period = p.period(day(2024, 1, 1));
        assert_eq!(p.sequence_of(&period, "CST20240042"), Some(42));
        assert_eq!(p.sequence_of(&period, "CST20250042"), None);
        assert_eq!(p.sequence_of(&period, "CST2024abcd"), None);
    }

    #[test]
    fn codes_are_recognised_by_shape() {
        let p = CodePattern::default();
        assert!(p.matches("CST20240001"));
        assert!(p.matches("cst202412345"));
        assert!(!p.matches("CST2024001"));
        assert!(!p.matches("重点跟进"));
        assert!(!p.matches("VIP"));
        let p = CodePattern::parse("{yyyy}{mm}-{seq:04}").unwrap();
        assert!(p.matches("202405-0001"));
        assert!(!p.matches("202405-01"));
    }

    #[test]
    fn bad_patterns_are_refused_with_the_reason() {
        for (pattern, reason) in [
            ("CST{yyyy}", "exactly one {seq:N}"),
            ("{seq}{seq}", "exactly one {seq:N}"),
            ("CST{yyyy", "unclosed"),
            ("CST{week}{seq}", "unknown placeholder {week}"),
            ("CST {seq}", "must not contain spaces"),
        ] {
            let err = CodePattern::parse(pattern).unwrap_err();
            assert!(err.contains(reason), "{pattern}: {err}");
        }
    }
}
