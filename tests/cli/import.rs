use std::path::Path;

use calamine::{Reader, open_workbook_auto};
use predicates::prelude::*;
use serde_json::Value;

use crate::common::Kehu;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Imports the sales workbook with its rejects written to 退回.xlsx; returns that path.
fn sales_with_rejects(k: &Kehu) -> std::path::PathBuf {
    let rejects = k.db.with_file_name("退回.xlsx");
    k.run(&[
        "import",
        &fixture("sales-q2.xlsx"),
        "--rejects",
        rejects.to_str().unwrap(),
    ])
    .code(3);
    rejects
}

/// The first sheet of a workbook, as text cells.
fn workbook_rows(path: &Path) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn customer(k: &Kehu, code: &str) -> Value {
    k.json(&["show", code])
}

/// The sales workbook: a title row, date cells, a serial date, a 合计 row and three bad rows.
#[test]
fn the_sales_workbook_goes_in_with_its_bad_rows_reported() {
    let k = Kehu::new();
    let out = k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr
            .contains("6 rows read, 3 inserted, 0 updated, 0 unchanged, 0 skipped, 3 rejected, 0 conflicts"),
        "{stderr}"
    );
    assert!(stderr.contains("(1 blank and 1 total rows skipped)"), "{stderr}");
    for expected in [
        "8   ┆ 统一社会信用代码 ┆ 91110000600037341N ┆ check character should be L",
        "9   ┆ 最近合作日期     ┆ 2023-02-01         ┆ is before the first cooperation date 2023-05-08",
        "10  ┆ 手机号码         ┆ 12345678901        ┆ mobile must be 11 digits",
    ] {
        assert!(stdout.contains(expected), "missing {expected} in\n{stdout}");
    }

    let beijing = customer(&k, "CST20240001");
    let c = &beijing["customer"];
    assert_eq!(c["name"], "北京某某科技有限公司");
    assert_eq!(c["first_coop_date"], "2022-03-15", "a date cell");
    assert_eq!(
        c["total_amount"].to_string(),
        "1255000.00",
        "125.5 in a (万元) column"
    );
    assert_eq!(c["satisfaction"].to_string(), "9");
    assert_eq!(c["province"], "北京市");
    assert_eq!(c["industry"], "I65");
    assert_eq!(
        beijing["extra"]["微信群"], "北京客户群",
        "a column with no field is kept"
    );
    assert_eq!(
        beijing["contacts"][0]["mobile"], "13812345678",
        "a phone stored as a number keeps its digits"
    );
    let shanghai = &customer(&k, "CST20240002")["customer"];
    assert_eq!(shanghai["first_coop_date"], "2023-01-05", "Excel serial 44931");
    assert_eq!(shanghai["last_coop_date"], "2024-06-01");
    let shenzhen = &customer(&k, "CST20240003")["customer"];
    assert_eq!(
        (shenzhen["province"].as_str(), shenzhen["city"].as_str()),
        (Some("广东省"), Some("深圳"))
    );
    k.fails(&["show", "CST20240004"], 4);
}

/// A row wrong in several cells is reported with all of them, so one pass over the rejects
/// file fixes it.
#[test]
fn every_problem_of_a_rejected_row_is_reported_at_once() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,统一社会信用代码,联系人,手机,首次合作日期,累计合作金额\n\
         广州丙实业有限公司,91440000MA00000030,张三,1381234567,2099-01-01,-5\n\
         杭州戊网络有限公司,,钱五,13812345678,2023-01-05,100\n",
    );
    let rejects = k.db.with_file_name("退回.csv").display().to_string();
    let summary = k.import_json(&[&path, "--rejects", &rejects], 3);
    assert_eq!(summary["counts"]["rejected"], 1, "one row, however many problems");
    let row = &summary["rejected"][0];
    assert_eq!(row["column"], "统一社会信用代码");
    let also: Vec<&str> = row["also"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["column"].as_str().unwrap())
        .collect();
    assert_eq!(also, ["手机", "首次合作日期", "累计合作金额"]);
    assert_eq!(row["also"][2]["reason"], "an amount must not be negative");
    let written = std::fs::read_to_string(&rejects).unwrap();
    let mut cells = csv::Reader::from_reader(written.trim_start_matches('\u{feff}').as_bytes());
    let record = cells.records().next().unwrap().unwrap();
    let reason = record.iter().next_back().unwrap();
    assert!(
        reason.starts_with("统一社会信用代码 91440000MA00000030: ")
            && reason.contains("；手机 1381234567: ")
            && reason.ends_with("；累计合作金额 -5: an amount must not be negative"),
        "{reason}"
    );

    // Fixed in one pass, the row goes in.
    let fixed = written
        .replace("91440000MA00000030", "")
        .replace("1381234567,", "13812345670,")
        .replace("2099-01-01", "2023-03-07")
        .replace(",-5,", ",5,");
    k.file("退回.csv", fixed);
    let summary = k.import_json(&[&rejects], 0);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");

    // The console lists each problem on a line of its own, under the row's number.
    let k = Kehu::new();
    let out = k.run(&["import", &path]).code(3).get_output().stdout.clone();
    let table = String::from_utf8(out).unwrap();
    assert_eq!(table.matches("│ 2 ").count(), 4, "{table}");
}

#[test]
fn the_json_summary_lists_counts_and_rejects() {
    let k = Kehu::new();
    let summary = k.import_json(&[&fixture("sales-q2.xlsx")], 3);
    assert_eq!(summary["counts"]["inserted"], 3);
    assert_eq!(summary["counts"]["rejected"], 3);
    assert_eq!(summary["counts"]["total_rows"], 1);
    assert_eq!(summary["batch"], 1);
    assert_eq!(
        summary["rejected"][0],
        serde_json::json!({"row": 8, "column": "统一社会信用代码", "value": "91110000600037341N", "reason": "check character should be L", "also": []})
    );
    assert_eq!(
        summary["rejected_by_reason"]["统一社会信用代码: check character should be L"],
        1
    );
}

#[test]
fn rejected_rows_can_be_fixed_in_the_rejects_file_and_imported_again() {
    let k = Kehu::new();
    let rows = workbook_rows(&sales_with_rejects(&k));
    assert_eq!(rows.len(), 4, "header and three rejected rows");
    assert_eq!(rows[0].last().unwrap(), "导入退回原因");
    assert_eq!(rows[1][1], "杭州某某机械有限公司");
    assert_eq!(
        rows[1].last().unwrap(),
        "统一社会信用代码 91110000600037341N: check character should be L"
    );
    assert_eq!(rows[3][13], "12345678901");

    // The clerk fixes the three rows: a real USCC, ordered dates, a real mobile.
    let mut fixed = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let mut row = row.clone();
        if i == 1 {
            row[2] = "91330100MA27XGJT26".into();
        }
        if i == 2 {
            row[8] = "2024-02-01".into();
        }
        if i == 3 {
            row[13] = "13912340000".into();
        }
        fixed.write_record(&row).unwrap();
    }
    let path = k.file("fixed.csv", fixed.into_inner().unwrap());
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 3, "all three fixed rows go in");
    assert_eq!(summary["counts"]["rejected"], 0);
    let hangzhou = customer(&k, "CST20240004");
    assert_eq!(hangzhou["customer"]["name"], "杭州某某机械有限公司");
    assert_eq!(hangzhou["customer"]["uscc"], "91330100MA27XGJT26");
    assert_eq!(
        hangzhou["customer"]["first_coop_date"], "2021-07-01",
        "a date read back from the rejects file"
    );
}

