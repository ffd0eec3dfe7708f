//! Distributions: which dimensions a report can group by, the order their values are shown
//! in, how a value reads, and the cross-tab of two dimensions.

use std::collections::HashMap;

use crate::domain::choice::{Choice, Intent, Nature, Secrecy, Size, Source, Stage};
use crate::domain::industry::parse_industry;
use crate::domain::region::Region;
use crate::domain::text;

use super::{ladder, tier_zh};

/// What customers are grouped by: a column of the record, or a stored tag dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    Region,
    Province,
    City,
    /// GB/T 4754 section (门类).
    Industry,
    /// The industry as recorded: a division (大类) or, when only that is known, a section.
    Division,
    Tier,
    Stage,
    Source,
    Nature,
    Size,
    Intent,
    Owner,
    Secrecy,
    /// A stored tag dimension (`价值`); `""` is the plain labels.
    Tag(String),
}

/// The built-in dimensions with the names they are asked for by. 区域, 行业, 阶段 and 等级 are
/// also the derived tag dimensions, read from the record.
const NAMES: &[(&str, &str, &[&str])] = &[
    ("region", "区域", &["大区", "所在区域"]),
    ("province", "省份", &["省", "所在省份"]),
    ("city", "城市", &["市", "所在城市"]),
    ("industry", "行业", &["所属行业", "门类", "行业门类", "section"]),
    ("division", "行业大类", &["大类"]),
    ("tier", "等级", &["客户等级", "价值等级", "grade"]),
    ("stage", "合作阶段", &["阶段", "客户阶段"]),
    ("source", "来源渠道", &["来源", "渠道", "客户来源"]),
    ("nature", "企业性质", &["性质", "公司性质"]),
    ("size", "企业规模", &["规模", "公司规模"]),
    ("intent", "意向度", &["意向"]),
    ("owner", "负责人", &["客户经理", "销售"]),
    ("secrecy", "密级", &["保密级别"]),
];

const BUILT_IN: [Dim; 13] = [
    Dim::Region,
    Dim::Province,
    Dim::City,
    Dim::Industry,
    Dim::Division,
    Dim::Tier,
    Dim::Stage,
    Dim::Source,
    Dim::Nature,
    Dim::Size,
    Dim::Intent,
    Dim::Owner,
    Dim::Secrecy,
];

impl Dim {
    /// A built-in dimension by its English key, Chinese name or an alias; any other name is a
    /// tag dimension (`标签`/`label` are the plain labels).
    pub fn parse(name: &str) -> Dim {
        let cleaned = text::clean(name);
        let bare = if cleaned.to_lowercase().starts_with("tag:") {
            cleaned[4..].trim()
        } else {
            cleaned.as_str()
        };
        let lower = bare.to_lowercase();
        let known = |(key, zh, aliases): &(&str, &str, &[&str])| {
            *key == lower || *zh == bare || aliases.contains(&bare) || aliases.contains(&lower.as_str())
        };
        if let Some(i) = NAMES.iter().position(known) {
            return BUILT_IN[i].clone();
        }
        if lower == "label" || bare == "标签" {
            return Dim::Tag(String::new());
        }
        Dim::Tag(bare.to_string())
    }

