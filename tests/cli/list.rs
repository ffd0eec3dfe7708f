use crate::common::Kehu;

fn sample(k: &Kehu) {
    k.add(&[
        "--name",
        "北京某某科技有限公司",
        "--province",
        "北京",
        "--industry",
        "I65",
        "--owner",
        "张三",
        "--total-amount",
        "50万",
    ]);
    k.add(&[
        "--name",
        "广州某某贸易有限公司",
        "--province",
        "广东",
        "--industry",
        "F51",
        "--owner",
        "李四",
        "--total-amount",
        "8万",
    ]);
    k.add(&[
        "--name",
        "杭州某某机械有限公司",
        "--province",
        "浙江",
        "--industry",
        "C34",
        "--owner",
        "张三",
        "--stage",
        "意向",
    ]);
    k.add(&[
        "--name",
        "苏州某某电子有限公司",
        "--province",
        "江苏",
        "--industry",
        "C39",
        "--owner",
        "李四",
        "--total-amount",
        "120万",
    ]);
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_filters_combine() {
    let k = Kehu::new();
    sample(&k);
    assert_eq!(
        codes(&k.json(&["list", "--region", "华东"])),
        ["CST20240003", "CST20240004"]
    );
    assert_eq!(
        codes(&k.json(&["list", "--region", "east", "--owner", "李四"])),
        ["CST20240004"]
    );
    assert_eq!(
        codes(&k.json(&["list", "--industry", "制造业"])),
        ["CST20240003", "CST20240004"]
    );
    assert_eq!(codes(&k.json(&["list", "--industry", "C39"])), ["CST20240004"]);
    assert_eq!(codes(&k.json(&["list", "--stage", "意向"])), ["CST20240003"]);
    assert_eq!(codes(&k.json(&["list", "--province", "粤"])), ["CST20240002"]);
}

#[test]
fn list_sorts_limits_and_picks_columns() {
    let k = Kehu::new();
    sample(&k);
    let rows = k.json(&[
        "list",
        "--sort",
        "amount",
        "--desc",
        "--limit",
        "2",
        "--columns",
        "code,客户全称,total_amount",
    ]);
    let summary: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {}", r["code"], r["name"], r["total_amount"]))
        .collect();
    assert_eq!(
        summary,
        [
            r#""CST20240004" "苏州某某电子有限公司" 1200000.00"#,
            r#""CST20240001" "北京某某科技有限公司" 500000.00"#
        ]
    );
    assert_eq!(rows[0].as_object().unwrap().len(), 3, "only the chosen columns");
}

#[test]
fn list_prints_csv_with_chinese_headers_and_jsonl() {
    let k = Kehu::new();
    sample(&k);
    let csv = k.ok(&[
        "list",
        "--format",
        "csv",
        "--lang",
        "zh",
        "--columns",
        "code,region,stage",
        "--limit",
        "1",
    ]);
    assert_eq!(csv, "客户编号,区域,合作阶段\nCST20240001,华北,潜在\n");
    let jsonl = k.ok(&["list", "--format", "jsonl", "--columns", "code,stage"]);
    assert_eq!(jsonl.lines().count(), 4);
    assert_eq!(
        jsonl.lines().next().unwrap(),
        r#"{"code":"CST20240001","stage":"prospect"}"#
    );
}

#[test]
fn list_table_is_readable() {
    let k = Kehu::new();
    sample(&k);
    let table = k.ok(&[
        "list",
        "--lang",
        "zh",
        "--columns",
        "code,name,region",
        "--limit",
        "1",
    ]);
    assert!(table.contains("客户编号"), "{table}");
    assert!(table.contains("北京某某科技有限公司"), "{table}");
    assert!(table.contains("华北"), "{table}");
}

#[test]
fn bad_filter_values_are_refused() {
    let k = Kehu::new();
    sample(&k);
    let err = k.fails(&["list", "--region", "火星"], 1);
    assert!(err.contains("region 火星"), "{err}");
    let err = k.fails(&["list", "--columns", "code,colour"], 2);
    assert!(err.contains("unknown column colour"), "{err}");
}

/// Five customers for the filter tests, tagged and (as grading would) tiered and scored:
/// 1 北京…科技 (core, 价值:高 需求:采购设备), 2 上海…信息技术 (ordinary, 需求:采购设备
/// 需求:技术支持 长期稳定合作), 3 杭州…机械 (important, 价值:高 长期稳定合作),
/// 4 苏州…电子 (价值:中), 5 广州…贸易 (价值:低).
pub fn tagged(k: &Kehu) {
    let adds: [&[&str]; 5] = [
        &[
            "--name",
            "北京某某科技有限公司",
            "--province",
            "北京",
            "--city",
            "北京",
            "--industry",
            "I65",
            "--stage",
            "成交",
            "--first-coop-date",
            "2022-01-10",
            "--last-coop-date",
            "2024-05-01",
            "--total-amount",
            "50万",
            "--owner",
            "张三",
            "--source",
            "展会",
            "--intent",
            "高",
            "--remarks",
            "年底有扩产计划",
            "--contact",
            "王总",
            "--mobile",
            "138-1234-5678",
        ],
        &[
            "--name",
            "上海某某信息技术有限公司",
            "--short-name",
            "某某信息",
            "--province",
            "上海",
            "--city",
            "上海市",
            "--industry",
            "I64",
            "--stage",
            "意向",
            "--owner",
            "李四",
            "--source",
            "转介绍",
            "--intent",
            "中",
            "--contact",
            "刘经理",
            "--mobile",
            "13900001111",
        ],
        &[
            "--name",
            "杭州某某机械有限公司",
            "--province",
            "浙江",
            "--city",
            "杭州",
            "--industry",
            "C34",
            "--stage",
            "成交",
            "--first-coop-date",
            "2020-03-01",
            "--last-coop-date",
            "2023-12-31",
            "--total-amount",
            "120万",
            "--owner",
            "张三",
            "--intent",
            "低",
        ],
        &[
            "--name",
            "苏州某某电子有限公司",
            "--province",
            "江苏",
            "--industry",
            "C39",
            "--owner",
            "李四",
            "--source",
            "展会",
        ],
        &[
            "--name",
            "广州某某贸易有限公司",
            "--province",
            "广东",
            "--city",
            "广州市",
            "--industry",
            "F51",
            "--stage",
            "流失",
            "--first-coop-date",
            "2019-05-01",
            "--last-coop-date",
            "2021-01-01",
            "--total-amount",
            "8万",
            "--owner",
            "王五",
            "--contact",
            "赵工",
            "--landline",
            "020-12345678",
        ],
    ];
    for a in adds {
        k.add(a);
    }
    for (code, tags) in [
        ("CST20240001", &["价值:高", "需求:采购设备"][..]),
        ("CST20240002", &["需求:采购设备", "需求:技术支持", "长期稳定合作"]),
        ("CST20240003", &["价值:高", "长期稳定合作"]),
        ("CST20240004", &["价值:中"]),
        ("CST20240005", &["价值:低"]),
    ] {
        let mut args = vec!["tag", "add", code];
        args.extend(tags);
        k.ok(&args);
    }
    k.sql(
        "UPDATE customers SET tier = v.tier FROM (
           SELECT 'CST20240001' AS code, 'core' AS tier UNION ALL SELECT 'CST20240002', 'ordinary'
           UNION ALL SELECT 'CST20240003', 'important') v WHERE v.code = customers.code;
         INSERT INTO customer_scores(customer_id, score)
           SELECT c.id, v.score FROM customers c JOIN (
             SELECT 'CST20240001' AS code, '92' AS score UNION ALL SELECT 'CST20240002', '65'
             UNION ALL SELECT 'CST20240003', '81.5') v ON v.code = c.code;",
    );
}

