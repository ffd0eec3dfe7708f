//! Generates realistic customer data for benchmarks and large tests.
//!
//! ```sh
//! cargo run --release --example gen -- customers 1000000 > customers.csv
//! cargo run --release --example gen -- orders 1000000 10 > orders.csv   # ~10 per customer
//! cargo run --release --example gen -- stored-customers 1000000 > stored.csv
//! cargo run --release --example gen -- tags 1000000 > tags.csv            # ~5 per customer
//! cargo run --release --example gen -- dupes 100000 --truth truth.csv > dupes.csv
//! ```
//!
//! `dupes` writes companies and the variants different people type for the same company
//! (legal form swapped, region added, dropped or bracketed, short name or 字号 only,
//! full-width, typos, no USCC, changed contacts, 王总/王经理), with codes `D0000001…`;
//! `--truth FILE` gets `code,entity,variant`: records with one entity are one company;
//! `variant` says how the record was spelled (`original`, or `<name variant>/<contact variant>`).
//!
//! `stored-customers` writes customers as kehu stores them (the `customers` columns, canonical
//! values: keys, full province names, ISO dates, fen) plus one primary contact, for loading
//! straight into the schema with the sqlite3 CLI; `tags` writes `code,dim,value,origin` rows
//! drawn from the distribution in [`TAG_DIMS`] for customers `G0000001…`.
//!
//! Output is deterministic for a given `--seed` (default 1): UTF-8 CSV with the Chinese headers
//! a clerk's spreadsheet has. Customers carry codes `G0000001…` so orders can refer to them,
//! valid and unique USCCs, and values written the many ways clerks write them.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, BufWriter, Write};

use kehu::domain::region::{Province, provinces};
use kehu::domain::uscc::uscc_check_char;

#[path = "support/dupes.rs"]
mod dupes;

/// A small, fast, deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const TRADE_NAME_CHARS: &[char] = &[
    '华', '兴', '盛', '达', '恒', '通', '泰', '瑞', '鑫', '宏', '远', '海', '天', '龙', '凯', '顺', '和',
    '信', '安', '博', '创', '新', '立', '嘉', '德', '源', '康', '益', '丰', '明', '诚', '联', '金', '银',
    '永', '昌', '汇', '佳', '宇', '航', '科', '锦', '乐', '腾', '飞', '睿', '智', '启', '辰', '星', '光',
    '中', '正', '东', '方', '美', '惠', '润', '祥', '福',
];
const TRADE_WORDS: &[(&str, &str)] = &[
    ("科技", "I65"),
    ("信息技术", "I65"),
    ("网络科技", "I64"),
    ("电子", "C39"),
    ("机械", "C34"),
    ("贸易", "F51"),
    ("商贸", "F51"),
    ("物流", "G"),
    ("建设工程", "E"),
    ("医药", "C27"),
    ("食品", "C14"),
    ("化工", "C26"),
    ("新材料", "C"),
    ("文化传媒", "R86"),
    ("咨询", "L72"),
    ("餐饮管理", "H62"),
    ("置业", "K70"),
    ("汽车零部件", "C36"),
];
const SUFFIXES: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "集团有限公司",
];
const NATURES: &[&str] = &[
    "民营企业",
    "民营企业",
    "民企",
    "国有企业",
    "外资企业",
    "合资企业",
    "上市公司",
    "",
];
const SIZES: &[&str] = &["大型", "中型", "小型", "小型", "微型", ""];
const SOURCES: &[&str] = &[
    "展会",
    "线上广告",
    "客户转介绍",
    "主动咨询",
    "电话营销",
    "官网",
    "",
];
const STAGES: &[&str] = &["潜在", "意向", "成交", "成交", "成交", "流失"];
const INTENTS: &[&str] = &["高", "中", "低", ""];
const OWNERS: &[&str] = &[
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
];
const TITLES: &[&str] = &[
    "总经理",
    "采购经理",
    "财务总监",
    "技术负责人",
    "行政主管",
    "董事长",
    "",
];
const REMARKS: &[&str] = &[
    "",
    "",
    "",
    "长期稳定合作",
    "年底有扩产计划",
    "对价格敏感，需重点跟进",
    "老客户介绍",
];
const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc(rng: &mut Rng, province_code: &str, index: u64) -> String {
    let mut first17 = format!("91{province_code}{:02}{:02}", rng.below(20) + 1, rng.below(10));
    // The organisation part carries the index so every code is unique.
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

fn date(rng: &mut Rng, from_year: i32, to_year: i32) -> (i32, u32, u32) {
    let year = from_year + rng.below((to_year - from_year + 1) as u64) as i32;
    (year, rng.below(12) as u32 + 1, rng.below(28) as u32 + 1)
}

/// A date written the way some clerk would.
fn written((y, m, d): (i32, u32, u32), rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("{y}/{m}/{d}"),
        1 => format!("{y}年{m}月{d}日"),
        2 => format!("{y}.{m:02}.{d:02}"),
        _ => format!("{y}-{m:02}-{d:02}"),
    }
}

