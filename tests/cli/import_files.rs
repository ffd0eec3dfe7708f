//! `kehu import` on files as they come from other systems: line endings, mixed and
//! BOM-less encodings, text under a workbook's name, hidden sheets, number formats,
//! merged cells.

use std::io::Write;

use rust_xlsxwriter::{Format, Formula, Workbook};
use serde_json::Value;

use crate::common::Kehu;

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
    let crlf = k.file(
        "crlf.csv",
        "客户名称,手机,备注\r\n公司A有限公司,2,\r\n公司B有限公司,3,x\r\n".as_bytes(),
    );
    assert_eq!(
        rejected(&k.import_json(&["--dry-run", &crlf], 3)),
        mobile_rejects(&[2, 3])
    );

    let blank_lines = k.file(
        "blank.csv",
        "客户名称,手机\n甲公司有限公司,2\n\n乙公司有限公司,4\n\n\n丙公司有限公司,7\n".as_bytes(),
    );
    let summary = k.import_json(&["--dry-run", &blank_lines], 3);
    assert_eq!(rejected(&summary), mobile_rejects(&[2, 4, 7]));
    assert_eq!(
        summary["counts"]["blank_rows"], 3,
        "empty lines are blank rows, counted as a workbook's are"
    );

    // A title and a blank line above the header; a remark over two lines is one row.
    let titled = k.file("titled.csv",
        "2024年客户名单\r\n\r\n客户名称,手机,备注\r\n甲公司有限公司,4,\"第一行\r\n第二行\"\r\n乙公司有限公司,5,\r\n"
            .as_bytes(),
    );
    assert_eq!(
        rejected(&k.import_json(&["--dry-run", &titled], 3)),
        mobile_rejects(&[4, 5])
    );
    k.run(&["import", "--show-mapping", &titled])
        .success()
        .stderr(predicates::str::contains("header found on row 3"));
}

/// A UTF-8 file into which one GBK cell was pasted: the file stays UTF-8, and only the row
/// holding that cell is rejected, naming the cell.
#[test]
fn a_gbk_cell_in_a_utf8_file_rejects_only_its_row() {
    let k = Kehu::new();
    let mut bytes = "company,mobile,remarks\r\n北京某某科技有限公司,13812345678,正常\r\n上海某某贸易有限公司,13912345678,好\r\n广州某某化工有限公司,13512345678,"
        .as_bytes()
        .to_vec();
    bytes.extend(encoding_rs::GB18030.encode("备注").0.iter());
    bytes.extend(b"\r\n");
    let path = k.file("mixed.csv", &bytes);
    let summary = k.import_json(&[&path], 3);
    let rejects = rejected(&summary);
    assert_eq!(rejects.len(), 1, "{summary}");
    assert_eq!((rejects[0].0, rejects[0].1.as_str()), (4, "remarks"));
    assert_eq!(summary["rejected"][0]["value"], "备注", "as GBK reads it");
    assert_eq!(summary["rejected"][0]["reason"], PASTED_FROM_GBK);
    assert_eq!(k.names(), ["北京某某科技有限公司", "上海某某贸易有限公司"]);
    let remarks = k.json(&["show", "CST20240001"])["customer"]["remarks"].clone();
    assert_eq!(remarks, "正常");
}