/// The clerk's loop: import the rejects file, writing what is still wrong back over it.
#[test]
fn the_rejects_file_can_be_imported_with_itself_as_the_rejects_file() {
    let k = Kehu::new();
    // Large enough that the import is still reading it when the first rejects are known.
    let mut text = String::from("客户名称,手机,备注\n");
    for i in 1..=400 {
        let mobile = if i % 4 == 0 {
            "123".to_string()
        } else {
            format!("139{i:08}")
        };
        text += &format!("华东测试{i:03}贸易有限公司,{mobile},这是一段比较长的备注文字用于测试\n");
    }
    let path = k.file("退回.csv", text.as_bytes());
    let summary = k.import_json(&[&path, "--rejects", &path], 3);
    assert_eq!(summary["counts"]["inserted"], 300, "every row read to the end");
    assert_eq!(summary["counts"]["rejected"], 100);
    let rejects = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 101, "the header and the hundred rejected rows");
    assert_eq!(lines[0], "\u{feff}客户名称,手机,备注,导入退回原因");
    assert!(
        lines[1].starts_with("华东测试004贸易有限公司,123,"),
        "{}",
        lines[1]
    );

    // Imported again, still wrong: the reason replaces the old one in its column.
    k.import_json(&[&path, "--rejects", &path], 1);
    let again = std::fs::read_to_string(&path).unwrap();
    assert_eq!(again.lines().count(), 101);
    assert_eq!(
        again.lines().next().unwrap(),
        "\u{feff}客户名称,手机,备注,导入退回原因"
    );
    assert_eq!(k.query("SELECT count(*) FROM customers"), "300");
}

#[test]
fn a_rejects_file_that_would_lose_rows_or_cannot_be_written_is_refused_before_importing() {
    let k = Kehu::new();
    let text = "客户名称,手机\n甲公司有限公司,123\n乙公司有限公司,13812345678\n";
    let path = k.file("退回.csv", text);
    for flag in ["--dry-run", "--strict", "--on-existing=skip"] {
        let err = k.fails(&["import", &path, "--rejects", &path, flag], 2);
        assert!(err.contains("is the file being imported"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{flag}: the file is as it was"
        );
    }
    let book = fixture("sales-q2.xlsx");
    let copy = k.file("客户.xlsx", std::fs::read(&book).unwrap());
    let err = k.fails(&["import", &copy, "--rejects", &copy], 2);
    assert!(
        err.contains("the workbook's other sheets and formatting would be lost"),
        "{err}"
    );
    let nowhere =
        k.db.with_file_name("no-such-dir")
            .join("退回.csv")
            .display()
            .to_string();
    k.run(&["import", &path, "--rejects", &nowhere]).failure();
    assert!(!k.db.exists(), "nothing imported");
    let folder = k.db.with_file_name("退回.csv.d");
    std::fs::create_dir(&folder).unwrap();
    let err = k.fails(&["import", &path, "--rejects", folder.to_str().unwrap()], 2);
    assert!(err.contains("is a directory; name a file"), "{err}");
    let unmade = format!("{}/", k.db.with_file_name("新目录").display());
    let err = k.fails(&["import", &path, "--rejects", &unmade], 2);
    assert!(err.contains("is a directory; name a file"), "{err}");
    assert!(!k.db.exists(), "nothing imported");

    let rejects = k.db.with_file_name("rejects.csv").display().to_string();
    k.run(&["import", &path, "--rejects", &rejects]).code(3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&rejects).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "readable by colleagues, as any saved file: {mode:o}"
        );
    }
}

#[test]
fn a_rejected_row_keeps_the_cells_beyond_its_header() {
    let k = Kehu::new();
    let path = k.file(
        "wide.csv",
        "客户名称,手机\n甲公司有限公司,123,多余1,多余2\n乙公司有限公司,13912345678\n".as_bytes(),
    );
    let rejects = k.db.with_file_name("退回.csv").display().to_string();
    k.import_json(&[&path, "--rejects", &rejects], 3);
    let written = std::fs::read_to_string(&rejects).unwrap();
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows[0], "\u{feff}客户名称,手机,,,导入退回原因");
    assert!(
        rows[1].starts_with("甲公司有限公司,123,多余1,多余2,\"手机 123: "),
        "{}",
        rows[1]
    );
}

#[test]
fn a_column_of_the_clerks_own_called_原因_is_kept_beside_the_rejects_files_reason() {
    let k = Kehu::new();
    let path = k.file(
        "流失.csv",
        "客户名称,原因,手机\n甲科技有限公司,价格太高,13812345678\n乙科技有限公司,服务不满意,123\n",
    );
    let rejects = k.db.with_file_name("退回.csv").display().to_string();
    k.import_json(&[&path, "--rejects", &rejects], 3);
    assert_eq!(customer(&k, "CST20240001")["extra"]["原因"], "价格太高");
    let written = std::fs::read_to_string(&rejects).unwrap();
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows[0], "\u{feff}客户名称,原因,手机,导入退回原因");
    assert!(
        rows[1].starts_with("乙科技有限公司,服务不满意,123,"),
        "{}",
        rows[1]
    );

    // Fixed and imported again, the clerk's 原因 goes in and kehu's own column does not.
    k.file("退回.csv", written.replace(",123,", ",13912345678,"));
    let summary = k.import_json(&[&rejects], 0);
    assert_eq!(summary["counts"]["inserted"], 1);
    let extra = &customer(&k, "CST20240002")["extra"];
    assert_eq!(extra, &serde_json::json!({"原因": "服务不满意"}));
}

/// Excel's "Unicode text" is tab-separated: its rejects come back the same way; a rejects
/// workbook's sheet is named after the sheet imported.
#[test]
fn a_rejects_file_takes_the_inputs_delimiter_and_sheet_name() {
    let k = Kehu::new();
    let text: Vec<u8> = "客户名称\t手机\r\n甲科技有限公司\t123\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let path = k.file("客户.txt", [&[0xFF, 0xFE][..], &text].concat());
    let rejects = k.db.with_file_name("退回.txt").display().to_string();
    k.import_json(&[&path, "--rejects", &rejects], 1);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        written.lines().next().unwrap(),
        "\u{feff}客户名称\t手机\t导入退回原因"
    );

    let book = open_workbook_auto(sales_with_rejects(&k)).unwrap();
    assert_eq!(book.sheet_names(), ["客户清单"]);
}

/// A cell longer than xlsx allows is cut in the rejects workbook, and the reason says so;
/// and whatever happens to the rejects file, the clerk hears what the import did.
#[test]
fn an_over_long_cell_is_cut_in_a_rejects_workbook_and_said_so() {
    let k = Kehu::new();
    let long = "长".repeat(33_000);
    let emoji = "😀".repeat(17_000);
    let digits = "1".repeat(33_000);
    let path = k.file(
        "长.csv",
        format!(
            "客户名称,手机,备注\n好科技有限公司,13812345678,短\n坏科技有限公司,123,{long}\n\
             笑科技有限公司,123,{emoji}\n长号科技有限公司,{digits},短\n"
        ),
    );
    let rejects = k.db.with_file_name("退回.xlsx");
    let summary = k.import_json(&[&path, "--rejects", rejects.to_str().unwrap()], 3);
    assert_eq!(summary["counts"]["inserted"], 1);
    let rows = workbook_rows(&rejects);
    assert_eq!(rows[1][2].chars().count(), 32_767);
    assert!(
        rows[1][3].ends_with("; a cell was cut to the 32767 characters an xlsx cell holds"),
        "{}",
        rows[1][3]
    );
    assert_eq!(rows.len(), 4, "all three rejected rows are in the file");
    assert_eq!(
        rows[2][2].encode_utf16().count(),
        32_766,
        "an emoji is two units of 32,767"
    );
    assert_eq!(rows[3][1].len(), 32_767);
    assert!(
        rows[3][3].starts_with(&format!("手机 {}…: mobile must be 11 digits", "1".repeat(60)))
            && rows[3][3].ends_with("; a cell was cut to the 32767 characters an xlsx cell holds"),
        "the reason quotes the start of the value: {}",
        rows[3][3]
    );
}

