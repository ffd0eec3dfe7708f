//! Company names taken apart for matching: 行政区划 + 字号 + 行业 + 组织形式.
//!
//! [`normalize_name`] sets aside what varies between two spellings of one company — the
//! legal-form suffix (有限公司 / 有限责任公司 …), a region prefix (北京 / 广东省深圳市), a
//! region in brackets (`（北京）某某科技`, `腾讯科技（深圳）有限公司`), annotations in brackets
//! (`（原…）`, `（已注销）`), a branch suffix (`上海分公司`), width, spaces and punctuation —
//! and keeps the rest as the **core** name, remembering what it removed so a match can say
//! why. Two names with the same core are the same name; [`name_key`] is that core.

use super::super::region::{Province, parse_province, strip_region_prefix};
use super::super::text::clean;

/// Organisational forms, longest first (reference §6). Each pair of 公司法 equivalents
/// (有限责任公司/有限公司, 股份有限公司/股份公司) falls in one [`LegalClass`].
const LEGAL_FORMS: &[(&str, LegalClass)] = &[
    ("集团股份有限公司", LegalClass::JointStock),
    ("集团有限责任公司", LegalClass::Limited),
    ("集团有限公司", LegalClass::Limited),
    ("股份有限公司", LegalClass::JointStock),
    ("有限责任公司", LegalClass::Limited),
    ("有限公司", LegalClass::Limited),
    ("股份公司", LegalClass::JointStock),
    ("集团公司", LegalClass::Other),
    ("个人独资企业", LegalClass::Other),
    ("农民专业合作社", LegalClass::Other),
    ("专业合作社", LegalClass::Other),
    ("合伙企业", LegalClass::Other),
    ("总公司", LegalClass::Other),
    ("经营部", LegalClass::Other),
    ("门市部", LegalClass::Other),
    ("工作室", LegalClass::Other),
    ("事务所", LegalClass::Other),
    ("研究院", LegalClass::Other),
    ("研究所", LegalClass::Other),
    ("合作社", LegalClass::Other),
    ("公司", LegalClass::Other),
    ("集团", LegalClass::Other),
    ("商行", LegalClass::Other),
    ("中心", LegalClass::Other),
    ("厂", LegalClass::Other),
    ("店", LegalClass::Other),
];

/// Legal forms written in brackets.
const BRACKET_FORMS: &[&str] = &["普通合伙", "有限合伙", "特殊普通合伙", "个人独资", "集团"];

/// Branch suffixes: `<parent><region>分公司`.
const BRANCH_SUFFIXES: &[&str] = &[
    "分公司",
    "分厂",
    "分店",
    "分行",
    "支行",
    "分部",
    "办事处",
    "代表处",
    "营业部",
];

/// Words for the line of business that sit between the 字号 and the legal form, longest
/// first (reference §6, plus a few common ones). A name with only its 字号 (`华兴`) is
/// the 字号 of `华兴科技`.
pub const TRADE_WORDS: &[&str] = &[
    "房地产开发",
    "汽车零部件",
    "信息技术",
    "信息科技",
    "网络技术",
    "智能科技",
    "电子科技",
    "教育科技",
    "环保科技",
    "医疗器械",
    "装饰工程",
    "网络科技",
    "电子商务",
    "文化传媒",
    "餐饮管理",
    "生物科技",
    "物业管理",
    "人力资源",
    "建设工程",
    "新能源",
    "新材料",
    "供应链",
    "科技",
    "贸易",
    "商贸",
    "实业",
    "投资",
    "控股",
    "发展",
    "建设",
    "工程",
    "咨询",
    "管理",
    "服务",
    "广告",
    "物流",
    "医药",
    "电子",
    "机械",
    "设备",
    "材料",
    "化工",
    "食品",
    "农业",
    "置业",
    "劳务",
    "软件",
    "技术",
    "电气",
    "能源",
    "建材",
    "装饰",
    "纺织",
    "服饰",
    "家居",
    "印刷",
    "包装",
    "五金",
    "环保",
    "教育",
    "传媒",
    "文化",
    "网络",
    "信息",
    "智能",
    "制药",
    "药业",
    "汽车",
];