const NONE: [u32; 0] = [];

/// The codes `list` prints for these arguments, as numbers 1…5.
fn hits(k: &Kehu, args: &[&str]) -> Vec<u32> {
    let mut all = vec!["list"];
    all.extend(args);
    let found: Vec<u32> = codes(&k.json(&all))
        .iter()
        .map(|c| c.trim_start_matches("CST2024").parse().unwrap())
        .collect();
    let mut counted = all.clone();
    counted.push("--count");
    let n: usize = k.ok(&counted).trim().parse().unwrap();
    if !args.contains(&"--limit") {
        assert_eq!(n, found.len(), "--count agrees with the list for {args:?}");
    }
    found
}

#[test]
fn every_record_filter_selects_what_it_says() {
    let k = Kehu::new();
    tagged(&k);
    assert_eq!(hits(&k, &["--tier", "核心"]), [1]);
    assert_eq!(hits(&k, &["--tier", "important"]), [3]);
    assert_eq!(hits(&k, &["--stage", "成交"]), [1, 3]);
    assert_eq!(hits(&k, &["--intent", "高"]), [1]);
    assert_eq!(hits(&k, &["--region", "华东"]), [2, 3, 4]);
    assert_eq!(hits(&k, &["--province", "沪"]), [2]);
    assert_eq!(hits(&k, &["--city", "广州"]), [5]);
    assert_eq!(hits(&k, &["--city", "上海"]), [2]);
    assert_eq!(hits(&k, &["--industry", "I"]), [1, 2]);
    assert_eq!(hits(&k, &["--industry", "计算机、通信和其他电子设备制造业"]), [4]);
    assert_eq!(hits(&k, &["--owner", "李四"]), [2, 4]);
    assert_eq!(hits(&k, &["--source", "exhibition"]), [1, 4]);
    assert_eq!(hits(&k, &["--first-coop", "2020-01-01..2022-12-31"]), [1, 3]);
    assert_eq!(hits(&k, &["--first-coop", "..2019年12月31日"]), [5]);
    assert_eq!(hits(&k, &["--last-coop", "2024/1/1.."]), [1]);
    assert_eq!(hits(&k, &["--amount", "10万..100万"]), [1]);
    assert_eq!(hits(&k, &["--amount", "100万.."]), [3]);
    assert_eq!(hits(&k, &["--score", "80.."]), [1, 3]);
    assert_eq!(hits(&k, &["--score", "..80"]), [2]);
}

