//! `kehu import undo`: what undoing a batch leaves to the batches after it, and what may and
//! may not stand in its way.

use crate::common::Kehu;

const CUSTOMERS: &str = "客户名称,省份\n北京某某科技有限公司,北京\n上海华兴贸易有限公司,上海\n";

/// January's contracts, then February's cumulative list, which gives January's again.
fn january_and_february(k: &Kehu) {
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    let jan = k.file(
        "合同-1月.csv",
        "合同编号,客户名称,签约日期,合同金额(元)\n\
         HT-2024-001,北京某某科技有限公司,2024-01-10,50000\n",
    );
    let feb = k.file(
        "合同-2月.csv",
        "合同编号,客户名称,签约日期,合同金额(元)\n\
         HT-2024-001,北京某某科技有限公司,2024-01-10,50000\n\
         HT-2024-002,上海华兴贸易有限公司,2024-02-10,30000\n",
    );
    k.import_json(&[&jan], 0);
    let out = k.import_json(&[&feb], 0);
    assert_eq!(out["counts"]["unchanged"], 1, "{out}");
}

fn contracts(k: &Kehu) -> String {
    k.query("SELECT coalesce(group_concat(contract_no, ','), '') FROM (SELECT contract_no FROM orders ORDER BY 1)")
}

#[test]
fn undoing_january_keeps_the_contracts_february_gave_again() {
    let k = Kehu::new();
    january_and_february(&k);
    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_orders"], 0, "{out}");
    assert_eq!(out["left_to_later_batches"], 1, "{out}");
    assert_eq!(
        contracts(&k),
        "HT-2024-001,HT-2024-002",
        "February still says both"
    );
    // February now answers for the contract: undoing it takes both away.
    let out = k.json(&["import", "undo", "3"]);
    assert_eq!(out["removed_orders"], 2, "{out}");
    assert_eq!(contracts(&k), "");
    k.run(&["log", "verify"]).success();
}

#[test]
fn undoing_february_first_leaves_january_its_contract() {
    let k = Kehu::new();
    january_and_february(&k);
    let out = k.json(&["import", "undo", "3"]);
    assert_eq!(out["removed_orders"], 1, "{out}");
    assert_eq!(contracts(&k), "HT-2024-001");
    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_orders"], 1, "{out}");
    assert_eq!(contracts(&k), "");
}

#[test]
fn a_later_contract_for_the_same_customer_does_not_stand_in_the_way() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    let jan = k.file(
        "合同-1月.csv",
        "合同编号,客户名称,签约日期,合同金额(元)\nHT-2024-001,北京某某科技有限公司,2024-01-10,50000\n",
    );
    let feb = k.file(
        "合同-2月.csv",
        "合同编号,客户名称,签约日期,合同金额(元)\n\
         HT-2024-001,北京某某科技有限公司,2024-01-10,50000\n\
         HT-2024-003,北京某某科技有限公司,2024-02-20,80000\n",
    );
    k.import_json(&[&jan], 0);
    k.import_json(&[&feb], 0);
    k.ok(&["import", "undo", "2"]);
    assert_eq!(contracts(&k), "HT-2024-001,HT-2024-003");
}

#[test]
fn a_contact_and_a_visit_a_later_sheet_gave_again_stay() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    let contacts = "客户名称,联系人,手机\n北京某某科技有限公司,张三,13812345678\n";
    k.import_json(&[&k.file("联系人-1月.csv", contacts), "--kind", "contacts"], 0);
    let again = k.file(
        "联系人-2月.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,张三,13812345678\n上海华兴贸易有限公司,李四,13912345678\n",
    );
    let out = k.import_json(&[&again, "--kind", "contacts"], 0);
    assert_eq!(out["counts"]["unchanged"], 1, "{out}");
    let visits = "客户名称,拜访日期,沟通方式,沟通内容\n北京某某科技有限公司,2024-03-05,上门拜访,介绍新产品\n";
    k.import_json(&[&k.file("拜访-3月.csv", visits)], 0);
    k.import_json(&[&k.file("拜访-汇总.csv", visits)], 0);

    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_contacts"], 0, "{out}");
    let out = k.json(&["import", "undo", "4"]);
    assert_eq!(out["removed_interactions"], 0, "{out}");
    assert_eq!(
        k.query("SELECT group_concat(name, ',') FROM (SELECT name FROM contacts ORDER BY id)"),
        "张三,李四"
    );
    assert_eq!(k.query("SELECT count(*) FROM interactions"), "1");
    let out = k.json(&["import", "undo", "3"]);
    assert_eq!(out["removed_contacts"], 2, "{out}");
    k.run(&["log", "verify"]).success();
}

