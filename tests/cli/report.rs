//! `kehu report` on a five-customer fixture whose figures are worked out by hand below.
//!
//! Today is 2024-06-30, so "the last 12 months" is 2023-07-01 … 2024-06-30.
//!
//! | code        | name             | region    | stage | orders (amount, date)                       | 12-month trade |
//! |-------------|------------------|-----------|-------|---------------------------------------------|----------------|
//! | CST20240001 | 北京甲科技有限公司 | north     | 成交  | 12万 2024-05-20, 3万 2023-07-01, 5万 2023-06-30 | 150,000 (the 5万 is one day too old) |
//! | CST20240002 | 上海乙贸易有限公司 | east      | 成交  | 20万 2023-01-15                              | 0              |
//! | CST20240003 | 杭州丙机械有限公司 | east      | 意向  | 8万 2024-03-10                               | 80,000         |
//! | CST20240004 | 广州丁电子有限公司 | south     | 流失  | 2万 2024-06-01                               | 20,000         |
//! | CST20240005 | 成都戊食品有限公司 | southwest | 潜在  | —                                           | 0              |
//!
//! Total trade 250,000. CST20240002 was added on 2024-01-01 (its contact 陈工 has not been
//! confirmed since: 181 days), the others today. CST20240005's contact shares CST20240001's
//! mobile.
//!
//! Tiers come from two grading runs, written with SQL as a stand-in for `kehu grade` (run 1
//! 2024-05-31, run 2 2024-06-30; the customers' current tier and score are run 2's):
//!
//! | code | run 1           | run 2           | move |
//! |------|-----------------|-----------------|------|
//! | 0001 | important 85    | core 91         | up   |
//! | 0002 | core 92         | important 86.5  | down |
//! | 0003 | potential 45    | ordinary 52     | up   |
//! | 0004 | ordinary 60     | —               | gone |
//! | 0005 | —               | potential 48    | new  |

use std::path::Path;

use serde_json::Value;

use crate::common::Kehu;

fn fixture() -> Kehu {
    let k = Kehu::new();
    k.add(&[
        "--name",
        "北京甲科技有限公司",
        "--province",
        "北京",
        "--industry",
        "I65",
        "--stage",
        "成交",
        "--first-coop-date",
        "2022-03-01",
        "--owner",
        "张三",
        "--size",
        "大型",
        "--uscc",
        "91110000600037341L",
        "--satisfaction",
        "9",
        "--complaints-12m",
        "1",
        "--contact",
        "王总",
        "--mobile",
        "13912345670",
    ]);
    let out = k
        .cmd()
        .env("KEHU_NOW", "2024-01-01T09:00:00Z")
        .args([
            "add",
            "--name",
            "上海乙贸易有限公司",
            "--province",
            "上海",
            "--industry",
            "F51",
            "--stage",
            "成交",
            "--first-coop-date",
            "2021-01-01",
            "--owner",
            "李四",
            "--size",
            "中型",
            "--uscc",
            "91310115MA1K3BTP2B",
            "--satisfaction",
            "8",
            "--referrals-12m",
            "2",
            "--contact",
            "陈工",
            "--mobile",
            "13912345671",
        ])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout).trim(),
        "CST20240002"
    );
    k.add(&[
        "--name",
        "杭州丙机械有限公司",
        "--province",
        "浙江",
        "--industry",
        "C34",
        "--stage",
        "意向",
        "--owner",
        "张三",
    ]);
    k.add(&[
        "--name",
        "广州丁电子有限公司",
        "--province",
        "广东",
        "--industry",
        "C39",
        "--stage",
        "流失",
        "--owner",
        "李四",
        "--size",
        "小型",
        "--uscc",
        "9144030071526726XG",
        "--contact",
        "刘经理",
        "--mobile",
        "13912345672",
    ]);
    k.add(&[
        "--name",
        "成都戊食品有限公司",
        "--province",
        "四川",
        "--industry",
        "C14",
        "--contact",
        "赵六",
        "--mobile",
        "139-1234-5670",
    ]);
    for (code, order) in [
        ("CST20240001", "date=2024-05-20,amount=12万,contract=A1"),
        ("CST20240001", "date=2023-07-01,amount=3万,contract=A2"),
        ("CST20240001", "date=2023-06-30,amount=5万,contract=A3"),
        ("CST20240003", "date=2024-03-10,amount=8万,contract=C1"),
        ("CST20240004", "date=2024-06-01,amount=2万,contract=D1"),
    ] {
        k.ok(&["edit", code, "--add-order", order]);
    }
    // Recorded when the customer was added: an order recorded today would update its file.
    k.cmd()
        .env("KEHU_NOW", "2024-01-01T09:00:00Z")
        .args([
            "edit",
            "CST20240002",
            "--add-order",
            "date=2023-01-15,amount=20万,contract=B1",
        ])
        .assert()
        .success();
    k
}