#[test]
fn tag_filters_take_all_any_and_none_of_stored_and_derived_tags() {
    let k = Kehu::new();
    tagged(&k);
    assert_eq!(hits(&k, &["--tag", "价值:高"]), [1, 3]);
    assert_eq!(hits(&k, &["--tag", "价值:高", "--tag", "长期稳定合作"]), [3]);
    assert_eq!(
        hits(&k, &["--any-tag", "价值:中", "--any-tag", "价值:低"]),
        [4, 5]
    );
    assert_eq!(hits(&k, &["--not-tag", "价值:*"]), [2]);
    assert_eq!(hits(&k, &["--tag", "需求:*", "--not-tag", "长期稳定合作"]), [1]);
    assert_eq!(hits(&k, &["--tag", "区域:华东", "--tag", "行业:制造业"]), [3, 4]);
    assert_eq!(hits(&k, &["--tag", "地区:上海", "--tag", "行业:IT服务业"]), NONE);
    assert_eq!(
        hits(
            &k,
            &[
                "--tag",
                "地区:上海",
                "--tag",
                "行业:信息传输、软件和信息技术服务业"
            ]
        ),
        [2]
    );
    assert_eq!(hits(&k, &["--tag", "阶段:成交", "--tag", "等级:核心"]), [1]);
    assert_eq!(hits(&k, &["--tag", "等级:*"]), [1, 2, 3]);
    assert_eq!(
        hits(&k, &["--any-tag", "等级:核心", "--any-tag", "长期稳定合作"]),
        [1, 2, 3]
    );
    assert_eq!(hits(&k, &["--tag", "从没用过的标签"]), NONE);
}

#[test]
fn free_text_finds_chinese_substrings_and_phone_numbers() {
    let k = Kehu::new();
    tagged(&k);
    assert_eq!(hits(&k, &["--q", "科技"]), [1]);
    assert_eq!(hits(&k, &["--q", "某某信息"]), [2]);
    assert_eq!(hits(&k, &["--q", "扩产"]), [1], "remarks");
    assert_eq!(hits(&k, &["--q", "有限公司"]), [1, 2, 3, 4, 5]);
    assert_eq!(hits(&k, &["--q", "某某 机械"]), [3], "every word must match");
    assert_eq!(hits(&k, &["--q", "13812345678"]), [1]);
    assert_eq!(hits(&k, &["--q", "138-1234-5678"]), [1]);
    assert_eq!(hits(&k, &["--search", "+86 139 0000 1111"]), [2]);
    assert_eq!(hits(&k, &["--q", "020-1234 5678"]), [5]);
    assert_eq!(hits(&k, &["--q", "无此公司"]), NONE);
}