/// With --strict nothing goes in: the rejects file lists what to fix in the original.
#[test]
fn a_strict_import_says_to_fix_the_rows_in_the_file_itself() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,手机\n甲科技有限公司,123\n乙科技有限公司,13812345678\n",
    );
    let rejects = k.db.with_file_name("退回.csv").display().to_string();
    let err = k.fails(&["import", &path, "--strict", "--rejects", &rejects], 1);
    assert!(
        err.contains("the rows to fix are listed in")
            && err.contains("fix them in 客户.csv and import 客户.csv again"),
        "{err}"
    );
    assert!(!err.contains("rejected rows written to"), "{err}");
}

#[test]
fn a_rejects_file_kehu_cannot_write_is_refused_before_importing() {
    let k = Kehu::new();
    k.run(&["import", &fixture("marketing-gbk.csv")]).success();
    let before = k.dump();
    let rejects = k.db.with_file_name("退回.ods").display().to_string();
    let err = k.fails(&["import", &fixture("sales-q2.xlsx"), "--rejects", &rejects], 2);
    assert!(
        err.contains("kehu writes rejected rows as .xlsx or .csv, not .ods"),
        "{err}"
    );
    assert!(!Path::new(&rejects).exists());
    assert_eq!(k.dump(), before);
}

#[test]
fn the_marketing_csv_in_gbk_updates_matches_and_renames() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    let summary = k.import_json(&[&fixture("marketing-gbk.csv")], 0);
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(summary["counts"]["updated"], 3);
    assert_eq!(
        summary["counts"]["unchanged"], 1,
        "某某科技有限责任公司 with 王经理 on 王总's mobile is 北京某某科技, and says nothing new"
    );
    assert_eq!(summary["counts"]["renamed"], 1);

    let beijing = customer(&k, "CST20240001");
    assert_eq!(
        beijing["customer"]["source"], "exhibition",
        "matched by its (lower-case) USCC"
    );
    assert_eq!(beijing["customer"]["intent"], "high");
    assert_eq!(
        beijing["customer"]["owner"], "张伟",
        "columns the file lacks stay as they were"
    );
    assert_eq!(beijing["contacts"][0]["landline"], "01012345678");
    assert_eq!(
        beijing["contacts"].as_array().unwrap().len(),
        1,
        "王总 and 王经理 with one mobile are one contact"
    );
    assert_eq!(
        customer(&k, "CST20240003")["customer"]["source"],
        "online_ad",
        "matched by exact name"
    );

    let shanghai = customer(&k, "CST20240002");
    assert_eq!(shanghai["customer"]["name"], "上海某某国际贸易有限公司");
    let renames = k.json(&["log", "--action", "import.rename"]);
    assert_eq!(renames[0]["customer"], "CST20240002");
    assert_eq!(renames[0]["changes"][0]["field"], "name");
    assert_eq!(renames[0]["changes"][0]["before"], "上海某某贸易有限公司");

    let nanjing = customer(&k, "CST20240004");
    assert_eq!(nanjing["customer"]["name"], "南京某某医药有限公司");
    assert_eq!(nanjing["contacts"][0]["landline"], "02583456789转801");
}

#[test]
fn the_service_csv_updates_only_its_columns_and_reports_a_code_collision() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    let summary = k.import_json(&[&fixture("service-feedback.csv")], 3);
    assert_eq!(summary["counts"]["updated"], 2);
    assert_eq!(summary["counts"]["conflicts"], 1);
    let conflict = &summary["conflicts"][0];
    assert_eq!(
        conflict["row"], 4,
        "the row a spreadsheet shows: the two-line remark above is one row"
    );
    assert_eq!(conflict["code"], "CST20240003");
    assert_eq!(conflict["incoming"], "广州白云化工有限公司");
    assert!(
        conflict["stored"]
            .as_str()
            .unwrap()
            .contains("深圳某某电子有限公司")
    );

    let c = &customer(&k, "CST20240001")["customer"];
    assert_eq!(c["satisfaction"].to_string(), "9.5");
    assert_eq!(c["referrals_12m"], 2);
    assert_eq!(
        c["remarks"], "客户反馈:\"服务及时\",\n希望增加培训",
        "quoted commas and a line break survive"
    );
    assert_eq!(
        c["total_amount"].to_string(),
        "1255000.00",
        "not in the file, not touched"
    );
    assert_eq!(
        customer(&k, "CST20240003")["customer"]["name"],
        "深圳某某电子有限公司",
        "the conflict was not applied"
    );
    assert_eq!(customer(&k, "CST20240002")["customer"]["complaints_12m"], 3);
}

#[test]
fn contracts_attach_orders_by_code_or_name() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    k.ok(&["import", &fixture("marketing-gbk.csv")]);
    let summary = k.import_json(&[&fixture("contracts.csv")], 3);
    assert_eq!(summary["counts"]["inserted"], 3);
    let rejected: Vec<(u64, String, String)> = summary["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["column"].as_str().unwrap().into(),
                r["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (5, "客户编号".into(), "no stored customer has this code".into()),
            (6, "签约日期".into(), "2024-06-31 is not a real date".into()),
        ]
    );
    let beijing = customer(&k, "CST20240001");
    assert_eq!(beijing["order_count"], 2);
    assert_eq!(
        beijing["order_total"].to_string(),
        "475000.00",
        "¥350,000.00 + 12.5万"
    );
    assert_eq!(
        customer(&k, "CST20240002")["orders"][0]["contract_no"],
        "HT-2024-020",
        "by the new name"
    );
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    k.ok(&["import", &fixture("marketing-gbk.csv")]);
    let customers = k
        .query("SELECT group_concat(code || name || updated_at || coalesce(source, ''), ';') FROM customers");
    let summary = k.import_json(&[&fixture("marketing-gbk.csv")], 0);
    assert_eq!(summary["counts"]["unchanged"], 5);
    assert_eq!(summary["counts"]["inserted"], 0);
    assert_eq!(summary["counts"]["updated"], 0);
    assert_eq!(
        k.query(
            "SELECT group_concat(code || name || updated_at || coalesce(source, ''), ';') FROM customers"
        ),
        customers
    );
    assert_eq!(k.query("SELECT count(*) FROM contacts"), "4");
}

#[test]
fn a_dry_run_reports_without_writing() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    let before = k.dump();
    let summary = k.import_json(&["--dry-run", &fixture("sales-q2.xlsx")], 3);
    assert_eq!(summary["counts"]["inserted"], 3);
    assert_eq!(summary["committed"], false);
    assert_eq!(k.dump(), before);
}