#[test]
fn a_customer_a_later_list_gave_again_stays_with_that_list() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户-1月.csv", CUSTOMERS)], 0);
    let feb = k.file(
        "客户-2月.csv",
        "客户名称,省份\n北京某某科技有限公司,北京\n广州南方物流有限公司,广东\n",
    );
    k.import_json(&[&feb], 0);
    let out = k.json(&["import", "undo", "1"]);
    assert_eq!(out["removed_customers"], 1, "{out}");
    assert_eq!(k.names(), ["北京某某科技有限公司", "广州南方物流有限公司"]);
    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_customers"], 2, "{out}");
    assert!(k.names().is_empty());
    k.run(&["log", "verify"]).success();
}

#[test]
fn a_change_a_later_batch_confirmed_waits_for_that_batch_to_be_undone() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    let owner = "客户名称,负责人\n北京某某科技有限公司,王五\n";
    k.import_json(&[&k.file("负责人-1月.csv", owner)], 0);
    k.import_json(&[&k.file("负责人-2月.csv", owner)], 0);
    let before = k.dump();
    let err = k.fails(&["import", "undo", "2"], 1);
    assert!(
        err.contains("CST20240001 (given again by batch 3); undo batch 3 first"),
        "{err}"
    );
    assert_eq!(k.dump(), before);
    k.ok(&["import", "undo", "3"]);
    k.ok(&["import", "undo", "2"]);
    assert_eq!(
        k.query("SELECT coalesce(owner, '-') FROM customers WHERE code = 'CST20240001'"),
        "-"
    );
}

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
        err.ends_with(
            "; a change made by hand since stays in the log, and an undo cannot pass it: put back \
             what the batch changed with kehu edit instead\n"
        ),
        "{err}"
    );
}

/// A tag set and taken off again, or a merge undone since, leaves nothing for the undo to
/// pass; a merge that stands asks for its own undo first.
#[test]
fn a_tag_taken_off_again_or_a_merge_undone_does_not_stand_in_the_way() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    k.ok(&["tag", "add", "CST20240001", "重点跟进"]);
    let err = k.fails(&["import", "undo", "1"], 1);
    assert!(
        err.contains("CST20240001 (tag by 测试员"),
        "a tag would be lost: {err}"
    );
    k.ok(&["tag", "rm", "CST20240001", "重点跟进"]);

    let more = k.file(
        "客户2.csv",
        "客户名称,省份
北京某某科技股份有限公司,北京
",
    );
    k.import_json(&[&more], 0);
    k.ok(&[
        "dedupe",
        "merge",
        "CST20240001",
        "CST20240003",
        "--keep",
        "CST20240001",
    ]);
    let err = k.fails(&["import", "undo", "2"], 1);
    assert!(
        err.ends_with("; undo merge 1 first (kehu dedupe undo 1)\n"),
        "{err}"
    );
    k.ok(&["dedupe", "undo", "1"]);
    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(out["removed_customers"], 1, "{out}");
    let out = k.json(&["import", "undo", "1"]);
    assert_eq!(out["removed_customers"], 2, "{out}");
    assert_eq!(k.query("SELECT count(*) FROM customers"), "0");
    k.run(&["log", "verify"]).success();
}

/// Runs `kehu ARGS` as of `day`.
fn on(k: &Kehu, day: &str, args: &[&str]) {
    k.cmd().env("KEHU_NOW", day).args(args).assert().success();
}

