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