#[test]
fn a_dry_run_creates_no_database() {
    let k = Kehu::new();
    let out = k.run(&["import", "--dry-run", &fixture("sales-q2.xlsx")]).code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("3 inserted"), "{stderr}");
    assert!(!stderr.contains("created database"), "{stderr}");
    assert!(!k.db.exists());
}

#[test]
fn strict_is_all_or_nothing() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    let before = k.dump();
    let err = k.fails(&["import", "--strict", &fixture("sales-q2.xlsx")], 1);
    assert!(
        err.contains("--strict: 3 row(s) rejected, nothing imported"),
        "{err}"
    );
    assert_eq!(k.dump(), before);
}

#[test]
fn an_import_can_be_undone_exactly() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    let customers = |k: &Kehu| {
        k.query(
            "SELECT group_concat(code || '|' || name || '|' || coalesce(source, '') || '|' || coalesce(intent, '') \
             || '|' || coalesce(remarks, ''), ';') FROM (SELECT * FROM customers ORDER BY code)",
        )
    };
    let contacts = |k: &Kehu| {
        k.query("SELECT group_concat(name || '|' || coalesce(mobile, '') || '|' || coalesce(landline, ''), ';') FROM contacts")
    };
    let (before, before_contacts) = (customers(&k), contacts(&k));
    k.ok(&["import", &fixture("marketing-gbk.csv")]);
    assert_ne!(customers(&k), before);

    k.run(&["import", "undo", "2"])
        .success()
        .stderr(predicate::str::contains(
            "import batch 2 undone: 1 customers removed, 3 restored",
        ));
    assert_eq!(
        customers(&k),
        before,
        "inserted rows removed, updated fields restored, the rename taken back"
    );
    assert_eq!(contacts(&k), before_contacts);
    let err = k.fails(&["import", "undo", "2"], 1);
    assert!(err.contains("already undone"), "{err}");
    let list = k.json(&["import", "list"]);
    assert_eq!(list[1]["file"], "marketing-gbk.csv");
    assert!(list[1]["undone_at"].is_string());
    k.run(&["log", "verify"]).success();
}

#[test]
fn undoing_a_batch_takes_back_its_stage_moves_and_the_contacts_of_its_customers() {
    let k = Kehu::new();
    k.ok(&["import", &fixture("service-feedback.csv")]);
    let stages = |k: &Kehu| {
        k.query(
            "SELECT group_concat(code || '|' || stage || '|' || coalesce(stage_date, '-') || '|' || \
             (SELECT count(*) FROM stage_moves m WHERE m.customer_id = c.id), ';') \
             FROM (SELECT * FROM customers ORDER BY code) c",
        )
    };
    let contacts = |k: &Kehu| k.query("SELECT count(*) FROM contacts").parse::<u64>().unwrap();
    let (before, before_contacts) = (stages(&k), contacts(&k));
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    assert_ne!(
        stages(&k),
        before,
        "the sales workbook moves two customers to 成交"
    );
    let added = contacts(&k) - before_contacts;

    let out = k.json(&["import", "undo", "2"]);
    assert_eq!(stages(&k), before, "stage, stage date and moves as they were");
    assert_eq!(out["removed_customers"], 1);
    assert_eq!(
        out["removed_contacts"].as_u64(),
        Some(added),
        "with the customers they belong to: {out}"
    );
    assert_eq!(contacts(&k), before_contacts);
    k.run(&["log", "verify"]).success();
}

#[test]
fn batches_undone_newest_first_can_all_be_undone() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    k.ok(&["import", &fixture("marketing-gbk.csv")]);
    let err = k.fails(&["import", "undo", "1"], 1);
    assert!(err.contains("changed after it"), "{err}");
    k.ok(&["import", "undo", "2"]);
    k.ok(&["import", "undo", "1"]);
    assert_eq!(k.query("SELECT count(*) FROM customers"), "0");
    assert_eq!(k.query("SELECT count(*) FROM contacts"), "0");
    k.run(&["log", "verify"]).success();
}

#[test]
fn undo_is_refused_when_later_changes_depend_on_the_batch() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    k.ok(&["edit", "CST20240001", "--set", "owner=王五"]);
    let before = k.dump();
    let err = k.fails(&["import", "undo", "1"], 1);
    assert!(
        err.contains(
            "cannot undo import batch 1: 1 customer(s) changed after it: CST20240001 (edit by 测试员"
        ),
        "{err}"
    );
    assert_eq!(k.dump(), before);
    let err = k.fails(&["import", "undo", "9"], 4);
    assert!(err.contains("no import batch 9"), "{err}");
}

#[test]
fn show_mapping_explains_each_header_and_imports_nothing() {
    let k = Kehu::new();
    let out = k.ok(&[
        "import",
        "--show-mapping",
        &fixture("marketing-gbk.csv"),
        "--format",
        "csv",
    ]);
    assert_eq!(
        out,
        "column,header,field,unit,by\n\
         1,公司名称,name,,header\n\
         2,信用代码,uscc,,header\n\
         3,地区,province + city,,header\n\
         4,联系人,contact.name,,header\n\
         5,联系电话,contact.mobile or contact.landline,,header\n\
         6,客户来源,source,,header\n\
         7,意向度,intent,,header\n\
         8,备注,remarks,,header\n"
    );
    assert!(!k.db.exists());
}

#[test]
fn unknown_headers_are_named_with_map() {
    let k = Kehu::new();
    let path = k.file(
        "外部.csv",
        "单位,对接人,手机\n苏州某某纺织有限公司,钱经理,13700001111\n".as_bytes(),
    );
    let err = k.fails(&["import", &path], 1);
    assert!(err.contains("no recognisable header"), "{err}");
    assert!(err.contains("--map '原列名=name'"), "{err}");
    k.ok(&[
        "import",
        &path,
        "--map",
        "单位=name",
        "--map",
        "对接人=contact.name",
    ]);
    let c = customer(&k, "CST20240001");
    assert_eq!(c["customer"]["name"], "苏州某某纺织有限公司");
    assert_eq!(c["contacts"][0]["name"], "钱经理");
    let err = k.fails(&["import", &path, "--map", "单位=colour"], 2);
    assert!(err.contains("unknown field colour"), "{err}");
}

#[test]
fn existing_customers_can_be_skipped_or_refused() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    let skip = k.import_json(&["--on-existing", "skip", &fixture("marketing-gbk.csv")], 0);
    assert_eq!(
        (
            skip["counts"]["skipped"].as_u64(),
            skip["counts"]["inserted"].as_u64()
        ),
        (Some(4), Some(1))
    );
    assert_eq!(customer(&k, "CST20240001")["customer"]["source"], Value::Null);
    let refuse = k.import_json(&["--on-existing", "error", &fixture("marketing-gbk.csv")], 1);
    assert_eq!(refuse["counts"]["rejected"], 5);
    let first = &refuse["rejected"][0];
    assert_eq!(
        first["reason"],
        "already stored as CST20240001 (--on-existing error)"
    );
    assert_eq!(
        (first["column"].as_str(), first["value"].as_str()),
        (Some("信用代码"), Some("91110000600037341L")),
        "the cell that names the stored customer"
    );
}

