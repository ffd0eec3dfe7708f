//! Money amounts in 人民币, stored as integer 分 (fen) in an `i64`.
//!
//! [`parse_amount`] reads what clerks type: `¥1,234.50`, `￥1，234.50`, `RMB 1234.50`,
//! `人民币1234.50元`, `12.5万`, `12.5w`, `1.2亿元`, `3千`, `15k`, `2百万`, 大写 such as
//! `壹万贰仟叁佰肆拾伍元陆角柒分` or `人民币伍拾万元整`, and negatives `(1,234.50)`,
//! `-1,234.50`, `负1234.5`. A bare number is scaled by the column's [`Unit`] (taken
//! from a header such as `金额（万元）` by [`unit_from_header`]); a unit written in the
//! cell (`元`, `万`, `亿`, `千`, `k`, `w`, …) overrides it. Ranges, approximations and
//! foreign currencies are refused. Arithmetic uses `rust_decimal`, never floats, and
//! rounds half away from zero to the fen.

use chinese_number::{ChineseCountMethod, ChineseToNumber};
use rust_decimal::{Decimal, RoundingStrategy};

use super::text::clean;

/// The unit of a money column, from its header; scales bare numbers in the cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// 元 (the default).
    #[default]
    Yuan,
    /// 千元, 10³ 元.
    Qian,
    /// 万元, 10⁴ 元.
    Wan,
    /// 百万元, 10⁶ 元 (financial statements).
    Baiwan,
    /// 亿元, 10⁸ 元.
    Yi,
}

impl Unit {
    /// `元`, `千元`, `万元`, `亿元`.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Qian => "千元",
            Unit::Wan => "万元",
            Unit::Baiwan => "百万元",
            Unit::Yi => "亿元",
        }
    }

    /// How many 元 one of this unit is.
    pub fn multiplier(self) -> Decimal {
        match self {
            Unit::Yuan => Decimal::ONE,
            Unit::Qian => Decimal::from(1_000),
            Unit::Wan => Decimal::from(10_000),
            Unit::Baiwan => Decimal::from(1_000_000),
            Unit::Yi => Decimal::from(100_000_000),
        }
    }
}

/// Leading currency markers that mean 人民币 (after NFKC, so `￥` is `¥`), and the
/// colon of `人民币：伍拾万元整`.
const CNY_PREFIXES: [&str; 6] = ["人民币", "人民幣", "RMB", "CNY", "¥", ":"];

/// Foreign-currency words and symbols (checked on the upper-cased text).
const FOREIGN: [&str; 43] = [
    "美元",
    "美金",
    "港元",
    "港币",
    "港幣",
    "澳门元",
    "澳门币",
    "澳元",
    "欧元",
    "歐元",
    "日元",
    "日圆",
    "日币",
    "英镑",
    "英鎊",
    "加元",
    "加币",
    "新加坡元",
    "新币",
    "新台币",
    "台币",
    "韩元",
    "韓元",
    "卢布",
    "瑞郎",
    "法郎",
    "泰铢",
    "外币",
    "USD",
    "HKD",
    "EUR",
    "JPY",
    "GBP",
    "AUD",
    "CAD",
    "SGD",
    "TWD",
    "KRW",
    "CHF",
    "MOP",
    "$",
    "€",
    "£",
];

/// Words that make an amount approximate (`+` too, unless it is a leading sign).
const APPROXIMATE: [&str; 22] = [
    "约", "大概", "左右", "上下", "近", "超", "多", "余", "以上", "以下", "不到", "不足", "至少", "最多",
    "几", "来", "许", "≈", ">", "<", "≥", "≤",
];

/// Characters that join the two ends of a range (after a leading sign is removed).
const RANGE_MARKS: [char; 8] = ['-', '~', '〜', '至', '到', '—', '–', '−'];

/// Magnitude suffixes after an ASCII number, longest first, as powers of ten.
const MAGNITUDES: [(&str, u32); 18] = [
    ("万亿", 12),
    ("萬億", 12),
    ("千万", 7),
    ("千萬", 7),
    ("百万", 6),
    ("百萬", 6),
    ("十万", 5),
    ("十萬", 5),
    ("亿", 8),
    ("億", 8),
    ("万", 4),
    ("萬", 4),
    ("w", 4),
    ("W", 4),
    ("千", 3),
    ("百", 2),
    ("k", 3),
    ("K", 3),
];

