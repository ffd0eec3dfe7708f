//! How `kehu import` understands what clerks put around their data: decorated and repeated
//! headers, columns with no header, total and footer rows, Excel's error values and
//! reformatted numbers, and the many ways one city is written.

use serde_json::Value;

use crate::common::Kehu;

fn mapping(k: &Kehu, args: &[&str]) -> String {
    let mut all = vec!["import", "--show-mapping"];
    all.extend(args);
    all.extend(["--format", "csv"]);
    k.ok(&all)
}

#[test]
fn total_rows_with_notes_and_footer_notes_are_skipped() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,累计合作金额\n\
         甲科技有限公司,100000\n\
         乙贸易有限公司,200000\n\
         合计（共2家）,300000\n\
         本页小计,300000\n\
         本页合计,300000\n\
         合计（元）,300000\n\
         合计：2家,300000\n\
         共计,300000\n\
         ,\n\
         注：金额单位为元,\n\
         制表人：张三  日期：2024-06-30,\n\
         填表人：李四,\n\
         审核：王五,\n\
         说明：数据来自销售部,\n",
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 2, "{summary}");
    assert_eq!(summary["counts"]["rejected"], 0, "{summary}");
    assert_eq!(summary["counts"]["total_rows"], 11, "{summary}");
    assert_eq!(summary["counts"]["blank_rows"], 1, "{summary}");
    assert_eq!(k.names(), ["甲科技有限公司", "乙贸易有限公司"]);
}

/// Clerks state the unit of the amounts in the title row (金额单位：万元) as often as in the
/// header: the title's unit is the unit of every amount column whose header states none.
#[test]
fn a_unit_the_title_row_states_applies_to_amounts_whose_header_states_none() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "2024年客户清单（金额单位：万元）\n\
         填报单位：销售部,,\n\
         客户名称,累计合作金额,近12个月交易额(元)\n\
         甲科技有限公司,12.5,3000\n\
         乙贸易有限公司,3,500\n\
         注：金额单位为万元,,\n",
    );
    let shown = mapping(&k, &[&path]);
    assert!(
        shown.contains("2,累计合作金额,total_amount,万元,header\n"),
        "{shown}"
    );
    assert!(
        shown.contains("3,近12个月交易额(元),trade_12m,,header\n"),
        "{shown}"
    );
    k.run(&["import", &path])
        .success()
        .stderr(predicates::str::contains(
            "累计合作金额 read in 万元, as row 1 says (\"2024年客户清单（金额单位：万元）\")",
        ));
    let amounts = k.json(&[
        "list",
        "--sort",
        "code",
        "--columns",
        "code,total_amount,trade_12m",
    ]);
    assert_eq!(amounts[0]["total_amount"].to_string(), "125000.00");
    assert_eq!(
        amounts[0]["trade_12m"].to_string(),
        "3000.00",
        "its own header says 元"
    );
    assert_eq!(amounts[1]["total_amount"].to_string(), "30000.00");
}

/// The rejects file has no title row: the unit the title stated is written into the headers
/// of the amount columns it applied to, so the fixed rows go in in that unit.
#[test]
fn a_rejects_file_keeps_the_unit_its_title_stated() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "2024年客户清单（金额单位：万元）\n客户名称,手机,累计合作金额\n甲科技有限公司,13812345678,12.5\n乙科技有限公司,123,5\n",
    );
    let rejects = k.db.with_file_name("退回.csv").display().to_string();
    k.import_json(&[&path, "--rejects", &rejects], 3);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        written.lines().next().unwrap(),
        "\u{feff}客户名称,手机,累计合作金额(万元),导入退回原因"
    );
    k.file("退回.csv", written.replace(",123,", ",13912345678,"));
    k.import_json(&[&rejects], 0);
    let amounts = k.json(&["list", "--sort", "code", "--columns", "code,total_amount"]);
    assert_eq!(
        amounts[1]["total_amount"].to_string(),
        "50000.00",
        "5 万元, not 5 元"
    );
}

