//! Dates as typed in Chinese spreadsheets.
//!
//! [`parse_date`] accepts `2023/1/5`, `2023-01-05`, `2023-01-05 00:00:00` (or with `T`),
//! `2023.1.5`, `2023年1月5日` / `号`, full-width digits, `二〇二三年一月五日`, `20230105`,
//! two-digit years (`23/1/5`), month precision (`2023年1月`, `2023-01`, `2023.1`, giving
//! the first of the month) and Excel serial numbers (`44931`, `44931.5`) in the range
//! 18264..=73050 (1950-01-01..=2099-12-31, 1900 date system). With the year last, the
//! order is read from the numbers when only one order makes a real date (`13/1/2024` is
//! day first, `1/13/2024` month first, `5/5/2024` either); `1/5/2023` is refused as
//! ambiguous, with both readings written out year first.

use chinese_number::{ChineseCountMethod, ChineseToNumber};
use chrono::{Months, NaiveDate};

use super::text::clean;

/// Smallest Excel serial accepted by [`parse_date`] (1950-01-01).
const SERIAL_MIN: i64 = 18264;
/// Largest Excel serial accepted by [`parse_date`] (2099-12-31).
const SERIAL_MAX: i64 = 73050;
/// Largest serial Excel itself can show (9999-12-31).
const EXCEL_SERIAL_LIMIT: f64 = 2_958_465.0;
/// Two-digit years above this are 19yy, the others 20yy.
const TWO_DIGIT_YEAR_CUTOFF: i32 = 69;

/// Parses a date typed in one of the spreadsheet forms listed in the module docs.
/// A time of day after the date (`00:00:00`) is accepted and ignored; a time of day alone
/// (`14:30`, a time cell) is refused as such.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let shown = clean(input);
    if shown.is_empty() {
        return Err("empty date".to_string());
    }
    if is_clock(&shown) {
        return Err(format!("{shown} is a time of day, not a date"));
    }
    let date_part = strip_time(&shown).ok_or_else(|| unrecognised(&shown))?;
    let compact = remove_spaces(date_part).ok_or_else(|| unrecognised(&shown))?;
    if compact.contains('年') {
        parse_chinese(&compact, &shown)
    } else if compact.bytes().all(|b| b.is_ascii_digit()) {
        parse_digits(&compact, &shown)
    } else {
        parse_separated(&compact, &shown)
    }
}

/// Why a workbook's number cell, shown as `text`, gives no date to go by, if so. A clerk
/// who types `2024.10` for October 2024 into a cell Excel takes for a number gets the
/// number 2024.1, which keeps no trailing zero: it reads as January, as `2024.1` typed for
/// January does, and nothing in the file tells the two apart. Any other number is what it
/// looks like (`2024.11` November, `2024.3` March: `2024.30` is no month), and so is text,
/// in a text cell or a csv, where `2024.10` keeps its zero.
pub fn number_as_date(text: &str) -> Option<String> {
    let (year, month) = text.trim().split_once('.')?;
    let year_like = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    (year_like && month == "1").then(|| {
        format!("{year}.1 as a number could be January or October {year}: type it as text, {year}-10 or {year}年10月")
    })
}

/// Converts an Excel serial day number to a date; the fraction (time of day) is
/// dropped after rounding to the second. `date1904` selects the old Mac system
/// (serial 0 = 1904-01-01). In the 1900 system serial 60 (the nonexistent
/// 1900-02-29) and serial 0 give `None`; so do negative, non-finite and
/// beyond-9999 serials.
pub fn from_excel_serial(serial: f64, date1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(0.0..=EXCEL_SERIAL_LIMIT + 1.0).contains(&serial) {
        return None;
    }
    // Bounded above, so the conversion to i64 cannot saturate.
    let seconds = (serial * 86_400.0).round() as i64;
    let days = seconds.div_euclid(86_400);
    if days > EXCEL_SERIAL_LIMIT as i64 {
        return None;
    }
    if date1904 {
        return add_days(NaiveDate::from_ymd_opt(1904, 1, 1)?, days);
    }
    match days {
        61.. => add_days(NaiveDate::from_ymd_opt(1899, 12, 30)?, days),
        1..=59 => add_days(NaiveDate::from_ymd_opt(1899, 12, 31)?, days),
        _ => None,
    }
}

