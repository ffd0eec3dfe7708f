//! `kehu import undo`: what undoing a batch leaves to the batches after it, and what may and
//! may not stand in its way.

use crate::common::Kehu;

const CUSTOMERS: &str = "客户名称,省份\n北京某某科技有限公司,北京\n上海华兴贸易有限公司,上海\n";

#[test]
fn a_change_by_a_later_batch_asks_for_that_batch_to_be_undone_first() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    k.import_json(
        &[&k.file("负责人.csv", "客户名称,负责人\n北京某某科技有限公司,王五\n")],
        0,
    );
    let err = k.fails(&["import", "undo", "1"], 1);
    assert!(
        err.contains("CST20240001 (import.update by 测试员, batch 2, log entry"),
        "{err}"
    );
    assert!(err.ends_with("; undo batch 2 first\n"), "{err}");
    assert!(!err.contains("by hand"), "{err}");
}

#[test]
fn grading_does_not_stand_in_the_way_of_undoing_a_contacts_batch() {
    let k = Kehu::new();
    k.import_json(
        &[&k.file("客户.csv", "客户名称,省份\n北京某某科技有限公司,北京\n")],
        0,
    );
    let contacts = "客户名称,联系人,手机\n北京某某科技有限公司,张三,13812345678\n";
    k.import_json(&[&k.file("联系人.csv", contacts), "--kind", "contacts"], 0);
    k.ok(&["grade", "-q"]);
    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_contacts"], 1, "{out}");
    assert_eq!(k.query("SELECT count(*) FROM contacts"), "0");
    k.run(&["log", "verify"]).success();
}

#[test]
fn grading_does_not_stand_in_the_way_of_undoing_a_customers_batch() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    let update = k.file(
        "客户-更新.csv",
        "客户名称,省份,近12个月交易额(元)\n北京某某科技有限公司,北京,600000\n广州南方物流有限公司,广东,20000\n",
    );
    k.import_json(&[&update], 0);
    k.ok(&["grade", "-q", "--as-of", "2024-06-30"]);
    let tier = k.query("SELECT tier FROM customers WHERE code = 'CST20240001'");

    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_customers"], 1, "{out}");
    assert_eq!(out["restored_customers"], 1, "{out}");
    assert_eq!(
        k.query("SELECT coalesce(trade_12m_fen, '-') FROM customers WHERE code = 'CST20240001'"),
        "-"
    );
    // The run's results stay as the run made them, until the next run; the removed
    // customer's go with it.
    assert_eq!(
        k.query("SELECT tier FROM customers WHERE code = 'CST20240001'"),
        tier
    );
    assert_eq!(k.query("SELECT count(*) FROM grade_results"), "2");
    k.run(&["log", "verify"]).success();
}

#[test]
fn a_pin_still_stands_in_the_way() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    k.ok(&["grade", "pin", "CST20240001", "普通", "--reason", "投诉频繁"]);
    let err = k.fails(&["import", "undo", "1"], 1);
    assert!(
        err.contains("CST20240001 (grade.pin by 测试员, log entry"),
        "{err}"
    );
    assert!(
        err.ends_with("; undo or redo those changes by hand first\n"),
        "{err}"
    );
}
