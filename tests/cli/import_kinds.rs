//! Contract lists and follow-up logs: read as orders and interactions, never as customers.

use crate::common::Kehu;

fn customers_file(k: &Kehu) {
    let file = k.file(
        "客户.csv",
        "客户名称,省份,负责人,备注\n北京某某科技有限公司,北京,张经理,老客户\n",
    );
    k.ok(&["import", &file, "-q"]);
}

/// The stored customer's owner and remarks, which an orders or interactions file must leave.
fn owner_and_remarks(k: &Kehu) -> String {
    k.query("SELECT owner || '|' || remarks FROM customers WHERE code = 'CST20240001'")
}

#[test]
fn a_contract_list_with_its_salesperson_and_remarks_is_an_orders_file() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "合同.csv",
        "合同编号,客户名称,签约日期,合同金额(万元),业务员,备注,产品\n\
         HT-2024-011,北京某某科技有限公司,2024/6/5,3,赵六,首付30%,ERP二期\n\
         HT-2024-013,深圳某某电子有限公司,2024/6/20,5,钱七,,\n",
    );
    let summary = k.import_json(&[&file], 3);
    assert_eq!(summary["kind"], "orders");
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(summary["rejected"][0]["row"], 3);
    assert_eq!(
        summary["rejected"][0]["reason"], "no stored customer has this name",
        "an unknown customer is not created from a contract"
    );
    assert_eq!(owner_and_remarks(&k), "张经理|老客户");
    assert_eq!(k.query("SELECT count(*) FROM customers"), "1");
    let shown = k.json(&["show", "CST20240001"]);
    let order = &shown["orders"][0];
    assert_eq!(order["contract_no"], "HT-2024-011");
    assert_eq!(order["amount"].to_string(), "30000.00");
    assert_eq!(order["other"], "业务员: 赵六; 产品: ERP二期; 备注: 首付30%");

    let again = k.import_json(&[&file], 3);
    assert_eq!(
        again["counts"]["unchanged"], 1,
        "the same file twice changes nothing"
    );
}

#[test]
fn a_follow_up_log_is_an_interactions_file_and_names_who_followed_up() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "跟进记录.csv",
        "客户名称,跟进日期,跟进方式,跟进内容,跟进人,下次跟进\n\
         北京某某科技有限公司,2024-06-03,电话,\"确认二期需求\n下周报价\",孙七,7月初\n",
    );
    let mapping = k.ok(&["import", "--show-mapping", &file, "--format", "csv"]);
    assert!(mapping.contains("跟进人,interaction.operator"), "{mapping}");
    let summary = k.import_json(&[&file], 0);
    assert_eq!(summary["kind"], "interactions");
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(owner_and_remarks(&k), "张经理|老客户");
    let shown = k.json(&["show", "CST20240001"]);
    let interaction = &shown["interactions"][0];
    assert_eq!(
        interaction["summary"], "确认二期需求\n下周报价",
        "line breaks kept"
    );
    assert_eq!(interaction["operator"], "孙七");
    assert_eq!(interaction["other"], "下次跟进: 7月初");
}

#[test]
fn mapped_order_columns_make_an_orders_file_and_customer_fields_in_one_are_refused() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "成交.csv",
        "客户名称,成交日,成交额,销售\n北京某某科技有限公司,2024-06-09,5000,赵六\n",
    );
    let maps = ["--map", "成交日=order.date", "--map", "成交额=order.amount"];
    let mut args = vec![file.as_str()];
    args.extend(maps);
    let summary = k.import_json(&args, 0);
    assert_eq!(summary["kind"], "orders");
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(owner_and_remarks(&k), "张经理|老客户");

    args.extend(["--map", "销售=owner"]);
    let mut import = vec!["import"];
    import.extend(&args);
    let err = k.fails(&import, 1);
    assert!(
        err.contains("--map 销售=owner: an orders file does not change customers or contacts"),
        "{err}"
    );
}

#[test]
fn a_sales_list_that_also_names_a_contract_or_a_follow_up_is_a_customers_file() {
    let k = Kehu::new();
    customers_file(&k);
    let sales = k.file(
        "销售清单.csv",
        "客户名称,所属行业,省份,负责人,联系人,手机,首次合作日期,累计合作金额(万元),合同编号,签约日期,合同金额(万元),备注\n\
         杭州西湖软件有限公司,软件,浙江,张伟,王总,13812340001,2022-03-01,120,HT-2024-101,2024-05-10,30,老客户\n",
    );
    let summary = k.import_json(&[&sales], 0);
    assert_eq!(summary["kind"], "customers");
    assert_eq!(summary["counts"]["inserted"], 1);

    let update = k.file(
        "成交.csv",
        "客户编号,合作阶段,负责人,首次合作日期,累计合作金额(万元),合同编号,签约日期,合同金额(万元)\n\
         CST20240001,成交,陈静,2024-06-15,20,HT-2024-120,2024-06-15,20\n",
    );
    let summary = k.import_json(&[&update], 0);
    assert_eq!(summary["kind"], "customers");
    assert_eq!(summary["counts"]["updated"], 1);
    assert_eq!(owner_and_remarks(&k), "陈静|老客户");

    let crm = k.file(
        "CRM导出.csv",
        "客户名称,所属行业,省份,客户阶段,意向度,负责人,跟进日期,跟进方式,跟进内容\n\
         苏州工业园精密制造有限公司,制造业,江苏,意向,高,王芳,2024-06-20,电话,确认报价\n",
    );
    let summary = k.import_json(&[&crm], 0);
    assert_eq!(summary["kind"], "customers");
    assert_eq!(summary["counts"]["inserted"], 1);
}