/// The same calendar day `years` years earlier; 29 February becomes 28 February.
/// Saturates at [`NaiveDate::MIN`].
pub fn minus_years(date: NaiveDate, years: u32) -> NaiveDate {
    years
        .checked_mul(12)
        .and_then(|months| date.checked_sub_months(Months::new(months)))
        .unwrap_or(NaiveDate::MIN)
}

fn add_days(base: NaiveDate, days: i64) -> Option<NaiveDate> {
    base.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

fn unrecognised(shown: &str) -> String {
    format!("{shown} is not a recognised date; write it as YYYY-MM-DD")
}

/// `a/b/year` where either could be the month.
fn ambiguous(shown: &str, year: i32, a: u32, b: u32) -> String {
    format!(
        "{shown} could be day {a} month {b} or month {a} day {b}; write the year first, \
         {year}-{b:02}-{a:02} or {year}-{a:02}-{b:02}"
    )
}

fn not_real(shown: &str) -> String {
    format!("{shown} is not a real date")
}

/// Drops a trailing time of day (`00:00`, `00:00:00`, `00:00:00.000`, optionally
/// `Z` or `+08:00`) separated from the date by a space or `T`. `None` when
/// something after the date is not a time.
fn strip_time(s: &str) -> Option<&str> {
    let Some(colon) = s.find(':') else {
        return Some(s);
    };
    let split = s[..colon].rfind([' ', 'T'])?;
    is_time(&s[split + 1..]).then_some(s[..split].trim_end())
}

fn is_time(s: &str) -> bool {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (clock, zone) = match s.find(['+', '-']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    zone.is_none_or(is_zone_offset) && is_clock(clock.trim_end())
}

fn is_zone_offset(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| *c != ':').collect();
    digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_clock(s: &str) -> bool {
    let mut fields = s.split(':');
    let hour = fields.next().and_then(|h| small_number(h, 1, 2));
    let minute = fields.next().and_then(|m| small_number(m, 2, 2));
    let second_ok = match fields.next() {
        None => true,
        Some(sec) => is_seconds(sec),
    };
    matches!((hour, minute), (Some(h), Some(m)) if h < 24 && m < 60) && second_ok && fields.next().is_none()
}

fn is_seconds(s: &str) -> bool {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
    let fraction_ok = !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit());
    matches!(small_number(whole, 2, 2), Some(sec) if sec < 60) && fraction_ok
}

/// An ASCII digit string of `min..=max` characters as a number.
fn small_number(s: &str, min: usize, max: usize) -> Option<u32> {
    let ok = (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

/// Removes spaces, refusing a space between two ASCII digits (`2023 01 05`).
fn remove_spaces(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        if matches!((before, after), (Some(b), Some(a)) if b.is_ascii_digit() && a.is_ascii_digit()) {
            return None;
        }
    }
    Some(out)
}

/// `20230105`, a bare Excel serial `44931`, or a bare year (refused).
fn parse_digits(digits: &str, shown: &str) -> Result<NaiveDate, String> {
    match digits.len() {
        8 => {
            let year = field(&digits[..4], shown)?;
            let month = field(&digits[4..6], shown)?;
            let day = field(&digits[6..], shown)?;
            make_date(year as i32, month, day, shown)
        }
        5 => parse_serial(digits, shown),
        4 => Err(format!("{shown} has no month; write it as YYYY-MM-DD")),
        _ => Err(unrecognised(shown)),
    }
}

fn parse_serial(whole: &str, shown: &str) -> Result<NaiveDate, String> {
    let serial: i64 = whole.parse().map_err(|_| unrecognised(shown))?;
    if !(SERIAL_MIN..=SERIAL_MAX).contains(&serial) {
        return Err(format!(
            "{shown} is not a date (Excel date numbers run {SERIAL_MIN}..={SERIAL_MAX}, 1950-2099)"
        ));
    }
    from_excel_serial(serial as f64, false).ok_or_else(|| not_real(shown))
}

fn field(s: &str, shown: &str) -> Result<u32, String> {
    s.parse().map_err(|_| unrecognised(shown))
}

/// `2023/1/5`, `2023-01-05`, `2023.1.5`, `23/1/5`, `2023-01`, `2023.1`, `44931.5`.
fn parse_separated(s: &str, shown: &str) -> Result<NaiveDate, String> {
    let sep = separator(s).ok_or_else(|| unrecognised(shown))?;
    let parts: Vec<&str> = s.split(sep).collect();
    let ok = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(unrecognised(shown));
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    match (parts.as_slice(), lens.as_slice()) {
        ([whole, _], [5, _]) if sep == '.' => parse_serial(whole, shown),
        ([y, m], [4, 1..=2]) => make_date(field(y, shown)? as i32, field(m, shown)?, 1, shown),
        ([y, m, d], [4, 1..=2, 1..=2]) => {
            make_date(field(y, shown)? as i32, field(m, shown)?, field(d, shown)?, shown)
        }
        ([y, m, d], [2, 1..=2, 1..=2]) => {
            let year = two_digit_year(field(y, shown)? as i32);
            make_date(year, field(m, shown)?, field(d, shown)?, shown)
        }
        ([a, b, y], [1..=2, 1..=2, 4]) => {
            let (a, b, year) = (field(a, shown)?, field(b, shown)?, field(y, shown)? as i32);
            match (a > 12, b > 12) {
                // 13/1/2024: 13 cannot be a month, so the day comes first.
                (true, false) => make_date(year, b, a, shown),
                // 1/13/2024: the month comes first (an en-US export).
                (false, true) => make_date(year, a, b, shown),
                (true, true) => Err(not_real(shown)),
                (false, false) if a == b => make_date(year, a, b, shown),
                (false, false) => Err(ambiguous(shown, year, a, b)),
            }
        }
        ([_, _, _], [1, 1..=2, 1..=2]) => Err(format!(
            "ambiguous day/month order in {shown}; write it as YYYY-MM-DD"
        )),
        _ => Err(unrecognised(shown)),
    }
}

/// The one separator (`/`, `-` or `.`) used in `s`; `None` for mixed or other ones.
fn separator(s: &str) -> Option<char> {
    let mut found = None;
    for c in s.chars().filter(|c| !c.is_ascii_digit()) {
        if !matches!(c, '/' | '-' | '.') || found.is_some_and(|f| f != c) {
            return None;
        }
        found = Some(c);
    }
    found
}

fn two_digit_year(yy: i32) -> i32 {
    if yy > TWO_DIGIT_YEAR_CUTOFF {
        1900 + yy
    } else {
        2000 + yy
    }
}

fn make_date(year: i32, month: u32, day: u32, shown: &str) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| not_real(shown))
}