/// A short UTF-8 file with a whole row pasted in from GBK: read as UTF-8 all the same, that
/// row rejected rather than the file called headerless.
#[test]
fn a_gbk_row_in_a_short_utf8_file_rejects_only_its_row() {
    let k = Kehu::new();
    let mut bytes = "客户名称,手机,备注\n甲科技有限公司,13812345678,好\n"
        .as_bytes()
        .to_vec();
    bytes.extend(
        encoding_rs::GB18030
            .encode("乙科技有限公司,13912345678,备注\n")
            .0
            .iter(),
    );
    let path = k.file("mixed.csv", &bytes);
    let rejects = k.db.with_file_name("退回.csv").display().to_string();
    let summary = k.import_json(&[&path, "--rejects", &rejects], 3);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    assert_eq!(summary["rejected"][0]["row"], 3);
    assert_eq!(summary["rejected"][0]["value"], "乙科技有限公司");
    assert_eq!(summary["rejected"][0]["reason"], PASTED_FROM_GBK);
    assert_eq!(k.names(), ["甲科技有限公司"]);

    // The rejects file holds the row as GBK reads it: imported as it is, it goes in.
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(written.contains("乙科技有限公司,13912345678,备注,"), "{written}");
    k.import_json(&[&rejects], 0);
    assert_eq!(k.names(), ["甲科技有限公司", "乙科技有限公司"]);
    let remarks = k.json(&["show", "CST20240002"])["customer"]["remarks"].clone();
    assert_eq!(remarks, "备注");
}

/// What kehu says of a cell of a UTF-8 file that only GBK reads.
const PASTED_FROM_GBK: &str = "not UTF-8 like the rest of the file; shown as read in GBK: if it \
     reads right, import the rejects file as it is";

/// Blank lines above the header, however many, are passed over as a workbook's blank rows are.
#[test]
fn a_header_below_many_blank_lines_is_found() {
    let k = Kehu::new();
    let path = k.file(
        "空行.csv",
        format!("{}客户名称,手机\n甲科技有限公司,13812345678\n", "\n".repeat(40)),
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
}

/// Past the part of the file read to tell its encoding, a bad byte is still a bad cell.
#[test]
fn a_gbk_cell_far_into_a_utf8_file_rejects_only_its_row() {
    let k = Kehu::new();
    let mut text = String::from("客户名称,备注\n");
    for i in 0..3000 {
        text.push_str(&format!("测试{i}号贸易有限公司,正常合作\n"));
    }
    assert!(text.len() > 64 * 1024);
    let mut bytes = text.into_bytes();
    bytes.extend("最后一家有限公司,".as_bytes());
    bytes.extend(encoding_rs::GB18030.encode("备注").0.iter());
    bytes.extend(b"\n");
    let path = k.file("long.csv", &bytes);
    let summary = k.import_json(&["--dry-run", &path], 3);
    assert_eq!(summary["counts"]["inserted"], 3000);
    let rejects = rejected(&summary);
    assert_eq!(rejects.len(), 1, "{summary}");
    assert_eq!((rejects[0].0, rejects[0].1.as_str()), (3002, "备注"));
}

#[test]
fn utf16_without_a_bom_is_read_in_either_byte_order() {
    let text = "客户名称,所在地区,负责人\r\n重庆某某建设工程有限公司,重庆市渝中区,刘洋\r\n";
    for (name, big_endian) in [("le.csv", false), ("be.csv", true)] {
        let k = Kehu::new();
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|unit| {
                if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                }
            })
            .collect();
        let path = k.file(name, &bytes);
        k.ok(&["import", &path]);
        let c = &k.json(&["show", "CST20240001"])["customer"];
        assert_eq!(
            (c["name"].as_str(), c["owner"].as_str(), c["region"].as_str()),
            (Some("重庆某某建设工程有限公司"), Some("刘洋"), Some("southwest")),
            "{name}"
        );
    }
}