/// Large cities (prefecture level and above, not provinces) that prefix company names
/// without 市. Any `XX市` / `XXX市` prefix is recognised as well.
const CITIES: &[&str] = &[
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "青岛",
    "大连",
    "厦门",
    "宁波",
    "无锡",
    "佛山",
    "东莞",
    "长沙",
    "郑州",
    "济南",
    "合肥",
    "福州",
    "沈阳",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "南昌",
    "昆明",
    "贵阳",
    "南宁",
    "海口",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "呼和浩特",
    "拉萨",
    "珠海",
    "温州",
    "常州",
    "南通",
    "徐州",
    "烟台",
    "潍坊",
    "泉州",
    "绍兴",
    "嘉兴",
    "台州",
    "金华",
    "惠州",
    "中山",
    "汕头",
    "洛阳",
    "唐山",
    "保定",
    "廊坊",
    "扬州",
    "镇江",
    "盐城",
    "泰州",
    "芜湖",
    "临沂",
    "淄博",
    "济宁",
    "威海",
    "江门",
    "湛江",
    "桂林",
    "柳州",
    "绵阳",
    "宜昌",
    "襄阳",
    "株洲",
    "衡阳",
    "赣州",
    "九江",
    "包头",
    "大庆",
    "吉林",
    "鞍山",
    "秦皇岛",
    "邯郸",
    "昆山",
    "义乌",
    "三亚",
];

/// Sets for quick look-ups (the lists above are read once).
struct Sets {
    trade: std::collections::HashSet<&'static str>,
    cities: std::collections::HashSet<&'static str>,
    /// Last characters of the legal forms.
    form_ends: std::collections::HashSet<char>,
    /// First characters a region prefix can start with.
    region_starts: std::collections::HashSet<char>,
}

fn sets() -> &'static Sets {
    static SETS: std::sync::OnceLock<Sets> = std::sync::OnceLock::new();
    SETS.get_or_init(|| Sets {
        trade: TRADE_WORDS.iter().copied().collect(),
        cities: CITIES.iter().copied().collect(),
        form_ends: LEGAL_FORMS.iter().filter_map(|(f, _)| f.chars().last()).collect(),
        region_starts: super::super::region::provinces()
            .iter()
            .flat_map(|p| [p.name, p.short_name, p.abbr])
            .chain(["中", "廣", "內", "臺", "遼", "貴", "雲", "陝", "寧", "澳"])
            .filter_map(|n| n.chars().next())
            .collect(),
    })
}

/// The class of a legal form: forms in one class are interchangeable for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalClass {
    /// 有限公司 / 有限责任公司.
    Limited,
    /// 股份有限公司 / 股份公司.
    JointStock,
    /// Everything else (公司, 集团, 厂, 合伙企业 …).
    Other,
}

/// A company name taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameParts {
    /// What is left: 字号 + line of business, e.g. `某某科技`. Never empty for a non-empty name.
    pub core: String,
    /// The legal form removed, e.g. `有限责任公司`.
    pub legal_form: Option<&'static str>,
    /// The province the name names (`北京某某…`, `（北京）…`).
    pub province: Option<&'static Province>,
    /// A city the name names (`深圳市…`, `（深圳）…`), without 市.
    pub city: Option<String>,
    /// The branch, e.g. `上海分公司`, when the name is a branch's.
    pub branch: Option<String>,
    /// Everything removed, in the order found, as written (after NFKC): `北京`, `有限公司`,
    /// `(原华兴贸易)` …
    pub removed: Vec<String>,
}

impl NameParts {
    /// The class of the legal form, if there is one.
    pub fn legal_class(&self) -> Option<LegalClass> {
        let form = self.legal_form?;
        LEGAL_FORMS.iter().find(|(f, _)| *f == form).map(|(_, c)| *c)
    }

    /// The 字号 when the core ends with a line-of-business word (`华兴` for `华兴科技`).
    pub fn trade_name(&self) -> Option<&str> {
        strip_trade_word(&self.core)
    }
}

/// The blocking and equality key of a company name: its core (see [`normalize_name`]).
pub fn name_key(name: &str) -> String {
    normalize_name(name).core
}

/// Takes a company name apart. See the module documentation.
pub fn normalize_name(name: &str) -> NameParts {
    let text = unify_brackets(&clean(name).to_lowercase());
    let mut parts = NameParts::default();
    let text = take_brackets(&text, &mut parts);
    let mut text: &str = &text;
    // Suffixes are found outermost first; `removed` lists them as written.
    let mut suffixes = NameParts::default();
    text = take_branch(text, &mut suffixes);
    text = take_legal_forms(text, &mut suffixes);
    parts.branch = suffixes.branch;
    parts.legal_form = parts.legal_form.or(suffixes.legal_form);
    let mut prefixes = NameParts::default();
    text = take_region_prefix(text, &mut prefixes);
    parts.province = prefixes.province.or(parts.province);
    parts.city = prefixes.city.or(parts.city);
    let brackets = std::mem::take(&mut parts.removed);
    parts.removed = prefixes.removed;
    parts.removed.extend(brackets);
    parts.removed.extend(suffixes.removed.into_iter().rev());
    let core: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    parts.core = if core.is_empty() {
        // Nothing but a form or a region ("有限公司", "北京"): keep the whole name.
        clean(name).chars().filter(|c| c.is_alphanumeric()).collect()
    } else {
        core
    };
    parts
}