/// `2023年1月5日`, `2023年01月05号`, `二〇二三年一月五日`, `2023年1月`.
fn parse_chinese(s: &str, shown: &str) -> Result<NaiveDate, String> {
    let (year, rest) = s.split_once('年').ok_or_else(|| unrecognised(shown))?;
    let (month, day) = rest.split_once('月').ok_or_else(|| {
        if rest.is_empty() {
            format!("{shown} has no month; write it as YYYY-MM-DD")
        } else {
            unrecognised(shown)
        }
    })?;
    let day = ["日", "号", "號"]
        .iter()
        .find_map(|suffix| day.strip_suffix(suffix))
        .unwrap_or(day);
    let year = chinese_year(year).ok_or_else(|| unrecognised(shown))?;
    let month = chinese_field(month).ok_or_else(|| unrecognised(shown))?;
    let day = match day {
        "" => 1,
        d => chinese_field(d).ok_or_else(|| unrecognised(shown))?,
    };
    make_date(year, month, day, shown)
}

/// Value of a single digit written as ASCII or as a Chinese numeral (`〇`, `零`,
/// and the look-alike `○` U+25CB for zero).
fn digit_value(c: char) -> Option<u32> {
    let value = match c {
        '0'..='9' => c.to_digit(10)?,
        '〇' | '零' | '○' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    Some(value)
}

/// Digit-by-digit value of a year: 4 digits, or 2 digits mapped by the cut-off.
fn chinese_year(s: &str) -> Option<i32> {
    let digits: Vec<u32> = s.chars().map(digit_value).collect::<Option<_>>()?;
    let value = digits.iter().fold(0i32, |acc, d| acc * 10 + *d as i32);
    match digits.len() {
        4 => Some(value),
        2 => Some(two_digit_year(value)),
        _ => None,
    }
}

/// A month or day: ASCII (`05`), digit by digit (`五`, `〇五`), or with `十`
/// (`十`, `十一`, `二十`, `三十一`).
fn chinese_field(s: &str) -> Option<u32> {
    let count = s.chars().count();
    if s.contains('十') {
        let value: u8 = is_tens_form(s)
            .then(|| s.to_number(ChineseCountMethod::TenThousand).ok())
            .flatten()?;
        return Some(u32::from(value));
    }
    let digits: Vec<u32> = s.chars().map(digit_value).collect::<Option<_>>()?;
    let same_script = s.chars().all(|c| c.is_ascii_digit()) || s.chars().all(is_han_digit);
    (same_script && (1..=2).contains(&count)).then(|| digits.iter().fold(0, |acc, d| acc * 10 + d))
}

/// `十`, `十一`, `二十`, `三十一`: at most one nonzero Han digit either side of one `十`.
fn is_tens_form(s: &str) -> bool {
    let nonzero = |part: &str| {
        part.is_empty()
            || part.chars().count() == 1 && part.chars().all(|c| is_han_digit(c) && digit_value(c) != Some(0))
    };
    matches!(s.split_once('十'), Some((tens, units)) if nonzero(tens) && nonzero(units))
}

fn is_han_digit(c: char) -> bool {
    !c.is_ascii_digit() && digit_value(c).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn reference_forms() {
        let jan5 = ymd(2023, 1, 5);
        let cases = [
            "2023/1/5",
            "2023/01/05",
            "2023-1-5",
            "2023-01-05",
            "2023-01-05 00:00:00",
            "2023-01-05T00:00:00",
            "2023-01-05T08:30:00.000Z",
            "2023-01-05T08:30:00+08:00",
            "2023/1/5 0:00",
            "2023.1.5",
            "2023.01.05",
            "2023年1月5日",
            "2023年01月05日",
            "2023年1月5号",
            "２０２３年１月５日",
            "２０２３－０１－０５",
            "二〇二三年一月五日",
            "二零二三年一月五日",
            "二○二三年一月五日",
            "20230105",
            "23/1/5",
            "23.1.5",
            "23-01-05",
            "23年1月5日",
            "44931",
            "44931.5",
            " 2023 年 1 月 5 日 ",
            "\u{FEFF}2023-01-05\u{200B}",
        ];
        for input in cases {
            assert_eq!(parse_date(input), Ok(jan5), "input {input:?}");
        }
    }

    #[test]
    fn other_accepted_forms() {
        let cases = [
            ("二〇二三年十一月三十日", ymd(2023, 11, 30)),
            ("二〇二三年十月十日", ymd(2023, 10, 10)),
            ("二〇二三年十二月二十一日", ymd(2023, 12, 21)),
            ("二〇二三年〇一月〇五日", ymd(2023, 1, 5)),
            ("2023年1月", ymd(2023, 1, 1)),
            ("二〇二三年十二月", ymd(2023, 12, 1)),
            ("2023-01", ymd(2023, 1, 1)),
            ("2023.1", ymd(2023, 1, 1)),
            ("2023.10", ymd(2023, 10, 1)),
            ("2023/12", ymd(2023, 12, 1)),
            ("69/12/31", ymd(2069, 12, 31)),
            ("70/1/1", ymd(1970, 1, 1)),
            ("99.12.31", ymd(1999, 12, 31)),
            ("00/1/1", ymd(2000, 1, 1)),
            ("45292", ymd(2024, 1, 1)),
            ("25569", ymd(1970, 1, 1)),
            ("18264", ymd(1950, 1, 1)),
            ("73050", ymd(2099, 12, 31)),
            ("2024-02-29", ymd(2024, 2, 29)),
            ("2023年一月5", ymd(2023, 1, 5)),
            ("13/1/2024", ymd(2024, 1, 13)),
            ("31.12.2023", ymd(2023, 12, 31)),
            ("1/13/2024", ymd(2024, 1, 13)),
            ("5/5/2024", ymd(2024, 5, 5)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn refusals() {
        let cases = [
            ("", "empty date"),
            ("  \u{3000} ", "empty date"),
            (
                "1/5/2023",
                "1/5/2023 could be day 1 month 5 or month 1 day 5; write the year first, 2023-05-01 or 2023-01-05",
            ),
            (
                "05/01/2023",
                "05/01/2023 could be day 5 month 1 or month 5 day 1; write the year first, 2023-01-05 or 2023-05-01",
            ),
            ("13/13/2024", "13/13/2024 is not a real date"),
            ("31/2/2024", "31/2/2024 is not a real date"),
            (
                "1/5/23",
                "ambiguous day/month order in 1/5/23; write it as YYYY-MM-DD",
            ),
            ("2023-02-30", "2023-02-30 is not a real date"),
            ("2023/2/29", "2023/2/29 is not a real date"),
            ("2023年13月1日", "2023年13月1日 is not a real date"),
            ("2023-00", "2023-00 is not a real date"),
            ("20231301", "20231301 is not a real date"),
            ("二〇二三年二月三十日", "二〇二三年二月三十日 is not a real date"),
            (
                "12345",
                "12345 is not a date (Excel date numbers run 18264..=73050, 1950-2099)",
            ),
            (
                "73051",
                "73051 is not a date (Excel date numbers run 18264..=73050, 1950-2099)",
            ),
            ("2023", "2023 has no month; write it as YYYY-MM-DD"),
            ("2023年", "2023年 has no month; write it as YYYY-MM-DD"),
            (
                "2023-1/5",
                "2023-1/5 is not a recognised date; write it as YYYY-MM-DD",
            ),
            (
                "2023 01 05",
                "2023 01 05 is not a recognised date; write it as YYYY-MM-DD",
            ),
            (
                "2023-01-05 25:00",
                "2023-01-05 25:00 is not a recognised date; write it as YYYY-MM-DD",
            ),
            (
                "下周一",
                "下周一 is not a recognised date; write it as YYYY-MM-DD",
            ),
            ("14:30", "14:30 is a time of day, not a date"),
            ("9:00:05", "9:00:05 is a time of day, not a date"),
            (
                "2023年1月5日上午",
                "2023年1月5日上午 is not a recognised date; write it as YYYY-MM-DD",
            ),
            (
                "2023年1五月5日",
                "2023年1五月5日 is not a recognised date; write it as YYYY-MM-DD",
            ),
            (
                "2023年十十月5日",
                "2023年十十月5日 is not a recognised date; write it as YYYY-MM-DD",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input), Err(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn a_number_cell_of_a_year_and_one_tenth_could_be_january_or_october() {
        assert_eq!(
            number_as_date("2024.1").as_deref(),
            Some(
                "2024.1 as a number could be January or October 2024: type it as text, 2024-10 or 2024年10月"
            )
        );
        for unambiguous in [
            "2024.11", "2024.12", "2024.3", "2024.01", "45292", "45292.1", "2024", "8.1",
        ] {
            assert_eq!(number_as_date(unambiguous), None, "{unambiguous}");
        }
        // As text the zero is there to read.
        assert_eq!(parse_date("2024.10"), Ok(ymd(2024, 10, 1)));
        assert_eq!(parse_date("2024.1"), Ok(ymd(2024, 1, 1)));
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(44931.0, false), Some(ymd(2023, 1, 5)));
        assert_eq!(from_excel_serial(44931.75, false), Some(ymd(2023, 1, 5)));
        assert_eq!(
            from_excel_serial(44_931.999_999_999, false),
            Some(ymd(2023, 1, 6))
        );
        assert_eq!(from_excel_serial(45292.0, false), Some(ymd(2024, 1, 1)));
        assert_eq!(from_excel_serial(25569.0, false), Some(ymd(1970, 1, 1)));
        assert_eq!(from_excel_serial(61.0, false), Some(ymd(1900, 3, 1)));
        assert_eq!(from_excel_serial(60.0, false), None);
        assert_eq!(from_excel_serial(59.0, false), Some(ymd(1900, 2, 28)));
        assert_eq!(from_excel_serial(1.0, false), Some(ymd(1900, 1, 1)));
        assert_eq!(from_excel_serial(0.0, false), None);
        assert_eq!(from_excel_serial(-1.0, false), None);
        assert_eq!(from_excel_serial(f64::NAN, false), None);
        assert_eq!(from_excel_serial(f64::INFINITY, false), None);
        assert_eq!(from_excel_serial(2_958_465.0, false), Some(ymd(9999, 12, 31)));
        assert_eq!(from_excel_serial(1e300, false), None);
        assert_eq!(from_excel_serial(43469.0, true), Some(ymd(2023, 1, 5)));
        assert_eq!(from_excel_serial(0.0, true), Some(ymd(1904, 1, 1)));
    }

    #[test]
    fn minus_years_table() {
        assert_eq!(minus_years(ymd(2024, 2, 29), 1), ymd(2023, 2, 28));
        assert_eq!(minus_years(ymd(2024, 2, 29), 4), ymd(2020, 2, 29));
        assert_eq!(minus_years(ymd(2023, 1, 5), 3), ymd(2020, 1, 5));
        assert_eq!(minus_years(ymd(2023, 12, 31), 0), ymd(2023, 12, 31));
        assert_eq!(minus_years(ymd(2023, 1, 5), u32::MAX), NaiveDate::MIN);
    }

    fn serial_of(d: NaiveDate) -> i64 {
        (d - ymd(1899, 12, 30)).num_days()
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let first = ymd(1950, 1, 1);
        let span = (ymd(2099, 12, 31) - first).num_days();
        (0..=span).prop_map(move |n| first + chrono::TimeDelta::days(n))
    }

    proptest! {
        #[test]
        fn formatted_dates_round_trip(d in any_date()) {
            for pattern in ["%Y-%m-%d", "%Y/%-m/%-d", "%Y年%-m月%-d日", "%Y%m%d", "%Y.%m.%d"] {
                let text = d.format(pattern).to_string();
                prop_assert_eq!(parse_date(&text), Ok(d), "{}", text);
            }
            prop_assert_eq!(parse_date(&serial_of(d).to_string()), Ok(d));
            prop_assert_eq!(parse_date(&format!("{}.25", serial_of(d))), Ok(d));
        }

        #[test]
        fn serial_round_trip(d in any_date()) {
            prop_assert_eq!(from_excel_serial(serial_of(d) as f64, false), Some(d));
            prop_assert_eq!(from_excel_serial((serial_of(d) - 1462) as f64, true), Some(d));
        }

        #[test]
        fn minus_years_goes_back(d in any_date(), years in 0u32..50) {
            let back = minus_years(d, years);
            prop_assert_eq!(back.year(), d.year() - years as i32);
            prop_assert_eq!(back.month(), d.month());
            prop_assert!(back.day() == d.day() || (d.month() == 2 && d.day() == 29 && back.day() == 28));
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = parse_date(&s);
        }

        #[test]
        fn never_panics_on_date_like(s in "[0-9二〇十年月日号/.: T-]{0,16}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn never_panics_on_serials(x in any::<f64>(), mac in any::<bool>()) {
            let _ = from_excel_serial(x, mac);
        }
    }
}