    /// The English names of the built-in dimensions, for messages.
    pub fn built_in_names() -> Vec<&'static str> {
        NAMES.iter().map(|(key, _, _)| *key).collect()
    }

    fn names(&self) -> Option<&'static (&'static str, &'static str, &'static [&'static str])> {
        BUILT_IN.iter().position(|d| d == self).map(|i| &NAMES[i])
    }

    /// The column key in output: the English key, or a tag dimension's own name.
    pub fn key(&self) -> String {
        match self {
            Dim::Tag(d) if d.is_empty() => "label".into(),
            Dim::Tag(d) => d.clone(),
            _ => self.names().map_or("", |n| n.0).to_string(),
        }
    }

    /// The column header in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Dim::Tag(d) if d.is_empty() => "标签".into(),
            Dim::Tag(d) => d.clone(),
            _ => self.names().map_or("", |n| n.1).to_string(),
        }
    }

    /// How a stored value reads in Chinese (`east` → `华东`, `C` → `C 制造业`,
    /// `core` → `核心`); values kehu does not know show as stored.
    pub fn value_zh(&self, value: &str) -> String {
        fn choice<C: Choice>(v: &str) -> Option<String> {
            C::parse(v).ok().map(|c| c.zh().to_string())
        }
        let label = match self {
            Dim::Region => Region::parse(value).ok().map(|r| r.zh().to_string()),
            Dim::Industry | Dim::Division => parse_industry(value)
                .ok()
                .map(|i| format!("{} {}", i.code(), i.name())),
            Dim::Tier => Some(tier_zh(value).to_string()),
            Dim::Stage => choice::<Stage>(value),
            Dim::Source => choice::<Source>(value),
            Dim::Nature => choice::<Nature>(value),
            Dim::Size => choice::<Size>(value),
            Dim::Intent => choice::<Intent>(value),
            Dim::Secrecy => choice::<Secrecy>(value),
            Dim::Province | Dim::City | Dim::Owner | Dim::Tag(_) => None,
        };
        label.unwrap_or_else(|| value.to_string())
    }

    /// The natural order of a closed set's values (stored keys), if the dimension has one.
    fn fixed_order<'a>(
        &self,
        present: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Option<Vec<&'static str>> {
        fn keys<C: Choice>() -> Vec<&'static str> {
            C::ALL.iter().map(|c| c.key()).collect()
        }
        match self {
            Dim::Region => Some(Region::ALL.iter().map(|r| r.en()).collect()),
            Dim::Tier => ladder(present).map(<[&str]>::to_vec),
            Dim::Stage => Some(keys::<Stage>()),
            Dim::Source => Some(keys::<Source>()),
            Dim::Nature => Some(keys::<Nature>()),
            Dim::Size => Some(keys::<Size>()),
            Dim::Intent => Some(keys::<Intent>()),
            Dim::Secrecy => Some(keys::<Secrecy>()),
            _ => None,
        }
    }

    /// Orders values for display: a closed set in its natural order (unknown values after
    /// it), anything else by count, largest first; ties by value; the empty value last.
    pub fn order(&self, values: &mut [(Option<String>, i64)]) {
        let present: Vec<&str> = values.iter().filter_map(|(v, _)| v.as_deref()).collect();
        let fixed = self.fixed_order(present.iter().copied());
        let rank = |v: &Option<String>| -> (u8, usize) {
            match (v, &fixed) {
                (None, _) => (2, 0),
                (Some(v), Some(order)) => order.iter().position(|k| k == v).map_or((1, 0), |i| (0, i)),
                (Some(_), None) => (0, 0),
            }
        };
        values.sort_by(|(a, ca), (b, cb)| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| {
                    if fixed.is_none() {
                        cb.cmp(ca)
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .then_with(|| a.cmp(b))
        });
    }
}

/// Customers (and their trade) sharing one value per dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub keys: Vec<Option<String>>,
    pub count: i64,
    pub trade_fen: i64,
}

/// The values of dimension `i` over `buckets`, in display order, with their counts.
pub fn axis(dim: &Dim, i: usize, buckets: &[Bucket]) -> Vec<(Option<String>, i64)> {
    let mut totals: HashMap<Option<String>, i64> = HashMap::new();
    for b in buckets {
        *totals.entry(b.keys[i].clone()).or_default() += b.count;
    }
    let mut values: Vec<(Option<String>, i64)> = totals.into_iter().collect();
    dim.order(&mut values);
    values
}

/// Sorts buckets by the display order of each dimension in turn.
pub fn sort_buckets(dims: &[Dim], buckets: &mut [Bucket]) {
    let ranks: Vec<HashMap<Option<String>, usize>> = dims
        .iter()
        .enumerate()
        .map(|(i, d)| {
            axis(d, i, buckets)
                .into_iter()
                .enumerate()
                .map(|(rank, (v, _))| (v, rank))
                .collect()
        })
        .collect();
    buckets.sort_by_key(|b| {
        b.keys
            .iter()
            .zip(&ranks)
            .map(|(k, r)| r.get(k).copied().unwrap_or(usize::MAX))
            .collect::<Vec<_>>()
    });
}

/// Two dimensions crossed: counts with row and column totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTab {
    pub rows: Vec<Option<String>>,
    pub cols: Vec<Option<String>>,
    /// `counts[r][c]`.
    pub counts: Vec<Vec<i64>>,
    pub row_totals: Vec<i64>,
    pub col_totals: Vec<i64>,
    pub total: i64,
}