/// ERP and web systems "export to Excel" as CSV, tab-separated text or HTML under an
/// `.xls`/`.xlsx` name.
#[test]
fn text_under_a_workbook_name_is_read_as_text() {
    let k = Kehu::new();
    let csv = k.file(
        "csv.xlsx",
        "客户名称,手机号码\n甲公司有限公司,13812345678\n".as_bytes(),
    );
    k.ok(&["import", &csv]);
    let tsv = k.file(
        "export.xls",
        "客户名称\t手机号码\r\n乙公司有限公司\t13912345678\r\n".as_bytes(),
    );
    k.ok(&["import", &tsv]);
    assert_eq!(k.names(), ["甲公司有限公司", "乙公司有限公司"]);
    assert_eq!(
        k.json(&["show", "CST20240002"])["contacts"][0]["mobile"],
        "13912345678"
    );

    for (name, page) in [
        (
            "page.xls",
            "\u{FEFF}\r\n  <!DOCTYPE html><html><body><table><tr><td>客户名称</td></tr></table>",
        ),
        ("table.xls", "<table border=1><tr><td>客户名称</td></tr></table>"),
        ("upper.xlsx", "<HTML><HEAD></HEAD></HTML>"),
    ] {
        let path = k.file(name, page.as_bytes());
        let err = k.fails(&["import", &path], 1);
        assert!(
            err.contains(&format!(
                "{path} is a web page saved under a workbook's name; open it in Excel and save it as .xlsx"
            )),
            "{err}"
        );
    }
    let prose = k.file("notes.xlsx", b"this is not a workbook");
    let err = k.fails(&["import", &prose], 1);
    assert!(
        err.contains("is not a spreadsheet (it is neither a workbook nor delimited text)"),
        "{err}"
    );
}