#[test]
fn filters_combine_with_sort_limit_columns_and_formats() {
    let k = Kehu::new();
    tagged(&k);
    let mixed = [
        "--tag",
        "价值:高",
        "--region",
        "华东",
        "--q",
        "机械",
        "--owner",
        "张三",
        "--stage",
        "成交",
    ];
    assert_eq!(hits(&k, &mixed), [3]);
    let wide = ["--any-tag", "价值:高", "--any-tag", "价值:中", "--q", "有限"];
    assert_eq!(hits(&k, &wide), [1, 3, 4]);
    let mut limited = wide.to_vec();
    limited.extend(["--sort", "amount", "--desc", "--limit", "2"]);
    assert_eq!(hits(&k, &limited), [3, 1]);
    assert_eq!(
        hits(&k, &["--tag", "价值:*", "--sort", "first-coop", "--limit", "2"]),
        [5, 3]
    );
    let csv = k.ok(&[
        "list",
        "--tag",
        "长期稳定合作",
        "--columns",
        "code,tier,score",
        "--format",
        "csv",
    ]);
    assert_eq!(
        csv,
        "code,tier,score\nCST20240002,ordinary,65\nCST20240003,important,81.5\n"
    );
    let jsonl = k.ok(&[
        "list",
        "--tag",
        "价值:高",
        "--columns",
        "code",
        "--format",
        "jsonl",
    ]);
    assert_eq!(jsonl, "{\"code\":\"CST20240001\"}\n{\"code\":\"CST20240003\"}\n");
    let table = k.ok(&[
        "list",
        "--tag",
        "价值:高",
        "--columns",
        "code,name",
        "--lang",
        "zh",
    ]);
    assert!(table.contains("杭州某某机械有限公司"), "{table}");
    assert_eq!(
        k.json(&["list", "--tag", "价值:高", "--count"]),
        serde_json::json!({"count": 2})
    );
    assert_eq!(
        k.ok(&["list", "--tag", "价值:高", "--count", "--format", "csv"]),
        "count\n2\n"
    );
}