/// A company: its province, 字号, industry word and code, and full registered name.
struct Company {
    p: &'static Province,
    trade: String,
    word: &'static str,
    industry: &'static str,
    name: String,
}

/// The provinces companies are generated in (mainland only).
fn mainland_provinces() -> Vec<&'static Province> {
    provinces()
        .iter()
        .filter(|p| p.code.as_bytes()[0] < b'7')
        .collect()
}

fn company(rng: &mut Rng, provinces: &[&'static Province]) -> Company {
    let p = *rng.pick(provinces);
    let trade: String = (0..2).map(|_| *rng.pick(TRADE_NAME_CHARS)).collect();
    let (word, industry) = *rng.pick(TRADE_WORDS);
    let name = format!("{}{trade}{word}{}", p.short_name, rng.pick(SUFFIXES));
    Company {
        p,
        trade,
        word,
        industry,
        name,
    }
}

fn customers(n: u64, seed: u64, out: impl Write) -> io::Result<()> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, out));
    out.write_record([
        "客户编号",
        "客户名称",
        "简称",
        "统一社会信用代码",
        "所属行业",
        "省份",
        "城市",
        "企业性质",
        "企业规模",
        "来源渠道",
        "合作阶段",
        "意向度",
        "负责人",
        "首次合作日期",
        "最近合作日期",
        "累计合作金额(万元)",
        "满意度",
        "近12个月转介绍数",
        "近12个月投诉数",
        "预算增长(%)",
        "联系人",
        "职务",
        "手机",
        "邮箱",
        "备注",
    ])?;
    let provinces = mainland_provinces();
    for i in 1..=n {
        let Company {
            p,
            trade,
            word,
            industry,
            name,
        } = company(&mut rng, &provinces);
        let stage = *rng.pick(STAGES);
        let dealt = stage == "成交" || stage == "流失";
        let first = date(&mut rng, 2015, 2023);
        let last = (
            first.0 + rng.below((2024 - first.0 + 1) as u64) as i32,
            first.1,
            first.2,
        );
        let contact = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
        let mobile = format!("1{}{:09}", rng.pick(&[3, 5, 7, 8, 9]), rng.below(1_000_000_000));
        let mobile = match rng.below(3) {
            0 => format!("{}-{}-{}", &mobile[..3], &mobile[3..7], &mobile[7..]),
            1 => format!("+86 {mobile}"),
            _ => mobile,
        };
        let amount = if dealt {
            format!("{}.{}", rng.below(500), rng.below(100))
        } else {
            String::new()
        };
        let row = [
            format!("G{i:07}"),
            name,
            format!("{trade}{word}"),
            uscc(&mut rng, p.code, i),
            industry.to_string(),
            if rng.chance(50) {
                p.name.to_string()
            } else {
                p.short_name.to_string()
            },
            String::new(),
            rng.pick(NATURES).to_string(),
            rng.pick(SIZES).to_string(),
            rng.pick(SOURCES).to_string(),
            stage.to_string(),
            rng.pick(INTENTS).to_string(),
            rng.pick(OWNERS).to_string(),
            if dealt {
                written(first, &mut rng)
            } else {
                String::new()
            },
            if dealt {
                written(last, &mut rng)
            } else {
                String::new()
            },
            amount,
            if dealt {
                format!("{}", rng.below(5) + 6)
            } else {
                String::new()
            },
            if dealt {
                rng.below(4).to_string()
            } else {
                String::new()
            },
            if dealt {
                rng.below(3).to_string()
            } else {
                String::new()
            },
            if rng.chance(60) {
                format!("{}", rng.below(40) as i64 - 10)
            } else {
                String::new()
            },
            contact.clone(),
            rng.pick(TITLES).to_string(),
            mobile,
            if rng.chance(40) {
                format!("{}@qq.com", 10_000 + rng.below(2_000_000_000))
            } else {
                String::new()
            },
            rng.pick(REMARKS).to_string(),
        ];
        out.write_record(&row)?;
    }
    out.flush()
}

