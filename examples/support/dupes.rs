//! Labelled duplicate data: realistic companies, the variants different people type for the
//! same company, and the truth of which records are one company — plus the pairwise
//! precision and recall of a grouping against that truth.
//!
//! Shared by `examples/gen.rs` (`gen dupes N --truth FILE`), `examples/dedupe_eval.rs` and
//! the tests, so all three score the same data the same way.
#![allow(dead_code)]

use std::collections::HashMap;

use kehu::domain::contact::{Contact, ContactField};
use kehu::domain::dedupe::Candidate;
use kehu::domain::money::unit_from_header;
use kehu::domain::region::{Province, provinces};
use kehu::domain::uscc::uscc_check_char;
use kehu::domain::{Customer, Field};

/// A small, fast, deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Characters of 字号 (trade names).
const NAME_CHARS: &str = "华兴盛达恒通泰瑞鑫宏远海天龙凯顺和信安博创新立嘉德源康益丰明诚联金银永昌汇佳宇航锦乐腾飞睿智启辰星光正美惠润祥福\
    宝晟弘毅卓越东方南北江河山川云峰林森青蓝红绿紫白金玉晶辉耀阳春秋冬夏雅静思远志成荣振国家民\
    利宁平吉祺禧嘉豪杰英俊伟士贤良骏驰骐麟凤鹏鸿雁燕鹤桐楠松柏竹梅兰菊莲荷芳菲茂盈满万千百亿";

/// Line of business, with an industry code.
const TRADES: &[(&str, &str)] = &[
    ("科技", "I65"),
    ("信息技术", "I65"),
    ("网络科技", "I64"),
    ("软件", "I65"),
    ("电子", "C39"),
    ("机械", "C34"),
    ("设备", "C35"),
    ("贸易", "F51"),
    ("商贸", "F51"),
    ("物流", "G"),
    ("供应链", "G"),
    ("建设工程", "E"),
    ("医药", "C27"),
    ("生物科技", "M73"),
    ("食品", "C14"),
    ("化工", "C26"),
    ("新材料", "C"),
    ("新能源", "D"),
    ("文化传媒", "R86"),
    ("广告", "L72"),
    ("咨询", "L72"),
    ("餐饮管理", "H62"),
    ("置业", "K70"),
    ("物业管理", "K70"),
    ("汽车零部件", "C36"),
    ("实业", "F"),
    ("投资", "J"),
    ("人力资源", "L72"),
    ("环保科技", "N77"),
    ("教育科技", "P83"),
];

/// Legal forms, weighted by repetition.
const FORMS: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "有限公司",
    "有限公司",
    "有限责任公司",
    "有限责任公司",
    "股份有限公司",
    "集团有限公司",
    "厂",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
    "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华",
    "志强", "海燕", "晓东", "丽", "婷", "鹏", "飞", "斌", "波", "宁", "凯", "慧", "颖",
];
const TITLES: &[&str] = &["总", "经理", "总经理", "工", "主任", "先生", "女士"];

/// A few cities per province (code), for the city field and `XX市` prefixes.
const CITIES: &[(&str, &[&str])] = &[
    ("13", &["石家庄", "唐山", "保定", "廊坊"]),
    ("14", &["太原", "大同"]),
    ("15", &["呼和浩特", "包头"]),
    ("21", &["沈阳", "大连", "鞍山"]),
    ("22", &["长春", "吉林"]),
    ("23", &["哈尔滨", "大庆"]),
    ("32", &["南京", "苏州", "无锡", "常州", "南通"]),
    ("33", &["杭州", "宁波", "温州", "嘉兴", "绍兴"]),
    ("34", &["合肥", "芜湖"]),
    ("35", &["福州", "厦门", "泉州"]),
    ("36", &["南昌", "赣州", "九江"]),
    ("37", &["济南", "青岛", "烟台", "潍坊"]),
    ("41", &["郑州", "洛阳"]),
    ("42", &["武汉", "宜昌", "襄阳"]),
    ("43", &["长沙", "株洲", "衡阳"]),
    ("44", &["广州", "深圳", "佛山", "东莞", "珠海", "惠州"]),
    ("45", &["南宁", "桂林", "柳州"]),
    ("46", &["海口", "三亚"]),
    ("51", &["成都", "绵阳"]),
    ("52", &["贵阳", "遵义"]),
    ("53", &["昆明", "大理"]),
    ("54", &["拉萨"]),
    ("61", &["西安", "宝鸡"]),
    ("62", &["兰州"]),
    ("63", &["西宁"]),
    ("64", &["银川"]),
    ("65", &["乌鲁木齐"]),
];