#[test]
fn who_followed_up_is_the_follow_up_persons_column_not_the_account_managers() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "跟进.csv",
        "客户名称,客户经理,跟进日期,跟进方式,跟进内容,跟进人\n北京某某科技有限公司,张伟,2024-06-10,电话,催款,孙七\n",
    );
    k.import_json(&[&file], 0);
    let interaction = &k.json(&["show", "CST20240001"])["interactions"][0];
    assert_eq!(interaction["operator"], "孙七");
    assert_eq!(interaction["other"], "客户经理: 张伟");
}

#[test]
fn a_follow_up_stored_on_one_line_is_the_same_follow_up_with_its_line_breaks() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "跟进.csv",
        "客户名称,跟进日期,跟进方式,跟进内容\n北京某某科技有限公司,2024-06-03,电话,\"确认二期需求\n下周报价\"\n",
    );
    k.import_json(&[&file], 0);
    // As an earlier kehu stored it.
    k.sql("UPDATE interactions SET summary = '确认二期需求 下周报价'");
    let summary = k.import_json(&[&file], 0);
    assert_eq!(summary["counts"]["unchanged"], 1);
    assert_eq!(k.query("SELECT count(*) FROM interactions"), "1");
}

#[test]
fn an_order_sent_again_takes_its_new_other_columns_and_undo_puts_the_old_back() {
    let k = Kehu::new();
    customers_file(&k);
    let header = "客户名称,合同编号,签约日期,合同金额,业务员,付款状态\n";
    let may = k.file(
        "5月合同.csv",
        format!("{header}北京某某科技有限公司,HT-7,2024-06-01,5000,赵六,首付30%\n"),
    );
    let june = k.file(
        "6月合同.csv",
        format!("{header}北京某某科技有限公司,HT-7,2024-06-01,5000,钱七,已付清\n"),
    );
    let other = |k: &Kehu| k.json(&["show", "CST20240001"])["orders"][0]["other"].clone();
    k.import_json(&[&may], 0);
    let summary = k.import_json(&[&june], 0);
    assert_eq!(summary["counts"]["updated"], 1);
    assert_eq!(other(&k), "业务员: 钱七; 付款状态: 已付清");
    assert_eq!(k.import_json(&[&june], 0)["counts"]["unchanged"], 1);
    let err = k.fails(&["import", "undo", "3"], 1);
    assert!(err.contains("undo batch 4 first"), "batch 4 gave it again: {err}");
    k.ok(&["import", "undo", "4"]);
    k.ok(&["import", "undo", "3"]);
    assert_eq!(other(&k), "业务员: 赵六; 付款状态: 首付30%");
    assert_eq!(k.query("SELECT count(*) FROM orders"), "1");

    let visits = |next: &str| {
        format!(
            "客户名称,跟进日期,跟进方式,跟进内容,下次跟进\n北京某某科技有限公司,2024-06-03,电话,催款,{next}\n"
        )
    };
    let first = k.file("跟进1.csv", visits("7月初"));
    let second = k.file("跟进2.csv", visits("8月初"));
    k.import_json(&[&first], 0);
    assert_eq!(k.import_json(&[&second], 0)["counts"]["updated"], 1);
    let interaction = &k.json(&["show", "CST20240001"])["interactions"][0];
    assert_eq!(interaction["other"], "下次跟进: 8月初");
}

