//! The closed value sets of the record: stage, intent, nature, size, source, secrecy, and
//! the yes or no of a flag.
//!
//! Each value has a stable English key (stored in the database and used in JSON), a Chinese
//! label (shown with `--lang zh`) and the other spellings a clerk types. Parsing accepts all
//! of them after [`text::clean`](super::text::clean), case-insensitively.

use super::text;

/// A value of one of the record's closed sets.
pub trait Choice: Sized + Copy + 'static {
    /// What the set is called in messages (`stage`, `intent`, …).
    const WHAT: &'static str;
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stable English key.
    fn key(self) -> &'static str;
    /// The Chinese label.
    fn zh(self) -> &'static str;
    /// Other accepted spellings.
    fn aliases(self) -> &'static [&'static str];

    /// The label in the chosen language.
    fn label(self, zh: bool) -> &'static str {
        if zh { self.zh() } else { self.key() }
    }

    /// Parses any accepted spelling.
    fn parse(input: &str) -> Result<Self, String> {
        let cleaned = text::clean(input);
        let wanted = cleaned.to_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|v| {
                v.key() == wanted
                    || v.zh() == cleaned
                    || v.aliases().iter().any(|a| a.to_lowercase() == wanted)
            })
            .ok_or_else(|| {
                let known: Vec<String> = Self::ALL
                    .iter()
                    .map(|v| format!("{}/{}", v.zh(), v.key()))
                    .collect();
                format!("unknown {} {cleaned} (known: {})", Self::WHAT, known.join(", "))
            })
    }
}

/// Declares a [`Choice`] enum: `Variant = ("key", "中文", ["alias", …])`.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $($variant:ident = ($key:literal, $zh:literal, [$($alias:literal),* $(,)?])),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl Choice for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn key(self) -> &'static str { match self { $(Self::$variant => $key),+ } }
            fn zh(self) -> &'static str { match self { $(Self::$variant => $zh),+ } }
            fn aliases(self) -> &'static [&'static str] {
                match self { $(Self::$variant => &[$($alias),*]),+ }
            }
        }
    };
}

choice!(
    /// 合作阶段: a customer moves prospect → intent → customer → churned.
    Stage, "stage" {
        Prospect = ("prospect", "潜在", ["潜在客户", "线索", "lead"]),
        Intent = ("intent", "意向", ["意向客户", "跟进中"]),
        Customer = ("customer", "成交", ["成交客户", "已成交", "合作中", "签约"]),
        Churned = ("churned", "流失", ["流失客户", "已流失", "lost"]),
    }
);

choice!(
    /// 意向度.
    Intent, "intent" {
        High = ("high", "高", ["高意向", "强", "h"]),
        Medium = ("medium", "中", ["中意向", "一般", "m", "mid"]),
        Low = ("low", "低", ["低意向", "弱", "l"]),
    }
);

choice!(
    /// 企业性质.
    Nature, "nature" {
        State = ("state", "国有企业", ["国企", "央企", "国有", "国有控股"]),
        Private = ("private", "民营企业", ["民企", "私营企业", "民营", "私营"]),
        Foreign = ("foreign", "外资企业", ["外企", "外商独资", "外资", "港澳台资企业"]),
        JointVenture = ("joint_venture", "合资企业", ["中外合资", "合资"]),
        Listed = ("listed", "上市公司", ["上市企业"]),
        IndividualBusiness = ("individual_business", "个体工商户", ["个体户", "个体"]),
        PublicInstitution = ("public_institution", "事业单位", []),
        Government = ("government", "政府机关", ["机关", "政府"]),
        SocialOrg = ("social_org", "社会组织", ["社会团体", "民办非企业单位", "基金会"]),
        Individual = ("individual", "个人", ["自然人"]),
        Other = ("other", "其他", ["其它"]),
    }
);

choice!(
    /// 企业规模.
    Size, "size" {
        Large = ("large", "大型", ["大型企业", "大"]),
        Medium = ("medium", "中型", ["中型企业", "中"]),
        Small = ("small", "小型", ["小型企业", "小"]),
        Micro = ("micro", "微型", ["微型企业", "微", "小微"]),
    }
);

