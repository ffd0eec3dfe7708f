use crate::common::Kehu;

fn customer(k: &Kehu) -> String {
    k.add(&[
        "--name",
        "上海某某贸易有限公司",
        "--province",
        "上海",
        "--owner",
        "张三",
        "--contact",
        "李经理",
        "--mobile",
        "13912345678",
    ])
}

#[test]
fn edit_sets_fields_and_logs_before_and_after() {
    let k = Kehu::new();
    let code = customer(&k);
    k.run(&["edit", &code, "--set", "owner=李四", "--set", "满意度=9"])
        .success()
        .stderr(format!("{code}: 2 change(s) recorded\n"));
    let c = &k.json(&["show", &code])["customer"];
    assert_eq!(c["owner"], "李四");
    assert_eq!(c["satisfaction"].to_string(), "9");
    let log = k.json(&["log", "--customer", &code, "--action", "edit"]);
    let changes = &log[0]["changes"];
    assert_eq!(
        changes[0],
        serde_json::json!({"field": "owner", "before": "张三", "after": "李四"})
    );
    assert_eq!(
        changes[1],
        serde_json::json!({"field": "satisfaction", "before": null, "after": "9"})
    );
}

#[test]
fn setting_the_same_value_changes_nothing() {
    let k = Kehu::new();
    let code = customer(&k);
    k.run(&["edit", &code, "--set", "owner=张三"])
        .success()
        .stderr(format!("{code}: nothing changed (the values were already so)\n"));
    assert_eq!(
        k.query("SELECT count(*) FROM change_log WHERE action = 'edit'"),
        "0"
    );
}

#[test]
fn a_stage_move_keeps_its_date_and_reason() {
    let k = Kehu::new();
    let code = customer(&k);
    let err = k.fails(&["edit", &code, "--set", "stage=成交"], 1);
    assert!(err.contains("成交 needs at least one order"), "{err}");
    k.ok(&[
        "edit",
        &code,
        "--add-order",
        "date=2024-05-20,amount=12万,contract=HT-2024-009",
        "--set",
        "stage=成交",
        "--reason",
        "签订年度合同",
        "--stage-date",
        "2024-05-20",
    ]);
    let file = k.json(&["show", &code]);
    assert_eq!(file["customer"]["stage"], "customer");
    assert_eq!(file["customer"]["stage_date"], "2024-05-20");
    let moves = &file["stage_moves"];
    assert_eq!(moves[0]["from"], "prospect");
    assert_eq!(moves[0]["to"], "customer");
    assert_eq!(moves[0]["reason"], "签订年度合同");
    assert_eq!(file["orders"][0]["amount"].to_string(), "120000.00");
    assert_eq!(file["order_count"], 1);
}

#[test]
fn contacts_are_added_changed_and_marked_left_but_kept() {
    let k = Kehu::new();
    let code = customer(&k);
    k.ok(&[
        "edit",
        &code,
        "--add-contact",
        "name=王五,title=采购经理,mobile=139-8765-4321,primary=yes",
    ]);
    k.ok(&[
        "edit",
        &code,
        "--contact",
        "李经理",
        "--contact-left",
        "2024-06-01",
    ]);
    k.ok(&[
        "edit",
        &code,
        "--contact",
        "王五",
        "--contact-set",
        "email=WangWu@Example.com",
    ]);
    let contacts = k.json(&["show", &code])["contacts"].clone();
    assert_eq!(
        contacts.as_array().unwrap().len(),
        2,
        "the one who left stays in history"
    );
    assert_eq!(contacts[0]["name"], "王五");
    assert_eq!(contacts[0]["primary"], true);
    assert_eq!(contacts[0]["email"], "wangwu@example.com");
    assert_eq!(contacts[1]["name"], "李经理");
    assert_eq!(contacts[1]["active"], false);
    assert_eq!(contacts[1]["left_date"], "2024-06-01");
    let err = k.fails(&["edit", &code, "--contact", "赵六", "--contact-primary"], 4);
    assert!(err.contains("has no contact 赵六"), "{err}");
}

#[test]
fn remarks_and_interactions_are_appended() {
    let k = Kehu::new();
    let code = customer(&k);
    k.ok(&["edit", &code, "--add-remark", "年底有扩产计划"]);
    k.ok(&[
        "edit",
        &code,
        "--add-interaction",
        "date=2024-06-10,channel=电话,summary=谈了价格, 交期",
    ]);
    let file = k.json(&["show", &code]);
    assert_eq!(file["customer"]["remarks"], "[2024-06-30 测试员] 年底有扩产计划");
    assert_eq!(file["interactions"][0]["summary"], "谈了价格, 交期");
}

#[test]
fn invalid_edits_change_nothing() {
    let k = Kehu::new();
    let code = customer(&k);
    let before = k.dump();
    let err = k.fails(
        &[
            "edit",
            &code,
            "--set",
            "owner=王五",
            "--set",
            "uscc=91110000600037341A",
        ],
        1,
    );
    assert!(
        err.contains("uscc 91110000600037341A: check character should be L"),
        "{err}"
    );
    let err = k.fails(&["edit", &code, "--add-order", "date=2024-05-20,amount=-3"], 1);
    assert!(err.contains("order.amount -3"), "{err}");
    assert_eq!(k.dump(), before);
}

#[test]
fn editing_an_unknown_code_is_not_found() {
    let k = Kehu::new();
    customer(&k);
    let err = k.fails(&["edit", "CST20249999", "--set", "owner=x"], 4);
    assert!(err.contains("no customer with code CST20249999"), "{err}");
    k.fails(&["edit", "CST20240001"], 2);
}