/// The monthly review's unconfirmed contacts as of 2024-06-30 (30 days): code and detail.
fn unconfirmed(k: &Kehu) -> Vec<String> {
    let review = k.json(&[
        "report",
        "review",
        "--as-of",
        "2024-06-30",
        "--contact-days",
        "30",
    ]);
    review["sections"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reason"] == "contact_unconfirmed")
        .map(|r| {
            format!(
                "{} {}",
                r["code"].as_str().unwrap(),
                r["detail"].as_str().unwrap()
            )
        })
        .collect()
}

/// A contacts sheet sent again confirms its contacts as of the import; undoing it takes that
/// back, so the monthly review lists them as unconfirmed again. A confirmation since (by
/// hand) stays.
#[test]
fn undoing_a_batch_takes_back_its_confirming_the_contacts_it_gave_again() {
    let k = Kehu::new();
    let customers = k.file(
        "客户.csv",
        "客户名称,省份,联系人,手机\n北京某某科技有限公司,北京,王总,13812345678\n上海华兴贸易有限公司,上海,李经理,13912345678\n",
    );
    on(&k, "2024-01-10", &["import", &customers]);
    let sheet = k.file(
        "联系人.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,王总,13812345678\n上海华兴贸易有限公司,李经理,13912345678\n",
    );
    on(&k, "2024-06-20", &["import", &sheet]);
    on(&k, "2024-06-25", &["edit", "CST20240002", "--contact", "李经理"]);
    assert_eq!(unconfirmed(&k), Vec::<String>::new(), "both confirmed in June");

    on(&k, "2024-06-30", &["import", "undo", "2"]);
    assert_eq!(
        unconfirmed(&k),
        ["CST20240001 contact 王总 not confirmed since 2024-01-10 (172 days)"],
        "王总 unconfirmed since January again; 李经理 confirmed by hand on the 25th"
    );
    k.run(&["log", "verify"]).success();
}

/// Two later files confirm a contact in turn; undoing both, in the order they came, leaves
/// it confirmed as before either.
#[test]
fn undoing_two_confirmations_in_turn_leaves_the_contact_as_before_both() {
    let k = Kehu::new();
    let file = k.file(
        "客户.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,王总,13812345678\n",
    );
    on(&k, "2024-01-10", &["import", &file]);
    on(&k, "2024-03-10", &["import", &file]);
    on(&k, "2024-05-10", &["import", &file]);
    on(&k, "2024-06-01", &["import", "undo", "2"]);
    on(&k, "2024-06-01", &["import", "undo", "3"]);
    assert_eq!(
        unconfirmed(&k),
        ["CST20240001 contact 王总 not confirmed since 2024-01-10 (172 days)"]
    );
}

/// `import list` shows each count the summary gave, conflicts apart from rejected rows.
#[test]
fn the_batch_list_shows_every_count_of_the_summary() {
    let k = Kehu::new();
    k.import_json(&[&k.file("客户.csv", CUSTOMERS)], 0);
    let mixed = k.file(
        "混合.csv",
        "客户编号,客户名称,省份\n\
         ,杭州西湖软件有限公司,浙江\n\
         ,广州白云化工有限公司,火星\n\
         CST20240001,成都锦江酒店有限公司,四川\n\
         ,上海华兴贸易有限公司,江苏\n",
    );
    let summary = k.import_json(&[&mixed, "--on-existing", "skip"], 3);
    let list = k.json(&["import", "list"]);
    let batch = &list[1];
    for count in [
        "read",
        "inserted",
        "updated",
        "unchanged",
        "skipped",
        "rejected",
        "conflicts",
    ] {
        assert_eq!(
            batch[count], summary["counts"][count],
            "{count}: {batch} / {summary}"
        );
    }
    assert_eq!(
        (
            &batch["read"],
            &batch["skipped"],
            &batch["rejected"],
            &batch["conflicts"]
        ),
        (&4.into(), &1.into(), &1.into(), &1.into()),
        "{batch}"
    );
}
