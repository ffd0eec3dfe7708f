//! Field survivorship: the record a merge keeps, from the records it merges.
//!
//! The survivor keeps its code. For every other field the value comes from the most recently
//! updated record that has one, so an empty field is filled from the others and a conflict
//! goes to the newest value; ties go to the survivor. Exceptions, each for a reason:
//! - the name: the newest that carries a legal form (`有限公司` …) — a short name typed on a
//!   newer record does not replace the registered name;
//! - the USCC: the survivor's when it has one (two different USCCs merge only by force);
//! - first cooperation: the earliest date; last cooperation: the latest;
//! - the stage moves with its date;
//! - remarks: every distinct remark, the survivor's first;
//! - extra columns: all of them, the newest value of each.

use super::super::{Customer, Field};
use super::normalize_name;

/// A record to merge and when it was last updated (comparable text, e.g. RFC 3339).
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    pub customer: &'a Customer,
    pub updated_at: &'a str,
}

/// The merged record. `records[survivor]` gives the code.
pub fn survive(records: &[Version], survivor: usize) -> Customer {
    let mut out = records[survivor].customer.clone();
    // Newest first; the survivor first among equals.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| {
        records[b]
            .updated_at
            .cmp(records[a].updated_at)
            .then((a != survivor).cmp(&(b != survivor)))
            .then(a.cmp(&b))
    });
    let newest_with = |f: Field| {
        order
            .iter()
            .map(|&i| records[i].customer)
            .find(|c| c.value(f).is_some())
    };
    for &field in Field::ALL {
        match field {
            Field::Code
            | Field::Region
            | Field::StageDate
            | Field::CreatedAt
            | Field::UpdatedAt
            | Field::FirstCoopDate
            | Field::LastCoopDate
            | Field::Remarks => {}
            Field::Name => {
                let registered = order
                    .iter()
                    .map(|&i| records[i].customer)
                    .find(|c| normalize_name(&c.name).legal_form.is_some());
                out.name = registered.unwrap_or(records[order[0]].customer).name.clone();
            }
            Field::Uscc => {
                if out.uscc.is_none() {
                    out.uscc = newest_with(field).and_then(|c| c.uscc.clone());
                }
            }
            Field::Stage => {
                let from = records[order[0]].customer;
                out.stage = from.stage;
                out.stage_date = from.stage_date;
            }
            _ => {
                if let Some(src) = newest_with(field) {
                    copy(&mut out, src, field);
                }
            }
        }
    }
    out.first_coop_date = records.iter().filter_map(|r| r.customer.first_coop_date).min();
    out.last_coop_date = records.iter().filter_map(|r| r.customer.last_coop_date).max();
    let mut remarks: Vec<&str> = Vec::new();
    for i in std::iter::once(survivor).chain((0..records.len()).filter(|&i| i != survivor)) {
        if let Some(r) = &records[i].customer.remarks
            && !remarks.contains(&r.as_str())
        {
            remarks.push(r);
        }
    }
    out.remarks = (!remarks.is_empty()).then(|| remarks.join("\n"));
    for &i in order.iter().rev() {
        for (k, v) in &records[i].customer.extra {
            out.extra.insert(k.clone(), v.clone());
        }
    }
    out
}

/// Copies one field from `src` to `dst`.
fn copy(dst: &mut Customer, src: &Customer, field: Field) {
    match field {
        Field::ShortName => dst.short_name = src.short_name.clone(),
        Field::Industry => dst.industry = src.industry,
        Field::Province => dst.province = src.province,
        Field::City => dst.city = src.city.clone(),
        Field::Nature => dst.nature = src.nature,
        Field::Size => dst.size = src.size,
        Field::Source => dst.source = src.source,
        Field::Intent => dst.intent = src.intent,
        Field::Owner => dst.owner = src.owner.clone(),
        Field::TotalAmount => dst.total_amount_fen = src.total_amount_fen,
        Field::Trade12m => dst.trade_12m_fen = src.trade_12m_fen,
        Field::TenureYears => dst.tenure_years = src.tenure_years,
        Field::Satisfaction => dst.satisfaction = src.satisfaction,
        Field::Referrals12m => dst.referrals_12m = src.referrals_12m,
        Field::Complaints12m => dst.complaints_12m = src.complaints_12m,
        Field::BudgetGrowth => dst.budget_growth = src.budget_growth,
        Field::Secrecy => dst.secrecy = src.secrecy,
        Field::Tier => dst.tier = src.tier.clone(),
        Field::Score => dst.score = src.score,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Unit;

    fn customer(code: &str, name: &str, sets: &[(Field, &str)]) -> Customer {
        let mut c = Customer::new(name).unwrap();
        c.code = code.into();
        for (f, v) in sets {
            c.set(*f, v, Unit::Yuan).unwrap();
        }
        c
    }

    #[test]
    fn empty_fields_are_filled_and_the_newest_value_wins() {
        let old = customer(
            "A",
            "北京某某科技有限公司",
            &[
                (Field::Owner, "张三"),
                (Field::Remarks, "老客户"),
                (Field::FirstCoopDate, "2020-01-01"),
            ],
        );
        let new = customer(
            "B",
            "某某科技",
            &[
                (Field::Owner, "李四"),
                (Field::City, "北京"),
                (Field::Uscc, "91110000600037341L"),
                (Field::Remarks, "王总介绍"),
                (Field::FirstCoopDate, "2019-05-01"),
                (Field::LastCoopDate, "2024-01-01"),
            ],
        );
        let merged = survive(
            &[
                Version {
                    customer: &old,
                    updated_at: "2024-01-01T00:00:00Z",
                },
                Version {
                    customer: &new,
                    updated_at: "2024-05-01T00:00:00Z",
                },
            ],
            0,
        );
        assert_eq!(merged.code, "A");
        assert_eq!(merged.name, "北京某某科技有限公司", "the registered name stays");
        assert_eq!(merged.owner.as_deref(), Some("李四"), "newest wins");
        assert_eq!(merged.city.as_deref(), Some("北京"), "empty filled");
        assert_eq!(merged.uscc.as_deref(), Some("91110000600037341L"));
        assert_eq!(merged.remarks.as_deref(), Some("老客户\n王总介绍"));
        assert_eq!(merged.first_coop_date.unwrap().to_string(), "2019-05-01");
        assert_eq!(merged.last_coop_date.unwrap().to_string(), "2024-01-01");
    }

    #[test]
    fn the_survivor_keeps_its_uscc_and_wins_ties() {
        let a = customer(
            "A",
            "甲公司",
            &[(Field::Uscc, "91110000600037341L"), (Field::Owner, "张三")],
        );
        let b = customer(
            "B",
            "甲公司",
            &[(Field::Uscc, "91310115MA1K3BTP2B"), (Field::Owner, "李四")],
        );
        let same = "2024-01-01T00:00:00Z";
        let merged = survive(
            &[
                Version {
                    customer: &a,
                    updated_at: same,
                },
                Version {
                    customer: &b,
                    updated_at: same,
                },
            ],
            1,
        );
        assert_eq!(merged.code, "B");
        assert_eq!(merged.uscc.as_deref(), Some("91310115MA1K3BTP2B"));
        assert_eq!(merged.owner.as_deref(), Some("李四"));
    }
}