/// Parses a 人民币 amount into fen. `unit` scales a bare number (the column unit);
/// a unit written in the cell wins. Negative amounts are returned negative.
pub fn parse_amount(input: &str, unit: Unit) -> Result<i64, String> {
    let shown = clean(input);
    if shown.is_empty() {
        return Err("empty amount".to_string());
    }
    let compact = remove_spaces(&shown).ok_or_else(|| {
        // 2023-01-05 14:30: a date cell with its time in the amount column.
        match shown.split_whitespace().next().map(super::date::parse_date) {
            Some(Ok(_)) => format!("{shown} is a date, not an amount"),
            _ => format!("{shown} has a space inside the number"),
        }
    })?;
    refuse_foreign(&compact, &shown)?;
    if APPROXIMATE.iter().any(|w| compact.contains(w)) {
        return Err(format!("{shown} is an approximation, not an exact amount"));
    }
    let (negative, body) = strip_sign_and_currency(&compact);
    refuse_range(body, &shown)?;
    if body.is_empty() {
        return Err(format!("{shown} is not an amount"));
    }
    let (value, explicit) = if body.bytes().any(|b| b.is_ascii_digit()) {
        parse_arabic(body)
    } else {
        parse_chinese(body)
    }
    .ok_or_else(|| format!("{shown} is not an amount"))?;
    let yuan = match explicit {
        Some(multiplier) => value.checked_mul(multiplier),
        None => value.checked_mul(unit.multiplier()),
    };
    let fen = yuan
        .and_then(|y| y.checked_mul(Decimal::ONE_HUNDRED))
        .map(|f| f.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .and_then(|f| i64::try_from(f).ok())
        .ok_or_else(|| format!("{shown} is too large"))?;
    Ok(if negative { -fen } else { fen })
}

/// Splits a header into its bare name and money unit: `累计合作金额（万元）`,
/// `累计合作金额(万元)`, `金额/万元`, `金额【万元】`, `金额(单位：万元)`, `交易额（元）`.
/// The name is returned [`clean`]ed. A header without a recognised 人民币 unit
/// (`金额（百万元）`, `注册资本（万美元）`) is returned whole with [`Unit::Yuan`], so it
/// does not match a known column name instead of being silently mis-scaled.
pub fn unit_from_header(header: &str) -> (String, Unit) {
    let cleaned = clean(header);
    split_unit(&cleaned)
        .and_then(|(name, inner)| header_unit(inner).map(|u| (name.trim_end().to_string(), u)))
        .unwrap_or((cleaned, Unit::Yuan))
}

/// The unit of amounts a title row or a note below the table states: `（金额单位：万元）`,
/// `单位: 元`, `注：金额单位为万元`, `单位：万元 币种：人民币`, `金额单位（万元）`,
/// `单位：万元人民币`. `填报单位：某某公司` and `数量单位：台` state none.
pub fn stated_unit(text: &str) -> Option<Unit> {
    let text = clean(text);
    let space = |c: char| c.is_whitespace() || c == '\u{3000}';
    let joiner =
        |c: char| space(c) || matches!(c, ':' | '为' | '是' | '(' | '[' | '【' | '/' | '-' | '—' | '－');
    let end_of_word = |c: char| {
        space(c)
            || matches!(
                c,
                ')' | ']' | '】' | ',' | ';' | '。' | '、' | '(' | '，' | '；' | '/'
            )
    };
    text.match_indices("单位").find_map(|(at, word)| {
        // What joins 单位 to its unit: a colon, 为, 是, a bracket, a slash, a dash, spaces;
        // a currency may stand apart before it (`单位：人民币 万元`).
        let mut rest = text[at + word.len()..].trim_start_matches(joiner);
        loop {
            let end = rest.find(end_of_word).unwrap_or(rest.len());
            let word = &rest[..end];
            if let Some(unit) = unit_word(word) {
                return Some(unit);
            }
            if !["人民币", "RMB", "CNY"].contains(&word) {
                return None;
            }
            rest = rest[end..].trim_start_matches(joiner);
        }
    })
}

/// Whether a header states its amounts' unit: `累计合作金额(万元)`, `合同金额/元`. A currency
/// alone (`累计合作金额(人民币)`) states none.
pub fn header_states_unit(header: &str) -> bool {
    let cleaned = clean(header);
    split_unit(&cleaned).is_some_and(|(_, inner)| unit_word(inner).is_some())
}

/// A unit of amounts by its name, with or without the currency before or after it (`万元`,
/// `RMB万元`, `万元人民币`); `None` for anything else, a currency alone among them.
fn unit_word(word: &str) -> Option<Unit> {
    const CURRENCY: [&str; 5] = ["人民币", "RMB", "CNY", "¥", "￥"];
    let mut word = word.trim();
    for c in CURRENCY {
        word = word.strip_prefix(c).unwrap_or(word).trim();
        word = word.strip_suffix(c).unwrap_or(word).trim();
    }
    (!word.is_empty()).then(|| header_unit(word)).flatten()
}

/// `1234.50`: always two decimals, `-` for negative amounts.
pub fn format_fen(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The amount in 元 as an exact decimal with two places.
pub fn fen_to_decimal(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// Name and bracketed (or slash-separated) unit text of a header.
fn split_unit(header: &str) -> Option<(&str, &str)> {
    for (open, close) in [('(', ')'), ('[', ']'), ('【', '】')] {
        if let Some(rest) = header.strip_suffix(close) {
            let at = rest.rfind(open)?;
            return Some((&rest[..at], &rest[at + open.len_utf8()..]));
        }
    }
    header.rsplit_once('/')
}

fn header_unit(inner: &str) -> Option<Unit> {
    let inner: String = inner.chars().filter(|c| *c != ' ').collect();
    let inner = inner.strip_prefix("单位:").unwrap_or(&inner);
    let inner = ["人民币", "RMB", "CNY"]
        .iter()
        .find_map(|p| inner.strip_prefix(p))
        .unwrap_or(inner);
    match inner {
        "元" | "¥" | "" => Some(Unit::Yuan),
        "千元" => Some(Unit::Qian),
        "百万元" | "百萬元" | "百万" | "百萬" => Some(Unit::Baiwan),
        "万元" | "萬元" | "万" | "萬" => Some(Unit::Wan),
        "亿元" | "億元" | "亿" | "億" => Some(Unit::Yi),
        _ => None,
    }
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

fn refuse_foreign(s: &str, shown: &str) -> Result<(), String> {
    let upper = s.to_uppercase();
    match FOREIGN.iter().find(|w| upper.contains(*w)) {
        Some(currency) => Err(format!(
            "{shown} is in a foreign currency ({currency}); only 人民币 amounts are accepted"
        )),
        None => Ok(()),
    }
}

fn refuse_range(body: &str, shown: &str) -> Result<(), String> {
    if body.starts_with(['~', '〜']) || body.contains('+') {
        return Err(format!("{shown} is an approximation, not an exact amount"));
    }
    if body.chars().skip(1).any(|c| RANGE_MARKS.contains(&c)) {
        // 2023-01-05, 2023/1/5: a date cell in the amount column.
        if super::date::parse_date(body).is_ok() {
            return Err(format!("{shown} is a date, not an amount"));
        }
        return Err(format!("{shown} is a range, not a single amount"));
    }
    Ok(())
}

/// Strips leading currency markers, one sign (`-`, `−`, `负`, `+`) and enclosing
/// parentheses (accounting negative), plus trailing `整`/`正` and currency names.
/// Returns whether the amount is negative and what is left.
fn strip_sign_and_currency(s: &str) -> (bool, &str) {
    let mut body = s;
    let mut negative = false;
    let mut signed = false;
    loop {
        if let Some(rest) = strip_prefix_any(body, &CNY_PREFIXES) {
            body = rest;
        } else if let Some(rest) = strip_prefix_any(body, &["-", "−", "负", "負", "+"]).filter(|_| !signed)
        {
            negative = !body.starts_with('+');
            signed = true;
            body = rest;
        } else if let Some(inner) = body
            .strip_prefix('(')
            .and_then(|b| b.strip_suffix(')'))
            .filter(|_| !signed)
        {
            negative = true;
            signed = true;
            body = inner;
        } else {
            break;
        }
    }
    body = body
        .strip_suffix('整')
        .or_else(|| body.strip_suffix('正'))
        .unwrap_or(body);
    body = strip_suffix_any(body, &["人民币", "人民幣", "RMB", "CNY"]).unwrap_or(body);
    (negative, body)
}

fn strip_prefix_any<'a>(s: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| s.strip_prefix(p))
}

fn strip_suffix_any<'a>(s: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|p| s.strip_suffix(p))
}

/// `1,234.50`, `12.5万元`, `3千`, `15k`: the number and, when the cell names a
/// unit, that unit's multiplier.
fn parse_arabic(body: &str) -> Option<(Decimal, Option<Decimal>)> {
    let (body, yuan) = match strip_suffix_any(body, &["元", "圆"]) {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    let magnitude = MAGNITUDES
        .iter()
        .find_map(|(word, power)| body.strip_suffix(word).map(|rest| (rest, *power)));
    let (digits, multiplier) = match magnitude {
        Some((rest, power)) => (rest, Some(Decimal::from(10i64.pow(power)))),
        None => (body, yuan.then_some(Decimal::ONE)),
    };
    Some((parse_literal(digits)?, multiplier))
}

/// An unsigned decimal literal with optional `,` thousands separators (groups of 3).
fn parse_literal(s: &str) -> Option<Decimal> {
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
    format!("{whole}.{fraction}").parse().ok()
}

/// 大写 or lowercase Chinese numerals: `壹万贰仟叁佰肆拾伍元陆角柒分`, `伍拾万元`,
/// `伍角`. 元/角/分 or 万/亿 in the text make it explicit (not scaled by the column).
fn parse_chinese(body: &str) -> Option<(Decimal, Option<Decimal>)> {
    if !body.chars().any(|c| chinese_digit(c).is_some() || is_place(c)) {
        return None;
    }
    let (whole, fraction, yuan) = match body.split_once(['元', '圆']) {
        Some((whole, fraction)) => (whole, fraction, true),
        None if body.ends_with(['角', '分']) => ("", body, true),
        None => (body, "", false),
    };
    let whole = if whole.is_empty() {
        Decimal::ZERO
    } else {
        chinese_integer(whole)?
    };
    let value = whole.checked_add(jiao_fen(fraction)?)?;
    let explicit = yuan || body.contains(['万', '萬', '亿', '億']);
    Some((value, explicit.then_some(Decimal::ONE)))
}

fn chinese_integer(s: &str) -> Option<Decimal> {
    let numerals_only = s.chars().all(|c| chinese_digit(c).is_some() || is_place(c));
    if !numerals_only || has_repeated_place(s) {
        return None;
    }
    let value: u64 = s.to_number(ChineseCountMethod::TenThousand).ok()?;
    Some(Decimal::from(value))
}

/// `拾拾`, `佰佰`: the numeral parser would accept them, but they are typos.
fn has_repeated_place(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0] == w[1] && matches!(w[0], '拾' | '十' | '佰' | '百' | '仟' | '千'))
}

/// `陆角柒分`, `零柒分`, `陆角`, or empty: the part after 元 as a decimal.
fn jiao_fen(s: &str) -> Option<Decimal> {
    let s = s.strip_prefix('零').unwrap_or(s);
    let (jiao, rest) = match s.split_once('角') {
        Some((digit, rest)) => (single_digit(digit)?, rest),
        None => (0, s),
    };
    let rest = rest.strip_prefix('零').unwrap_or(rest);
    let fen = match rest.strip_suffix('分') {
        Some(digit) => single_digit(digit)?,
        None if rest.is_empty() => 0,
        None => return None,
    };
    Some(Decimal::new(i64::from(jiao) * 10 + i64::from(fen), 2))
}

fn single_digit(s: &str) -> Option<u32> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => chinese_digit(c),
        _ => None,
    }
}

