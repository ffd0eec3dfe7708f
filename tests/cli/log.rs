use predicates::prelude::*;

use crate::common::Kehu;

fn history(k: &Kehu) -> String {
    let code = k.add(&["--name", "北京某某科技有限公司", "--owner", "张三"]);
    k.cmd()
        .args(["--operator", "王五", "edit", &code, "--set", "owner=李四"])
        .assert()
        .success();
    k.ok(&["edit", &code, "--set", "intent=高"]);
    code
}

#[test]
fn log_lists_every_change_with_operator_and_fields() {
    let k = Kehu::new();
    let code = history(&k);
    let log = k.json(&["log", "--customer", &code]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["add", "edit", "edit"]);
    assert_eq!(log[0]["operator"], "测试员");
    assert_eq!(log[1]["operator"], "王五");
    assert_eq!(log[1]["at"], "2024-06-30T09:00:00Z");
    assert_eq!(log[1]["changes"][0]["before"], "张三");
}

#[test]
fn log_filters_by_operator_action_and_time() {
    let k = Kehu::new();
    history(&k);
    let by = k.json(&["--operator", "王五", "log"]);
    assert_eq!(by.as_array().unwrap().len(), 1);
    assert_eq!(k.json(&["log", "--action", "add"]).as_array().unwrap().len(), 1);
    assert_eq!(
        k.json(&["log", "--since", "2024-07-01"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        k.json(&["log", "--until", "2024-06-30"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        k.json(&["log", "--until", "2024-06-29"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn log_verify_passes_on_an_untouched_log() {
    let k = Kehu::new();
    history(&k);
    k.run(&["log", "verify"])
        .success()
        .stdout("change log intact: 3 entries verified\n");
}

#[test]
fn log_verify_names_an_entry_edited_behind_kehus_back() {
    let k = Kehu::new();
    history(&k);
    k.sql("UPDATE change_log SET changes = replace(changes, '李四', '赵六') WHERE id = 2");
    k.run(&["log", "verify"]).code(1).stderr(predicate::str::contains(
        "change log broken at entry 2: entry 2 was edited after it was written",
    ));
}

#[test]
fn log_verify_names_a_deleted_entry() {
    let k = Kehu::new();
    history(&k);
    k.sql("DELETE FROM change_log WHERE id = 2");
    k.run(&["log", "verify"])
        .code(1)
        .stderr(predicate::str::contains("entry 2 is missing (deleted)"));
}