/// Every bracket style as ASCII round brackets (NFKC maps `（）` but not `【】〔〕[]`).
fn unify_brackets(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '[' | '【' | '〔' | '［' | '{' | '〖' => '(',
            ']' | '】' | '〕' | '］' | '}' | '〗' => ')',
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Removes every bracketed part, classifying it as a region, a legal form or an annotation.
fn take_brackets(text: &str, parts: &mut NameParts) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|i| open + i) else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..close];
        if !inner.is_empty() {
            if let Ok(p) = parse_province(inner) {
                parts.province.get_or_insert(p);
            } else if let Some(city) = city_name(inner) {
                parts.city.get_or_insert(city);
            } else if BRACKET_FORMS.contains(&inner) && parts.legal_form.is_none() {
                parts.legal_form = LEGAL_FORMS.iter().find(|(f, _)| *f == inner).map(|(f, _)| *f);
            }
            parts.removed.push(format!("({inner})"));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest.trim_matches(|c| c == '(' || c == ')'));
    out
}

/// `深圳` or `深圳市` (or any `XX市`) as a city name without 市.
fn city_name(text: &str) -> Option<String> {
    let bare = text.strip_suffix('市').unwrap_or(text);
    let n = bare.chars().count();
    let is_han = bare.chars().all(is_han);
    (sets().cities.contains(bare) || (text.ends_with('市') && (2..=4).contains(&n) && is_han))
        .then(|| bare.to_string())
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// `XX有限公司上海分公司` → branch `上海分公司`, text `XX有限公司`.
fn take_branch<'a>(text: &'a str, parts: &mut NameParts) -> &'a str {
    let Some(suffix) = BRANCH_SUFFIXES.iter().find(|s| text.ends_with(*s)) else {
        return text;
    };
    let head = &text[..text.len() - suffix.len()];
    // The parent ends at its last legal form (公司, 银行); what follows is the branch's place.
    let cut = ["公司", "银行", "集团"]
        .iter()
        .filter_map(|f| head.rfind(f).map(|i| i + f.len()))
        .max();
    let (parent, place) = match cut {
        Some(i) => (&head[..i], &head[i..]),
        // No legal form before the branch: its place is the region the head ends with.
        None => match trailing_region(head) {
            Some(n) => (&head[..head.len() - n], &head[head.len() - n..]),
            None => (head, ""),
        },
    };
    if parent.chars().count() < 2 {
        return text;
    }
    let branch = format!("{place}{suffix}");
    parts.removed.push(branch.clone());
    parts.branch = Some(branch);
    parent
}

/// The byte length of a province short name or known city at the end of `text`.
fn trailing_region(text: &str) -> Option<usize> {
    super::super::region::provinces()
        .iter()
        .map(|p| p.short_name)
        .chain(CITIES.iter().copied())
        .filter(|r| text.ends_with(r) && text.len() > r.len())
        .map(str::len)
        .max()
}

/// Strips legal forms from the end, repeatedly (`集团` + `有限公司`), never leaving fewer
/// than two characters.
fn take_legal_forms<'a>(mut text: &'a str, parts: &mut NameParts) -> &'a str {
    loop {
        if !text.chars().last().is_some_and(|c| sets().form_ends.contains(&c)) {
            return text;
        }
        let Some((form, _)) = LEGAL_FORMS.iter().find(|(f, _)| {
            text.strip_suffix(f)
                .is_some_and(|rest| rest.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        }) else {
            return text;
        };
        text = &text[..text.len() - form.len()];
        if parts.legal_form.is_none() {
            parts.legal_form = Some(form);
        }
        parts.removed.push((*form).to_string());
    }
}

/// Strips a leading province and then a leading city, unless what is left would be only a
/// line-of-business word or shorter than two characters.
fn take_region_prefix<'a>(text: &'a str, parts: &mut NameParts) -> &'a str {
    let keeps_a_name = |rest: &str| rest.chars().count() >= 2 && !TRADE_WORDS.contains(&rest);
    let mut text = text;
    let starts_like_a_region = text
        .chars()
        .next()
        .is_some_and(|c| sets().region_starts.contains(&c));
    let (rest, province) = if starts_like_a_region {
        strip_region_prefix(text)
    } else {
        (text, None)
    };
    if let Some(p) = province
        && keeps_a_name(rest)
    {
        parts.removed.push(text[..text.len() - rest.len()].to_string());
        parts.province.get_or_insert(p);
        text = rest;
    } else if let Some(rest) = text.strip_prefix("中国")
        && keeps_a_name(rest)
    {
        parts.removed.push("中国".into());
        text = rest;
    }
    if let Some((city, rest)) = city_prefix(text)
        && keeps_a_name(rest)
    {
        parts.removed.push(text[..text.len() - rest.len()].to_string());
        parts.city.get_or_insert(city);
        text = rest;
    }
    text
}