choice!(
    /// 来源渠道.
    Source, "source" {
        Exhibition = ("exhibition", "展会", ["展会推广", "展销会", "会展"]),
        OnlineAd = ("online_ad", "线上广告", ["网络广告", "线上推广", "网络推广", "广告"]),
        Referral = ("referral", "转介绍", ["客户转介绍", "老客户介绍", "介绍"]),
        Inbound = ("inbound", "主动咨询", ["来电咨询", "客户咨询", "咨询"]),
        Telemarketing = ("telemarketing", "电话营销", ["电销", "电话"]),
        Visit = ("visit", "地推拜访", ["地推", "陌拜", "拜访", "上门拜访"]),
        Website = ("website", "官网", ["官方网站", "网站"]),
        Partner = ("partner", "合作伙伴", ["渠道", "代理商", "渠道伙伴"]),
        Tender = ("tender", "招投标", ["招标", "投标"]),
        Other = ("other", "其他", ["其它"]),
    }
);

choice!(
    /// 密级: who may see or export a customer.
    Secrecy, "secrecy level" {
        Public = ("public", "公开", []),
        Internal = ("internal", "内部", ["一般"]),
        Confidential = ("confidential", "秘密", ["保密"]),
        Secret = ("secret", "机密", ["绝密"]),
    }
);

choice!(
    /// A yes or a no, as a column of ticks or a flag is typed (主联系人: 是, Y, √, 1, TRUE).
    YesNo, "yes/no value" {
        Yes = ("yes", "是", ["y", "true", "1", "√", "✓", "主要"]),
        No = ("no", "否", ["n", "false", "0", "×", "不是"]),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_labels_and_aliases() {
        assert_eq!(Stage::parse("成交"), Ok(Stage::Customer));
        assert_eq!(Stage::parse("customer"), Ok(Stage::Customer));
        assert_eq!(Stage::parse(" Customer "), Ok(Stage::Customer));
        assert_eq!(Stage::parse("已成交"), Ok(Stage::Customer));
        assert_eq!(Intent::parse("高"), Ok(Intent::High));
        assert_eq!(Nature::parse("国企"), Ok(Nature::State));
        assert_eq!(Source::parse("客户转介绍"), Ok(Source::Referral));
        assert_eq!(Size::parse("ＬＡＲＧＥ"), Ok(Size::Large));
    }

    #[test]
    fn unknown_value_lists_the_known_ones() {
        let err = Stage::parse("签了").unwrap_err();
        assert!(err.starts_with("unknown stage 签了"), "{err}");
        assert!(err.contains("成交/customer"), "{err}");
    }

    #[test]
    fn every_spelling_of_every_value_round_trips() {
        fn check<C: Choice + PartialEq + std::fmt::Debug>() {
            for &v in C::ALL {
                assert_eq!(C::parse(v.key()), Ok(v));
                assert_eq!(C::parse(v.zh()), Ok(v));
                for a in v.aliases() {
                    assert_eq!(C::parse(a), Ok(v), "alias {a}");
                }
            }
        }
        check::<Stage>();
        check::<Intent>();
        check::<Nature>();
        check::<Size>();
        check::<Source>();
        check::<Secrecy>();
        check::<YesNo>();
    }

    #[test]
    fn a_yes_or_a_no_is_read_as_a_clerk_types_it() {
        for yes in ["是", "Y", "yes", "√", "1", "TRUE", "主要"] {
            assert_eq!(YesNo::parse(yes), Ok(YesNo::Yes), "{yes}");
        }
        for no in ["否", "N", "no", "0", "FALSE", "×"] {
            assert_eq!(YesNo::parse(no), Ok(YesNo::No), "{no}");
        }
        assert_eq!(
            YesNo::parse("王甲"),
            Err("unknown yes/no value 王甲 (known: 是/yes, 否/no)".to_string())
        );
    }
}