#[test]
fn group_by_counts_by_derived_stored_dimension_or_field() {
    let k = Kehu::new();
    tagged(&k);
    let rows = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list"];
        all.extend(args);
        k.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}={}", r["value"], r["count"]))
            .collect()
    };
    assert_eq!(
        rows(&["--group-by", "区域"]),
        [r#""east"=3"#, r#""north"=1"#, r#""south"=1"#]
    );
    assert_eq!(
        rows(&["--group-by", "价值"]),
        [r#""高"=2"#, r#""中"=1"#, r#""低"=1"#, "null=1"]
    );
    assert_eq!(
        rows(&["--group-by", "owner", "--region", "华东"]),
        [r#""李四"=2"#, r#""张三"=1"#]
    );
    assert_eq!(
        rows(&["--group-by", "等级", "--tag", "价值:高"]),
        [r#""core"=1"#, r#""important"=1"#]
    );
    let table = k.ok(&["list", "--group-by", "行业", "--lang", "zh"]);
    assert!(table.contains("制造业") && table.contains("客户数"), "{table}");
    let err = k.fails(&["list", "--group-by", "颜色"], 1);
    assert!(err.contains("group-by 颜色: not a tag dimension"), "{err}");
}

#[test]
fn stale_finds_records_not_updated_in_n_days() {
    let k = Kehu::new();
    k.cmd()
        .env("KEHU_NOW", "2024-01-15T09:00:00Z")
        .args(["add", "--name", "老客户有限公司"])
        .assert()
        .success();
    k.cmd()
        .env("KEHU_NOW", "2024-05-01T09:00:00Z")
        .args(["add", "--name", "新客户有限公司"])
        .assert()
        .success();
    k.ok(&["edit", "CST20240001", "--set", "owner=张三"]);
    assert_eq!(
        hits(&k, &["--stale", "30"]),
        [2],
        "edited today, so only the other is stale"
    );
    assert_eq!(hits(&k, &["--stale", "60"]), [2]);
    assert_eq!(hits(&k, &["--stale", "61"]), NONE);
}

#[test]
fn derived_tags_follow_record_changes() {
    let k = Kehu::new();
    tagged(&k);
    assert_eq!(hits(&k, &["--tag", "区域:华南", "--tag", "价值:*"]), [5]);
    k.cmd()
        .env("KEHU_OPERATOR", "李四")
        .args([
            "edit",
            "CST20240005",
            "--set",
            "province=江苏",
            "--set",
            "industry=C",
        ])
        .assert()
        .success();
    assert_eq!(hits(&k, &["--tag", "区域:华南", "--tag", "价值:*"]), NONE);
    assert_eq!(
        hits(
            &k,
            &["--tag", "区域:华东", "--tag", "行业:制造业", "--tag", "价值:低"]
        ),
        [5]
    );
    let tags = k.json(&["tag", "list", "CST20240005"]);
    let region = &tags[0];
    assert_eq!(region["dimension"], "region");
    assert_eq!(region["value"], "east");
    assert_eq!(region["origin"], "derived");
    assert_eq!(region["set_by"], "李四");
}

#[test]
fn bad_filters_are_refused_with_the_rule() {
    let k = Kehu::new();
    tagged(&k);
    let before = k.dump();
    let err = k.fails(&["list", "--tag", "意像:高"], 1);
    assert!(
        err.contains("unknown tag dimension 意像 (dimensions: 区域, 省份, 行业, 阶段, 等级, 价值, 需求)"),
        "{err}"
    );
    let err = k.fails(&["list", "--tag", "区域:火星"], 1);
    assert!(err.contains("tag 区域:火星: unknown region 火星"), "{err}");
    let err = k.fails(&["list", "--tag", ":"], 1);
    assert!(err.contains("`:` alone is not a tag"), "{err}");
    let err = k.fails(&["list", "--amount", "50万..10万"], 1);
    assert!(
        err.contains("amount 50万..10万: the low end 50万 is above the high end 10万"),
        "{err}"
    );
    let err = k.fails(&["list", "--first-coop", "2024-13-01.."], 1);
    assert!(err.contains("first_coop 2024-13-01.."), "{err}");
    let err = k.fails(&["list", "--tier", " "], 1);
    assert!(err.contains("empty tier"), "{err}");
    assert_eq!(k.dump(), before);
}

#[test]
fn the_readme_questions_answer_in_one_command() {
    let k = Kehu::new();
    tagged(&k);
    k.ok(&["edit", "CST20240002", "--set", "industry=I65"]);
    k.ok(&["tag", "add", "CST20240002", "紧急度:紧急", "意向:高"]);
    let q = |args: &str| hits(&k, &args.split(' ').collect::<Vec<_>>());
    assert_eq!(q("--tag 价值:高 --tag 行业:制造业 --tag 区域:华东"), [3]);
    assert_eq!(q("--tag 地区:上海 --tag 行业:IT服务业 --tag 需求:采购设备"), [2]);
    assert_eq!(q("--tier 核心 --region 华北"), [1]);
    assert_eq!(
        q("--stage 意向 --tag 意向:高 --tag 紧急度:紧急 --tag 需求:采购设备 --sort updated --desc"),
        [2]
    );
    assert_eq!(q("--source 展会 --intent 高"), [1]);
    assert_eq!(q("--stale 30"), NONE);
    assert_eq!(q("--tag 长期稳定合作"), [2, 3]);
    assert_eq!(q("--stage 成交 --amount 50万.. --sort amount --desc"), [3, 1]);
    assert_eq!(q("--q 科技"), [1]);
    assert_eq!(q("--q 138-1234-5678"), [1]);
    assert_eq!(q("--stage 意向 --not-tag 意向:*"), NONE);
    let by_region = k.json(&["list", "--tag", "价值:高", "--group-by", "区域"]);
    assert_eq!(by_region.as_array().unwrap().len(), 2);
    k.ok(&[
        "tag",
        "add",
        "重点跟进",
        "--where-tag",
        "区域:华东",
        "--tier",
        "important",
    ]);
    assert_eq!(q("--tag 重点跟进"), [3]);
}

#[test]
fn tiers_show_in_chinese_and_stay_keys_in_json() {
    let k = Kehu::new();
    sample(&k);
    k.ok(&["grade", "--as-of", "2024-06-30", "--quiet"]);
    let csv = k.ok(&[
        "list",
        "--format",
        "csv",
        "--lang",
        "zh",
        "--columns",
        "code,tier",
        "--limit",
        "1",
    ]);
    assert_eq!(csv, "客户编号,等级\nCST20240001,潜在\n");
    let json = k.json(&["list", "--columns", "code,tier", "--limit", "1"]);
    assert_eq!(json[0]["tier"], "potential");
}

/// `kehu list | head -1`: the reader going away is no failure, in any format, and a closed
/// stderr is no crash.
#[test]
fn output_cut_short_by_its_reader_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let k = Kehu::new();
    let mut text = String::from("客户名称,备注\n");
    for i in 0..3000 {
        text += &format!("测试{i:04}科技有限公司,一段足够长的备注文字让输出超过管道的缓冲区大小\n");
    }
    let path = k.file("many.csv", text);
    k.ok(&["import", &path, "-q"]);
    for format in ["table", "csv", "json", "jsonl"] {
        let mut child = k.spawn(&["list", "--format", format]);
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The pipe's reading end is dropped here, with most of the list unread.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty());
        assert_eq!(out.status.code(), Some(0), "{format}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
    // Both streams cut: the status line on stderr must not bring kehu down either.
    let mut child = k.spawn(&["import", &path]);
    drop(child.stderr.take());
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "the import itself went through");
}