pub fn cross_tab(dims: &[Dim; 2], buckets: &[Bucket]) -> CrossTab {
    let rows: Vec<Option<String>> = axis(&dims[0], 0, buckets).into_iter().map(|(v, _)| v).collect();
    let cols: Vec<Option<String>> = axis(&dims[1], 1, buckets).into_iter().map(|(v, _)| v).collect();
    let mut counts = vec![vec![0; cols.len()]; rows.len()];
    for b in buckets {
        let r = rows
            .iter()
            .position(|v| *v == b.keys[0])
            .expect("row value present");
        let c = cols
            .iter()
            .position(|v| *v == b.keys[1])
            .expect("column value present");
        counts[r][c] += b.count;
    }
    let row_totals: Vec<i64> = counts.iter().map(|r| r.iter().sum()).collect();
    let col_totals: Vec<i64> = (0..cols.len())
        .map(|c| counts.iter().map(|r| r[c]).sum())
        .collect();
    CrossTab {
        total: row_totals.iter().sum(),
        rows,
        cols,
        counts,
        row_totals,
        col_totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(keys: &[Option<&str>], count: i64) -> Bucket {
        Bucket {
            keys: keys.iter().map(|k| k.map(String::from)).collect(),
            count,
            trade_fen: 0,
        }
    }

    #[test]
    fn dimensions_are_named_in_english_or_chinese() {
        assert_eq!(Dim::parse("region"), Dim::Region);
        assert_eq!(Dim::parse("区域"), Dim::Region);
        assert_eq!(Dim::parse("行业"), Dim::Industry);
        assert_eq!(Dim::parse("等级"), Dim::Tier);
        assert_eq!(Dim::parse("阶段"), Dim::Stage);
        assert_eq!(Dim::parse(" Owner "), Dim::Owner);
        assert_eq!(Dim::parse("价值"), Dim::Tag("价值".into()));
        assert_eq!(Dim::parse("tag:区域"), Dim::Region);
        assert_eq!(Dim::parse("标签"), Dim::Tag(String::new()));
        assert_eq!(Dim::Tag("价值".into()).key(), "价值");
        assert_eq!(Dim::Tier.key(), "tier");
        assert_eq!(Dim::Tier.zh(), "等级");
    }

    #[test]
    fn values_read_as_people_call_them() {
        assert_eq!(Dim::Region.value_zh("east"), "华东");
        assert_eq!(Dim::Tier.value_zh("core"), "核心");
        assert_eq!(Dim::Tier.value_zh("稳定"), "稳定");
        assert_eq!(Dim::Industry.value_zh("C"), "C 制造业");
        assert_eq!(Dim::Stage.value_zh("customer"), "成交");
        assert_eq!(Dim::Owner.value_zh("张三"), "张三");
    }

    #[test]
    fn closed_sets_keep_their_order_and_others_go_by_count() {
        let mut regions = vec![
            (None, 9),
            (Some("south".to_string()), 1),
            (Some("north".to_string()), 2),
            (Some("east".to_string()), 5),
        ];
        Dim::Region.order(&mut regions);
        let keys: Vec<_> = regions.iter().map(|(k, _)| k.as_deref()).collect();
        assert_eq!(keys, [Some("north"), Some("east"), Some("south"), None]);

        let mut owners = vec![
            (Some("李四".to_string()), 1),
            (None, 7),
            (Some("王五".to_string()), 3),
            (Some("张三".to_string()), 3),
        ];
        Dim::Owner.order(&mut owners);
        let keys: Vec<_> = owners.iter().map(|(k, _)| k.as_deref()).collect();
        assert_eq!(keys, [Some("张三"), Some("王五"), Some("李四"), None]);

        let mut tiers = vec![
            (Some("potential".to_string()), 5),
            (Some("core".to_string()), 1),
            (Some("important".to_string()), 2),
        ];
        Dim::Tier.order(&mut tiers);
        let keys: Vec<_> = tiers.iter().map(|(k, _)| k.as_deref()).collect();
        assert_eq!(keys, [Some("core"), Some("important"), Some("potential")]);
    }

    #[test]
    fn a_cross_tab_has_row_and_column_totals() {
        let buckets = [
            b(&[Some("east"), Some("core")], 2),
            b(&[Some("east"), None], 1),
            b(&[Some("north"), Some("potential")], 3),
            b(&[Some("north"), Some("core")], 1),
        ];
        let t = cross_tab(&[Dim::Region, Dim::Tier], &buckets);
        assert_eq!(t.rows, [Some("north".into()), Some("east".into())]);
        assert_eq!(t.cols, [Some("core".into()), Some("potential".into()), None]);
        assert_eq!(t.counts, [[1, 3, 0], [2, 0, 1]]);
        assert_eq!(t.row_totals, [4, 3]);
        assert_eq!(t.col_totals, [3, 3, 1]);
        assert_eq!(t.total, 7);
    }

    #[test]
    fn buckets_sort_by_each_dimension_in_turn() {
        let mut buckets = vec![
            b(&[Some("east"), Some("core")], 2),
            b(&[Some("north"), Some("potential")], 3),
            b(&[Some("north"), Some("core")], 1),
        ];
        sort_buckets(&[Dim::Region, Dim::Tier], &mut buckets);
        let order: Vec<i64> = buckets.iter().map(|b| b.count).collect();
        assert_eq!(order, [1, 3, 2]);
    }
}
