//! What grading measures about one customer, as of a date.
//!
//! [`measure`] turns a customer's orders and declared values into [`Indicators`]. Orders win
//! where the customer has any (dated on or before as-of); otherwise the values the record
//! declares are used (an imported 近12个月交易额 or 合作时长). Windows are exact: "last 12
//! months" is after the same day one year before as-of, up to and including as-of. Money
//! stays integer fen throughout.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::domain::date::minus_years;
use crate::domain::money::fen_to_decimal;

/// One measurable indicator. Keys are the stable identifiers used in model files and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    Trade12m,
    Orders12m,
    MaxOrder12m,
    TotalAmount,
    Tenure,
    IndustryGrowth,
    BudgetGrowth,
    Satisfaction,
    Referrals12m,
    Complaints12m,
}

/// How an indicator's value is written and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 元 (held as fen).
    Money,
    Count,
    /// Years since a start date (or declared years).
    Years,
    Percent,
    /// A plain number (satisfaction 0-10).
    Number,
}

impl Indicator {
    pub const ALL: [Indicator; 10] = [
        Indicator::Trade12m,
        Indicator::Orders12m,
        Indicator::MaxOrder12m,
        Indicator::TotalAmount,
        Indicator::Tenure,
        Indicator::IndustryGrowth,
        Indicator::BudgetGrowth,
        Indicator::Satisfaction,
        Indicator::Referrals12m,
        Indicator::Complaints12m,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Indicator::Trade12m => "trade_12m",
            Indicator::Orders12m => "orders_12m",
            Indicator::MaxOrder12m => "max_order_12m",
            Indicator::TotalAmount => "total_amount",
            Indicator::Tenure => "tenure",
            Indicator::IndustryGrowth => "industry_growth",
            Indicator::BudgetGrowth => "budget_growth",
            Indicator::Satisfaction => "satisfaction",
            Indicator::Referrals12m => "referrals_12m",
            Indicator::Complaints12m => "complaints_12m",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Indicator::Trade12m => "近12个月交易额",
            Indicator::Orders12m => "近12个月订单数",
            Indicator::MaxOrder12m => "近12个月最大单笔",
            Indicator::TotalAmount => "累计合作金额",
            Indicator::Tenure => "合作年限",
            Indicator::IndustryGrowth => "行业增长率",
            Indicator::BudgetGrowth => "预算增长",
            Indicator::Satisfaction => "满意度",
            Indicator::Referrals12m => "近12个月转介绍数",
            Indicator::Complaints12m => "近12个月投诉数",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Indicator::Trade12m | Indicator::MaxOrder12m | Indicator::TotalAmount => Kind::Money,
            Indicator::Orders12m | Indicator::Referrals12m | Indicator::Complaints12m => Kind::Count,
            Indicator::Tenure => Kind::Years,
            Indicator::IndustryGrowth | Indicator::BudgetGrowth => Kind::Percent,
            Indicator::Satisfaction => Kind::Number,
        }
    }

    pub fn from_key(key: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.key() == key)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Computed from the customer's orders.
    Orders,
    /// Declared on the record (an imported or typed value).
    Declared,
    /// Looked up in the industry-growth table.
    IndustryTable,
    /// The customer has no deal at all, so the value is zero.
    NoDeal,
}

impl Source {
    pub fn key(self) -> &'static str {
        match self {
            Source::Orders => "orders",
            Source::Declared => "declared",
            Source::IndustryTable => "industry_table",
            Source::NoDeal => "no_deal",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Source::Orders => "订单",
            Source::Declared => "档案填报",
            Source::IndustryTable => "行业增长表",
            Source::NoDeal => "未成交",
        }
    }

    pub fn from_key(key: &str) -> Option<Source> {
        [
            Source::Orders,
            Source::Declared,
            Source::IndustryTable,
            Source::NoDeal,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}

/// A measured value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Money(i64),
    Count(i64),
    /// A plain number or a percentage.
    Number(Decimal),
    /// Tenure counted from this start date to as-of.
    Since(NaiveDate),
    /// Tenure as declared, in years.
    Years(Decimal),
}

impl Value {
    /// How the value compares with a threshold in the indicator's unit (元, count, years, %).
    /// A tenure start is compared in calendar terms: "≥ N years" means the start is on or
    /// before as-of moved back N years (29 Feb → 28 Feb); thresholds are whole months.
    pub fn compare(&self, threshold: Decimal, as_of: NaiveDate) -> Ordering {
        match *self {
            Value::Money(fen) => fen_to_decimal(fen).cmp(&threshold),
            Value::Count(n) => Decimal::from(n).cmp(&threshold),
            Value::Number(d) | Value::Years(d) => d.cmp(&threshold),
            Value::Since(start) => match months_before(as_of, threshold) {
                // The threshold reaches back before any date: the tenure is shorter.
                None => Ordering::Less,
                Some(cutoff) => cutoff.cmp(&start),
            },
        }
    }

