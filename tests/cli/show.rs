use predicates::prelude::*;

use crate::common::Kehu;

#[test]
fn show_prints_the_whole_file_in_chinese() {
    let k = Kehu::new();
    let code = k.add(&[
        "--name",
        "深圳某某电子有限公司",
        "--province",
        "广东",
        "--city",
        "深圳",
        "--industry",
        "C39",
        "--first-coop-date",
        "2022-03-01",
        "--stage",
        "成交",
        "--contact",
        "陈工",
        "--mobile",
        "13812345678",
    ]);
    k.ok(&[
        "edit",
        &code,
        "--add-order",
        "date=2024-03-01,amount=¥1,234.50,contract=HT-1",
    ]);
    k.cmd()
        .args(["show", &code, "--lang", "zh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("深圳某某电子有限公司"))
        .stdout(predicate::str::contains("区域"))
        .stdout(predicate::str::contains("华南"))
        .stdout(predicate::str::contains("C39 计算机、通信和其他电子设备制造业"))
        .stdout(predicate::str::contains("成交"))
        .stdout(predicate::str::contains("陈工"))
        .stdout(predicate::str::contains("1234.50"))
        .stdout(predicate::str::contains("最近变更"));
}

#[test]
fn show_of_an_unknown_code_is_not_found() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    let err = k.fails(&["show", "CST20249999"], 4);
    assert!(err.contains("no customer with code CST20249999"), "{err}");
}

#[test]
fn reading_a_missing_database_fails_without_creating_it() {
    let k = Kehu::new();
    let err = k.fails(&["show", "CST20240001"], 4);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!k.db.exists());
}

#[test]
fn a_database_from_a_newer_kehu_is_refused() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    k.sql("PRAGMA user_version = 999");
    let err = k.fails(&["list"], 1);
    assert!(
        err.contains("schema version 999 is newer than this kehu supports"),
        "{err}"
    );
}

#[test]
fn a_locked_database_gives_exit_code_5() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    let conn = rusqlite::Connection::open(&k.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('x', 'y');")
        .unwrap();
    let err = k.fails(&["--busy-timeout", "0", "add", "--name", "乙公司"], 5);
    assert!(err.contains("database is busy"), "{err}");
    conn.execute_batch("ROLLBACK").unwrap();
    k.ok(&["add", "--name", "乙公司"]);
}