/// The ways a title states the unit: a financial statement's caption, the currency after
/// the unit, brackets, a slash; a header naming only the currency states none.
#[test]
fn every_common_way_of_stating_the_unit_is_heeded() {
    for title in [
        "单位：万元 币种：人民币",
        "单位：万元人民币",
        "2024年客户清单 金额单位（万元）",
        "金额单位/万元",
    ] {
        let k = Kehu::new();
        let path = k.file(
            "客户.csv",
            format!("{title}\n客户名称,累计合作金额(人民币)\n甲科技有限公司,12.5\n"),
        );
        k.import_json(&[&path], 0);
        let amounts = k.json(&["list", "--columns", "code,total_amount"]);
        assert_eq!(amounts[0]["total_amount"].to_string(), "125000.00", "{title}");
    }
}

/// Two units above the table, or a unit alone in a row below it that the amounts were not
/// read in: nothing is imported, and the clerk is told which rows say what.
#[test]
fn units_stated_twice_or_below_the_table_against_the_amounts_stop_the_import() {
    let k = Kehu::new();
    let two = k.file(
        "两个单位.csv",
        "2024年客户清单（金额单位：万元）\n（近12个月交易额单位：元）\n客户名称,累计合作金额,近12个月交易额\n甲科技有限公司,12.5,3000\n",
    );
    let err = k.fails(&["import", &two], 1);
    assert!(
        err.contains(
            "row 1 says \"2024年客户清单（金额单位：万元）\" and row 2 says \"（近12个月交易额单位：元）\""
        ),
        "{err}"
    );
    let footer = k.file(
        "脚注.csv",
        "客户名称,累计合作金额\n甲科技有限公司,12.5\n单位：万元\n",
    );
    let err = k.fails(&["import", &footer], 1);
    assert!(err.contains("row 3 says \"单位：万元\""), "{err}");
    let beside = k.file(
        "落款.csv",
        "客户名称,累计合作金额\n甲科技有限公司,12.5\n填报单位：华兴公司,单位：百万元\n",
    );
    let err = k.fails(&["import", &beside], 1);
    assert!(err.contains("row 3 says \"单位：百万元\""), "{err}");
    assert_eq!(k.query("SELECT count(*) FROM customers"), "0", "nothing imported");
    // In the unit the amounts were read in, it is a note like any other.
    let agrees = k.file("元.csv", "客户名称,累计合作金额\n甲科技有限公司,12.5\n单位：元\n");
    let summary = k.import_json(&[&agrees], 0);
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(summary["counts"]["total_rows"], 1);
}

/// A note below the table comes after the amounts were read: when it says another unit
/// than they were read in, nothing is imported and the clerk is told what to write.
#[test]
fn a_unit_a_note_below_the_table_contradicts_stops_the_import() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,累计合作金额\n甲科技有限公司,12.5\n乙贸易有限公司,3\n注：金额单位为万元,\n",
    );
    let err = k.fails(&["import", &path], 1);
    assert!(
        err.contains(
            "row 4 says \"注：金额单位为万元\", but the header 累计合作金额 states no unit and its \
             amounts were read in 元: write the unit into the header (累计合作金额(万元)) and import again"
        ),
        "{err}"
    );
    assert_eq!(k.query("SELECT count(*) FROM customers"), "0", "nothing imported");
}

#[test]
fn a_company_whose_name_starts_like_a_total_is_a_customer() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,备注\n合计科技有限公司,\n审核软件有限公司,\n说明书印刷厂,\n",
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 3, "{summary}");
    assert_eq!(summary["counts"]["total_rows"], 0, "{summary}");
}