    /// The value as stored and exchanged: `125000.00`, `3`, `8.5`, `2022-03-01`, `2.5`.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.encode_into(&mut out);
        out
    }

    /// [`Value::encode`] appended to `out` (grading runs write millions of these).
    pub fn encode_into(&self, out: &mut String) {
        match *self {
            Value::Money(fen) => {
                if fen < 0 {
                    out.push('-');
                }
                let abs = fen.unsigned_abs();
                push_digits(out, abs / 100, 1);
                out.push('.');
                push_digits(out, abs % 100, 2);
            }
            Value::Count(n) => {
                if n < 0 {
                    out.push('-');
                }
                push_digits(out, n.unsigned_abs(), 1);
            }
            Value::Number(d) | Value::Years(d) => match (d.fract().is_zero(), i64::try_from(d.trunc())) {
                (true, Ok(n)) => Value::Count(n).encode_into(out),
                _ => out.push_str(&d.normalize().to_string()),
            },
            Value::Since(date) => {
                push_digits(out, date.year().max(0) as u64, 4);
                out.push('-');
                push_digits(out, u64::from(date.month()), 2);
                out.push('-');
                push_digits(out, u64::from(date.day()), 2);
            }
        }
    }

    /// Reads back what [`Value::encode`] wrote for `indicator`.
    pub fn decode(indicator: Indicator, text: &str) -> Option<Value> {
        match indicator.kind() {
            Kind::Money => {
                let d: Decimal = text.parse().ok()?;
                i64::try_from(d * Decimal::ONE_HUNDRED).ok().map(Value::Money)
            }
            Kind::Count => text.parse().ok().map(Value::Count),
            Kind::Percent | Kind::Number => text.parse().ok().map(Value::Number),
            Kind::Years => match text.parse::<NaiveDate>() {
                Ok(date) => Some(Value::Since(date)),
                Err(_) => text.parse().ok().map(Value::Years),
            },
        }
    }

    /// The value for people: money with two decimals, tenure in years with two decimals
    /// (and its start date when counted from one).
    pub fn display(&self, as_of: NaiveDate) -> String {
        match self {
            Value::Since(start) => format!("{} ({start})", years_between(*start, as_of)),
            other => other.encode(),
        }
    }
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while n > 0 || buf.len() - i < width {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// `as_of` moved back `years` years (a whole number of months), or `None` when the
/// threshold is negative, not whole months, or reaches before the calendar.
pub fn months_before(as_of: NaiveDate, years: Decimal) -> Option<NaiveDate> {
    if years.is_sign_negative() {
        return None;
    }
    let months = years * Decimal::from(12);
    if months.fract() != Decimal::ZERO {
        return None;
    }
    let months = u32::try_from(months).ok()?;
    let whole = minus_years(as_of, months / 12);
    whole.checked_sub_months(Months::new(months % 12))
}

/// Completed years from `start` to `as_of`, with the part year as a fraction of that
/// year's length, cut to two decimals so it never shows a year not yet completed
/// (display only: comparisons use dates).
pub fn years_between(start: NaiveDate, as_of: NaiveDate) -> Decimal {
    if start >= as_of {
        return Decimal::ZERO;
    }
    let mut n = 0u32;
    while minus_years(as_of, n + 1) >= start {
        n += 1;
    }
    let anniversary = minus_years(as_of, n);
    let previous = minus_years(as_of, n + 1);
    let part = Decimal::from((anniversary - start).num_days())
        / Decimal::from((anniversary - previous).num_days().max(1));
    (Decimal::from(n) + part).round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// A value and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    pub value: Value,
    pub source: Source,
}

/// Everything measured about one customer as of a date. An indicator that could not be
/// measured is absent (missing data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicators {
    pub as_of: NaiveDate,
    /// Whether the customer has any deal: an order, a first-cooperation date, a declared
    /// trade amount, cumulative amount or tenure.
    pub deal: bool,
    values: [Option<Measured>; Indicator::ALL.len()],
    /// Order totals per calendar year (ascending), from orders up to as-of.
    pub years: Vec<(i32, i64)>,
    /// Whether `years` is known: the customer has orders, or no deal at all. A customer
    /// known only from declared figures has no per-year amounts.
    pub years_known: bool,
}

