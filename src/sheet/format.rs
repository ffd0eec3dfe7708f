//! What a cell's number format changes in the text Excel shows: percentages (`15%`), codes
//! written with literal text and zero padding (`"KH"0000` shows 20 as `KH0020`), dates,
//! times of day (`14:30`) and durations (`36:00:00`).
//!
//! Only what matters to a record is rendered: a code as the clerk reads it, a time that is
//! not silently a date. Thousands separators, decimals and currency signs are left to the
//! value itself (`0.0,"万"` keeps the real amount).

use calamine::{Data, ExcelDateTime};
use chrono::{DurationRound, NaiveDate, NaiveDateTime, TimeDelta, Timelike};

/// How a number format shows a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Shown {
    Plain,
    /// `0%`, `0.0%`: 0.15 shows as `15%`.
    Percent,
    /// An integer written as a code: `"KH"0000`, `000000`, `0000"号"`, `\K0000`.
    Code {
        prefix: String,
        /// How many digits are always shown (`0` placeholders).
        zeros: usize,
        suffix: String,
    },
    /// A date or time format: whether it shows the date and how it shows the time of day.
    Moment {
        date: bool,
        time: Option<Clock>,
    },
    /// `[h]:mm:ss`: a length of time, its first unit not wrapped at 24 hours or 60 minutes.
    Elapsed {
        unit: Unit,
        seconds: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    /// `hh` rather than `h`: 09:00, not 9:00.
    padded: bool,
    seconds: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Hours,
    Minutes,
    Seconds,
}

/// A piece of a format code.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// Text shown as is: quoted, escaped, or a character Excel shows without quotes.
    Literal(char),
    /// `0`, `#` or `?`.
    Digit(char),
    /// `[h]`, `[mm]`, `[s]`.
    Elapsed(Unit),
    /// Anything else: letters, `.`, `,`, `%`, `@`.
    Other(char),
}

/// The tokens of a code's first section (the one for positive numbers).
fn tokens(code: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            ';' => break,
            '"' => out.extend(chars.by_ref().take_while(|&q| q != '"').map(Token::Literal)),
            '\\' => out.extend(chars.next().map(Token::Literal)),
            // A space the width of the next character, or the next character repeated to
            // fill the cell: layout, not content.
            '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inside: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let lower = inside.to_ascii_lowercase();
                let unit = |u: char| !lower.is_empty() && lower.chars().all(|c| c == u);
                if unit('h') {
                    out.push(Token::Elapsed(Unit::Hours));
                } else if unit('m') {
                    out.push(Token::Elapsed(Unit::Minutes));
                } else if unit('s') {
                    out.push(Token::Elapsed(Unit::Seconds));
                }
                // Colours, conditions and locales (`[Red]`, `[>0]`, `[$-804]`) show nothing.
            }
            '0' | '#' | '?' => out.push(Token::Digit(c)),
            '$' | '-' | '+' | '/' | '(' | ')' | ':' | '!' | '^' | '&' | '\'' | '~' | '{' | '}' | '<'
            | '>' | '=' | ' ' => out.push(Token::Literal(c)),
            c if !c.is_ascii() => out.push(Token::Literal(c)),
            c => out.push(Token::Other(c)),
        }
    }
    out
}

impl Shown {
    /// From a number format code.
    pub(super) fn of(code: &str) -> Shown {
        let tokens = tokens(code);
        let has = |wanted: &[char]| {
            tokens
                .iter()
                .any(|t| matches!(t, Token::Other(c) if wanted.contains(&c.to_ascii_lowercase())))
        };
        if tokens.contains(&Token::Other('%')) {
            return Shown::Percent;
        }
        if let Some(unit) = tokens.iter().find_map(|t| match t {
            Token::Elapsed(unit) => Some(*unit),
            _ => None,
        }) {
            let seconds = unit != Unit::Seconds && has(&['s']);
            return Shown::Elapsed { unit, seconds };
        }
        let time = has(&['h', 's']);
        if time || has(&['y', 'd', 'm']) {
            let padded = code.to_ascii_lowercase().contains("hh");
            return Shown::Moment {
                // With a time, `m` is minutes; alone, it is the month.
                date: has(&['y', 'd']) || !time,
                time: time.then_some(Clock {
                    padded,
                    seconds: has(&['s']),
                }),
            };
        }
        Self::code(&tokens).unwrap_or(Shown::Plain)
    }