/// Two grading runs, as `kehu grade` would record them (see the table at the top).
fn graded(k: &Kehu) {
    k.sql(
        "INSERT INTO grade_runs(id, as_of, model_name, model_sha256, operator, started_at, counts) VALUES
           (1, '2024-05-31', 'standard', '-', '测试员', '2024-05-31T09:00:00Z', '{}'),
           (2, '2024-06-30', 'standard', '-', '测试员', '2024-06-30T09:00:00Z', '{}');
         INSERT INTO grade_results(run_id, customer_id, score, tier, model_tier, indicators)
           SELECT v.run, c.id, v.score, v.tier, v.tier, '{}' FROM customers c JOIN (
             SELECT 1 AS run, 'CST20240001' AS code, '85' AS score, 'important' AS tier
             UNION ALL SELECT 1, 'CST20240002', '92', 'core'
             UNION ALL SELECT 1, 'CST20240003', '45', 'potential'
             UNION ALL SELECT 1, 'CST20240004', '60', 'ordinary'
             UNION ALL SELECT 2, 'CST20240001', '91', 'core'
             UNION ALL SELECT 2, 'CST20240002', '86.5', 'important'
             UNION ALL SELECT 2, 'CST20240003', '52', 'ordinary'
             UNION ALL SELECT 2, 'CST20240005', '48', 'potential') v ON v.code = c.code;
         UPDATE customers SET tier = (SELECT tier FROM grade_results r
           WHERE r.customer_id = customers.id AND r.run_id = 2);
         INSERT INTO customer_scores(customer_id, score)
           SELECT customer_id, score FROM grade_results WHERE run_id = 2;",
    );
}

fn rows<'a>(doc: &'a Value, section: &str) -> &'a Vec<Value> {
    doc["sections"][section]
        .as_array()
        .unwrap_or_else(|| panic!("section {section} in {doc}"))
}