/// A workbook whose first sheet is hidden (an old list kept for lookups) and whose second is
/// the one the clerk sees.
#[test]
fn the_first_visible_sheet_is_read_by_default() {
    let k = Kehu::new();
    let path = k.db.with_file_name("hidden.xlsx");
    let mut book = Workbook::new();
    for (name, customer) in [("旧数据", "旧公司有限公司"), ("客户", "新公司有限公司")] {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (r, row) in [["客户名称", "负责人"], [customer, "张伟"]].iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.worksheet_from_index(1).unwrap().set_active(true);
    book.worksheet_from_index(0).unwrap().set_hidden(true);
    book.save(&path).unwrap();
    let path = path.display().to_string();

    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(k.names(), ["新公司有限公司"]);
    k.import_json(&["--sheet", "1", &path], 0);
    k.import_json(&["--sheet", "旧数据", &path], 0);
    assert_eq!(k.names(), ["新公司有限公司", "旧公司有限公司"]);
}

/// Cells come out as Excel shows them: without binary noise, with their percent sign and
/// with their leading zeros.
#[test]
fn workbook_numbers_read_as_excel_shows_them() {
    let k = Kehu::new();
    let path = k.db.with_file_name("formats.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, header) in ["客户名称", "客户编号", "满意度", "预算增长(%)", "备注"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    let percent = Format::new().set_num_format("0%");
    let padded = Format::new().set_num_format("000000");
    sheet.write_string(1, 0, "甲公司有限公司").unwrap();
    sheet.write_number_with_format(1, 1, 1.0, &padded).unwrap();
    sheet.write_number(1, 2, 8.100000000000001).unwrap();
    sheet.write_number_with_format(1, 3, 0.15, &percent).unwrap();
    sheet.write_number(1, 4, 0.1 + 0.2).unwrap();
    book.save(&path).unwrap();
    let path = path.display().to_string();

    k.import_json(&[&path], 0);
    let c = &k.json(&["show", "000001"])["customer"];
    assert_eq!(c["code"], "000001", "the code as Excel shows it");
    assert_eq!(c["satisfaction"].to_string(), "8.1");
    assert_eq!(c["budget_growth"], "15", "15%, not 0.15%");
    assert_eq!(c["remarks"], "0.3");
}

/// An encrypted workbook is an OLE container holding an `EncryptedPackage` stream.
#[test]
fn a_password_protected_workbook_is_named_as_such() {
    let k = Kehu::new();
    let path = k.db.with_file_name("加密.xlsx");
    let file = std::fs::File::create(&path).unwrap();
    let mut container = cfb::CompoundFile::create_with_version(cfb::Version::V3, file).unwrap();
    for stream in ["EncryptionInfo", "EncryptedPackage"] {
        let mut stream = container.create_stream(stream).unwrap();
        stream.write_all(&[0; 4096]).unwrap();
    }
    container.flush().unwrap();
    let path = path.display().to_string();
    let err = k.fails(&["import", &path], 1);
    assert!(
        err.contains(&format!(
            "{path} is a password-protected workbook; save it without a password first"
        )),
        "{err}"
    );
}

/// 负责人 merged over three customers is each one's; a title merged across the columns
/// stays a title, and a merged cell alone does not make a row.
#[test]
fn vertically_merged_cells_belong_to_every_row_they_span() {
    let k = Kehu::new();
    let path = k.db.with_file_name("merged.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    sheet.merge_range(0, 0, 0, 2, "2024年客户名单", &plain).unwrap();
    for (c, header) in ["客户名称", "负责人", "备注"].iter().enumerate() {
        sheet.write_string(1, c as u16, *header).unwrap();
    }
    for (r, name) in ["甲公司有限公司", "乙公司有限公司", "丙公司有限公司"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2 + r as u32, 0, *name).unwrap();
    }
    sheet.merge_range(2, 1, 4, 1, "张伟", &plain).unwrap();
    sheet.write_string(5, 0, "丁公司有限公司").unwrap();
    sheet.write_string(5, 1, "李娜").unwrap();
    sheet.merge_range(5, 2, 7, 2, "重点客户", &plain).unwrap();
    book.save(&path).unwrap();
    let path = path.display().to_string();

    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 4, "{summary}");
    let owners: Vec<(String, String)> = k
        .json(&["list", "--sort", "code"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let code = c["code"].as_str().unwrap();
            let shown = &k.json(&["show", code])["customer"];
            (
                shown["name"].as_str().unwrap().to_string(),
                shown["owner"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("甲公司有限公司".to_string(), "张伟".to_string()),
            ("乙公司有限公司".to_string(), "张伟".to_string()),
            ("丙公司有限公司".to_string(), "张伟".to_string()),
            ("丁公司有限公司".to_string(), "李娜".to_string()),
        ]
    );
}

/// Writes one cell of a test workbook at (row, column).
type Cell<'a> = &'a dyn Fn(&mut rust_xlsxwriter::Worksheet, u32, u16);

/// A workbook whose sheet has `headers` in row 1 and then `rows`, each cell written by its
/// own closure, saved as `name` next to the database.
fn workbook(k: &Kehu, name: &str, headers: &[&str], rows: &[&[Cell]]) -> String {
    let path = k.db.with_file_name(name);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, write) in row.iter().enumerate() {
            write(sheet, r as u32 + 1, c as u16);
        }
    }
    book.save(&path).unwrap();
    path.display().to_string()
}

/// `kehu show` of the customer named `name`.
fn show_named(k: &Kehu, name: &str) -> Value {
    let listed = k.json(&["list"]);
    let code = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| c["code"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{name} not stored: {listed}"));
    k.json(&["show", &code])
}

/// The reasons of a summary's rejected rows.
fn reasons(summary: &Value) -> Vec<String> {
    summary["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect()
}

/// A time cell reads as the clock Excel shows, a date with a time keeps its time in a column
/// of its own and gives its date to a date field; a time alone is no date.
#[test]
fn times_of_day_and_durations_read_as_excel_shows_them() {
    let k = Kehu::new();
    let half_past_two = (14.0 * 60.0 + 30.0) / 1440.0;
    let number = |value: f64, format: &'static str| {
        move |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            let format = Format::new().set_num_format(format);
            sheet.write_number_with_format(r, c, value, &format).unwrap();
        }
    };
    let text = |value: &'static str| {
        move |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            sheet.write_string(r, c, value).unwrap();
        }
    };
    let path = workbook(
        &k,
        "times.xlsx",
        &["客户名称", "首次合作日期", "拜访时间", "通话时长", "签到"],
        &[
            &[
                &text("甲公司有限公司"),
                &number(44931.0 + half_past_two, "yyyy-mm-dd hh:mm"),
                &number(half_past_two, "hh:mm"),
                &number(1.5, "[h]:mm:ss"),
                &number(44931.0 + half_past_two + 5.0 / 86400.0, "yyyy/m/d h:mm:ss"),
            ],
            &[&text("乙公司有限公司"), &number(half_past_two, "hh:mm")],
        ],
    );

    let summary = k.import_json(&[&path], 3);
    assert_eq!(
        rejected(&summary),
        [(3, "首次合作日期".to_string(), "14:30".to_string())]
    );
    assert_eq!(reasons(&summary), ["14:30 is a time of day, not a date"]);
    let shown = show_named(&k, "甲公司有限公司");
    assert_eq!(shown["customer"]["first_coop_date"], "2023-01-05");
    assert_eq!(
        shown["extra"],
        serde_json::json!({
            "拜访时间": "14:30",
            "通话时长": "36:00:00",
            "签到": "2023-01-05 14:30:05",
        })
    );
}