/// The CSV header `gen dupes` writes.
pub const HEADER: [&str; 11] = [
    "客户编号",
    "客户名称",
    "简称",
    "统一社会信用代码",
    "所属行业",
    "省份",
    "城市",
    "联系人",
    "手机",
    "座机",
    "邮箱",
];

/// One generated record; `entity` is the truth (records of one entity are one company).
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub uscc: String,
    pub industry: String,
    pub province: String,
    pub city: String,
    pub contact: String,
    pub mobile: String,
    pub landline: String,
    pub email: String,
    pub entity: u64,
    /// How this record was spelled from its company (`original`, or the name and contact
    /// variants, e.g. `typo+region_dropped/titled`): for reading what the matcher misses.
    pub variant: String,
}

impl Record {
    pub fn row(&self) -> [String; 11] {
        [
            self.code.clone(),
            self.name.clone(),
            self.short_name.clone(),
            self.uscc.clone(),
            self.industry.clone(),
            self.province.clone(),
            self.city.clone(),
            self.contact.clone(),
            self.mobile.clone(),
            self.landline.clone(),
            self.email.clone(),
        ]
    }
}

/// One real company: what all its records are spelled from.
#[derive(Debug, Clone)]
struct Company {
    province: &'static Province,
    city: Option<&'static str>,
    /// 字号 and line of business.
    trade_name: String,
    trade: &'static str,
    industry: &'static str,
    form: &'static str,
    /// How the name's region is written on the registered name: 0 none, 1 province short,
    /// 2 province full, 3 city + 市.
    region_style: u8,
    branch: Option<String>,
    uscc: String,
    person: (String, String),
    mobile: String,
    landline: Option<String>,
    email: Option<String>,
}

const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc(rng: &mut Rng, province_code: &str, index: u64) -> String {
    let mut first17 = format!("91{province_code}{:02}{:02}", rng.below(20) + 1, rng.below(10));
    let mut org = index;
    let mut body = Vec::new();
    for _ in 0..9 {
        body.push(CHARSET[(org % 31) as usize] as char);
        org /= 31;
    }
    first17.extend(body.iter().rev());
    let check = uscc_check_char(&first17).expect("generated from the charset");
    format!("{first17}{check}")
}

fn mobile(rng: &mut Rng) -> String {
    let second = *rng.pick(&[3u64, 5, 7, 8, 9]);
    format!("1{second}{:09}", rng.below(1_000_000_000))
}

impl Company {
    fn new(rng: &mut Rng, index: u64, chars: &[char], mainland: &[&'static Province]) -> Company {
        let province = *rng.pick(mainland);
        let cities = CITIES
            .iter()
            .find(|(code, _)| *code == province.code)
            .map(|(_, c)| *c);
        let city = match cities {
            Some(list) => Some(*rng.pick(list)),
            None => Some(province.short_name),
        };
        let len = if rng.chance(85) { 2 } else { 3 };
        let trade_name: String = (0..len).map(|_| *rng.pick(chars)).collect();
        let (trade, industry) = *rng.pick(TRADES);
        let region_style = match rng.below(10) {
            0..=4 => 1,
            5 => 2,
            6 | 7 if cities.is_some() => 3,
            _ => 0,
        };
        Company {
            province,
            city,
            trade_name,
            trade,
            industry,
            form: FORMS[rng.below(FORMS.len() as u64) as usize],
            region_style,
            branch: None,
            uscc: uscc(rng, province.code, index),
            person: (rng.pick(SURNAMES).to_string(), rng.pick(GIVEN).to_string()),
            mobile: mobile(rng),
            landline: rng
                .chance(30)
                .then(|| format!("0{}{}", 10 + rng.below(80), 20_000_000 + rng.below(70_000_000))),
            email: rng
                .chance(35)
                .then(|| format!("{}@qq.com", 10_000 + rng.below(2_000_000_000))),
        }
    }

    fn region(&self, style: u8) -> String {
        match style {
            1 => self.province.short_name.to_string(),
            2 => self.province.name.to_string(),
            3 => format!("{}市", self.city.unwrap_or(self.province.short_name)),
            _ => String::new(),
        }
    }

    /// The registered name.
    fn name(&self) -> String {
        let mut name = format!(
            "{}{}{}{}",
            self.region(self.region_style),
            self.trade_name,
            self.trade,
            self.form
        );
        if let Some(b) = &self.branch {
            name.push_str(b);
        }
        name
    }
}

/// Swaps a legal form for an equivalent one, as different clerks write it.
fn swap_form(form: &str) -> &'static str {
    match form {
        "有限公司" => "有限责任公司",
        "有限责任公司" => "有限公司",
        "股份有限公司" => "股份公司",
        "集团有限公司" => "集团公司",
        _ => "有限公司",
    }
}