#[test]
fn required_marks_and_hints_in_headers_are_read_past() {
    let k = Kehu::new();
    let path = k.file("模板.csv",
        "*客户名称,*统一社会信用代码,手机号码*,负责人（必填）,所在地区(省市),首次合作日期(yyyy-mm-dd),累计合作金额（万元）*,备注(选填)\n\
         北京某某科技有限公司,91110000600037341L,13812345678,张三,北京市朝阳区,2022-03-15,12.5,老客户\n\
         杭州某某机械有限公司,91110000600037341N,13912345678,李四,浙江省杭州市,2023-01-05,3,\n",
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    assert_eq!(
        summary["rejected"][0],
        serde_json::json!({"row": 3, "column": "*统一社会信用代码", "value": "91110000600037341N",
            "reason": "check character should be L", "also": []}),
        "the USCC column is validated"
    );
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(c["customer"]["uscc"], "91110000600037341L");
    assert_eq!(c["customer"]["owner"], "张三");
    assert_eq!(c["customer"]["province"], "北京市");
    assert_eq!(c["customer"]["first_coop_date"], "2022-03-15");
    assert_eq!(
        c["customer"]["total_amount"].to_string(),
        "125000.00",
        "(万元) still scales"
    );
    assert_eq!(c["customer"]["remarks"], "老客户");
    assert_eq!(c["contacts"][0]["mobile"], "13812345678");
    assert_eq!(c["extra"], serde_json::json!({}), "nothing left over");

    let shown = mapping(&k, &[&path]);
    assert!(shown.contains("1,*客户名称,name,,header\n"), "{shown}");
    assert!(shown.contains("2,*统一社会信用代码,uscc,,header\n"), "{shown}");
    assert!(
        shown.contains("6,首次合作日期(yyyy-mm-dd),first_coop_date,,header\n"),
        "{shown}"
    );
    assert!(
        shown.contains("7,累计合作金额(万元)*,total_amount,万元,header\n"),
        "{shown}"
    );
    assert!(shown.contains("4,负责人(必填),owner,,header\n"), "{shown}");
}

#[test]
fn common_header_variants_are_known() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,社会统一信用代码,所属省份,联系人,联系人手机号,联系人电话\n\
         某某科技有限公司,91110000600037341L,广东,王总,13812345678,0755-86123456\n",
    );
    k.ok(&["import", &path]);
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(c["customer"]["uscc"], "91110000600037341L");
    assert_eq!(c["customer"]["province"], "广东省");
    assert_eq!(c["contacts"][0]["name"], "王总");
    assert_eq!(c["contacts"][0]["mobile"], "13812345678");
    assert_eq!(c["contacts"][0]["landline"], "075586123456");
}

#[test]
fn an_english_name_column_is_the_customer() {
    let k = Kehu::new();
    let path = k.file(
        "clients.csv",
        "name,mobile,remarks\nAcme Trading Co.,13812345678,met at the fair\n",
    );
    k.ok(&["import", &path]);
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(c["customer"]["name"], "Acme Trading Co.");
    assert_eq!(c["customer"]["remarks"], "met at the fair");
    assert_eq!(c["contacts"][0]["mobile"], "13812345678");

    // Beside a customer name column, `name` is the contact's.
    let path = k.file(
        "contacts.csv",
        "company,name,mobile\nBeta Ltd,Li Lei,13912345678\n",
    );
    assert_eq!(
        mapping(&k, &[&path]),
        "column,header,field,unit,by\n\
         1,company,name,,header\n\
         2,name,contact.name,,header\n\
         3,mobile,contact.mobile,,header\n"
    );
    k.ok(&["import", &path]);
    let c = k.json(&["show", "CST20240002"]);
    assert_eq!(c["customer"]["name"], "Beta Ltd");
    assert_eq!(c["contacts"][0]["name"], "Li Lei");
}

#[test]
fn a_name_column_alone_is_a_customers_file() {
    let k = Kehu::new();
    let alone = k.file("名单.csv", "客户名称\n甲科技有限公司\n乙贸易有限公司\n");
    let summary = k.import_json(&[&alone], 0);
    assert_eq!(summary["counts"]["inserted"], 2, "{summary}");

    let with_unknown = k.file("微信.csv", "客户名称,微信号,QQ\n丙实业有限公司,wx_bing,10001\n");
    k.ok(&["import", &with_unknown]);
    let c = k.json(&["show", "CST20240003"]);
    assert_eq!(
        c["extra"],
        serde_json::json!({"QQ": "10001", "微信号": "wx_bing"})
    );

    let mapped = k.file("单位.csv", "单位\n丁商行\n");
    k.ok(&["import", &mapped, "--map", "单位=name"]);
    assert_eq!(k.names().len(), 4);
}