    /// Literal text around one run of `0` and `#` placeholders.
    fn code(tokens: &[Token]) -> Option<Shown> {
        let digit = |t: &Token| matches!(t, Token::Digit('0' | '#'));
        let first = tokens.iter().position(digit)?;
        let end = first + tokens[first..].iter().take_while(|t| digit(t)).count();
        let literal = |ts: &[Token]| -> Option<String> {
            ts.iter()
                .map(|t| match t {
                    Token::Literal(c) => Some(*c),
                    _ => None,
                })
                .collect()
        };
        let prefix = literal(&tokens[..first])?;
        let suffix = literal(&tokens[end..])?;
        let zeros = tokens[first..end]
            .iter()
            .filter(|t| **t == Token::Digit('0'))
            .count();
        Some(Shown::Code {
            prefix,
            zeros,
            suffix,
        })
    }

    /// The cell as Excel shows it under this format.
    pub(super) fn text(&self, cell: &Data) -> String {
        if let Data::DateTime(moment) = cell {
            return match *self {
                Shown::Moment { date, time } => moment_text(moment, date, time),
                Shown::Elapsed { unit, seconds } => elapsed_text(moment.as_f64(), unit, seconds),
                _ => cell_text(cell),
            };
        }
        let number = match cell {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            _ => return cell_text(cell),
        };
        match self {
            Shown::Percent => format!("{}%", float_text(number * 100.0)),
            Shown::Code {
                prefix,
                zeros,
                suffix,
            } if number >= 0.0 && number.fract() == 0.0 && number < 1e17 => {
                // `#` shows no digit for a zero.
                let digits = if number == 0.0 && *zeros == 0 {
                    String::new()
                } else {
                    format!("{number:0zeros$.0}")
                };
                format!("{prefix}{digits}{suffix}")
            }
            _ => cell_text(cell),
        }
    }
}

/// A cell as text, when its format is unknown or changes nothing: numbers without a
/// spurious `.0` or exponent, dates as `YYYY-MM-DD`, a time of day as `14:30`, a date with
/// a time as `2023-01-05 14:30`.
pub(super) fn cell_text(cell: &Data) -> String {
    use calamine::CellErrorType;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_duration() => elapsed_text(dt.as_f64(), Unit::Hours, true),
        Data::DateTime(dt) => {
            let value = dt.as_f64();
            if !(0.0..=2_958_466.0).contains(&value) {
                return float_text(value);
            }
            let Some(moment) = rounded(dt) else {
                return float_text(value);
            };
            let clock = Clock {
                padded: true,
                seconds: moment.second() != 0,
            };
            let has_time = moment.time() != chrono::NaiveTime::MIN;
            if value > 0.0 && value < 1.0 {
                moment_text(dt, false, Some(clock))
            } else {
                moment_text(dt, true, has_time.then_some(clock))
            }
        }
        Data::DateTimeIso(s) => iso_datetime_text(s),
        Data::DurationIso(s) => iso_duration_text(s).unwrap_or_else(|| s.clone()),
        Data::Error(CellErrorType::GettingData) => "#GETTING_DATA".to_string(),
        Data::Error(e) => e.to_string(),
    }
}

/// The moment rounded to the second, as Excel rounds what it shows.
fn rounded(dt: &ExcelDateTime) -> Option<NaiveDateTime> {
    dt.as_datetime()?.duration_round(TimeDelta::seconds(1)).ok()
}

fn clock_text(moment: NaiveDateTime, clock: Clock) -> String {
    let hour = if clock.padded { "%H" } else { "%-H" };
    let seconds = if clock.seconds { ":%S" } else { "" };
    moment.format(&format!("{hour}:%M{seconds}")).to_string()
}