/// The same customers as a workbook, with a title row above the header as clerks make them.
fn customers_xlsx(n: u64, seed: u64, path: &str) -> io::Result<()> {
    let mut buffer = Vec::new();
    customers(n, seed, &mut buffer)?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "客户信息汇总表")
        .map_err(io::Error::other)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(buffer.as_slice());
    for (i, record) in reader.records().enumerate() {
        for (j, cell) in record?.iter().enumerate() {
            sheet
                .write_string(i as u32 + 2, j as u16, cell)
                .map_err(io::Error::other)?;
        }
    }
    book.save(path).map_err(io::Error::other)
}

fn orders(n_customers: u64, per: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, io::stdout().lock()));
    out.write_record(["客户编号", "合同编号", "签约日期", "合同金额(元)"])?;
    let mut contract = 0u64;
    for i in 1..=n_customers {
        let count = rng.below(per * 2 + 1);
        for _ in 0..count {
            contract += 1;
            let (y, m, d) = date(&mut rng, 2020, 2024);
            let amount = 1_000 + rng.below(300_000);
            out.write_record([
                format!("G{i:07}"),
                format!("HT{contract:09}"),
                format!("{y}-{m:02}-{d:02}"),
                format!("{amount}.{:02}", rng.below(100)),
            ])?;
        }
    }
    out.flush()
}

fn labelled_dupes(n: u64, seed: u64, truth: Option<&str>) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, io::stdout().lock()));
    out.write_record(dupes::HEADER)?;
    let mut truth = match truth {
        Some(path) => {
            let mut w = csv::Writer::from_path(path)?;
            w.write_record(["code", "entity", "variant"])?;
            Some(w)
        }
        None => None,
    };
    let mut result: csv::Result<()> = Ok(());
    dupes::generate(n, seed, |r| {
        if result.is_ok() {
            result = out.write_record(r.row()).and_then(|()| match &mut truth {
                Some(t) => t.write_record([r.code.clone(), r.entity.to_string(), r.variant.clone()]),
                None => Ok(()),
            });
        }
    });
    result?;
    if let Some(t) = &mut truth {
        t.flush()?;
    }
    out.flush()
}

/// A tag dimension for `tags`: name, origin, single-valued, and (value, percent of customers).
type TagDim = (&'static str, &'static str, bool, &'static [(&'static str, u64)]);

/// The dimensions `tags` draws from. A single-valued dimension gives at most one value; a
/// multi-valued one draws each value on its own. About 5.0 tags per customer.
const TAG_DIMS: &[TagDim] = &[
    ("价值", "model", true, &[("高", 15), ("中", 35), ("低", 50)]),
    ("潜力", "model", true, &[("A类", 10), ("B类", 30), ("C类", 60)]),
    ("意向", "manual", true, &[("高", 20), ("中", 25), ("低", 15)]),
    (
        "活跃度",
        "manual",
        true,
        &[("高频", 10), ("中频", 30), ("低频", 30)],
    ),
    (
        "紧急度",
        "manual",
        true,
        &[("紧急", 5), ("一般", 20), ("长期", 20)],
    ),
    (
        "需求",
        "manual",
        false,
        &[
            ("采购设备", 25),
            ("咨询服务", 20),
            ("技术支持", 15),
            ("售后支持", 10),
        ],
    ),
    (
        "",
        "manual",
        false,
        &[
            ("长期稳定合作", 20),
            ("新拓展客户", 15),
            ("重点跟进", 8),
            ("付款周期长", 5),
            ("需季度返点", 3),
            ("VIP", 3),
        ],
    ),
];

fn tags(n: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed.wrapping_mul(0x94D0_49BB_1331_11EB) | 1);
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, io::stdout().lock()));
    out.write_record(["code", "dim", "value", "origin"])?;
    for i in 1..=n {
        let code = format!("G{i:07}");
        for (dim, origin, single, values) in TAG_DIMS {
            if *single {
                let mut roll = rng.below(100);
                for (value, percent) in *values {
                    if roll < *percent {
                        out.write_record([code.as_str(), dim, value, origin])?;
                        break;
                    }
                    roll -= percent;
                }
            } else {
                for (value, percent) in *values {
                    if rng.chance(*percent) {
                        out.write_record([code.as_str(), dim, value, origin])?;
                    }
                }
            }
        }
    }
    out.flush()
}