#[test]
fn an_amount_column_does_not_make_a_customers_file_an_orders_file() {
    let k = Kehu::new();
    let path = k.file("客户.csv", "客户名称,金额,地址\n甲科技有限公司,5000,深圳南山\n");
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(
        c["extra"],
        serde_json::json!({"地址": "深圳南山", "金额": "5000"})
    );

    let path = k.file("客户2.csv", "客户名称,金额\n乙贸易有限公司,1.5万\n");
    k.ok(&["import", &path, "--map", "金额=total_amount"]);
    let c = k.json(&["show", "CST20240002"]);
    assert_eq!(c["customer"]["total_amount"].to_string(), "15000.00");

    let path = k.file("客户3.csv", "客户名称,合同编号,金额\n丙实业有限公司,HT-9,800\n");
    assert!(
        mapping(&k, &[&path, "--map", "合同编号=extra"]).contains("2,合同编号,extra (kept),,--map\n"),
        "mapped to extra by the user"
    );
    k.ok(&["import", &path, "--map", "合同编号=extra"]);
    let c = k.json(&["show", "CST20240003"]);
    assert_eq!(c["extra"]["合同编号"], "HT-9");

    let orders = k.file("合同.csv", "客户编号,合同编号\nCST20240001,HT-1\n");
    let err = k.fails(&["import", &orders], 1);
    assert!(
        err.contains("an orders file needs a date (签约日期/订单日期) column"),
        "{err}"
    );
}

#[test]
fn no_cell_is_dropped_and_show_mapping_says_where_each_goes() {
    let k = Kehu::new();
    let path = k.file("客户.csv",
        "客户名称,,微信,微信,备注,备注,手机,手机,合同编号,签约日期,合同金额,拜访日期,沟通内容\n\
         乙贸易有限公司,b列,wx1,wx2,第一条,第二条,13812345678,13912345678,HT-1,2024-01-02,5000,2024-02-03,聊过,多余1,多余2\n",
    );
    // A contract number with its date and amount would make an orders file; the clerk
    // says this one is a customers file.
    assert_eq!(
        mapping(&k, &[&path, "--kind", "customers"]),
        "column,header,field,unit,by\n\
         1,客户名称,name,,header\n\
         2,列B,extra (kept),,no field\n\
         3,微信,extra (kept),,no field\n\
         4,微信(2),extra (kept),,no field\n\
         5,备注,remarks,,header\n\
         6,备注(2),remarks,,header\n\
         7,手机,contact.mobile,,header\n\
         8,手机(2),extra (kept),,no field\n\
         9,合同编号,extra (kept),,no field\n\
         10,签约日期,extra (kept),,no field\n\
         11,合同金额,extra (kept),,no field\n\
         12,拜访日期,extra (kept),,no field\n\
         13,沟通内容,extra (kept),,no field\n"
    );
    let summary = k.import_json(&[&path, "--kind", "customers"], 0);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(c["customer"]["remarks"], "第一条\n第二条");
    assert_eq!(c["contacts"][0]["mobile"], "13812345678");
    assert_eq!(
        c["extra"],
        serde_json::json!({
            "列B": "b列", "列N": "多余1", "列O": "多余2",
            "合同编号": "HT-1", "合同金额": "5000", "手机(2)": "13912345678",
            "拜访日期": "2024-02-03", "沟通内容": "聊过", "签约日期": "2024-01-02",
            "微信": "wx1", "微信(2)": "wx2",
        })
    );
    // The blank-headed column can be mapped by its letter.
    let path = k.file("负责人.csv", "客户名称,\n乙贸易有限公司,张三\n");
    k.ok(&["import", &path, "--map", "列B=owner"]);
    assert_eq!(k.json(&["show", "CST20240001"])["customer"]["owner"], "张三");
}

#[test]
fn excel_errors_are_refused_in_fields_and_not_kept_as_data() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,统一社会信用代码,手机,微信\n\
         甲科技有限公司,#N/A,,\n\
         乙贸易有限公司,,#VALUE!,\n\
         丙实业有限公司,,,#REF!\n",
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    assert_eq!(summary["rejected"][0]["column"], "统一社会信用代码");
    assert_eq!(summary["rejected"][0]["value"], "#N/A");
    assert_eq!(
        summary["rejected"][0]["reason"],
        "the cell holds the Excel error #N/A, not a value: fix the formula or type the value in the spreadsheet"
    );
    assert_eq!(summary["rejected"][1]["column"], "手机");
    assert_eq!(summary["rejected"][1]["value"], "#VALUE!");
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(c["customer"]["name"], "丙实业有限公司");
    assert_eq!(c["extra"], serde_json::json!({}), "#REF! is not data");
}