/// A leading `XX市` (2–4 Han characters then 市) or a known city name.
fn city_prefix(text: &str) -> Option<(String, &str)> {
    let chars: Vec<(usize, char)> = text.char_indices().take(6).collect();
    for n in 2..=4 {
        if let Some(&(i, '市')) = chars.get(n)
            && chars[..n].iter().all(|(_, c)| is_han(*c))
        {
            return Some((text[..i].to_string(), &text[i + '市'.len_utf8()..]));
        }
    }
    (2..=4).rev().find_map(|n| {
        let (i, _) = chars.get(n).copied()?;
        let head = &text[..i];
        sets()
            .cities
            .contains(head)
            .then(|| (head.to_string(), &text[i..]))
    })
}

/// The core without a trailing line-of-business word, when it has one and something is left.
pub fn strip_trade_word(core: &str) -> Option<&str> {
    let ends: Vec<usize> = core.char_indices().map(|(i, _)| i).collect();
    // The longest word first; at least two characters must be left.
    (2..=5).rev().find_map(|n| {
        let start = *ends.get(ends.len().checked_sub(n)?)?;
        (ends.len() - n >= 2 && sets().trade.contains(&core[start..])).then(|| &core[..start])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core(name: &str) -> String {
        name_key(name)
    }

    #[test]
    fn the_seed_spellings_share_one_core() {
        for name in [
            "北京某某科技有限公司",
            "某某科技有限责任公司",
            "（北京）某某科技",
            "某某科技",
            "北京市某某科技有限公司",
            "某某科技(北京)有限公司",
            "【北京】某某科技有限公司",
            "某某科技股份有限公司",
            "中国某某科技集团有限公司",
            " 某 某 科 技 有 限 公 司 ",
        ] {
            assert_eq!(core(name), "某某科技", "{name}");
        }
    }

    #[test]
    fn what_was_removed_is_remembered() {
        let p = normalize_name("北京某某科技有限公司");
        assert_eq!(p.core, "某某科技");
        assert_eq!(p.removed, vec!["北京", "有限公司"]);
        assert_eq!(p.province.map(|p| p.short_name), Some("北京"));
        assert_eq!(p.legal_form, Some("有限公司"));
        assert_eq!(p.legal_class(), Some(LegalClass::Limited));

        let p = normalize_name("（北京）某某科技");
        assert_eq!(p.removed, vec!["(北京)"]);
        assert_eq!(p.province.map(|p| p.code), Some("11"));

        let p = normalize_name("腾讯科技（深圳）有限公司");
        assert_eq!((p.core.as_str(), p.city.as_deref()), ("腾讯科技", Some("深圳")));

        let p = normalize_name("广东省深圳市华兴电子有限公司");
        assert_eq!(p.core, "华兴电子");
        assert_eq!(p.city.as_deref(), Some("深圳"));
        assert_eq!(p.removed, vec!["广东省", "深圳市", "有限公司"]);

        let p = normalize_name("华兴科技有限公司上海分公司");
        assert_eq!(
            (p.core.as_str(), p.branch.as_deref()),
            ("华兴科技", Some("上海分公司"))
        );
        let p = normalize_name("（广东）毅芳电子武汉分公司");
        assert_eq!(
            (p.core.as_str(), p.branch.as_deref()),
            ("毅芳电子", Some("武汉分公司"))
        );
    }

    use proptest::prelude::*;

    /// Names built from parts clerks mix: regions, 字号 characters, trade words, forms,
    /// brackets, spaces.
    fn clerk_name() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("北京".to_string()),
            Just("广东省".to_string()),
            Just("深圳市".to_string()),
            Just("（上海）".to_string()),
            Just("华".to_string()),
            Just("兴".to_string()),
            Just("科技".to_string()),
            Just("有限公司".to_string()),
            Just("有限责任公司".to_string()),
            Just("上海分公司".to_string()),
            Just("【注】".to_string()),
            Just(" ".to_string()),
            Just("\u{3000}".to_string()),
            any::<char>().prop_map(|c| c.to_string()),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn spaces_and_width_never_change_the_key(name in clerk_name()) {
            let spaced: String = name.chars().flat_map(|c| [c, '\u{3000}']).collect();
            prop_assert_eq!(name_key(&spaced), name_key(&name));
            let wide = name.replace('(', "（").replace(')', "）");
            prop_assert_eq!(name_key(&wide), name_key(&name));
        }

        #[test]
        fn a_core_is_empty_only_for_a_name_without_letters(name in clerk_name()) {
            let parts = normalize_name(&name);
            let has_letters = clean(&name).chars().any(char::is_alphanumeric);
            prop_assert_eq!(parts.core.is_empty(), !has_letters);
        }
    }
}