#[test]
fn a_date_at_odds_with_a_stored_one_is_reported_on_the_cell_that_brought_it() {
    let k = Kehu::new();
    let last = k.file(
        "last.csv",
        "客户名称,最近合作日期\n乙公司有限公司,2024-01-01\n".as_bytes(),
    );
    k.import_json(&[&last], 0);
    let first = k.file(
        "first.csv",
        "客户名称,首次合作日期\n乙公司有限公司,2024-06-01\n".as_bytes(),
    );
    let summary = k.import_json(&[&first], 1);
    let rejected = &summary["rejected"][0];
    assert_eq!(
        (rejected["column"].as_str(), rejected["value"].as_str()),
        (Some("首次合作日期"), Some("2024-06-01"))
    );
    assert_eq!(
        rejected["reason"],
        "the stored 最近合作日期 2024-01-01 is before the first cooperation date 2024-06-01"
    );
}

#[test]
fn the_same_company_twice_in_one_file_is_not_inserted_twice() {
    let k = Kehu::new();
    let path = k.file(
        "twice.csv",
        "客户名称,统一社会信用代码,负责人,备注\n\
         北京某某科技有限公司,91110000600037341L,张伟,\n\
         北京某某科技有限责任公司,,,展会客户\n\
         北京某某科技有限公司,91110000600037341L,李娜,\n"
            .as_bytes(),
    );
    let summary = k.import_json(&[&path], 3);
    let counts = &summary["counts"];
    assert_eq!(
        (
            counts["inserted"].as_u64(),
            counts["updated"].as_u64(),
            counts["conflicts"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "the second row fills the remarks; the third would change the owner the first set"
    );
    let conflict = &summary["conflicts"][0];
    assert_eq!(conflict["row"], 4);
    assert_eq!(
        conflict["reason"],
        "an earlier row of this file is the same customer; this row would change owner 张伟 → 李娜 (imported again on its own, it will)"
    );
    assert_eq!(
        summary["rejected_by_reason"]["conflict with a stored customer or an earlier row"],
        1
    );
    assert_eq!(k.query("SELECT count(*) FROM customers"), "1");
    let c = &customer(&k, "CST20240001")["customer"];
    assert_eq!(
        (c["owner"].as_str(), c["remarks"].as_str()),
        (Some("张伟"), Some("展会客户"))
    );

    // However often the file comes in, it changes nothing more.
    let again = k.import_json(&[&path], 3);
    assert_eq!(again["counts"]["unchanged"], 2);
    assert_eq!(again["counts"]["updated"], 0);
    assert_eq!(again["counts"]["conflicts"], 1);
    assert_eq!(customer(&k, "CST20240001")["customer"]["owner"], "张伟");
}

#[test]
fn a_contact_given_twice_in_one_file_keeps_the_first_phone_however_often_imported() {
    let k = Kehu::new();
    let path = k.file(
        "twice.csv",
        "客户名称,联系人,手机,负责人\n甲乙科技有限公司,王一,13800000001,张伟\n甲乙科技有限公司,王一,13900000009,\n",
    );
    for round in 0..2 {
        let summary = k.import_json(&[&path], 3);
        assert_eq!(summary["counts"]["conflicts"], 1, "round {round}");
        assert_eq!(
            summary["conflicts"][0]["reason"],
            "an earlier row of this file is the same contact; this row would change 王一's contact.mobile 13800000001 → 13900000009 (imported again on its own, it will)"
        );
        assert_eq!(summary["counts"]["updated"], 0, "round {round}");
    }
    assert_eq!(
        k.json(&["show", "CST20240001"])["contacts"][0]["mobile"],
        "13800000001"
    );
}

#[test]
fn utf16_and_tab_separated_files_are_read() {
    let k = Kehu::new();
    let text = "客户名称\t所在地区\t负责人\n重庆某某建设工程有限公司\t重庆市渝中区\t刘洋\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let path = k.file("utf16.txt", &bytes);
    k.ok(&["import", &path]);
    let c = &customer(&k, "CST20240001")["customer"];
    assert_eq!(
        (c["name"].as_str(), c["region"].as_str()),
        (Some("重庆某某建设工程有限公司"), Some("southwest"))
    );
}

#[test]
fn a_sheet_is_picked_by_name_or_number() {
    let k = Kehu::new();
    k.run(&[
        "import",
        "--sheet",
        "客户清单",
        &fixture("sales-q2.xlsx"),
        "--dry-run",
    ])
    .code(3);
    k.run(&["import", "--sheet", "1", &fixture("sales-q2.xlsx"), "--dry-run"])
        .code(3);
    let err = k.fails(&["import", "--sheet", "Sheet9", &fixture("sales-q2.xlsx")], 1);
    assert!(err.contains("has no sheet Sheet9 (sheets: 客户清单)"), "{err}");
}

#[test]
fn a_cover_sheet_points_to_the_others_and_the_sheet_read_is_named() {
    let k = Kehu::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write_string(0, 0, "填写说明：客户请填在第二页")
        .unwrap();
    let list = book.add_worksheet().set_name("客户清单").unwrap();
    list.write_row(0, 0, ["客户名称", "负责人"]).unwrap();
    list.write_row(1, 0, ["甲贸易有限公司", "张三"]).unwrap();
    let path = k.db.with_file_name("客户.xlsx");
    book.save(&path).unwrap();
    let path = path.display().to_string();

    let err = k.fails(&["import", &path], 1);
    assert!(
        err.contains("客户.xlsx (sheet 说明): no recognisable header"),
        "{err}"
    );
    assert!(
        err.contains("pick another sheet with --sheet NAME|N (sheets: 说明, 客户清单)"),
        "{err}"
    );

    let out = k.run(&["import", "--sheet", "2", &path]).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("客户.xlsx (sheet 客户清单): 1 row read, 1 inserted"),
        "{stderr}"
    );
    let summary = k.import_json(&["--sheet", "客户清单", &path], 0);
    assert_eq!(summary["sheet"], "客户清单");
    assert_eq!(summary["counts"]["unchanged"], 1);
    let batches = k.json(&["import", "list"]);
    assert_eq!(
        (batches[0]["file"].as_str(), batches[0]["sheet"].as_str()),
        (Some("客户.xlsx"), Some("客户清单"))
    );
}

#[test]
fn files_that_are_not_spreadsheets_are_refused_clearly() {
    let k = Kehu::new();
    let bytes: Vec<u8> = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
        .iter()
        .copied()
        .chain(0..=255)
        .chain([0; 64])
        .collect();
    let png = k.file("logo.csv", &bytes);
    let err = k.fails(&["import", &png], 1);
    assert!(
        err.contains("is not a spreadsheet (it holds binary data)"),
        "{err}"
    );
    let fake = k.file("report.xlsx", b"this is not a workbook");
    let err = k.fails(&["import", &fake], 1);
    assert!(err.contains("is not a spreadsheet"), "{err}");
    let empty = k.file("empty.csv", b"");
    let err = k.fails(&["import", &empty], 1);
    assert!(err.contains("is empty"), "{err}");
    let title_only = k.file("notes.csv", "客户拜访心得\n今天天气不错\n".as_bytes());
    let err = k.fails(&["import", &title_only], 1);
    assert!(
        err.contains("no recognisable header in the first 30 rows"),
        "{err}"
    );
    let err = k.fails(
        &[
            "import",
            &k.db.with_file_name("missing.csv").display().to_string(),
        ],
        4,
    );
    assert_eq!(
        err.matches("No such file or directory").count(),
        1,
        "said once: {err}"
    );
}

#[test]
fn a_nul_byte_in_a_cell_rejects_the_row() {
    let k = Kehu::new();
    let path = k.file(
        "nul.csv",
        "客户名称,负责人\n甲公司,张\u{0}三\n乙公司,李四\n".as_bytes(),
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["rejected"][0]["row"], 2);
    assert_eq!(summary["rejected"][0]["column"], "负责人");
    assert_eq!(summary["rejected"][0]["reason"], "contains control characters");
    assert_eq!(summary["counts"]["inserted"], 1);
}

#[test]
fn a_file_where_every_row_is_bad_leaves_the_database_as_it_was() {
    let k = Kehu::new();
    k.add(&["--name", "甲公司"]);
    let before = k.dump();
    let mut text = String::from("客户名称,统一社会信用代码\n");
    for i in 0..10_000 {
        text.push_str(&format!("坏公司{i},91110000600037I4{}X\n", i % 10));
    }
    let path = k.file("bad.csv", text.as_bytes());
    let out = k.run(&["import", &path, "--quiet", "--format", "json"]).code(1);
    let summary: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(summary["counts"]["rejected"], 10_000);
    assert_eq!(summary["committed"], false);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("no valid rows: all 10000 rejected"));
    assert_eq!(k.dump(), before);
}