impl Indicators {
    pub fn new(as_of: NaiveDate, deal: bool) -> Self {
        Self {
            as_of,
            deal,
            values: [None; Indicator::ALL.len()],
            years: Vec::new(),
            years_known: !deal,
        }
    }

    pub fn get(&self, indicator: Indicator) -> Option<&Measured> {
        self.values[indicator.index()].as_ref()
    }

    pub fn set(&mut self, indicator: Indicator, value: Value, source: Source) {
        self.values[indicator.index()] = Some(Measured { value, source });
    }

    /// The longest run of consecutive calendar years, each with an order total of at
    /// least `each_min` 元, that ends in the as-of year or the year before (so a current
    /// year still under way does not break a run). A year without orders breaks the run.
    pub fn consecutive_years(&self, each_min: Decimal) -> u32 {
        let qualifies = |year: i32| {
            self.years
                .iter()
                .find(|(y, _)| *y == year)
                .is_some_and(|(_, fen)| fen_to_decimal(*fen) >= each_min)
        };
        let run_from = |last: i32| (0..).take_while(|k| qualifies(last - k)).count() as u32;
        let year = self.as_of.year();
        run_from(year).max(run_from(year - 1))
    }
}

/// What a customer's record declares, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// Industry code (`C` or `C39`).
    pub industry: Option<String>,
    pub first_coop_date: Option<NaiveDate>,
    pub trade_12m_fen: Option<i64>,
    pub total_amount_fen: Option<i64>,
    pub tenure_years: Option<Decimal>,
    pub satisfaction: Option<Decimal>,
    pub referrals_12m: Option<i64>,
    pub complaints_12m: Option<i64>,
    pub budget_growth: Option<Decimal>,
}

/// One order as grading sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderLine {
    pub date: NaiveDate,
    pub amount_fen: i64,
}

/// Growth per industry, in percent: a division code (`C39`) or a section letter (`C`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrowthTable(BTreeMap<String, Decimal>);

impl GrowthTable {
    pub fn new(rows: impl IntoIterator<Item = (String, Decimal)>) -> Self {
        Self(rows.into_iter().collect())
    }

    /// The division's growth, else its section's.
    pub fn lookup(&self, industry: &str) -> Option<Decimal> {
        self.0.get(industry).copied().or_else(|| {
            let section = industry.get(..1)?;
            (section.len() < industry.len())
                .then(|| self.0.get(section).copied())
                .flatten()
        })
    }
}