/// Two orders of one day and amount with no contract number are two orders when the rows
/// differ (打印纸, 硒鼓); the same row twice is one. Sent again, the file changes nothing.
#[test]
fn orders_without_a_contract_number_are_told_apart_by_their_other_columns() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "订单.csv",
        "客户名称,订单日期,订单金额,产品\n\
         北京某某科技有限公司,2024-05-02,3000,打印纸\n\
         北京某某科技有限公司,2024-05-02,3000,硒鼓\n\
         北京某某科技有限公司,2024-05-02,3000,硒鼓\n\
         北京某某科技有限公司,2024-05-03,3000,打印纸\n",
    );
    let summary = k.import_json(&[&file], 0);
    let counts = &summary["counts"];
    assert_eq!(
        (&counts["inserted"], &counts["unchanged"]),
        (&3.into(), &1.into()),
        "{summary}"
    );
    let products = "SELECT group_concat(date || ' ' || json_extract(extra, '$.产品'), ', ') FROM orders";
    assert_eq!(
        k.query(products),
        "2024-05-02 打印纸, 2024-05-02 硒鼓, 2024-05-03 打印纸"
    );
    let again = k.import_json(&[&file], 0);
    assert_eq!(again["counts"]["unchanged"], 4, "{again}");
    assert_eq!(k.query("SELECT count(*) FROM orders"), "3");
    // One of them sent again alone finds its own order, not the first of the day.
    let one = k.file(
        "订单2.csv",
        "客户名称,订单日期,订单金额,产品\n北京某某科技有限公司,2024-05-02,3000,硒鼓\n",
    );
    for option in ["update", "skip", "error"] {
        let alone = k.import_json(&[&one, "--on-existing", option], 0);
        assert_eq!(alone["counts"]["unchanged"], 1, "{option}: {alone}");
    }
    assert_eq!(
        k.query(products),
        "2024-05-02 打印纸, 2024-05-02 硒鼓, 2024-05-03 打印纸"
    );

    // Follow-ups the same: two calls of one day with the same summary and other remarks.
    let calls = k.file(
        "跟进.csv",
        "客户名称,跟进日期,跟进方式,跟进内容,备注\n\
         北京某某科技有限公司,2024-06-01,电话,询价,采购部\n\
         北京某某科技有限公司,2024-06-01,电话,询价,财务部\n",
    );
    assert_eq!(k.import_json(&[&calls], 0)["counts"]["inserted"], 2);
    assert_eq!(k.import_json(&[&calls], 0)["counts"]["unchanged"], 2);
    assert_eq!(k.query("SELECT count(*) FROM interactions"), "2");
}

/// A contract given twice in one file with other remarks: the second row is a conflict, as
/// a customer's is, and the first row's order stands.
#[test]
fn a_contract_a_file_gives_twice_differently_is_a_conflict() {
    let k = Kehu::new();
    customers_file(&k);
    let file = k.file(
        "合同.csv",
        "客户编号,合同编号,签约日期,合同金额,备注\n\
         CST20240001,HT-9,2024-05-01,50000,甲\n\
         CST20240001,HT-9,2024-05-01,50000,乙\n\
         CST20240001,HT-9,2024-05-01,50000,\n",
    );
    let summary = k.import_json(&[&file], 3);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    assert_eq!(
        summary["counts"]["unchanged"], 1,
        "the empty 备注 fills nothing: {summary}"
    );
    assert_eq!(summary["conflicts"][0]["row"], 3, "{summary}");
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "an earlier row of this file is the same order HT-9; this row would change \
         order.extra.备注 甲 → 乙 (imported again on its own, it will)"
    );
    assert_eq!(k.query("SELECT json_extract(extra, '$.备注') FROM orders"), "甲");
}

/// `--on-existing skip` leaves a stored order as it is and `error` refuses the row, as for
/// contacts; new orders go in either way.
#[test]
fn on_existing_skip_and_error_hold_for_orders_too() {
    let k = Kehu::new();
    customers_file(&k);
    let header = "客户编号,合同编号,签约日期,合同金额,备注\n";
    let first = k.file(
        "合同1.csv",
        format!("{header}CST20240001,HT-1,2024-05-01,50000,首单\n"),
    );
    k.import_json(&[&first], 0);
    let later = k.file(
        "合同2.csv",
        format!("{header}CST20240001,HT-1,2024-05-01,50000,首单改\nCST20240001,HT-3,2024-06-02,70000,\n"),
    );
    let skipped = k.import_json(&[&later, "--on-existing", "skip"], 0);
    let counts = &skipped["counts"];
    assert_eq!(
        (&counts["inserted"], &counts["skipped"]),
        (&1.into(), &1.into()),
        "{skipped}"
    );
    let remark = "SELECT json_extract(extra, '$.备注') FROM orders WHERE contract_no = 'HT-1'";
    assert_eq!(k.query(remark), "首单");

    let refused = k.import_json(&[&later, "--on-existing", "error"], 3);
    let rejected = &refused["rejected"][0];
    assert_eq!(
        (&rejected["row"], &rejected["column"], &rejected["value"]),
        (&2.into(), &"备注".into(), &"首单改".into()),
        "{refused}"
    );
    assert_eq!(
        rejected["reason"],
        "order HT-1 is already stored for CST20240001 (--on-existing error)"
    );
    assert_eq!(
        refused["counts"]["unchanged"], 1,
        "HT-3 as the last import left it: {refused}"
    );
    assert_eq!(k.query(remark), "首单");
}