#[test]
fn a_row_that_resembles_a_stored_customer_is_inserted_and_reported() {
    let k = Kehu::new();
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    let path = k.file("new.csv",
        "客户名称,所在地区,联系人,手机\n深圳某某电子科技有限公司,广东深圳,陈工,13512345678\n某某电子,,李四,\n"
            .as_bytes(),
    );
    let summary = k.import_json(&[&path], 0);
    // Another name with the same contact and mobile: very likely the same company, but a
    // person decides (`kehu dedupe`), so nothing stored is overwritten on a likeness.
    assert_eq!(summary["counts"]["updated"], 0);
    assert_eq!(summary["counts"]["inserted"], 2);
    let likely = &summary["possible_duplicates"][0];
    assert_eq!(
        (likely["row"].as_u64(), likely["of"].as_str()),
        (Some(2), Some("CST20240003"))
    );
    assert!(
        likely["score"].as_u64().unwrap() >= 85,
        "a sure-level likeness: {likely}"
    );
    // A bare 字号 with no place: the same core, but it could be any city's 某某电子.
    let possible = &summary["possible_duplicates"][1];
    assert_eq!(possible["row"], 3);
    assert_eq!(possible["of"], "CST20240003");
    assert_eq!(possible["reasons"], "names equal after removing 深圳, 有限公司");
    assert!(possible["score"].as_u64().unwrap() < 85);
    assert_eq!(
        customer(&k, "CST20240003")["customer"]["name"],
        "深圳某某电子有限公司"
    );
}

#[test]
fn a_code_for_another_company_is_a_conflict_even_with_a_uscc_the_stored_one_lacks() {
    let k = Kehu::new();
    let first = k.file(
        "g1.csv",
        "客户编号,客户名称\nCST20240003,广州白云化工有限公司\n".as_bytes(),
    );
    k.import_json(&[&first], 0);
    let second = k.file(
        "g2.csv",
        "客户编号,客户名称,统一社会信用代码\nCST20240003,深圳某某电子有限公司,9144030071526726XG\n"
            .as_bytes(),
    );
    let before = k.dump();
    let summary = k.import_json(&[&second], 1);
    assert_eq!(summary["counts"]["conflicts"], 1);
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "code CST20240003 belongs to 广州白云化工有限公司"
    );
    assert_eq!(
        k.dump(),
        before,
        "the other company's USCC is not given to 广州白云化工"
    );

    // Nor to a company whose name only looks alike.
    let code = k.add(&["--name", "北京华兴科技有限公司"]);
    let alike = k.file(
        "g3.csv",
        format!("客户编号,客户名称,统一社会信用代码\n{code},上海华兴贸易有限公司,91310115MA1K3BTP2B\n"),
    );
    let summary = k.import_json(&[&alike], 1);
    assert_eq!(
        summary["conflicts"][0]["reason"],
        format!(
            "code {code} belongs to 北京华兴科技有限公司; the row gives USCC 91310115MA1K3BTP2B under another name"
        )
    );
    assert_eq!(k.json(&["show", &code])["customer"]["uscc"], Value::Null);
}

#[test]
fn a_sibling_company_sharing_a_phone_is_added_and_reported_not_merged() {
    let k = Kehu::new();
    let path = k.file("siblings.csv",
        "客户名称,联系人,手机,负责人\n中建三局有限公司,李工,13712345678,张三\n中建八局有限公司,李工,13712345678,李四\n"
            .as_bytes(),
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 2);
    assert_eq!(summary["counts"]["updated"], 0);
    let possible = &summary["possible_duplicates"][0];
    assert_eq!(
        (possible["row"].as_u64(), possible["of"].as_str()),
        (Some(3), Some("CST20240001"))
    );
    let first = &customer(&k, "CST20240001")["customer"];
    assert_eq!(
        (first["name"].as_str(), first["owner"].as_str()),
        (Some("中建三局有限公司"), Some("张三"))
    );
    assert_eq!(
        customer(&k, "CST20240002")["customer"]["name"],
        "中建八局有限公司"
    );
}

#[test]
fn an_industry_growth_table_comes_in_like_any_sheet() {
    let k = Kehu::new();
    let path = k.file(
        "growth.csv",
        "2024年行业增长率\n\n行业门类,行业名称,增长率(%)\nC,制造业,12.5\nI65,软件,18%\n火箭,,3\n".as_bytes(),
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["counts"]["inserted"], 2);
    assert_eq!(summary["rejected"][0]["row"], 6);
    assert_eq!(summary["rejected"][0]["column"], "行业门类");
    let table = k.json(&["grade", "growth", "list"]);
    assert_eq!(
        (table[0]["industry"].as_str(), table[0]["growth"].to_string()),
        (Some("C"), "12.5".into())
    );
    assert_eq!(
        (table[1]["industry"].as_str(), table[1]["growth"].to_string()),
        (Some("I65"), "18".into())
    );
    let again = k.import_json(&[&path], 3);
    assert_eq!(again["counts"]["unchanged"], 2);
}

/// Undoing a growth table puts back the rates it replaced and removes the ones it added,
/// unless a rate was set again since.
#[test]
fn undoing_a_growth_import_restores_the_rates_it_replaced() {
    let k = Kehu::new();
    let rates = |k: &Kehu| -> Vec<(String, String)> {
        k.json(&["grade", "growth", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["industry"].as_str().unwrap().to_string(),
                    r["growth"].to_string(),
                )
            })
            .collect()
    };
    k.ok(&["grade", "growth", "set", "制造业", "10"]);
    let before = rates(&k);
    let path = k.file("growth.csv", "行业门类,增长率(%)\nC,12.5\nI65,18\n".as_bytes());
    k.import_json(&[&path], 0);
    assert_eq!(
        rates(&k),
        [("C".into(), "12.5".into()), ("I65".into(), "18".into())]
    );
    let done = k.json(&["import", "undo", "1"]);
    assert_eq!(done["restored_growth"], 2);
    assert_eq!(rates(&k), before, "C back to 10, I65 gone");
    k.run(&["log", "verify"]).success();

    k.import_json(&[&path], 0);
    k.ok(&["grade", "growth", "set", "C", "11"]);
    let dump = k.dump();
    let err = k.fails(&["import", "undo", "2"], 1);
    assert!(
        err.contains(
            "growth rate of C was changed after it (now 11); set it back first (kehu grade growth set C 12.5)"
        ),
        "{err}"
    );
    assert_eq!(k.dump(), dump, "nothing undone");

    // Changed by a later table, it asks for that table's undo.
    k.ok(&["grade", "growth", "set", "C", "12.5"]);
    let later = k.file("growth2.csv", "行业门类,增长率(%)\nC,13\n".as_bytes());
    k.import_json(&[&later], 0);
    let err = k.fails(&["import", "undo", "2"], 1);
    assert!(
        err.contains("growth rate of C was changed after it (now 13); undo batch 3 first"),
        "{err}"
    );
    k.ok(&["import", "undo", "3"]);
    k.ok(&["import", "undo", "2"]);
}