/// Measures a customer as of `as_of`. `orders` may be in any order; those after as-of are
/// ignored.
pub fn measure(
    declared: &Declared,
    orders: &[OrderLine],
    as_of: NaiveDate,
    growth: &GrowthTable,
) -> Indicators {
    let window_start = minus_years(as_of, 1);
    let first_coop = declared.first_coop_date.filter(|d| *d <= as_of);
    let (mut trade, mut count, mut max, mut total) = (0i64, 0i64, 0i64, 0i64);
    let mut first_order: Option<NaiveDate> = None;
    let mut years: Vec<(i32, i64)> = Vec::new();
    for o in orders.iter().filter(|o| o.date <= as_of) {
        total += o.amount_fen;
        first_order = Some(first_order.map_or(o.date, |f| f.min(o.date)));
        if o.date > window_start {
            trade += o.amount_fen;
            count += 1;
            max = max.max(o.amount_fen);
        }
        let year = o.date.year();
        match years.iter_mut().find(|(y, _)| *y == year) {
            Some((_, sum)) => *sum += o.amount_fen,
            None => years.push((year, o.amount_fen)),
        }
    }
    years.sort_unstable();
    let positive_fen = |v: Option<i64>| v.is_some_and(|f| f > 0);
    let deal = first_order.is_some()
        || first_coop.is_some()
        || positive_fen(declared.trade_12m_fen)
        || positive_fen(declared.total_amount_fen)
        || declared.tenure_years.is_some_and(|y| y > Decimal::ZERO);
    let mut ind = Indicators::new(as_of, deal);
    ind.years = years;
    ind.years_known = first_order.is_some() || !deal;
    use Indicator as I;
    if let Some(first) = first_order {
        ind.set(I::Trade12m, Value::Money(trade), Source::Orders);
        ind.set(I::Orders12m, Value::Count(count), Source::Orders);
        ind.set(I::MaxOrder12m, Value::Money(max), Source::Orders);
        ind.set(I::TotalAmount, Value::Money(total), Source::Orders);
        match first_coop {
            Some(d) if d < first => ind.set(I::Tenure, Value::Since(d), Source::Declared),
            _ => ind.set(I::Tenure, Value::Since(first), Source::Orders),
        }
    } else if !deal {
        for i in [I::Trade12m, I::MaxOrder12m, I::TotalAmount] {
            ind.set(i, Value::Money(0), Source::NoDeal);
        }
        ind.set(I::Orders12m, Value::Count(0), Source::NoDeal);
        ind.set(I::Tenure, Value::Years(Decimal::ZERO), Source::NoDeal);
    } else {
        if let Some(fen) = declared.trade_12m_fen {
            ind.set(I::Trade12m, Value::Money(fen), Source::Declared);
        }
        if let Some(fen) = declared.total_amount_fen {
            ind.set(I::TotalAmount, Value::Money(fen), Source::Declared);
        }
        if let Some(d) = first_coop {
            ind.set(I::Tenure, Value::Since(d), Source::Declared);
        } else if let Some(y) = declared.tenure_years {
            ind.set(I::Tenure, Value::Years(y), Source::Declared);
        }
    }
    if let Some(g) = declared.industry.as_deref().and_then(|i| growth.lookup(i)) {
        ind.set(I::IndustryGrowth, Value::Number(g), Source::IndustryTable);
    }
    let declared_values = [
        (I::BudgetGrowth, declared.budget_growth.map(Value::Number)),
        (I::Satisfaction, declared.satisfaction.map(Value::Number)),
        (I::Referrals12m, declared.referrals_12m.map(Value::Count)),
        (I::Complaints12m, declared.complaints_12m.map(Value::Count)),
    ];
    for (i, v) in declared_values {
        if let Some(v) = v {
            ind.set(i, v, Source::Declared);
        }
    }
    ind
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn order(date: &str, yuan: i64) -> OrderLine {
        OrderLine {
            date: d(date),
            amount_fen: yuan * 100,
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn the_12_month_window_is_exact() {
        // As of 2024-12-31 the window is 2024-01-01 … 2024-12-31.
        let orders = [
            order("2023-12-31", 1),
            order("2024-01-01", 10),
            order("2024-12-31", 100),
            order("2025-01-01", 1000),
        ];
        let ind = measure(
            &Declared::default(),
            &orders,
            d("2024-12-31"),
            &GrowthTable::default(),
        );
        let get = |i| ind.get(i).unwrap().value;
        assert_eq!(get(Indicator::Trade12m), Value::Money(11_000));
        assert_eq!(get(Indicator::Orders12m), Value::Count(2));
        assert_eq!(get(Indicator::MaxOrder12m), Value::Money(10_000));
        assert_eq!(get(Indicator::TotalAmount), Value::Money(11_100));
        assert_eq!(get(Indicator::Tenure), Value::Since(d("2023-12-31")));
        assert_eq!(ind.years, vec![(2023, 100), (2024, 11_000)]);
    }

    #[test]
    fn the_window_from_29_february_starts_after_28_february() {
        // One year before 2024-02-29 is 2023-02-28; an order that day is outside.
        let orders = [order("2023-02-28", 1), order("2023-03-01", 2)];
        let ind = measure(
            &Declared::default(),
            &orders,
            d("2024-02-29"),
            &GrowthTable::default(),
        );
        assert_eq!(ind.get(Indicator::Trade12m).unwrap().value, Value::Money(200));
    }

    #[test]
    fn tenure_starts_at_the_earlier_of_first_order_and_declared_date() {
        let declared = Declared {
            first_coop_date: Some(d("2020-05-01")),
            ..Declared::default()
        };
        let ind = measure(
            &declared,
            &[order("2022-01-01", 5)],
            d("2024-06-30"),
            &GrowthTable::default(),
        );
        let tenure = ind.get(Indicator::Tenure).unwrap();
        assert_eq!(
            (tenure.value, tenure.source),
            (Value::Since(d("2020-05-01")), Source::Declared)
        );
    }

    #[test]
    fn declared_values_are_used_only_without_orders() {
        let declared = Declared {
            trade_12m_fen: Some(50_000_000),
            tenure_years: Some(dec("3")),
            satisfaction: Some(dec("9")),
            ..Declared::default()
        };
        let growth = GrowthTable::default();
        let ind = measure(&declared, &[], d("2024-06-30"), &growth);
        assert!(ind.deal);
        let trade = ind.get(Indicator::Trade12m).unwrap();
        assert_eq!(
            (trade.value, trade.source),
            (Value::Money(50_000_000), Source::Declared)
        );
        assert_eq!(ind.get(Indicator::Tenure).unwrap().value, Value::Years(dec("3")));
        assert_eq!(ind.get(Indicator::Orders12m), None);
        let with_orders = measure(&declared, &[order("2024-01-01", 7)], d("2024-06-30"), &growth);
        assert_eq!(
            with_orders.get(Indicator::Trade12m).unwrap().value,
            Value::Money(700)
        );
        // Relationship values come from the record either way.
        assert_eq!(
            with_orders.get(Indicator::Satisfaction).unwrap().source,
            Source::Declared
        );
    }

    #[test]
    fn orders_after_as_of_do_not_count_as_a_deal() {
        let ind = measure(
            &Declared::default(),
            &[order("2025-01-01", 5)],
            d("2024-12-31"),
            &GrowthTable::default(),
        );
        assert!(!ind.deal);
        let trade = ind.get(Indicator::Trade12m).unwrap();
        assert_eq!((trade.value, trade.source), (Value::Money(0), Source::NoDeal));
    }

    #[test]
    fn industry_growth_falls_back_from_division_to_section() {
        let growth = GrowthTable::new([("C".to_string(), dec("8")), ("C39".to_string(), dec("16"))]);
        assert_eq!(growth.lookup("C39"), Some(dec("16")));
        assert_eq!(growth.lookup("C26"), Some(dec("8")));
        assert_eq!(growth.lookup("C"), Some(dec("8")));
        assert_eq!(growth.lookup("I65"), None);
    }

    #[test]
    fn tenure_compares_in_calendar_years() {
        let as_of = d("2024-02-29");
        let since = |s| Value::Since(d(s));
        // Two years before 2024-02-29 is 2022-02-28.
        assert_eq!(since("2022-02-28").compare(dec("2"), as_of), Ordering::Equal);
        assert_eq!(since("2022-03-01").compare(dec("2"), as_of), Ordering::Less);
        assert_eq!(since("2022-02-27").compare(dec("2"), as_of), Ordering::Greater);
        assert_eq!(since("2024-02-29").compare(dec("0"), as_of), Ordering::Equal);
        assert_eq!(since("2023-08-29").compare(dec("0.5"), as_of), Ordering::Equal);
        assert_eq!(since("2024-03-01").compare(dec("0"), as_of), Ordering::Less);
    }

    #[test]
    fn consecutive_years_break_at_a_gap_and_may_end_last_year() {
        let mut ind = Indicators::new(d("2024-06-30"), true);
        ind.years = vec![(2019, 90), (2021, 100), (2022, 100), (2023, 100), (2024, 10)];
        // 2024 is under way and below the bar, so the run 2021-2023 counts.
        assert_eq!(ind.consecutive_years(dec("1")), 3);
        // 2020 has no orders: the gap ends the run.
        ind.years = vec![(2019, 100), (2021, 100), (2022, 100), (2023, 100), (2024, 100)];
        assert_eq!(ind.consecutive_years(dec("1")), 4);
        ind.years = vec![(2021, 100), (2022, 100)];
        assert_eq!(ind.consecutive_years(dec("1")), 0);
    }

    #[test]
    fn values_round_trip_through_their_encoding() {
        for (i, v) in [
            (Indicator::Trade12m, Value::Money(12_345)),
            (Indicator::Orders12m, Value::Count(3)),
            (Indicator::Tenure, Value::Since(d("2020-02-29"))),
            (Indicator::Tenure, Value::Years(dec("2.5"))),
            (Indicator::BudgetGrowth, Value::Number(dec("-3.5"))),
            (Indicator::BudgetGrowth, Value::Number(dec("-20"))),
            (Indicator::Satisfaction, Value::Number(dec("9.0"))),
            (Indicator::TotalAmount, Value::Money(-5)),
            (Indicator::TotalAmount, Value::Money(0)),
        ] {
            assert_eq!(Value::decode(i, &v.encode()), Some(v), "{i}");
        }
    }

    #[test]
    fn years_between_shows_the_part_year() {
        assert_eq!(years_between(d("2022-06-30"), d("2024-06-30")), dec("2"));
        assert_eq!(years_between(d("2023-12-31"), d("2024-06-30")), dec("0.49"));
        // One day short of two years is not shown as 2.
        assert_eq!(years_between(d("2022-07-01"), d("2024-06-30")), dec("1.99"));
        assert_eq!(years_between(d("2024-06-30"), d("2024-06-30")), dec("0"));
    }
}