/// A character that looks or sounds like `c`, for typos.
fn typo(rng: &mut Rng, c: char, chars: &[char]) -> char {
    let similar: &[(char, char)] = &[
        ('兴', '星'),
        ('达', '大'),
        ('泰', '太'),
        ('瑞', '睿'),
        ('鑫', '新'),
        ('宏', '弘'),
        ('龙', '隆'),
        ('凯', '恺'),
        ('和', '合'),
        ('博', '搏'),
        ('源', '原'),
        ('丰', '峰'),
        ('明', '铭'),
        ('汇', '慧'),
        ('佳', '嘉'),
        ('宇', '羽'),
        ('锦', '金'),
        ('腾', '藤'),
        ('辉', '晖'),
        ('晟', '盛'),
    ];
    similar
        .iter()
        .find_map(|&(a, b)| {
            if a == c {
                Some(b)
            } else if b == c {
                Some(a)
            } else {
                None
            }
        })
        .unwrap_or_else(|| {
            let mut other = *rng.pick(chars);
            while other == c {
                other = *rng.pick(chars);
            }
            other
        })
}

/// How a variant spells the company's name.
fn variant_name(rng: &mut Rng, co: &Company, chars: &[char]) -> (String, Option<String>, String) {
    let mut trade_name = co.trade_name.clone();
    let typoed = rng.chance(7);
    if typoed {
        let mut cs: Vec<char> = trade_name.chars().collect();
        let i = rng.below(cs.len() as u64) as usize;
        cs[i] = typo(rng, cs[i], chars);
        trade_name = cs.into_iter().collect();
    }
    let branch = co.branch.clone().unwrap_or_default();
    let core = format!("{trade_name}{}", co.trade);
    let (name, kind) = match rng.below(20) {
        // Suffix swap.
        0..=3 => (
            format!(
                "{}{core}{}{branch}",
                co.region(co.region_style),
                swap_form(co.form)
            ),
            "form_swapped",
        ),
        // Region dropped.
        4..=6 => (format!("{core}{}{branch}", co.form), "region_dropped"),
        // Region added or written another way.
        7 | 8 => {
            let style = if co.region_style == 1 { 2 } else { 1 };
            (
                format!("{}{core}{}{branch}", co.region(style), co.form),
                "region_rewritten",
            )
        }
        // Region in brackets before the name, no legal form.
        9 => (
            format!("（{}）{core}{branch}", co.province.short_name),
            "region_bracketed_no_form",
        ),
        // Region in brackets after the 字号.
        10 => (
            format!("{core}（{}）{}{branch}", co.province.short_name, co.form),
            "region_bracketed_inside",
        ),
        // The short name only.
        11 | 12 if co.branch.is_none() => (core.clone(), "short_only"),
        // The 字号 only.
        13 if co.branch.is_none() => (trade_name.clone(), "trade_name_only"),
        // Full-width and stray spaces.
        14 => (
            format!("{} {core} {}{branch}", co.region(co.region_style), co.form).replace(' ', "　"),
            "full_width_spaces",
        ),
        // Brackets around the region.
        15 => (
            format!("【{}】{core}{}{branch}", co.province.short_name, co.form),
            "region_in_square_brackets",
        ),
        _ => (co.name().replace(&co.trade_name, &trade_name), "as_registered"),
    };
    let short = rng.chance(25).then(|| core.clone());
    let kind = if typoed {
        format!("typo+{kind}")
    } else {
        kind.to_string()
    };
    (name, short, kind)
}