/// Programs that write workbooks (openpyxl, report exporters) leave formulas for Excel to
/// calculate: such a cell has no value yet, which is not an empty cell.
#[test]
fn a_formula_without_a_saved_value_rejects_its_row() {
    let k = Kehu::new();
    let text = |value: &'static str| {
        move |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            sheet.write_string(r, c, value).unwrap();
        }
    };
    let formula = |formula: &'static str, result: &'static str| {
        move |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            sheet
                .write_formula(r, c, Formula::new(formula).set_result(result))
                .unwrap();
        }
    };
    let path = workbook(
        &k,
        "formulas.xlsx",
        &["客户名称", "累计合作金额", "备注"],
        &[
            &[&text("甲公司有限公司"), &formula("=1000+234.5", "NONE")],
            &[&text("乙公司有限公司"), &formula("=400+100", "500")],
            // A formula whose value is empty text is an empty cell.
            &[
                &text("丙公司有限公司"),
                &text("800"),
                &formula("=IF(B4>0,\"\",\"?\")", ""),
            ],
        ],
    );
    drop_saved_value(&path, "NONE");

    let before = k.dump();
    let summary = k.import_json(&[&path], 3);
    assert_eq!(
        rejected(&summary),
        [(2, "累计合作金额".to_string(), "=1000+234.5".to_string())]
    );
    assert_eq!(
        reasons(&summary),
        ["formula has no saved value: open the file in Excel or WPS and save it, then import again"]
    );
    assert_eq!(k.names(), ["乙公司有限公司", "丙公司有限公司"]);
    let amount = |name: &str| show_named(&k, name)["customer"]["total_amount"].to_string();
    assert_eq!(amount("乙公司有限公司"), "500.00");
    assert_eq!(amount("丙公司有限公司"), "800.00");

    let strict = Kehu::new();
    std::fs::copy(&path, strict.db.with_file_name("formulas.xlsx")).unwrap();
    let copy = strict.db.with_file_name("formulas.xlsx").display().to_string();
    let before_strict = strict.dump();
    strict.fails(&["import", "--strict", &copy], 1);
    assert_eq!(strict.dump(), before_strict, "nothing imported");
    assert_ne!(k.dump(), before);
}

/// Rewrites an xlsx so that the formulas saved with `marker` as their result have none, as
/// openpyxl writes them.
fn drop_saved_value(path: &str, marker: &str) {
    rewrite_parts(path, "xl/worksheets/", |mut xml| {
        let saved = format!("<v>{marker}</v>");
        while let Some(at) = xml.find(&saved) {
            // The cell's start: its result type goes with its result.
            let cell = xml[..at].rfind("<c ").unwrap();
            let head = xml[cell..at].replace(" t=\"str\"", "");
            xml = format!("{}{head}{}", &xml[..cell], &xml[at + saved.len()..]);
        }
        xml
    });
}