fn moment_text(dt: &ExcelDateTime, date: bool, time: Option<Clock>) -> String {
    let Some(moment) = rounded(dt) else {
        return float_text(dt.as_f64());
    };
    // Excel shows the day before 1900-01-01 (serial 0) as 1900-01-00.
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a real date");
    let day = if moment.date() < first {
        "1900-01-00".to_string()
    } else {
        moment.date().format("%Y-%m-%d").to_string()
    };
    match (date, time) {
        (true, Some(clock)) => format!("{day} {}", clock_text(moment, clock)),
        (false, Some(clock)) => clock_text(moment, clock),
        _ => day,
    }
}

/// A length of time in days, as `[h]:mm:ss` shows it: `36:00:00`.
fn elapsed_text(days: f64, unit: Unit, show_seconds: bool) -> String {
    if !days.is_finite() || days.abs() > 1e9 {
        return float_text(days);
    }
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let total = total.unsigned_abs();
    let (minutes, seconds) = (total / 60, total % 60);
    let text = match unit {
        Unit::Hours => format!("{}:{:02}", minutes / 60, minutes % 60),
        Unit::Minutes => minutes.to_string(),
        Unit::Seconds => return format!("{sign}{total}"),
    };
    let with_seconds = show_seconds || unit == Unit::Minutes;
    if with_seconds {
        format!("{sign}{text}:{seconds:02}")
    } else {
        format!("{sign}{text}")
    }
}

/// An OpenDocument date value, `2023-01-05` or `2023-01-05T14:30:00`: the date, and the
/// time of day when there is one.
fn iso_datetime_text(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else {
        return s.to_string();
    };
    let time = time.split(['.', 'Z', '+']).next().unwrap_or_default();
    let mut fields = time.split(':');
    let (hour, minute, second) = (fields.next(), fields.next(), fields.next().unwrap_or("00"));
    match (hour, minute) {
        (Some("00"), Some("00")) if second.trim_start_matches('0').is_empty() => date.to_string(),
        (Some(h), Some(m)) if second.trim_start_matches('0').is_empty() => format!("{date} {h}:{m}"),
        (Some(h), Some(m)) => format!("{date} {h}:{m}:{second}"),
        _ => date.to_string(),
    }
}

/// An OpenDocument time value, `PT14H30M00S`, as `14:30` (`14:30:05` with seconds).
fn iso_duration_text(s: &str) -> Option<String> {
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let s = s.strip_prefix('P')?;
    let (days, time) = s.split_once('T').unwrap_or((s, ""));
    let days: f64 = match days.strip_suffix('D') {
        Some(d) => d.parse().ok()?,
        None if days.is_empty() => 0.0,
        None => return None,
    };
    let mut seconds = days * 86_400.0;
    let mut rest = time;
    for (unit, scale) in [('H', 3600.0), ('M', 60.0), ('S', 1.0)] {
        if let Some((number, after)) = rest.split_once(unit) {
            seconds += number.parse::<f64>().ok()? * scale;
            rest = after;
        }
    }
    if !rest.is_empty() {
        return None;
    }
    let total = seconds.round() as u64;
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    Some(if seconds == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{seconds:02}")
    })
}