/// `key=value` of the given fields of each row, to compare whole rows at a glance.
fn line(row: &Value, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| match &row[*k] {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn lines(doc: &Value, section: &str, keys: &[&str]) -> Vec<String> {
    rows(doc, section).iter().map(|r| line(r, keys)).collect()
}

#[test]
fn dist_counts_shares_and_trade_by_region() {
    let k = fixture();
    let doc = k.json(&["report", "dist", "--by", "region"]);
    assert_eq!(doc["summary"]["customers"], 5);
    assert_eq!(doc["summary"]["trade_12m"].to_string(), "250000.00");
    assert_eq!(doc["summary"]["window"], "2023-07-01 – 2024-06-30");
    // Shares of 5 customers; trade shares of 250,000.
    assert_eq!(
        lines(
            &doc,
            "distribution",
            &["region", "count", "share", "trade_12m", "trade_share"]
        ),
        [
            "north 1 20 150000.00 60",
            "east 2 40 80000.00 32",
            "south 1 20 20000.00 8",
            "southwest 1 20 0.00 0",
        ]
    );
}

#[test]
fn dist_cross_tab_of_region_and_tier() {
    let k = fixture();
    graded(&k);
    let doc = k.json(&["report", "dist", "--by", "区域", "--by", "等级"]);
    assert_eq!(
        lines(&doc, "distribution", &["region", "tier", "count"]),
        [
            "north core 1",
            "east important 1",
            "east ordinary 1",
            "south null 1",
            "southwest potential 1",
        ]
    );
    // Columns in tier order, the ungraded last; a total per row.
    assert_eq!(
        lines(
            &doc,
            "matrix",
            &[
                "region",
                "core",
                "important",
                "ordinary",
                "potential",
                "none",
                "total"
            ]
        ),
        [
            "north 1 0 0 0 0 1",
            "east 0 1 1 0 0 2",
            "south 0 0 0 0 1 1",
            "southwest 0 0 0 1 0 1"
        ]
    );
    let table = k.ok(&["report", "dist", "--by", "region", "--by", "tier", "--lang", "zh"]);
    assert!(table.contains("交叉表：区域 × 等级"), "{table}");
    assert!(table.contains("核心"), "{table}");
    assert!(table.contains("(未填)"), "{table}");
}

#[test]
fn dist_filters_and_as_of_change_what_is_counted() {
    let k = fixture();
    let doc = k.json(&["report", "dist", "--by", "stage", "--owner", "张三"]);
    assert_eq!(doc["summary"]["customers"], 2);
    assert_eq!(doc["summary"]["filter"], "owner=张三");
    assert_eq!(
        lines(&doc, "distribution", &["stage", "count", "trade_12m"]),
        ["intent 1 80000.00", "customer 1 150000.00"]
    );
    // As of 2024-03-31 the window is 2023-04-01 … 2024-03-31: CST20240001 has 3万 + 5万,
    // CST20240003 8万; the orders of May and June 2024 are later.
    let doc = k.json(&["report", "dist", "--by", "region", "--as-of", "2024-03-31"]);
    assert_eq!(doc["summary"]["trade_12m"].to_string(), "160000.00");
}

#[test]
fn dist_by_a_tag_dimension_counts_each_value() {
    let k = fixture();
    k.sql(
        "INSERT INTO customer_tags(customer_id, dim, value, origin, set_by, set_at)
         SELECT id, '价值', v, 'manual', '测试员', '2024-06-30T09:00:00Z' FROM customers
         JOIN (SELECT 'CST20240001' AS code, '高' AS v UNION ALL SELECT 'CST20240003', '中') USING (code);",
    );
    // Equal counts go by value; customers without the tag last.
    let doc = k.json(&["report", "dist", "--by", "价值"]);
    assert_eq!(
        lines(&doc, "distribution", &["价值", "count"]),
        ["中 1", "高 1", "null 3"]
    );
}

#[test]
fn dist_refuses_unknown_dimensions_and_bad_files() {
    let k = fixture();
    let before = k.dump();
    let err = k.fails(&["report", "dist", "--by", "colour"], 2);
    assert!(err.contains("unknown dimension colour"), "{err}");
    let err = k.fails(&["report", "dist", "--by", "region", "--by", "区域"], 2);
    assert!(err.contains("given twice"), "{err}");
    let err = k.fails(&["report", "dist", "--by", "region", "--output", "x.pdf"], 2);
    assert!(err.contains("--to xlsx|html"), "{err}");
    let err = k.fails(&["report", "dist", "--by", "region", "--region", "火星"], 1);
    assert!(err.contains("region 火星"), "{err}");
    assert_eq!(k.dump(), before, "a report changes nothing");
    let empty = Kehu::new();
    let err = empty.fails(&["report", "quality"], 4);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn movement_between_the_last_two_runs() {
    let k = fixture();
    graded(&k);
    let doc = k.json(&["report", "movement"]);
    let s = &doc["summary"];
    assert_eq!(
        (
            s["up"].as_i64(),
            s["down"].as_i64(),
            s["same"].as_i64(),
            s["new"].as_i64(),
            s["gone"].as_i64()
        ),
        (Some(2), Some(1), Some(0), Some(1), Some(1))
    );
    assert_eq!(s["run_from"], "#1 2024-05-31 (standard)");
    assert_eq!(
        lines(
            &doc,
            "matrix",
            &["from", "core", "important", "ordinary", "potential", "gone"]
        ),
        [
            "core 0 1 0 0 0",
            "important 1 0 0 0 0",
            "ordinary 0 0 0 0 1",
            "potential 0 0 1 0 0",
            "new 0 0 0 1 0",
        ]
    );
    assert_eq!(
        lines(
            &doc,
            "customers",
            &["code", "from", "to", "move", "score_from", "score_to"]
        ),
        [
            "CST20240001 important core up 85 91",
            "CST20240002 core important down 92 86.5",
            "CST20240003 potential ordinary up 45 52",
            "CST20240004 ordinary null gone 60 null",
            "CST20240005 null potential new null 48",
        ]
    );
    // The same runs named explicitly, reversed: up and down swap.
    let back = k.json(&["report", "movement", "2", "1"]);
    assert_eq!(
        (back["summary"]["up"].as_i64(), back["summary"]["down"].as_i64()),
        (Some(1), Some(2))
    );
    let limited = k.json(&["report", "movement", "--limit", "2"]);
    assert_eq!(rows(&limited, "customers").len(), 2);
}

#[test]
fn movement_needs_two_runs_that_exist() {
    let k = fixture();
    let err = k.fails(&["report", "movement"], 4);
    assert!(err.contains("two grading runs"), "{err}");
    graded(&k);
    let err = k.fails(&["report", "movement", "1", "7"], 4);
    assert!(err.contains("no grading run 7"), "{err}");
    k.fails(&["report", "movement", "1"], 2);
}

#[test]
fn quality_completeness_problems_shared_phones_and_stale_records() {
    let k = fixture();
    // Edited behind kehu's back: a province not in its stored form, an impossible mobile.
    k.sql(
        "UPDATE customers SET province = '北京' WHERE code = 'CST20240001';
         UPDATE contacts SET mobile = '12345678901' WHERE name = '陈工';",
    );
    let doc = k.json(&["report", "quality"]);
    let completeness = |field: &str| {
        rows(&doc, "completeness")
            .iter()
            .find(|r| r["field"] == field)
            .map(|r| line(r, &["filled", "missing", "percent"]))
            .unwrap()
    };
    assert_eq!(completeness("uscc"), "3 2 60");
    assert_eq!(completeness("owner"), "4 1 80");
    assert_eq!(completeness("satisfaction"), "2 3 40");
    assert_eq!(completeness("contact"), "4 1 80");
    assert_eq!(
        lines(&doc, "problems", &["code", "field", "value", "kind"]),
        [
            "CST20240001 province 北京 not_canonical",
            "CST20240002 contact.mobile 12345678901 invalid",
        ]
    );
    assert_eq!(rows(&doc, "problems")[0]["reason"], "kehu would store 北京市");
    // One mobile on the contacts of two customers, masked.
    assert_eq!(
        lines(&doc, "shared", &["field", "value", "customers", "codes"]),
        ["contact.mobile 139****5670 2 CST20240001 北京甲科技有限公司; CST20240005 成都戊食品有限公司"]
    );
    // CST20240002 was last updated on 2024-01-01: 181 days, over 180.
    assert_eq!(lines(&doc, "stale", &["code", "days"]), ["CST20240002 181"]);
    assert_eq!(doc["summary"]["stale"], 1);
    assert_eq!(doc["summary"]["invalid"], 1);
    let doc = k.json(&["report", "quality", "--stale-days", "181"]);
    assert_eq!(rows(&doc, "stale").len(), 0);
}

#[test]
fn quality_counts_duplicate_groups_still_pending_when_asked() {
    let k = Kehu::new();
    for args in [
        &[
            "--name",
            "北京华兴科技有限公司",
            "--province",
            "北京",
            "--contact",
            "王总",
            "--mobile",
            "13812345678",
        ][..],
        &[
            "--name",
            "华兴科技有限责任公司",
            "--contact",
            "王经理",
            "--mobile",
            "138-1234-5678",
        ],
        &["--name", "上海远洋物流有限公司", "--province", "上海"],
        &["--name", "远洋物流"],
        &["--name", "成都戊食品有限公司", "--province", "四川"],
    ] {
        k.add(args);
    }
    // Without --duplicates nothing is compared: the counts are unknown, and a note says why.
    let doc = k.json(&["report", "quality"]);
    assert_eq!(doc["summary"]["duplicate_groups"], Value::Null);
    assert!(doc["sections"].get("duplicates").is_none(), "{doc}");
    assert!(
        doc["notes"][0].as_str().unwrap().contains("--duplicates"),
        "{doc}"
    );

    let doc = k.json(&["report", "quality", "--duplicates"]);
    assert_eq!(doc["summary"]["duplicate_groups"], 2);
    assert_eq!(doc["summary"]["duplicate_groups_sure"], 1);
    assert_eq!(
        lines(
            &doc,
            "duplicates",
            &["group", "level", "score", "customers", "codes"]
        ),
        [
            "1 sure 100 2 CST20240001, CST20240002",
            "2 review 60 2 CST20240003, CST20240004",
        ]
    );
    assert_eq!(
        rows(&doc, "duplicates")[1]["names"],
        "上海远洋物流有限公司; 远洋物流"
    );
    // The same groups `kehu dedupe` lists.
    let listed = k.json(&["dedupe"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // A filter keeps the groups with a customer it covers.
    let doc = k.json(&["report", "quality", "--duplicates", "--province", "上海"]);
    assert_eq!(doc["summary"]["duplicate_groups"], 1);
    assert_eq!(
        lines(&doc, "duplicates", &["codes"]),
        ["CST20240003, CST20240004"]
    );

    // Dismissed and merged groups are no longer pending.
    k.ok(&["dedupe", "dismiss", "CST20240003", "CST20240004"]);
    let doc = k.json(&["report", "quality", "--duplicates"]);
    assert_eq!(doc["summary"]["duplicate_groups"], 1);
    k.ok(&["dedupe", "merge", "CST20240001", "CST20240002"]);
    let doc = k.json(&["report", "quality", "--duplicates"]);
    assert_eq!(doc["summary"]["duplicate_groups"], 0);
    assert_eq!(doc["summary"]["duplicate_groups_sure"], 0);
    assert!(rows(&doc, "duplicates").is_empty());
    // The table names the section for people.
    let table = k.ok(&["report", "quality", "--duplicates", "--lang", "en"]);
    assert!(
        table.contains("Duplicate groups not yet merged or dismissed"),
        "{table}"
    );
}

#[test]
fn review_lists_each_customer_with_its_reasons() {
    let k = fixture();
    let doc = k.json(&["report", "review"]);
    assert_eq!(
        lines(&doc, "findings", &["code", "reason", "since", "days"]),
        [
            // 陈工 added 2024-01-01, never confirmed: 181 days > 180.
            "CST20240002 contact_unconfirmed 2024-01-01 181",
            // Last order 2023-01-15: none in 2023-07-01 … 2024-06-30.
            "CST20240002 no_order_12m 2023-01-15 532",
            "CST20240003 no_contact null null",
            // 2024-03-10 → 2024-06-30: 21 + 30 + 31 + 30 days.
            "CST20240003 orders_before_deal 2024-03-10 112",
            "CST20240003 missing_fields null null",
            "CST20240004 churned_with_recent_order 2024-06-01 29",
            "CST20240004 churned_without_reason null null",
            "CST20240005 missing_fields null null",
        ]
    );
    let details: Vec<&str> = rows(&doc, "findings")
        .iter()
        .map(|r| r["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details[4], "missing uscc, size");
    assert_eq!(details[7], "missing uscc, size, owner");
    let s = &doc["summary"];
    assert_eq!((s["reviewed"].as_i64(), s["listed"].as_i64()), (Some(5), Some(4)));
    assert_eq!(
        lines(&doc, "reasons", &["reason", "customers"])[..3],
        ["no_contact 1", "contact_unconfirmed 1", "no_order_12m 1"]
    );
    // Reviewed as of 2024-05-31: CST20240004's June order is later, and 陈工 is 151 days old.
    let doc = k.json(&["report", "review", "--as-of", "2024-05-31", "--owner", "李四"]);
    assert_eq!(
        lines(&doc, "findings", &["code", "reason"]),
        ["CST20240002 no_order_12m", "CST20240004 churned_without_reason"]
    );
    let err = k.fails(&["report", "review", "--require", "uscc,colour"], 1);
    assert!(err.contains("unknown field colour"), "{err}");
}

/// A customer's file is kept up by what is recorded on it: an order recorded today takes it
/// off the stale list, and naming a contact again confirms its details.
#[test]
fn recording_an_order_or_confirming_a_contact_freshens_the_record() {
    let k = fixture();
    let stale = |k: &Kehu| lines(&k.json(&["report", "quality"]), "stale", &["code"]);
    let unconfirmed = |k: &Kehu| {
        lines(&k.json(&["report", "review"]), "findings", &["code", "reason"])
            .into_iter()
            .filter(|l| l.ends_with("contact_unconfirmed"))
            .collect::<Vec<_>>()
    };
    assert_eq!(stale(&k), ["CST20240002"]);
    assert_eq!(unconfirmed(&k), ["CST20240002 contact_unconfirmed"]);
    k.ok(&[
        "edit",
        "CST20240002",
        "--add-order",
        "date=2024-06-28,amount=1万,contract=B2",
    ]);
    assert!(stale(&k).is_empty());
    k.ok(&["edit", "CST20240002", "--contact", "陈工"]);
    assert!(unconfirmed(&k).is_empty());
    let contact = &k.json(&["show", "CST20240002"])["contacts"][0];
    assert_eq!(contact["mobile"], "13912345671", "confirming changes nothing");
}

#[test]
fn tiers_figures_candidates_and_slipping_key_customers() {
    let k = fixture();
    graded(&k);
    let doc = k.json(&["report", "tiers"]);
    assert_eq!(
        lines(
            &doc,
            "tiers",
            &[
                "tier",
                "customers",
                "trade_12m",
                "avg_score",
                "avg_satisfaction",
                "complaints_12m",
                "referrals_12m"
            ]
        ),
        [
            "core 1 150000.00 91 9 1 0",
            "important 1 0.00 86.5 8 0 2",
            "ordinary 1 80000.00 52 null 0 0",
            "potential 1 0.00 48 null 0 0",
            "null 1 20000.00 null null 0 0",
        ]
    );
    // Within 5 points: CST20240005 (48, 2 short of 普通 50, and no deal yet) and
    // CST20240002 (86.5, 3.5 short of 核心 90); CST20240003 (52) is 18 short of 重要.
    assert_eq!(
        lines(&doc, "candidates", &["code", "tier", "next", "gap", "needs_deal"]),
        [
            "CST20240005 potential ordinary 2 true",
            "CST20240002 important core 3.5 false"
        ]
    );
    assert_eq!(
        lines(
            &doc,
            "declines",
            &["code", "tier_before", "tier_now", "score_change", "tier_down"]
        ),
        ["CST20240002 core important -5.5 true"]
    );
    let doc = k.json(&["report", "tiers", "--within", "3"]);
    assert_eq!(lines(&doc, "candidates", &["code"]), ["CST20240005"]);
}

#[test]
fn csv_prints_one_section_and_jsonl_one_line_per_row() {
    let k = fixture();
    let csv = k.ok(&[
        "report", "dist", "--by", "region", "--format", "csv", "--lang", "zh",
    ]);
    assert_eq!(
        csv.lines().next(),
        Some("区域,客户数,占比%,近12个月成交额,成交额占比%")
    );
    assert_eq!(csv.lines().nth(1), Some("华北,1,20,150000.00,60"));
    let csv = k.ok(&["report", "review", "--format", "csv", "--section", "reasons"]);
    assert_eq!(csv.lines().next(), Some("reason,customers"));
    let err = k.fails(&["report", "review", "--format", "csv", "--section", "nope"], 2);
    assert!(err.contains("sections: reasons, findings"), "{err}");
    let jsonl = k.ok(&["report", "dist", "--by", "region", "--format", "jsonl"]);
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["section"], "summary");
    assert_eq!(lines[1]["section"], "distribution");
    assert_eq!(lines[1]["region"], "north");
}

// ---- spreadsheets -------------------------------------------------------------------------

fn sheets(path: &Path) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(path).expect("a readable xlsx");
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).expect("sheet");
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (n, rows)
        })
        .collect()
}

#[test]
fn xlsx_has_a_sheet_per_section_with_numbers_as_numbers() {
    use calamine::Data;
    let k = fixture();
    graded(&k);
    let path = k.db.with_file_name("dist.xlsx");
    let out = k
        .run(&[
            "report",
            "dist",
            "--by",
            "region",
            "--by",
            "tier",
            "--output",
            path.to_str().unwrap(),
        ])
        .success();
    assert!(out.get_output().stdout.is_empty(), "nothing on stdout");
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("wrote the report to"));
    let book = sheets(&path);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Summary", "Cross-tab  region × tier (custo", "Distribution"]
    );
    let summary = &book[0].1;
    assert_eq!(summary[0][0], Data::String("Customers by region × tier".into()));
    let customers = summary
        .iter()
        .find(|r| r[0] == Data::String("customers".into()))
        .unwrap();
    assert_eq!(customers[1], Data::Float(5.0));
    let dist = &book[2].1;
    let header: Vec<String> = dist[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        ["region", "tier", "count", "share", "trade_12m", "trade_share"]
    );
    assert_eq!(dist[1][0], Data::String("north".into()));
    assert_eq!(dist[1][2], Data::Float(1.0));
    assert_eq!(dist[1][4], Data::Float(150000.0));
    let matrix = &book[1].1;
    assert_eq!(matrix[2][0], Data::String("east".into()));
    assert_eq!(matrix[2][2], Data::Float(1.0), "east × important");
    assert_eq!(matrix[2][6], Data::Float(2.0), "east total");

    // Chinese labels with --lang zh, and every report writes one.
    let path = k.db.with_file_name("review.xlsx");
    k.ok(&["report", "review", "--lang", "zh", "-o", path.to_str().unwrap()]);
    let book = sheets(&path);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["概要", "按原因汇总", "需跟进的客户"]);
    assert_eq!(book[2].1[0][4], Data::String("原因".into()));
    assert_eq!(book[2].1[1][4], Data::String("联系方式久未确认".into()));
    for report in [&["quality"][..], &["tiers"], &["movement"]] {
        let path = k.db.with_file_name("r.xlsx");
        let mut args = vec!["report"];
        args.extend(report);
        args.extend(["--to", "xlsx", "--output", path.to_str().unwrap()]);
        k.ok(&args);
        assert!(sheets(&path).len() >= 3, "{report:?}");
    }
}