/// Rewrites the workbook's XML parts whose names start with `prefix`, as a program other
/// than rust_xlsxwriter would have written them.
fn rewrite_parts(path: &str, prefix: &str, rewrite: impl Fn(String) -> String) {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name.starts_with(prefix) {
            content = rewrite(String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap();
}

/// Old Mac Excel counts days from 1904: a bare serial number in a date column of such a
/// workbook is four years and a day later than in any other.
#[test]
fn a_serial_number_in_a_1904_workbook_is_the_day_that_workbook_means() {
    let k = Kehu::new();
    let path = k.db.with_file_name("mac.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_row(0, 0, ["客户名称", "首次合作日期", "备注"])
        .unwrap();
    sheet.write_string(1, 0, "甲公司有限公司").unwrap();
    sheet.write_number(1, 1, 43469.0).unwrap();
    sheet.write_number(1, 2, 43469.0).unwrap();
    book.save(&path).unwrap();
    let path = path.display().to_string();
    rewrite_parts(&path, "xl/workbook.xml", |xml| {
        xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
    });
    k.import_json(&[&path], 0);
    let c = &k.json(&["show", "CST20240001"])["customer"];
    assert_eq!(c["first_coop_date"], "2023-01-05", "43469 days after 1904-01-01");
    assert_eq!(c["remarks"], "43469", "a number elsewhere is a number");
}

/// A code formatted with literal text (`"KH"0000`) is the code Excel shows.
#[test]
fn codes_with_literal_text_read_as_excel_shows_them() {
    let k = Kehu::new();
    let text = |value: &'static str| {
        move |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            sheet.write_string(r, c, value).unwrap();
        }
    };
    let number = |value: f64, format: &'static str| {
        move |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            let format = Format::new().set_num_format(format);
            sheet.write_number_with_format(r, c, value, &format).unwrap();
        }
    };
    let path = workbook(
        &k,
        "codes.xlsx",
        &["客户编号", "客户名称", "备注"],
        &[
            &[
                &number(20.0, "\"KH\"0000"),
                &text("甲公司有限公司"),
                &number(12.0, "0000\"号\""),
            ],
            &[
                &number(7.0, "\\K0000"),
                &text("乙公司有限公司"),
                &number(123.0, "\"CST\"000000"),
            ],
        ],
    );

    k.import_json(&[&path], 0);
    assert_eq!(k.json(&["show", "KH0020"])["customer"]["name"], "甲公司有限公司");
    assert_eq!(k.json(&["show", "KH0020"])["customer"]["remarks"], "0012号");
    assert_eq!(k.json(&["show", "K0007"])["customer"]["remarks"], "CST000123");
}