/// A visit log names the person met: it stays a visit log, the person kept with the visit,
/// and the summary says what the rows were read as. Where the file describes the customer
/// and its contact too it reads as a customers file, and the clerk is told where its visit
/// columns went.
#[test]
fn a_visit_log_naming_the_person_met_is_an_interactions_file() {
    let k = Kehu::new();
    customers_file(&k);
    let log = k.file(
        "拜访记录.csv",
        "拜访日期,客户名称,联系人,拜访方式,沟通内容,业务员\n\
         2024-06-01,北京某某科技有限公司,王甲,上门,介绍新品,张销售\n\
         2024-06-05,北京某某科技有限公司,王甲,电话,跟进报价,张销售\n",
    );
    let out = k.run(&["import", &log]).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("拜访记录.csv (interactions): 2 rows read, 2 inserted"),
        "{stderr}"
    );
    assert_eq!(owner_and_remarks(&k), "张经理|老客户");
    // Newest first.
    let visit = &k.json(&["show", "CST20240001"])["interactions"][1];
    assert_eq!(
        (&visit["channel"], &visit["other"]),
        (&"上门".into(), &"联系人: 王甲".into()),
        "{visit}"
    );

    let sales = k.file(
        "客户拜访.csv",
        "拜访日期,客户名称,所属行业,联系人,手机,拜访方式,沟通内容\n\
         2024-06-01,北京某某科技有限公司,软件,王甲,13812345678,上门,介绍新品\n",
    );
    let out = k.run(&["import", &sales, "--dry-run"]).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains(
            "客户拜访.csv: read as a customers file, its 拜访日期, 拜访方式, 沟通内容 kept with each \
             customer as extra columns (a follow-up log is imported with --kind interactions)"
        ),
        "{stderr}"
    );
}

/// A stored contract written another way (case, spaces, dashes) with the same date and
/// amount is the same contract: a conflict, not a second order counting the trade twice.
#[test]
fn a_contract_number_written_another_way_is_not_a_second_order() {
    let k = Kehu::new();
    customers_file(&k);
    let header = "客户编号,合同编号,签约日期,合同金额\n";
    let first = k.file(
        "合同1.csv",
        format!("{header}CST20240001,HT-2024-001,2024-05-01,50000\n"),
    );
    k.import_json(&[&first], 0);
    let again = k.file(
        "合同2.csv",
        format!(
            "{header}CST20240001,ht-2024-001,2024-05-01,50000\n\
             CST20240001,HT 2024 001,2024-05-01,50000\n\
             CST20240001,ＨＴ－２０２４－００１,2024-05-01,50000\n\
             CST20240001,ht2024001,2024-05-09,50000\n\
             CST20240001,HT-2024-002,2024-06-01,8000\n"
        ),
    );
    let summary = k.import_json(&[&again], 3);
    let counts = &summary["counts"];
    assert_eq!(
        (&counts["conflicts"], &counts["unchanged"], &counts["inserted"]),
        (&3.into(), &1.into(), &1.into()),
        "{summary}"
    );
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "CST20240001 already has contract HT-2024-001 of the same date and amount, which \
         ht-2024-001 writes another way: write it as stored"
    );
    assert_eq!(
        summary["conflicts"][2]["reason"],
        "CST20240001 already has contract HT-2024-001 with another date or amount, which \
         ht2024001 writes another way: write it as stored",
        "a corrected date does not make it another contract"
    );
    assert_eq!(
        k.query("SELECT group_concat(contract_no, ', ') FROM (SELECT contract_no FROM orders ORDER BY id)"),
        "HT-2024-001, HT-2024-002"
    );
}

/// A follow-up is a contact that happened: one dated after today is a typo of the year, and
/// refused as an order so dated is, in a file and by hand.
#[test]
fn a_follow_up_dated_after_today_is_refused() {
    let k = Kehu::new();
    customers_file(&k);
    let log = k.file(
        "跟进.csv",
        "客户名称,跟进日期,跟进方式,跟进内容\n\
         北京某某科技有限公司,2024-06-03,电话,催款\n\
         北京某某科技有限公司,2042-06-03,电话,催款\n",
    );
    let summary = k.import_json(&[&log], 3);
    assert_eq!(
        (&summary["rejected"][0]["row"], &summary["rejected"][0]["reason"]),
        (&3.into(), &"is after today (2024-06-30)".into()),
        "{summary}"
    );
    let err = k.fails(
        &[
            "edit",
            "CST20240001",
            "--add-interaction",
            "date=2042-06-03,channel=电话",
        ],
        1,
    );
    assert!(err.contains("is after today (2024-06-30)"), "{err}");
    assert_eq!(k.query("SELECT count(*) FROM interactions"), "1");
}
