use predicates::prelude::*;

use crate::common::Kehu;

#[test]
fn add_prints_the_new_code_and_stores_normalised_values() {
    let k = Kehu::new();
    let out = k.run(&[
        "add",
        "--name",
        "北京某某科技有限公司",
        "--uscc",
        "９１１１００００６０００３７３４１ｌ",
        "--industry",
        "软件和信息技术服务业",
        "--total-amount",
        "12.5万",
        "--first-coop-date",
        "2023年1月5日",
        "--stage",
        "成交",
        "--contact",
        "王总",
        "--mobile",
        "+86 138-1234-5678",
    ]);
    out.success()
        .stdout("CST20240001\n")
        .stderr(predicate::str::contains("created database"))
        .stderr(predicate::str::contains("added CST20240001 北京某某科技有限公司"));
    let c = &k.json(&["show", "CST20240001"])["customer"];
    assert_eq!(c["uscc"], "91110000600037341L");
    assert_eq!(c["province"], "北京市", "province inferred from the USCC");
    assert_eq!(c["region"], "north");
    assert_eq!(c["industry"], "I65");
    assert_eq!(c["total_amount"].to_string(), "125000.00");
    assert_eq!(c["first_coop_date"], "2023-01-05");
    assert_eq!(c["stage"], "customer");
    let contacts = &k.json(&["show", "CST20240001"])["contacts"];
    assert_eq!(contacts[0]["mobile"], "13812345678");
    assert_eq!(contacts[0]["primary"], true);
}

#[test]
fn codes_count_up_and_follow_a_configured_pattern() {
    let k = Kehu::new();
    assert_eq!(k.add(&["--name", "甲公司"]), "CST20240001");
    assert_eq!(k.add(&["--name", "乙公司"]), "CST20240002");
    k.ok(&["config", "set", "code-pattern", "{yyyy}{mm}-{seq:04}"]);
    assert_eq!(k.add(&["--name", "丙公司"]), "202406-0001");
    assert_eq!(k.ok(&["config", "get", "code-pattern"]), "{yyyy}{mm}-{seq:04}\n");
    let err = k.fails(&["config", "set", "code-pattern", "CST{yyyy}"], 2);
    assert!(err.contains("exactly one {seq:N}"), "{err}");
}

#[test]
fn an_invalid_uscc_is_refused_naming_field_value_and_rule() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    let before = k.dump();
    let err = k.fails(&["add", "--name", "乙公司", "--uscc", "91110000600037341A"], 1);
    assert!(
        err.contains("uscc 91110000600037341A: check character should be L"),
        "{err}"
    );
    assert_eq!(k.dump(), before, "nothing written");
}

#[test]
fn each_kind_of_bad_value_is_refused_with_its_rule() {
    let k = Kehu::new();
    for (flag, value, expected) in [
        ("--province", "广冬", "province 广冬: unknown province"),
        ("--stage", "签了", "stage 签了: unknown stage"),
        (
            "--total-amount",
            "-5",
            "total_amount -5: an amount must not be negative",
        ),
        ("--satisfaction", "11", "satisfaction 11:"),
        ("--first-coop-date", "2023-02-30", "first_coop_date 2023-02-30:"),
        ("--industry", "火箭科技", "industry 火箭科技: unknown industry"),
    ] {
        let err = k.fails(&["add", "--name", "某公司", flag, value], 1);
        assert!(err.contains(expected), "{flag} {value}: {err}");
    }
    let err = k.fails(
        &[
            "add",
            "--name",
            "某公司",
            "--contact",
            "王五",
            "--mobile",
            "12345678901",
        ],
        1,
    );
    assert!(err.contains("contact.mobile 12345678901"), "{err}");
    assert!(!k.db.exists() || k.query("SELECT count(*) FROM customers") == "0");
}

#[test]
fn cross_field_rules_are_checked() {
    let k = Kehu::new();
    let err = k.fails(&["add", "--name", "某公司", "--stage", "成交"], 1);
    assert!(
        err.contains("成交 needs at least one order or a first cooperation date"),
        "{err}"
    );
    let err = k.fails(
        &[
            "add",
            "--name",
            "某公司",
            "--first-coop-date",
            "2024-03-01",
            "--last-coop-date",
            "2024-01-01",
        ],
        1,
    );
    assert!(
        err.contains("last_coop_date 2024-01-01: is before the first cooperation date 2024-03-01"),
        "{err}"
    );
    let err = k.fails(&["add", "--name", "某公司", "--first-coop-date", "2024-07-01"], 1);
    assert!(err.contains("is after today (2024-06-30)"), "{err}");
}

#[test]
fn a_uscc_already_on_file_is_a_conflict() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司", "--uscc", "91110000600037341L"]);
    let err = k.fails(&["add", "--name", "乙公司", "--uscc", "91110000600037341L"], 1);
    assert!(
        err.contains("uscc 91110000600037341L already belongs to CST20240001 甲公司"),
        "{err}"
    );
}

#[test]
fn a_customer_like_a_stored_one_is_added_with_a_warning_naming_it() {
    let k = Kehu::new();
    k.add(&[
        "--name",
        "杭州华兴贸易有限公司",
        "--contact",
        "王总",
        "--mobile",
        "13812345678",
    ]);
    k.run(&[
        "add",
        "--name",
        "华兴贸易",
        "--contact",
        "李娜",
        "--mobile",
        "138-1234-5678",
    ])
    .success()
    .stdout("CST20240002\n")
    .stderr(predicate::str::contains(
        "CST20240002 looks like CST20240001 杭州华兴贸易有限公司 (",
    ))
    .stderr(predicate::str::contains("same mobile"))
    .stderr(predicate::str::contains("review with kehu dedupe"));
    assert_eq!(
        k.names(),
        ["杭州华兴贸易有限公司", "华兴贸易"],
        "added all the same"
    );
    k.run(&["add", "--name", "深圳某某电子有限公司"])
        .success()
        .stderr(predicate::str::contains("looks like").not());
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let k = Kehu::new();
    k.fails(&["add", "--name", "甲公司", "--colour", "red"], 2);
    let err = k.fails(&["add", "--name", "甲公司", "--set", "colour=red"], 2);
    assert!(err.contains("unknown field colour"), "{err}");
}