/// A month typed as `2023.10` into a cell Excel takes for a number is stored as 2023.1, the
/// number `2023.1` typed for January is: a date column refuses that number rather than read
/// January, and the clerk types the month as text. Other numbers, and text in a workbook or
/// a csv, read as they look.
#[test]
fn a_number_that_could_be_january_or_october_is_no_date() {
    let k = Kehu::new();
    let path = workbook(
        &k,
        "客户.xlsx",
        &["客户名称", "手机", "首次合作日期", "备注"],
        &[
            &[&text("甲公司有限公司"), &text("13812345678"), &number(2023.10)],
            &[&text("乙公司有限公司"), &text("123"), &number(2023.1)],
            &[
                &text("丙公司有限公司"),
                &text("13912345678"),
                &number(2023.11),
                &number(2023.1),
            ],
            &[&text("丁公司有限公司"), &text("13712345678"), &text("2023.10")],
        ],
    );

    let summary = k.import_json(&[&path], 3);
    let month = "2023.1 as a number could be January or October 2023: type it as text, 2023-10 or 2023年10月";
    assert_eq!(
        rejected(&summary),
        [
            (2, "首次合作日期".to_string(), "2023.1".to_string()),
            (3, "首次合作日期".to_string(), "2023.1".to_string()),
        ]
    );
    assert_eq!(reasons(&summary), [month, month]);
    assert_eq!(
        summary["rejected"][1]["also"][0]["column"], "手机",
        "the row's other problem, for one pass to fix both: {summary}"
    );
    assert_eq!(k.names(), ["丙公司有限公司", "丁公司有限公司"]);
    let first_coop = |name: &str| show_named(&k, name)["customer"]["first_coop_date"].clone();
    assert_eq!(first_coop("丙公司有限公司"), "2023-11-01");
    assert_eq!(first_coop("丁公司有限公司"), "2023-10-01", "text keeps its zero");
    assert_eq!(
        show_named(&k, "丙公司有限公司")["customer"]["remarks"],
        "2023.1",
        "a number elsewhere is a number"
    );

    // An orders file the same way: the number 2023.1 is no order date.
    let orders = workbook(
        &k,
        "合同.xlsx",
        &["客户名称", "签约日期", "合同金额", "合同编号"],
        &[
            &[
                &text("丙公司有限公司"),
                &number(2023.1),
                &number(5000.0),
                &text("HT-1"),
            ],
            &[
                &text("丙公司有限公司"),
                &number(2023.12),
                &number(8000.0),
                &text("HT-2"),
            ],
        ],
    );
    let summary = k.import_json(&[&orders], 3);
    assert_eq!(
        rejected(&summary),
        [(2, "签约日期".to_string(), "2023.1".to_string())]
    );
    assert_eq!(
        k.query("SELECT group_concat(contract_no || ' ' || date, '; ') FROM orders"),
        "HT-2 2023-12-01"
    );

    // A csv holds the text as typed: 2023.10 is October, 2023.1 January.
    let csv = k.file(
        "客户.csv",
        "客户名称,首次合作日期\n戊公司有限公司,2023.10\n己公司有限公司,2023.1\n",
    );
    k.import_json(&[&csv], 0);
    assert_eq!(first_coop("戊公司有限公司"), "2023-10-01");
    assert_eq!(first_coop("己公司有限公司"), "2023-01-01");
}

/// A contract or bank account number typed into a number cell keeps only 15 digits: the row
/// is refused, naming the cell, rather than stored with digits that were never typed. A
/// number of 15 digits, and the same digits as text, read as they are.
#[test]
fn a_number_cell_of_more_than_15_digits_is_refused() {
    let k = Kehu::new();
    let path = workbook(
        &k,
        "客户.xlsx",
        &["客户名称", "银行账号"],
        &[
            &[&text("甲公司有限公司"), &number(6222021234567890123.0)],
            &[&text("乙公司有限公司"), &number(622202123456789.0)],
            &[&text("丙公司有限公司"), &text("6222021234567890123")],
        ],
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(
        rejected(&summary),
        [(2, "银行账号".to_string(), "6222021234567890000".to_string())],
        "{summary}"
    );
    assert_eq!(
        reasons(&summary),
        [
            "is a number of 19 digits, and a spreadsheet keeps only 15 of a number: the last ones \
          are not those typed; format the column as text and type the number again"
        ]
    );
    assert_eq!(k.names(), ["乙公司有限公司", "丙公司有限公司"]);
}

/// A workbook cell holding the number `value` (for [`workbook`]).
fn number(value: f64) -> impl Fn(&mut rust_xlsxwriter::Worksheet, u32, u16) {
    move |sheet, r, c| {
        sheet.write_number(r, c, value).unwrap();
    }
}

/// A workbook cell holding the text `value` (for [`workbook`]).
fn text(value: &'static str) -> impl Fn(&mut rust_xlsxwriter::Worksheet, u32, u16) {
    move |sheet, r, c| {
        sheet.write_string(r, c, value).unwrap();
    }
}