const STORED_NATURES: &[&str] = &[
    "private",
    "private",
    "state",
    "foreign",
    "joint_venture",
    "listed",
    "",
];
const STORED_SIZES: &[&str] = &["large", "medium", "small", "small", "micro", ""];
const STORED_SOURCES: &[&str] = &[
    "exhibition",
    "online_ad",
    "referral",
    "inbound",
    "telemarketing",
    "website",
    "",
];
const STORED_STAGES: &[&str] = &[
    "prospect", "intent", "customer", "customer", "customer", "churned",
];
const STORED_INTENTS: &[&str] = &["high", "medium", "low", ""];

fn stored_customers(n: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, io::stdout().lock()));
    out.write_record([
        "code",
        "name",
        "short_name",
        "uscc",
        "industry",
        "industry_section",
        "province",
        "region",
        "nature",
        "size",
        "source",
        "stage",
        "intent",
        "owner",
        "first_coop_date",
        "last_coop_date",
        "total_amount_fen",
        "remarks",
        "created_at",
        "updated_at",
        "contact_name",
        "contact_title",
        "mobile",
    ])?;
    let provinces = mainland_provinces();
    for i in 1..=n {
        let Company {
            p,
            trade,
            word,
            industry,
            name,
        } = company(&mut rng, &provinces);
        let stage = *rng.pick(STORED_STAGES);
        let dealt = stage == "customer" || stage == "churned";
        let (fy, fm, fd) = date(&mut rng, 2015, 2023);
        let ly = fy + rng.below((2024 - fy + 1) as u64) as i32;
        let iso = |y: i32, m: u32, d: u32| format!("{y}-{m:02}-{d:02}");
        let (cy, cm, cd) = date(&mut rng, 2023, 2024);
        let created = format!("{}T09:00:00Z", iso(cy, cm, cd));
        let updated = if rng.chance(50) {
            let (uy, um, ud) = date(&mut rng, cy, 2024);
            let u = iso(uy, um, ud);
            if u > iso(cy, cm, cd) {
                format!("{u}T10:00:00Z")
            } else {
                created.clone()
            }
        } else {
            created.clone()
        };
        let row = [
            format!("G{i:07}"),
            name,
            format!("{trade}{word}"),
            uscc(&mut rng, p.code, i),
            industry.to_string(),
            industry[..1].to_string(),
            p.name.to_string(),
            p.region.en().to_string(),
            rng.pick(STORED_NATURES).to_string(),
            rng.pick(STORED_SIZES).to_string(),
            rng.pick(STORED_SOURCES).to_string(),
            stage.to_string(),
            rng.pick(STORED_INTENTS).to_string(),
            rng.pick(OWNERS).to_string(),
            if dealt { iso(fy, fm, fd) } else { String::new() },
            if dealt { iso(ly, fm, fd) } else { String::new() },
            if dealt {
                (rng.below(5_000_000) * 100).to_string()
            } else {
                String::new()
            },
            rng.pick(REMARKS).to_string(),
            created,
            updated,
            format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            rng.pick(TITLES).to_string(),
            format!("1{}{:09}", rng.pick(&[3, 5, 7, 8, 9]), rng.below(1_000_000_000)),
        ];
        out.write_record(&row)?;
    }
    out.flush()
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let num = |i: usize, default: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let result = match args.first().map(String::as_str) {
        Some("customers") => customers(num(1, 1000), seed, io::stdout().lock()),
        Some("xlsx") => match args.get(2) {
            Some(path) => customers_xlsx(num(1, 1000), seed, path),
            None => Err(io::Error::other("usage: gen xlsx N FILE")),
        },
        Some("stored-customers") => stored_customers(num(1, 1000), seed),
        Some("tags") => tags(num(1, 1000), seed),
        Some("orders") => orders(num(1, 1000), num(2, 10), seed),
        Some("dupes") => {
            let truth = args
                .iter()
                .position(|a| a == "--truth")
                .and_then(|i| args.get(i + 1));
            labelled_dupes(num(1, 1000), seed, truth.map(String::as_str))
        }
        _ => {
            let mut err = io::stderr().lock();
            writeln!(
                err,
                "usage: gen customers N [--seed S] | gen orders N_CUSTOMERS PER_CUSTOMER [--seed S] | gen dupes N [--truth FILE] [--seed S]"
            )?;
            std::process::exit(2);
        }
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