/// A number as Excel shows it: integers with all their digits (a phone or USCC stored as a
/// number), others to 15 significant digits, so `0.1 + 0.2` is `0.3`; never an exponent.
pub(super) fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        return format!("{f:.0}");
    }
    if f.abs() >= 1e15 {
        // No decimals left to round: the shortest form that reads back as the same number.
        return f.to_string();
    }
    // The exponent of the value rounded to 15 significant digits gives the decimals to keep.
    let rounded = format!("{f:.14e}");
    let exponent: i32 = rounded
        .rsplit_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let decimals = (14 - exponent).max(0) as usize;
    let text = format!("{f:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};
    use proptest::prelude::*;

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(float_text(13812345678.0), "13812345678");
        assert_eq!(float_text(913101127033980359.0), "913101127033980400");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(cell_text(&Data::Int(44931)), "44931");
    }

    /// Excel keeps 15 significant digits: what lies beyond is binary noise the clerk never saw.
    #[test]
    fn floating_point_noise_is_rounded_as_excel_shows_it() {
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(8.100000000000001), "8.1");
        assert_eq!(float_text(125.49999999999999), "125.5");
        assert_eq!(float_text(-2.675), "-2.675");
        assert_eq!(float_text(0.000012345), "0.000012345");
        assert_eq!(float_text(1234567.891), "1234567.891");
        assert_eq!(float_text(0.123_456_789_012_345_68), "0.123456789012346");
    }

    #[test]
    fn percentages_and_zero_padded_codes_read_as_excel_shows_them() {
        let shown = |code: &str, cell: Data| Shown::of(code).text(&cell);
        assert_eq!(shown("0%", Data::Float(0.15)), "15%");
        assert_eq!(shown("0.00%;[Red]-0.00%", Data::Float(-0.0325)), "-3.25%");
        assert_eq!(
            shown("0%", Data::Float(0.155)),
            "15.5%",
            "every digit, not the shown 16%"
        );
        assert_eq!(shown("000000", Data::Float(1.0)), "000001");
        assert_eq!(shown("000000", Data::Int(1234567)), "1234567");
        assert_eq!(shown("000000", Data::Float(1.5)), "1.5");
        assert_eq!(
            shown("0\"%\"", Data::Float(15.0)),
            "15%",
            "a quoted % does not scale"
        );
        assert_eq!(shown("[$%-804]0", Data::Float(15.0)), "15");
        assert_eq!(shown("0%", Data::String("待定".into())), "待定");
        assert_eq!(shown("General", Data::Float(0.15)), "0.15");
    }

    #[test]
    fn error_cells_read_as_excel_writes_them() {
        let shown: Vec<String> = [
            CellErrorType::Div0,
            CellErrorType::NA,
            CellErrorType::Ref,
            CellErrorType::Value,
            CellErrorType::Name,
            CellErrorType::Num,
            CellErrorType::Null,
            CellErrorType::GettingData,
        ]
        .into_iter()
        .map(|e| cell_text(&Data::Error(e)))
        .collect();
        assert_eq!(
            shown,
            [
                "#DIV/0!",
                "#N/A",
                "#REF!",
                "#VALUE!",
                "#NAME?",
                "#NUM!",
                "#NULL!",
                "#GETTING_DATA"
            ]
        );
    }

    fn shown(code: &str, cell: Data) -> String {
        Shown::of(code).text(&cell)
    }

    fn moment(value: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(value, ExcelDateTimeType::DateTime, false))
    }

    fn duration(value: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(value, ExcelDateTimeType::TimeDelta, false))
    }

    #[test]
    fn codes_with_literal_text_read_as_excel_shows_them() {
        assert_eq!(shown("\"KH\"0000", Data::Float(20.0)), "KH0020");
        assert_eq!(shown("\"CST\"000000", Data::Int(123)), "CST000123");
        assert_eq!(shown("0000\"号\"", Data::Float(7.0)), "0007号");
        assert_eq!(shown("\\K0000", Data::Float(20.0)), "K0020");
        assert_eq!(shown("\"KH\"0000;[Red]-\"KH\"0000", Data::Float(20.0)), "KH0020");
        assert_eq!(shown("\"KH\"#", Data::Float(20.0)), "KH20");
        assert_eq!(shown("\"KH\"0000", Data::Float(123456.0)), "KH123456");
        assert_eq!(
            shown("\"KH\"0000", Data::Float(20.5)),
            "20.5",
            "a fraction is not a code: the value, not Excel's rounding"
        );
        assert_eq!(shown("\"KH\"0000", Data::String("KH9".into())), "KH9");
        // Formats that are not codes keep the value.
        assert_eq!(shown("0.0,\"万\"", Data::Float(125000.0)), "125000");
        assert_eq!(shown("#,##0.00", Data::Float(1234.5)), "1234.5");
        assert_eq!(shown("000-0000-0000", Data::Float(13812345678.0)), "13812345678");
        assert_eq!(shown("0.00E+00", Data::Float(13812345678.0)), "13812345678");
        assert_eq!(shown("@", Data::Float(5.0)), "5");
    }

    #[test]
    fn times_of_day_read_as_excel_shows_them() {
        let half_past_two = (14.0 * 60.0 + 30.0) / 1440.0;
        assert_eq!(shown("hh:mm", moment(half_past_two)), "14:30");
        assert_eq!(shown("h:mm", moment(9.0 / 24.0)), "9:00");
        assert_eq!(shown("hh:mm", moment(9.0 / 24.0)), "09:00");
        assert_eq!(
            shown("hh:mm:ss", moment(half_past_two + 5.0 / 86400.0)),
            "14:30:05"
        );
        assert_eq!(shown("h\"时\"mm\"分\"", moment(half_past_two)), "14:30");
        assert_eq!(shown("h:mm AM/PM", moment(half_past_two)), "14:30");
        assert_eq!(
            shown("yyyy-mm-dd hh:mm", moment(44931.0 + half_past_two)),
            "2023-01-05 14:30"
        );
        assert_eq!(shown("yyyy-mm-dd", moment(44931.0 + half_past_two)), "2023-01-05");
        assert_eq!(shown("yyyy\"年\"m\"月\"d\"日\"", moment(44931.0)), "2023-01-05");
        assert_eq!(shown("yyyy-mm-dd", moment(0.0)), "1900-01-00");
        // 14:29:59.9999 shows as 14:30.
        assert_eq!(shown("hh:mm", moment(half_past_two - 1e-9)), "14:30");
    }

    #[test]
    fn durations_read_as_excel_shows_them() {
        assert_eq!(shown("[h]:mm:ss", duration(1.5)), "36:00:00");
        assert_eq!(shown("[h]:mm", duration(1.5)), "36:00");
        assert_eq!(shown("[mm]:ss", duration(1.0 / 24.0)), "60:00");
        assert_eq!(cell_text(&duration(1.5)), "36:00:00");
    }

    /// Without a format (`.xls`): the value tells a time of day from a date.
    #[test]
    fn dates_and_times_without_a_format() {
        assert_eq!(cell_text(&moment(14.5 / 24.0)), "14:30");
        assert_eq!(cell_text(&moment(44931.0)), "2023-01-05");
        assert_eq!(cell_text(&moment(44931.0 + 14.5 / 24.0)), "2023-01-05 14:30");
    }

    #[test]
    fn opendocument_dates_and_times() {
        assert_eq!(cell_text(&Data::DurationIso("PT14H30M00S".into())), "14:30");
        assert_eq!(cell_text(&Data::DurationIso("PT09H05M07S".into())), "09:05:07");
        assert_eq!(cell_text(&Data::DurationIso("PT36H00M00S".into())), "36:00");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2023-01-05T14:30:00".into())),
            "2023-01-05 14:30"
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("2023-01-05T00:00:00".into())),
            "2023-01-05"
        );
        assert_eq!(cell_text(&Data::DateTimeIso("2023-01-05".into())), "2023-01-05");
    }

    proptest! {
        /// Zero padding adds zeros and never drops a digit of the number.
        #[test]
        fn zero_padding_never_loses_digits(n in 0u64..100_000_000_000_000, width in 1usize..20) {
            let text = shown(&"0".repeat(width), Data::Float(n as f64));
            prop_assert!(text.len() >= width);
            prop_assert_eq!(text.parse::<u64>().unwrap(), n);
        }

        /// A code keeps its literal text around every digit of the number.
        #[test]
        fn a_literal_prefix_always_leads(
            prefix in "[A-Z]{1,4}|[客户号]{1,2}",
            suffix in "|号|-A",
            width in 1usize..10,
            n in 0u64..10_000_000_000,
        ) {
            let code = format!("\"{prefix}\"{}\"{suffix}\"", "0".repeat(width));
            let text = shown(&code, Data::Int(n as i64));
            prop_assert!(text.starts_with(&prefix), "{} from {}", text, code);
            prop_assert!(text.ends_with(&suffix), "{} from {}", text, code);
            let digits = &text[prefix.len()..text.len() - suffix.len()];
            prop_assert_eq!(digits.parse::<u64>().unwrap(), n);
            prop_assert!(digits.len() >= width);
        }
    }
}