fn chinese_digit(c: char) -> Option<u32> {
    let value = match c {
        '零' | '〇' => 0,
        '壹' | '一' => 1,
        '贰' | '貳' | '二' | '两' | '兩' => 2,
        '叁' | '參' | '三' => 3,
        '肆' | '四' => 4,
        '伍' | '五' => 5,
        '陆' | '陸' | '六' => 6,
        '柒' | '七' => 7,
        '捌' | '八' => 8,
        '玖' | '九' => 9,
        _ => return None,
    };
    Some(value)
}

fn is_place(c: char) -> bool {
    matches!(
        c,
        '拾' | '十' | '佰' | '百' | '仟' | '千' | '万' | '萬' | '亿' | '億'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(s: &str) -> Result<i64, String> {
        parse_amount(s, Unit::Yuan)
    }

    #[test]
    fn reference_rows() {
        let cases: [(&str, i64); 24] = [
            ("¥1,234.50", 123_450),
            ("￥1,234.50", 123_450),
            ("1234.5元", 123_450),
            ("1,234.50 元", 123_450),
            ("RMB 1234.50", 123_450),
            ("人民币1234.50元", 123_450),
            ("12.5万", 12_500_000),
            ("12.5万元", 12_500_000),
            ("12.5w", 12_500_000),
            ("12.5W", 12_500_000),
            ("125.50万元", 125_500_000),
            ("1.2亿", 12_000_000_000),
            ("1.2亿元", 12_000_000_000),
            ("3千", 300_000),
            ("15k", 1_500_000),
            ("壹万贰仟叁佰肆拾伍元陆角柒分", 1_234_567),
            ("人民币伍拾万元整", 50_000_000),
            ("(1,234.50)", -123_450),
            ("-1,234.50", -123_450),
            ("负1234.5", -123_450),
            ("1，234.50", 123_450),
            ("１２.５万", 12_500_000),
            ("12.5萬", 12_500_000),
            ("1.2億", 12_000_000_000),
        ];
        for (input, want) in cases {
            assert_eq!(yuan(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn more_units_and_forms() {
        let cases: [(&str, i64); 24] = [
            ("3百", 30_000),
            ("12万元整", 12_000_000),
            ("2百万", 200_000_000),
            ("3千万", 3_000_000_000),
            ("1万亿", 100_000_000_000_000),
            ("5十万", 50_000_000),
            ("1234", 123_400),
            ("0", 0),
            ("0.005", 1),
            ("0.004", 0),
            ("-0.005", -1),
            ("1234.505", 123_451),
            ("12.3456789万", 12_345_679),
            ("¥ -1,234.50", -123_450),
            ("-¥1,234.50", -123_450),
            ("¥(1,234.50)", -123_450),
            ("+100", 10_000),
            ("100元整", 10_000),
            ("100元正", 10_000),
            ("1234.50 RMB", 123_450),
            ("CNY1234.50", 123_450),
            (".5", 50),
            ("−12", -1_200),
            ("1,234,567.89", 123_456_789),
        ];
        for (input, want) in cases {
            assert_eq!(yuan(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn chinese_numerals() {
        let cases: [(&str, i64); 15] = [
            ("三百五", 35_000),
            ("两万", 2_000_000),
            ("壹万贰仟叁佰肆拾伍元", 1_234_500),
            ("壹万贰仟叁佰肆拾伍元整", 1_234_500),
            ("壹万零伍元", 1_000_500),
            ("壹佰元零柒分", 10_007),
            ("壹佰元零陆角", 10_060),
            ("伍角", 50),
            ("柒分", 7),
            ("壹亿贰仟万元整", 12_000_000_000),
            ("拾万元", 10_000_000),
            ("一百二十万", 120_000_000),
            ("贰拾万圆整", 20_000_000),
            ("负壹佰元", -10_000),
            ("人民币：伍拾万元整", 50_000_000),
        ];
        for (input, want) in cases {
            assert_eq!(yuan(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn header_unit_scales_bare_numbers_only() {
        let cases: [(&str, Unit, i64); 12] = [
            ("12.5", Unit::Wan, 12_500_000),
            ("12.5万", Unit::Wan, 12_500_000),
            ("1,234.50", Unit::Wan, 1_234_500_000),
            ("1234.5元", Unit::Wan, 123_450),
            ("¥12.5", Unit::Wan, 12_500_000),
            ("1.5", Unit::Yi, 15_000_000_000),
            ("1.5亿", Unit::Wan, 15_000_000_000),
            ("2.5", Unit::Qian, 250_000),
            ("0.000001", Unit::Wan, 1),
            ("伍拾", Unit::Wan, 50_000_000),
            ("伍拾万", Unit::Wan, 50_000_000),
            ("伍拾元", Unit::Wan, 5_000),
        ];
        for (input, unit, want) in cases {
            assert_eq!(parse_amount(input, unit), Ok(want), "input {input:?} {unit:?}");
        }
    }

    #[test]
    fn refusals() {
        let cases = [
            ("", "empty amount"),
            (" \u{3000}", "empty amount"),
            ("100-200万", "100-200万 is a range, not a single amount"),
            ("2023-01-05", "2023-01-05 is a date, not an amount"),
            ("100~200万", "100~200万 is a range, not a single amount"),
            ("100至200万", "100至200万 is a range, not a single amount"),
            ("约100万", "约100万 is an approximation, not an exact amount"),
            ("100万+", "100万+ is an approximation, not an exact amount"),
            ("100多万", "100多万 is an approximation, not an exact amount"),
            ("100万左右", "100万左右 is an approximation, not an exact amount"),
            ("~100", "~100 is an approximation, not an exact amount"),
            (
                "500万美元",
                "500万美元 is in a foreign currency (美元); only 人民币 amounts are accepted",
            ),
            (
                "1000万港元",
                "1000万港元 is in a foreign currency (港元); only 人民币 amounts are accepted",
            ),
            (
                "200万欧元",
                "200万欧元 is in a foreign currency (欧元); only 人民币 amounts are accepted",
            ),
            (
                "USD 100",
                "USD 100 is in a foreign currency (USD); only 人民币 amounts are accepted",
            ),
            (
                "usd100",
                "usd100 is in a foreign currency (USD); only 人民币 amounts are accepted",
            ),
            (
                "$100",
                "$100 is in a foreign currency ($); only 人民币 amounts are accepted",
            ),
            (
                "US$100",
                "US$100 is in a foreign currency ($); only 人民币 amounts are accepted",
            ),
            (
                "＄100",
                "$100 is in a foreign currency ($); only 人民币 amounts are accepted",
            ),
            ("abc", "abc is not an amount"),
            ("无", "无 is not an amount"),
            ("N/A", "N/A is not an amount"),
            ("-", "- is not an amount"),
            ("1,23", "1,23 is not an amount"),
            ("12,5000", "12,5000 is not an amount"),
            ("1.2.3", "1.2.3 is not an amount"),
            ("1e5", "1e5 is not an amount"),
            ("--5", "--5 is not an amount"),
            ("12万3千", "12万3千 is not an amount"),
            ("¥", "¥ is not an amount"),
            ("元整", "元整 is not an amount"),
            ("()", "() is not an amount"),
            ("拾拾", "拾拾 is not an amount"),
            ("壹佰拾", "壹佰拾 is not an amount"),
            ("壹元壹元", "壹元壹元 is not an amount"),
            ("壹角贰角", "壹角贰角 is not an amount"),
            ("伍万5", "伍万5 is not an amount"),
            ("100元元", "100元元 is not an amount"),
            ("1 234", "1 234 has a space inside the number"),
            ("2023-01-05 14:30", "2023-01-05 14:30 is a date, not an amount"),
            ("99999999999999999999", "99999999999999999999 is too large"),
            (
                "9999999999999999999999999999999",
                "9999999999999999999999999999999 is not an amount",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(yuan(input), Err(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn headers() {
        let cases = [
            ("累计合作金额(万元)", "累计合作金额", Unit::Wan),
            ("累计合作金额（万元）", "累计合作金额", Unit::Wan),
            ("金额/万元", "金额", Unit::Wan),
            ("交易额（元）", "交易额", Unit::Yuan),
            ("金额【万元】", "金额", Unit::Wan),
            ("金额[亿元]", "金额", Unit::Yi),
            ("金额（单位：万元）", "金额", Unit::Wan),
            ("金额（人民币万元）", "金额", Unit::Wan),
            ("金额 (千元)", "金额", Unit::Qian),
            ("交易额", "交易额", Unit::Yuan),
            ("  交易额 ", "交易额", Unit::Yuan),
            ("金额（百万元）", "金额", Unit::Baiwan),
            ("注册资本（万美元）", "注册资本(万美元)", Unit::Yuan),
            ("备注(内部)", "备注(内部)", Unit::Yuan),
        ];
        for (header, name, unit) in cases {
            assert_eq!(
                unit_from_header(header),
                (name.to_string(), unit),
                "header {header:?}"
            );
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(format_fen(123_450), "1234.50");
        assert_eq!(format_fen(0), "0.00");
        assert_eq!(format_fen(5), "0.05");
        assert_eq!(format_fen(-5), "-0.05");
        assert_eq!(format_fen(-123_450), "-1234.50");
        assert_eq!(format_fen(i64::MIN), "-92233720368547758.08");
        assert_eq!(fen_to_decimal(123_450).to_string(), "1234.50");
        assert_eq!(fen_to_decimal(-7).to_string(), "-0.07");
    }

    fn with_thousands(fen: i64) -> String {
        let plain = format_fen(fen);
        let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, "00"));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{grouped}.{fraction}")
    }

    #[test]
    fn a_title_or_a_note_may_state_the_unit_of_the_amounts() {
        for (text, unit) in [
            ("2024年客户清单（金额单位：万元）", Some(Unit::Wan)),
            ("注：金额单位为万元", Some(Unit::Wan)),
            ("单位: 元", Some(Unit::Yuan)),
            ("单位：人民币千元，数据截至6月", Some(Unit::Qian)),
            ("（单位：亿元）", Some(Unit::Yi)),
            ("填报单位：某某科技有限公司", None),
            ("单位：", None),
            ("2024年客户清单", None),
            ("主管单位：市商务局  单位：万元", Some(Unit::Wan)),
            ("单位：万元 币种：人民币", Some(Unit::Wan)),
            ("单位：万元人民币", Some(Unit::Wan)),
            ("（单位：RMB万元）", Some(Unit::Wan)),
            ("2024年客户清单 金额单位（万元）", Some(Unit::Wan)),
            ("金额单位/万元", Some(Unit::Wan)),
            ("单位 万元", Some(Unit::Wan)),
            ("单位：万元（含税）", Some(Unit::Wan)),
            ("数量单位：台 金额单位：万元", Some(Unit::Wan)),
            ("注：单位名称请写全称；金额单位：万元", Some(Unit::Wan)),
            ("单位：人民币", None),
            ("单位：人民币 万元", Some(Unit::Wan)),
            ("单位:RMB 万元", Some(Unit::Wan)),
            ("单位：百万元", Some(Unit::Baiwan)),
            ("单位-万元", Some(Unit::Wan)),
            ("单位—万元", Some(Unit::Wan)),
            ("北京单位元素科技有限公司", None),
        ] {
            assert_eq!(stated_unit(text), unit, "{text}");
        }
    }

    #[test]
    fn a_header_states_its_unit_in_brackets_or_after_a_slash() {
        assert!(header_states_unit("累计合作金额(万元)"));
        assert!(header_states_unit("合同金额/元"));
        assert!(header_states_unit("金额【万元】"));
        assert!(!header_states_unit("累计合作金额"));
        assert!(!header_states_unit("累计合作金额(必填)"));
        assert!(!header_states_unit("累计合作金额(人民币)"), "a currency alone");
        assert!(!header_states_unit("近12个月交易额(RMB)"));
        assert!(header_states_unit("近12个月交易额(RMB万元)"));
    }

    proptest! {
        #[test]
        fn a_stated_unit_is_found_in_any_title(
            before in "[^单位]{0,12}",
            after in "[^单位]{0,12}",
            unit in prop::sample::select(vec![Unit::Yuan, Unit::Qian, Unit::Wan, Unit::Baiwan, Unit::Yi]),
        ) {
            let title = format!("{before}（金额单位：{}）{after}", unit.label());
            prop_assert_eq!(stated_unit(&title), Some(unit));
            prop_assert_eq!(stated_unit(&format!("{before}{after}")), None);
        }

        #[test]
        fn format_round_trips(v in 0i64..10_000_000_000_000) {
            prop_assert_eq!(yuan(&format_fen(v)), Ok(v));
            prop_assert_eq!(yuan(&format!("¥{}", with_thousands(v))), Ok(v));
            prop_assert_eq!(yuan(&format!("￥{}元", with_thousands(v).replace(',', "，"))), Ok(v));
            prop_assert_eq!(yuan(&format!("-{}", format_fen(v))), Ok(-v));
            prop_assert_eq!(yuan(&format!("({})", with_thousands(v))), Ok(-v));
            prop_assert_eq!(parse_amount(&format!("{}元", format_fen(v)), Unit::Wan), Ok(v));
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = yuan(&s);
            let _ = unit_from_header(&s);
        }

        #[test]
        fn never_panics_on_amount_like(s in "[0-9.,，¥()\\-负万亿千kw元角分整壹贰叁拾佰仟零 ]{0,20}") {
            let _ = yuan(&s);
            let _ = parse_amount(&s, Unit::Yi);
        }
    }
}