#[test]
fn a_growth_table_giving_an_industry_a_second_rate_reports_it_and_can_be_undone() {
    let k = Kehu::new();
    let rate = |k: &Kehu| {
        k.query("SELECT coalesce(group_concat(industry || '=' || growth), '') FROM industry_growth")
    };
    k.ok(&["grade", "growth", "set", "C", "10"]);
    let path = k.file("growth.csv", "行业门类,增长率(%)\nC,12\n制造业,5\n".as_bytes());
    let summary = k.import_json(&[&path], 3);
    assert_eq!(
        (
            summary["counts"]["updated"].as_u64(),
            summary["counts"]["conflicts"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let conflict = &summary["conflicts"][0];
    assert_eq!(
        (
            conflict["row"].as_u64(),
            conflict["code"].as_str(),
            conflict["stored"].as_str(),
            conflict["incoming"].as_str()
        ),
        (Some(3), Some("C"), Some("12%"), Some("5%"))
    );
    assert_eq!(
        conflict["reason"],
        "an earlier row of this file is the same industry; this row would change the growth rate of C \
         (制造业) 12% → 5% (imported again on its own, it will)"
    );
    assert_eq!(rate(&k), "C=12", "the first row's rate");

    let done = k.json(&["import", "undo", "1"]);
    assert_eq!(done["restored_growth"], 1);
    assert_eq!(rate(&k), "C=10");
    k.run(&["log", "verify"]).success();

    let repeated = k.file(
        "repeated.csv",
        "行业门类,增长率(%)\nC,12\n制造业,12.0\n".as_bytes(),
    );
    let summary = k.import_json(&[&repeated], 0);
    assert_eq!(
        (
            summary["counts"]["updated"].as_u64(),
            summary["counts"]["unchanged"].as_u64()
        ),
        (Some(1), Some(1)),
        "the same rate twice is no conflict"
    );
    assert_eq!(rate(&k), "C=12");
    k.ok(&["import", "undo", "2"]);
    assert_eq!(rate(&k), "C=10");
}

/// An import brings the search index and the tag counts up to date once, at its end: what
/// it inserted, renamed or gave a phone number is found, and undoing it is too.
#[test]
fn imported_customers_are_searchable_and_counted_and_undo_takes_that_back() {
    let k = Kehu::new();
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list"];
        all.extend(args);
        let rows = k.json(&all);
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    // Every derived count agrees with the records, both ways.
    let counts_agree = || {
        let differ = k.query(
            "SELECT (SELECT count(*) FROM (
               SELECT dim, value, n FROM tag_counts WHERE origin = 'derived' AND n > 0
               EXCEPT SELECT dim, value, n FROM tag_counts_source WHERE origin = 'derived'))
             + (SELECT count(*) FROM (
               SELECT dim, value, n FROM tag_counts_source WHERE origin = 'derived'
               EXCEPT SELECT dim, value, n FROM tag_counts WHERE origin = 'derived'))",
        );
        assert_eq!(differ, "0", "tag counts differ from the records");
    };
    k.run(&["import", &fixture("sales-q2.xlsx")]).code(3);
    counts_agree();
    assert_eq!(codes(&["--q", "某某科技"]), ["CST20240001"]);
    k.ok(&["import", &fixture("marketing-gbk.csv")]);
    counts_agree();
    assert_eq!(codes(&["--q", "国际贸易"]), ["CST20240002"], "the new name");
    assert_eq!(
        codes(&["--q", "01012345678"]),
        ["CST20240001"],
        "a landline the file added"
    );
    assert_eq!(
        codes(&["--q", "南京某某医药"]),
        ["CST20240004"],
        "a customer the file added"
    );
    assert_eq!(codes(&["--tag", "区域:华东", "--q", "医药"]), ["CST20240004"]);

    k.ok(&["import", "undo", "2"]);
    counts_agree();
    assert!(codes(&["--q", "国际贸易"]).is_empty());
    assert!(codes(&["--q", "南京某某医药"]).is_empty());
    assert!(codes(&["--q", "01012345678"]).is_empty());
    assert_eq!(
        codes(&["--q", "某某贸易"]),
        ["CST20240002"],
        "the old name is back"
    );
}

/// A workbook whose first sheet is empty, and whose second holds the customers with a blank
/// row between them, as clerks leave them.
#[test]
fn an_empty_sheet_is_refused_and_another_is_read_by_number() {
    let k = Kehu::new();
    let path = k.db.with_file_name("两张表.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("封面").unwrap();
    let sheet = book.add_worksheet().set_name("客户").unwrap();
    let rows = [
        ["客户名称", "统一社会信用代码", "省份"],
        ["深圳市华兴电子有限公司", "91440300MA5FXXXX1W", "广东"],
        ["", "", ""],
        ["杭州青禾贸易有限公司", "", "浙江"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    let path = path.display().to_string();

    k.run(&["import", &path])
        .code(1)
        .stderr(predicate::str::contains("(sheet 封面) is empty"));
    assert!(!k.db.exists(), "nothing is created for an empty sheet");

    // The second sheet by number: its row numbers are the sheet's, the blank row is counted.
    let summary = k.import_json(&["--sheet", "2", &path], 3);
    let counts = &summary["counts"];
    assert_eq!(
        (
            &counts["read"],
            &counts["inserted"],
            &counts["rejected"],
            &counts["blank_rows"]
        ),
        (&2.into(), &1.into(), &1.into(), &1.into()),
        "{summary}"
    );
    assert_eq!(summary["rejected"][0]["row"], 2, "{summary}");
    assert_eq!(summary["rejected"][0]["column"], "统一社会信用代码", "{summary}");
    assert_eq!(summary["rejected"][0]["value"], "91440300MA5FXXXX1W", "{summary}");
    let listed = k.json(&["list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["name"], "杭州青禾贸易有限公司", "{listed}");
}

#[test]
fn a_code_with_another_stored_companys_exact_name_is_a_conflict() {
    let k = Kehu::new();
    let file = k.file(
        "客户.csv",
        "客户名称,省份\n上海华兴贸易有限公司,上海\n北京华兴科技有限公司,北京\n",
    );
    k.ok(&["import", &file, "-q"]);
    let before = k.dump();
    let orders = k.file(
        "合同.csv",
        "客户编号,客户名称,合同编号,签约日期,合同金额(元)\nCST20240001,北京华兴科技有限公司,HT-9,2024-06-01,88000\n",
    );
    let summary = k.import_json(&[&orders], 1);
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "code CST20240001 belongs to 上海华兴贸易有限公司; 北京华兴科技有限公司 is CST20240002"
    );
    let customers = k.file(
        "客户2.csv",
        "客户编号,客户名称,省份,负责人\nCST20240001,北京华兴科技有限公司,北京,赵六\n",
    );
    k.import_json(&[&customers], 1);
    assert_eq!(k.dump(), before, "neither file touched 上海华兴贸易");

    // Names that differ only in the place are two companies too.
    let two = k.file(
        "星河.csv",
        "客户名称,省份,负责人\n北京星河科技有限公司,北京,张伟\n上海星河科技有限公司,上海,李娜\n",
    );
    k.ok(&["import", &two, "-q"]);
    let wrong = k.file(
        "星河2.csv",
        "客户编号,客户名称,负责人\nCST20240003,上海星河科技有限公司,王芳\n",
    );
    let summary = k.import_json(&[&wrong], 1);
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "code CST20240003 belongs to 北京星河科技有限公司; 上海星河科技有限公司 is CST20240004"
    );

    // The USCC both sides share vouches for a rename to a name another customer has.
    k.sql("UPDATE customers SET uscc = '91310000MA1FL4XQ27' WHERE code = 'CST20240001'");
    let renamed = k.file(
        "客户3.csv",
        "客户编号,统一社会信用代码,客户名称\nCST20240001,91310000MA1FL4XQ27,北京华兴科技有限公司\n",
    );
    let summary = k.import_json(&[&renamed], 0);
    assert_eq!(summary["counts"]["updated"], 1);
}

/// A USCC copied from the row above lands on another stored company's exact name: that row
/// is the other company's, and neither customer is touched.
#[test]
fn a_uscc_with_another_stored_companys_exact_name_is_a_conflict() {
    let k = Kehu::new();
    let file = k.file(
        "客户.csv",
        "客户名称,统一社会信用代码,满意度\n甲一科技有限公司,91110000600037341L,9\n乙二贸易有限公司,,8\n",
    );
    k.ok(&["import", &file, "-q"]);
    let before = k.dump();
    let reason = "USCC 91110000600037341L belongs to 甲一科技有限公司; 乙二贸易有限公司 is CST20240002";
    let scores = k.file(
        "满意度.csv",
        "客户名称,统一社会信用代码,满意度\n乙二贸易有限公司,91110000600037341L,3\n",
    );
    let summary = k.import_json(&[&scores], 1);
    assert_eq!(summary["conflicts"][0]["reason"], reason, "{summary}");
    let orders = k.file(
        "合同.csv",
        "客户名称,统一社会信用代码,合同编号,签约日期,合同金额(元)\n乙二贸易有限公司,91110000600037341l,K3,2024-05-01,1000\n",
    );
    let summary = k.import_json(&[&orders], 1);
    assert_eq!(summary["conflicts"][0]["reason"], reason, "{summary}");
    let like = k.file(
        "满意度2.csv",
        "客户名称,统一社会信用代码,满意度\n上海乙二贸易有限责任公司,91110000600037341L,3\n",
    );
    let summary = k.import_json(&[&like], 1);
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "USCC 91110000600037341L belongs to 甲一科技有限公司; 上海乙二贸易有限责任公司 is like CST20240002",
        "the same core, another legal form and place: {summary}"
    );
    assert_eq!(k.dump(), before, "no rename into a twin, no order on 甲一");

    // Its own name, or a new one no one has, is the USCC's customer as before.
    let renamed = k.file(
        "更名.csv",
        "客户名称,统一社会信用代码\n甲一智能科技有限公司,91110000600037341L\n",
    );
    let summary = k.import_json(&[&renamed], 0);
    assert_eq!(summary["counts"]["renamed"], 1, "{summary}");
}

#[test]
fn a_name_two_stored_customers_share_asks_for_a_code_or_uscc() {
    let k = Kehu::new();
    k.add(&["--name", "南京某某医药有限公司", "--province", "江苏"]);
    k.add(&[
        "--name",
        "南京某某医药有限公司",
        "--province",
        "江苏",
        "--uscc",
        "91320100MA1MXXX00B",
    ]);
    let orders = k.file(
        "合同.csv",
        "客户名称,合同编号,签约日期,合同金额\n南京某某医药有限公司,N1,2024-06-01,1000\n",
    );
    let asks =
        "2 stored customers have this name (CST20240001, CST20240002); give 客户编号 or 统一社会信用代码";
    let summary = k.import_json(&[&orders], 1);
    assert_eq!(summary["rejected"][0]["reason"], asks);

    // A customers row by that name alone neither picks one of them nor adds a third.
    let before = k.dump();
    let customers = k.file("客户.csv", "客户名称,备注\n南京某某医药有限公司,新备注\n");
    let summary = k.import_json(&[&customers], 1);
    assert_eq!(summary["counts"]["inserted"], 0);
    assert_eq!(summary["counts"]["updated"], 0);
    assert_eq!(summary["rejected"][0]["column"], "客户名称");
    assert_eq!(summary["rejected"][0]["reason"], asks);
    assert_eq!(k.dump(), before);
}

/// A name spelled a little differently (a stray space, the city again) that is two stored
/// customers outright is as open as the exact name.
#[test]
fn a_spelling_of_a_name_two_stored_customers_share_asks_for_a_code_or_uscc() {
    let k = Kehu::new();
    k.add(&["--name", "北京华兴电子科技有限公司"]);
    k.add(&["--name", "北京华兴电子科技有限公司"]);
    let before = k.dump();
    let spelled = k.file(
        "客户.csv",
        "客户名称,负责人\n北京华兴电子科技有限公司（北京）,老王\n北京 华兴电子科技有限公司,老李\n",
    );
    let summary = k.import_json(&[&spelled], 1);
    assert_eq!(summary["counts"]["rejected"], 2, "{summary}");
    assert_eq!(
        summary["rejected"][1]["reason"],
        "2 stored customers have this name (CST20240001, CST20240002); give 客户编号 or 统一社会信用代码"
    );
    assert_eq!(k.dump(), before);
}

/// `kehu import … | head`: the reader may stop early; the summary still comes, and the exit
/// code still says that rows were rejected.
#[test]
fn an_import_whose_list_is_cut_short_still_says_what_it_did() {
    use std::io::{BufRead, BufReader};
    let k = Kehu::new();
    let mut text = String::from("客户名称,手机\n好科技有限公司,13812345678\n");
    for i in 0..3000 {
        text += &format!("坏科技{i:04}有限公司,123\n");
    }
    let path = k.file("客户.csv", text);
    let mut child = k.spawn(&["import", &path, "--format", "json"]);
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("3001 rows read, 1 inserted, 0 updated, 0 unchanged, 0 skipped, 3000 rejected"),
        "{stderr}"
    );
}

/// A mobile that many customers carry (a switchboard, a placeholder 13800000000) tells none of
/// them apart: once 32 stored customers carry it, a new row is no longer compared with them
/// by it, nor reported as their likely duplicate for it.
#[test]
fn a_phone_many_customers_share_is_no_sign_of_a_duplicate() {
    let k = Kehu::new();
    let mut text = String::from("客户名称,手机\n");
    let cities = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉"];
    for i in 0..40 {
        text += &format!("{}{}号商贸有限公司,13800000000\n", cities[i % 8], 100 + i);
    }
    let path = k.file("客户.csv", text);
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 40);
    let flagged: Vec<u64> = summary["possible_duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["row"].as_u64().unwrap())
        .collect();
    assert!(!flagged.is_empty(), "the first rows that share it are reported");
    assert!(flagged.iter().all(|&row| row <= 33), "{flagged:?}");
}