#[test]
fn messages_say_what_was_typed_and_how_to_fix_it() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,首次合作日期,手机,统一社会信用代码,合作阶段\n\
         甲科技有限公司,13/1/2024,,-,\n\
         乙贸易有限公司,,13812345678.0,—,\n\
         丙实业有限公司,,1.38123E+10,/,\n\
         丁商行,,,无,合作中\n\
         戊有限公司,1/5/2024,,N/A,\n",
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["counts"]["inserted"], 1, "{summary}");
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(
        c["customer"]["first_coop_date"], "2024-01-13",
        "13 cannot be a month"
    );
    assert_eq!(c["customer"]["uscc"], Value::Null, "- is an empty cell");
    let rejected = summary["rejected"].as_array().unwrap();
    let reason = |row: u64| -> (String, String, String) {
        let r = rejected.iter().find(|r| r["row"] == row).expect("rejected row");
        (
            r["column"].as_str().unwrap().into(),
            r["value"].as_str().unwrap().into(),
            r["reason"].as_str().unwrap().into(),
        )
    };
    let (column, value, why) = reason(3);
    assert_eq!((column.as_str(), value.as_str()), ("手机", "13812345678.0"));
    assert!(
        why.starts_with("looks like a number Excel reformatted with a decimal part (.0): write it without the decimal, as 13812345678")
            && why.contains("mobile must be 11 digits"),
        "{why}"
    );
    let (_, value, why) = reason(4);
    assert_eq!(value, "1.38123E+10");
    assert!(why.contains("scientific notation, which loses digits"), "{why}");
    let (column, value, why) = reason(5);
    assert_eq!((column.as_str(), value.as_str()), ("合作阶段", "合作中"), "{why}");
    let (_, value, why) = reason(6);
    assert_eq!(value, "1/5/2024");
    assert_eq!(
        why,
        "1/5/2024 could be day 1 month 5 or month 1 day 5; write the year first, 2024-05-01 or 2024-01-05"
    );
}

#[test]
fn a_city_is_grouped_as_one_however_it_is_written() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,所在地区\n\
         甲科技有限公司,广东省深圳市\n\
         乙贸易有限公司,广东深圳\n\
         丙实业有限公司,深圳市南山区\n\
         丁商行,深圳\n\
         戊有限公司,北京市朝阳区\n\
         己有限公司,北京\n",
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 6, "{summary}");
    let cities = k.json(&["list", "--group-by", "city"]);
    let counts: Vec<String> = cities
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}={}", r["value"], r["count"]))
        .collect();
    assert_eq!(counts, [r#""深圳"=4"#, r#""北京"=2"#]);
    let city_column = k.file("城市.csv", "客户名称,城市\n庚有限公司,深圳市\n");
    k.ok(&["import", &city_column]);
    assert_eq!(k.json(&["show", "CST20240007"])["customer"]["city"], "深圳");
}

#[test]
fn a_two_row_heading_is_read_as_one_header() {
    let k = Kehu::new();
    let path = k.file("两行表头.csv",
        "客户名称,统一社会信用代码,联系人,\n,,姓名,手机\n甲贸易有限公司,91110000600037341L,王总,13812345678\n",
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["inserted"], 1);
    assert_eq!(
        summary["counts"]["rejected"], 0,
        "the second heading row is no customer"
    );
    let c = k.json(&["show", "CST20240001"]);
    assert_eq!(c["contacts"][0]["name"], "王总");
    assert_eq!(c["contacts"][0]["mobile"], "13812345678");
}

#[test]
fn a_nameless_first_row_under_a_plain_header_is_data_not_a_second_heading() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,负责人,备注\n,,邮箱\n甲科技有限公司,张三,重要客户\n乙科技有限公司,李四,老客户\n",
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["counts"]["inserted"], 2);
    assert_eq!(summary["rejected"][0]["row"], 2);
    assert_eq!(
        k.json(&["show", "CST20240001"])["customer"]["remarks"],
        "重要客户"
    );
}