/// How a variant writes the contact: `(name, mobile, landline, email)`.
fn variant_contact(rng: &mut Rng, co: &Company) -> (String, String, String, String) {
    let full = format!("{}{}", co.person.0, co.person.1);
    let titled = format!("{}{}", co.person.0, rng.pick(TITLES));
    let landline = co.landline.clone().filter(|_| rng.chance(60)).unwrap_or_default();
    let email = co.email.clone().filter(|_| rng.chance(50)).unwrap_or_default();
    match rng.below(20) {
        // The same person and mobile, full name or surname + title.
        0..=7 => (full, co.mobile.clone(), landline, email),
        8..=12 => (titled, co.mobile.clone(), landline, email),
        // The mobile written another way.
        13 => (
            full,
            format!("+86 {}-{}-{}", &co.mobile[..3], &co.mobile[3..7], &co.mobile[7..]),
            landline,
            email,
        ),
        // Another person at the company.
        14..=16 => (
            format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            mobile(rng),
            String::new(),
            String::new(),
        ),
        // No contact.
        _ => (String::new(), String::new(), landline, String::new()),
    }
}

/// Generates `n` records: companies and, for about a third of them, one to three variants.
/// Calls `emit` for each record in order; codes are `D0000001…`.
pub fn generate(n: u64, seed: u64, mut emit: impl FnMut(&Record)) {
    let mut rng = Rng::new(seed);
    let chars: Vec<char> = NAME_CHARS.chars().filter(|c| !c.is_whitespace()).collect();
    let mainland: Vec<&'static Province> = provinces()
        .iter()
        .filter(|p| p.code.as_bytes()[0] < b'7')
        .collect();
    let mut written = 0u64;
    let mut entity = 0u64;
    let mut last: Option<Company> = None;
    // A registered name is unique within a province (企业名称登记管理规定).
    let mut taken: std::collections::HashSet<(&'static str, String)> = std::collections::HashSet::new();
    while written < n {
        entity += 1;
        let mut co = Company::new(&mut rng, entity, &chars, &mainland);
        while !taken.insert((co.province.code, format!("{}{}", co.trade_name, co.trade))) {
            co = Company::new(&mut rng, entity, &chars, &mainland);
        }
        // Related but different companies: a sibling with the same 字号, or a branch.
        if let Some(prev) = &last {
            if rng.chance(3) && taken.insert((prev.province.code, format!("{}{}", prev.trade_name, co.trade)))
            {
                co.trade_name = prev.trade_name.clone();
                co.province = prev.province;
                co.city = prev.city;
                co.uscc = uscc(&mut rng, co.province.code, entity);
            } else if rng.chance(2) && prev.branch.is_none() {
                co = Company {
                    branch: Some(format!(
                        "{}分公司",
                        rng.pick(&["上海", "北京", "广州", "成都", "武汉"])
                    )),
                    uscc: uscc(&mut rng, prev.province.code, entity),
                    person: co.person,
                    mobile: co.mobile,
                    landline: None,
                    email: None,
                    ..prev.clone()
                };
            }
        }
        let copies = match rng.below(100) {
            0..=64 => 1,
            65..=86 => 2,
            87..=95 => 3,
            _ => 4,
        }
        .min(n - written);
        // At most one record holds the USCC (a database keeps it unique); sometimes none.
        let uscc_holder = if rng.chance(80) {
            rng.below(copies)
        } else {
            u64::MAX
        };
        for copy in 0..copies {
            written += 1;
            let (name, short, name_kind) = if copy == 0 {
                (
                    co.name(),
                    rng.chance(30).then(|| format!("{}{}", co.trade_name, co.trade)),
                    "original".to_string(),
                )
            } else {
                variant_name(&mut rng, &co, &chars)
            };
            let (contact, mobile_no, landline, email) = if copy == 0 {
                (
                    format!("{}{}", co.person.0, co.person.1),
                    co.mobile.clone(),
                    co.landline.clone().unwrap_or_default(),
                    co.email.clone().unwrap_or_default(),
                )
            } else {
                variant_contact(&mut rng, &co)
            };
            let contact_kind = if copy == 0 {
                "original"
            } else if contact.is_empty() {
                "no_contact"
            } else if mobile_no == co.mobile {
                "same_mobile"
            } else if mobile_no.starts_with("+86") {
                "mobile_reformatted"
            } else {
                "other_person"
            };
            let variant = format!("{name_kind}/{contact_kind}");
            let keep = |rng: &mut Rng, percent| copy == 0 || rng.chance(percent);
            let record = Record {
                code: format!("D{written:07}"),
                name,
                short_name: short.unwrap_or_default(),
                uscc: if copy == uscc_holder {
                    co.uscc.clone()
                } else {
                    String::new()
                },
                industry: if keep(&mut rng, 60) {
                    co.industry.to_string()
                } else {
                    String::new()
                },
                province: if keep(&mut rng, 70) {
                    if rng.chance(50) {
                        co.province.name
                    } else {
                        co.province.short_name
                    }
                    .to_string()
                } else {
                    String::new()
                },
                city: if co.city.is_some() && keep(&mut rng, 50) && rng.chance(70) {
                    co.city.unwrap_or_default().to_string()
                } else {
                    String::new()
                },
                contact,
                mobile: mobile_no,
                landline,
                email,
                entity,
                variant,
            };
            emit(&record);
        }
        last = Some(co);
    }
}

/// Where each column of a file goes.
#[derive(Debug, Clone)]
pub enum Column {
    Customer(Field, kehu::domain::money::Unit),
    Contact(ContactField),
    Ignored,
}

/// Maps headers (Chinese or English, as `import` does) to fields.
pub fn columns(headers: &[String]) -> Vec<Column> {
    headers
        .iter()
        .map(|h| {
            if let Some(f) = ContactField::from_name(h) {
                return Column::Contact(f);
            }
            let (base, unit) = unit_from_header(h);
            match Field::from_name(&base).filter(|f| f.settable()) {
                Some(f) => Column::Customer(f, unit),
                None => Column::Ignored,
            }
        })
        .collect()
}

/// A CSV row as kehu would store it: the customer and its contact. Cells kehu would
/// refuse are left out.
pub fn parse_row(columns: &[Column], row: &csv::StringRecord) -> (Customer, Option<Contact>) {
    let name = columns
        .iter()
        .zip(row.iter())
        .find(|(c, _)| matches!(c, Column::Customer(Field::Name, _)))
        .map_or("?", |(_, v)| v);
    let mut customer = Customer::new(name).unwrap_or_else(|_| Customer::new("?").expect("a name"));
    let mut contact = Contact {
        active: true,
        is_primary: true,
        ..Contact::default()
    };
    for (column, cell) in columns.iter().zip(row.iter()) {
        if cell.is_empty() {
            continue;
        }
        match column {
            Column::Customer(Field::Name, _) | Column::Ignored => {}
            Column::Customer(f, unit) => {
                let _ = customer.set(*f, cell, *unit);
            }
            Column::Contact(f) => {
                let _ = contact.set(*f, cell);
            }
        }
    }
    customer.complete();
    let contact = (!contact.name.is_empty()).then_some(contact);
    (customer, contact)
}

/// A generated record as kehu would store it.
pub fn parse_record(record: &Record) -> (Customer, Option<Contact>) {
    let headers: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    parse_row(
        &columns(&headers),
        &csv::StringRecord::from(record.row().to_vec()),
    )
}

/// A candidate from a parsed row.
pub fn candidate(id: i64, customer: &Customer, contact: Option<&Contact>) -> Candidate {
    Candidate::from_customer(
        id,
        customer,
        contact.map(std::slice::from_ref).unwrap_or_default(),
    )
}

/// Pairwise quality of a grouping against the truth.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Quality {
    pub true_pairs: u64,
    pub found_pairs: u64,
    pub correct_pairs: u64,
}

impl Quality {
    pub fn precision(&self) -> f64 {
        if self.found_pairs == 0 {
            1.0
        } else {
            self.correct_pairs as f64 / self.found_pairs as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.true_pairs == 0 {
            1.0
        } else {
            self.correct_pairs as f64 / self.true_pairs as f64
        }
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores `groups` (each a list of record keys) against `truth` (record key → entity).
pub fn quality<K: std::hash::Hash + Eq>(truth: &HashMap<K, u64>, groups: &[Vec<K>]) -> Quality {
    let mut sizes: HashMap<u64, u64> = HashMap::new();
    for e in truth.values() {
        *sizes.entry(*e).or_default() += 1;
    }
    let mut q = Quality {
        true_pairs: sizes.values().map(|&n| pairs(n)).sum(),
        ..Quality::default()
    };
    for group in groups {
        q.found_pairs += pairs(group.len() as u64);
        let mut by_entity: HashMap<u64, u64> = HashMap::new();
        for k in group {
            if let Some(e) = truth.get(k) {
                *by_entity.entry(*e).or_default() += 1;
            }
        }
        q.correct_pairs += by_entity.values().map(|&n| pairs(n)).sum::<u64>();
    }
    q
}
