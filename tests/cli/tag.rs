use crate::common::Kehu;
use crate::list::tagged;

fn three(k: &Kehu) {
    k.add(&[
        "--name",
        "上海某某信息技术有限公司",
        "--province",
        "上海",
        "--industry",
        "I65",
    ]);
    k.add(&[
        "--name",
        "苏州某某机械有限公司",
        "--province",
        "江苏",
        "--industry",
        "C34",
    ]);
    k.add(&[
        "--name",
        "广州某某贸易有限公司",
        "--province",
        "广东",
        "--industry",
        "F51",
    ]);
}

/// One customer's stored tags as `dim:value/origin`.
fn stored(k: &Kehu, code: &str) -> Vec<String> {
    k.json(&["tag", "list", code])
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["origin"] != "derived")
        .map(|t| {
            let dim = t["dimension"]
                .as_str()
                .map(|d| format!("{d}:"))
                .unwrap_or_default();
            format!(
                "{dim}{}/{}",
                t["value"].as_str().unwrap(),
                t["origin"].as_str().unwrap()
            )
        })
        .collect()
}

/// The change-log entries of a customer with action `tag`, as `field before→after` lines.
fn tag_log(k: &Kehu, code: &str) -> Vec<String> {
    k.json(&["log", "--customer", code, "--action", "tag"])
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["changes"].as_array().unwrap().clone())
        .map(|c| format!("{} {}→{}", c["field"].as_str().unwrap(), c["before"], c["after"]))
        .collect()
}

#[test]
fn tags_go_on_by_code_and_are_logged() {
    let k = Kehu::new();
    three(&k);
    k.run(&["tag", "add", "CST20240001", "cst20240002", "长期稳定合作", "需求:采购设备"])
        .success()
        .stderr("new tag dimension 需求 (multi-valued, any value; `kehu tag dim add` sets a rule)\ntagged 2 customer(s)\n");
    assert_eq!(
        stored(&k, "CST20240002"),
        ["需求:采购设备/manual", "长期稳定合作/manual"]
    );
    assert_eq!(
        tag_log(&k, "CST20240001"),
        ["tag null→\"长期稳定合作\"", "tag.需求 null→\"采购设备\""]
    );
    k.run(&["tag", "add", "CST20240001", "长期稳定合作"])
        .success()
        .stderr("tagged 0 customer(s); 1 already had the tags\n");
    assert_eq!(tag_log(&k, "CST20240001").len(), 2, "nothing new is logged");
}

#[test]
fn a_single_valued_dimension_keeps_one_value() {
    let k = Kehu::new();
    three(&k);
    k.run(&["tag", "dim", "add", "意向", "--single", "--values", "高,中,低"])
        .success()
        .stderr("declared 意向 (single-valued; values 高, 中, 低)\n");
    k.ok(&["tag", "add", "CST20240001", "意向:中"]);
    k.ok(&["tag", "add", "CST20240001", "意向：高"]);
    assert_eq!(stored(&k, "CST20240001"), ["意向:高/manual"]);
    assert_eq!(
        tag_log(&k, "CST20240001"),
        ["tag.意向 null→\"中\"", "tag.意向 \"中\"→\"高\""]
    );
    let dims = k.json(&["tag", "dim", "list"]);
    let yixiang = dims
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == "意向")
        .unwrap();
    assert_eq!(yixiang["kind"], "single");
    assert_eq!(yixiang["values"], "高,中,低");
}

