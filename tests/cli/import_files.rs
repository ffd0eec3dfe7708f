//! `kehu import` on files as they come from other systems.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::Kehu;

fn write(k: &Kehu, name: &str, bytes: &[u8]) -> String {
    let path: PathBuf = k.db.with_file_name(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn import_json(k: &Kehu, args: &[&str], code: i32) -> Value {
    let mut all = vec!["import"];
    all.extend(args);
    all.extend(["--format", "json"]);
    let out = k.run(&all).code(code);
    serde_json::from_slice(&out.get_output().stdout).expect("json summary")
}

/// The rejected rows of a summary: (row, column, value).
fn rejected(summary: &Value) -> Vec<(u64, String, String)> {
    summary["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["column"].as_str().unwrap().to_string(),
                r["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn mobile_rejects(rows: &[u64]) -> Vec<(u64, String, String)> {
    rows.iter()
        .map(|&row| (row, "手机".to_string(), row.to_string()))
        .collect()
}

/// Each row is rejected (its mobile is its own row number, too short for a mobile), so the
/// summary shows the number kehu gives each row.
#[test]
fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
    let k = Kehu::new();
    let crlf = write(
        &k,
        "crlf.csv",
        "客户名称,手机,备注\r\n公司A有限公司,2,\r\n公司B有限公司,3,x\r\n".as_bytes(),
    );
    assert_eq!(
        rejected(&import_json(&k, &["--dry-run", &crlf], 3)),
        mobile_rejects(&[2, 3])
    );

    let blank_lines = write(
        &k,
        "blank.csv",
        "客户名称,手机\n甲公司有限公司,2\n\n乙公司有限公司,4\n\n\n丙公司有限公司,7\n".as_bytes(),
    );
    let summary = import_json(&k, &["--dry-run", &blank_lines], 3);
    assert_eq!(rejected(&summary), mobile_rejects(&[2, 4, 7]));
    assert_eq!(
        summary["counts"]["blank_rows"], 0,
        "blank lines are rows with no record"
    );

    // A title and a blank line above the header; a remark over two lines is one row.
    let titled = write(
        &k,
        "titled.csv",
        "2024年客户名单\r\n\r\n客户名称,手机,备注\r\n甲公司有限公司,4,\"第一行\r\n第二行\"\r\n乙公司有限公司,5,\r\n"
            .as_bytes(),
    );
    assert_eq!(
        rejected(&import_json(&k, &["--dry-run", &titled], 3)),
        mobile_rejects(&[4, 5])
    );
    k.run(&["import", "--show-mapping", &titled])
        .success()
        .stderr(predicates::str::contains("header found on row 3"));
}