// ---- web pages ----------------------------------------------------------------------------

/// An element of a parsed page.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }

    fn find(&self, name: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All text inside, in order.
    fn text(&self) -> String {
        let mut s = self.text.clone();
        for c in &self.children {
            s.push_str(&c.text());
        }
        s
    }
}

/// Parses the page strictly: every element must close in order (well-formed).
fn parse(page: &str) -> Node {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(page);
    let mut stack = vec![Node::default()];
    let element = |e: &quick_xml::events::BytesStart| Node {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (
                    a.key.as_ref().to_string(),
                    a.value.replace("&quot;", "\"").replace("&amp;", "&"),
                )
            })
            .collect(),
        ..Node::default()
    };
    loop {
        match reader.read_event().expect("well-formed markup") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let node = element(&e);
                stack.last_mut().unwrap().children.push(node);
            }
            Event::End(e) => {
                let node = stack.pop().unwrap();
                assert_eq!(node.name, e.name().as_ref(), "closing tag matches");
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t),
            Event::GeneralRef(r) => {
                let c = match &*r {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "#39" => '\'',
                    other => panic!("entity &{other}; is not XML"),
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    stack.pop().unwrap()
}

#[test]
fn html_is_one_well_formed_page_with_charts_and_tables() {
    let k = fixture();
    graded(&k);
    let path = k.db.with_file_name("dist.html");
    k.ok(&[
        "report",
        "dist",
        "--by",
        "region",
        "--output",
        path.to_str().unwrap(),
        "--lang",
        "zh",
    ]);
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    let doc = parse(&page);
    let html = &doc.children[0];
    assert_eq!((html.name.as_str(), html.attr("lang")), ("html", Some("zh-CN")));
    assert_eq!(html.find("title")[0].text(), "客户分布：区域");
    // Self-contained: no scripts, no links, no images, nothing fetched.
    for tag in ["script", "link", "img", "iframe"] {
        assert!(html.find(tag).is_empty(), "no <{tag}>");
    }
    assert!(!page.contains("src=") && !page.contains("href=") && !page.contains("url("));
    assert!(html.find("style")[0].text().contains("@media print"));
    // Two bar charts (customers, trade), one bar per region.
    let svgs = html.find("svg");
    assert_eq!(svgs.len(), 2);
    assert_eq!(svgs[0].find("rect").len(), 4);
    let labels: Vec<String> = svgs[0].find("text").iter().map(|t| t.text()).collect();
    assert_eq!(labels[..4], ["华北", "1", "华东", "2"]);
    // The longest bar is the largest count (east, 2), the others half as long.
    let widths: Vec<f64> = svgs[0]
        .find("rect")
        .iter()
        .map(|r| r.attr("width").unwrap().parse().unwrap())
        .collect();
    assert_eq!(widths, [210.0, 420.0, 210.0, 210.0]);
    // The tables: the summary, then the distribution with a row per region.
    let tables = html.find("table");
    assert_eq!(tables.len(), 2);
    let cells: Vec<String> = tables[1].find("tr")[1]
        .find("td")
        .iter()
        .map(|c| c.text())
        .collect();
    assert_eq!(cells, ["华北", "1", "20", "150,000.00", "60"]);

    // The movement matrix as a heat map, the unchanged diagonal outlined.
    let path = k.db.with_file_name("movement.html");
    k.ok(&[
        "report",
        "movement",
        "--to",
        "html",
        "--output",
        path.to_str().unwrap(),
    ]);
    let doc = parse(&std::fs::read_to_string(&path).unwrap());
    let heat: Vec<&Node> = doc
        .find("svg")
        .into_iter()
        .filter(|s| s.attr("class") == Some("heat"))
        .collect();
    assert_eq!(heat.len(), 1);
    // 5 rows (core … potential, new) × 5 columns (core … potential, gone).
    assert_eq!(heat[0].find("rect").len(), 25);
    let outlined = heat[0]
        .find("rect")
        .iter()
        .filter(|r| r.attr("stroke") == Some("#c77c02"))
        .count();
    assert_eq!(outlined, 4);
    let ids: Vec<&str> = doc.find("section").iter().filter_map(|s| s.attr("id")).collect();
    assert_eq!(ids, ["summary", "moves", "matrix", "customers"]);

    for report in [
        &["quality"][..],
        &["review"],
        &["tiers"],
        &["dist", "--by", "tier", "--by", "stage"],
    ] {
        let path = k.db.with_file_name("r.html");
        let mut args = vec!["report"];
        args.extend(report);
        args.extend(["--output", path.to_str().unwrap()]);
        k.ok(&args);
        let doc = parse(&std::fs::read_to_string(&path).unwrap());
        assert!(!doc.find("svg").is_empty(), "{report:?} has a chart");
    }
}

#[test]
fn lists_say_when_a_limit_cut_them_short() {
    let k = fixture();
    let table = k.ok(&["report", "review", "--limit", "2"]);
    assert!(table.contains("To review (showing 2 of 8)"), "{table}");
    let doc = k.json(&["report", "review", "--limit", "0"]);
    assert_eq!(rows(&doc, "findings").len(), 8, "0 is no limit");
    let table = k.ok(&["report", "review", "--lang", "zh", "--limit", "3"]);
    assert!(table.contains("需跟进的客户（显示 3 / 共 8）"), "{table}");
}