#[test]
fn bulk_tagging_over_a_filter_reports_what_it_touched() {
    let k = Kehu::new();
    tagged(&k);
    let before = k.dump();
    k.run(&[
        "tag",
        "add",
        "重点跟进",
        "--where-tag",
        "区域:华东",
        "--tier",
        "core",
        "--dry-run",
    ])
    .success()
    .stderr("would tag 0 customer(s)\n");
    let out = k.run(&[
        "tag",
        "add",
        "重点跟进",
        "--where-tag",
        "价值:高",
        "--region",
        "华东",
        "--dry-run",
        "--format",
        "json",
    ]);
    let out = out.success().stderr("would tag 1 customer(s)\n");
    let summary: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        summary,
        serde_json::json!({"matched": 1, "changed": 1, "dry_run": true})
    );
    assert_eq!(k.dump(), before, "a dry run changes nothing");
    k.run(&[
        "tag",
        "add",
        "重点跟进",
        "--where-any-tag",
        "价值:高",
        "--where-any-tag",
        "需求:*",
    ])
    .success()
    .stderr("tagged 3 customer(s)\n");
    k.run(&["tag", "add", "重点跟进", "--owner", "张三"])
        .success()
        .stderr("tagged 0 customer(s); 2 already had the tags\n");
    let n: usize = k
        .ok(&["list", "--tag", "重点跟进", "--count"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(n, 3);
    k.run(&["tag", "rm", "重点跟进", "--where-not-tag", "长期稳定合作"])
        .success()
        .stderr("untagged 1 customer(s); 2 had none of them\n");
    assert_eq!(k.ok(&["list", "--tag", "重点跟进", "--count"]).trim(), "2");
}

#[test]
fn removing_takes_one_value_or_a_whole_dimension() {
    let k = Kehu::new();
    tagged(&k);
    k.ok(&["tag", "rm", "CST20240002", "需求:技术支持"]);
    assert_eq!(
        stored(&k, "CST20240002"),
        ["需求:采购设备/manual", "长期稳定合作/manual"]
    );
    k.ok(&["tag", "add", "CST20240002", "需求:售后支持"]);
    k.ok(&["tag", "rm", "CST20240002", "需求:*"]);
    assert_eq!(stored(&k, "CST20240002"), ["长期稳定合作/manual"]);
    assert_eq!(
        tag_log(&k, "CST20240002")[5..],
        ["tag.需求 \"售后支持\"→null", "tag.需求 \"采购设备\"→null"]
    );
}

#[test]
fn rename_changes_a_value_on_every_customer() {
    let k = Kehu::new();
    tagged(&k);
    k.run(&["tag", "rename", "需求:采购设备", "需求:设备采购"])
        .success()
        .stderr("renamed 需求:采购设备 to 需求:设备采购 on 2 customer(s)\n");
    assert_eq!(k.ok(&["list", "--tag", "需求:设备采购", "--count"]).trim(), "2");
    assert_eq!(
        tag_log(&k, "CST20240001").last().unwrap(),
        "tag.需求 \"采购设备\"→\"设备采购\""
    );
    let err = k.fails(&["tag", "rename", "需求:采购设备", "需求:x"], 4);
    assert!(err.contains("no customer has the tag 需求:采购设备"), "{err}");
}

#[test]
fn tag_list_counts_per_dimension_with_origin() {
    let k = Kehu::new();
    tagged(&k);
    k.sql("UPDATE customer_tags SET origin = 'model' WHERE dim = '价值'");
    let rows: Vec<String> = k
        .json(&["tag", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}|{}|{}|{}", r["dimension"], r["value"], r["origin"], r["count"]))
        .collect();
    for expected in [
        r#""region"|"east"|"derived"|3"#,
        r#""industry"|"I"|"derived"|2"#,
        r#""tier"|"core"|"derived"|1"#,
        r#""价值"|"高"|"model"|2"#,
        r#""需求"|"采购设备"|"manual"|2"#,
        r#"null|"长期稳定合作"|"manual"|2"#,
    ] {
        assert!(rows.contains(&expected.to_string()), "{expected} in {rows:#?}");
    }
    let zh = k.ok(&["tag", "list", "--dim", "行业", "--lang", "zh"]);
    assert!(
        zh.contains("信息传输、软件和信息技术服务业") && zh.contains("派生"),
        "{zh}"
    );
}

#[test]
fn show_lists_tags_with_origin_and_who_set_them_when() {
    let k = Kehu::new();
    three(&k);
    k.cmd()
        .env("KEHU_OPERATOR", "王五")
        .env("KEHU_NOW", "2024-07-01T10:00:00Z")
        .args(["tag", "add", "CST20240001", "意向:高"])
        .assert()
        .success();
    let show = k.json(&["show", "CST20240001"]);
    let tags: Vec<String> = show["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {} {}",
                t["dimension"], t["value"], t["origin"], t["set_by"], t["set_at"]
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            r#""region" "east" "derived" "测试员" "2024-06-30T09:00:00Z""#,
            r#""province" "上海市" "derived" "测试员" "2024-06-30T09:00:00Z""#,
            r#""industry" "I" "derived" "测试员" "2024-06-30T09:00:00Z""#,
            r#""stage" "prospect" "derived" "测试员" "2024-06-30T09:00:00Z""#,
            r#""意向" "高" "manual" "王五" "2024-07-01T10:00:00Z""#,
        ]
    );
    let table = k.ok(&["show", "CST20240001", "--lang", "zh"]);
    assert!(
        table.contains("派生") && table.contains("手工") && table.contains("王五"),
        "{table}"
    );
}

#[test]
fn bad_tags_are_refused_and_change_nothing() {
    let k = Kehu::new();
    three(&k);
    k.ok(&["tag", "dim", "add", "意向", "--single", "--values", "高,中,低"]);
    let before = k.dump();
    for (args, code, message) in [
        (&["tag", "add", "CST20240001", ""][..], 1, "tag: empty tag"),
        (&["tag", "add", "CST20240001", ":"], 1, "`:` alone is not a tag"),
        (
            &["tag", "add", "CST20240001", "意向:"],
            1,
            "tag 意向:: empty value after `:`",
        ),
        (
            &["tag", "add", "CST20240001", "a\u{7}b"],
            1,
            "tag a\\u{7}b: contains control characters",
        ),
        (
            &["tag", "add", "CST20240001", "意向:强"],
            1,
            "意向 has no value 强 (values: 高, 中, 低)",
        ),
        (
            &["tag", "add", "CST20240001", "意向:高", "意向:低"],
            1,
            "意向 is single-valued",
        ),
        (
            &["tag", "add", "CST20240001", "区域:华南"],
            1,
            "区域 is derived from the record's province",
        ),
        (
            &["tag", "add", "CST20240001", "VIP", "等级:核心"],
            1,
            "等级 is derived from the record's tier",
        ),
        (&["tag", "rm", "CST20240001", "阶段:成交"], 1, "阶段 is derived"),
        (
            &["tag", "rm", "CST20240001", "意像:高"],
            1,
            "unknown tag dimension 意像",
        ),
        (
            &["tag", "add", "CST20249999", "VIP"],
            4,
            "no customer with code CST20249999",
        ),
        (&["tag", "add", "CST20240001", "CST20240002"], 2, "no tags given"),
        (&["tag", "add", "VIP"], 2, "no customers given"),
        (
            &["tag", "add", "CST20240001", "VIP", "--region", "华东"],
            2,
            "codes or a filter, not both",
        ),
        (&["tag", "add", "VIP", "--region", "火星"], 1, "region 火星"),
        (&["tag", "dim", "add", "区域"], 1, "derived from the record"),
        (
            &["tag", "dim", "add", "意向", "--values", " , "],
            1,
            "no values given",
        ),
        (&["tag", "rename", "区域:华东", "区域:东部"], 1, "derived"),
    ] {
        let err = k.fails(args, code);
        assert!(err.contains(message), "{args:?}: {err}");
        assert_eq!(k.dump(), before, "{args:?} changed the database");
    }
}

#[test]
fn redeclaring_a_dimension_that_tags_break_is_refused() {
    let k = Kehu::new();
    three(&k);
    k.ok(&["tag", "add", "CST20240001", "需求:采购设备", "需求:技术支持"]);
    let before = k.dump();
    let err = k.fails(&["tag", "dim", "add", "需求", "--single"], 1);
    assert!(err.contains("需求 cannot be single-valued: 1 customer(s) have several values (CST20240001: 技术支持, 采购设备)"), "{err}");
    let err = k.fails(&["tag", "dim", "add", "需求", "--values", "采购设备"], 1);
    assert!(
        err.contains("outside the list: 技术支持 (1 customer(s))"),
        "{err}"
    );
    assert_eq!(k.dump(), before);
}
