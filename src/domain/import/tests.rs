use super::*;

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
}

#[test]
fn the_header_row_is_found_below_title_and_blank_rows() {
    let rows = vec![
        strings(&["2024年第二季度客户信息汇总表", "", ""]),
        strings(&["", "", ""]),
        strings(&["制表人：张三", "", "2024-06-30"]),
        strings(&["序号", "客户名称", "统一社会信用代码", "所在地区"]),
        strings(&["1", "北京某某科技有限公司", "91110000600037341L", "北京市朝阳区"]),
    ];
    assert_eq!(detect_header(&rows, &[]), Some(3));
    assert_eq!(detect_header(&rows[..3], &[]), None);
}

#[test]
fn headers_map_by_chinese_and_english_aliases_with_units() {
    let headers = strings(&[
        "公司名称",
        "信用代码",
        "所在地区",
        "手机号码",
        "累计合作金额(万元)",
        "微信号",
        "Owner",
    ]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    assert_eq!(m.kind, Kind::Customers);
    let targets: Vec<Option<Target>> = m.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        vec![
            Some(Target::Customer(Field::Name)),
            Some(Target::Customer(Field::Uscc)),
            Some(Target::Location),
            Some(Target::Contact(ContactField::Mobile)),
            Some(Target::Customer(Field::TotalAmount)),
            None,
            Some(Target::Customer(Field::Owner)),
        ]
    );
    assert_eq!(m.columns[4].unit, Unit::Wan);
}

#[test]
fn a_two_row_heading_reads_as_one() {
    let header = strings(&["客户名称", "统一社会信用代码", "联系人", ""]);
    let sub = strings(&["", "", "姓名", "手机"]);
    assert_eq!(
        two_row_header(&header, &sub, &[]),
        Some(strings(&[
            "客户名称",
            "统一社会信用代码",
            "联系人姓名",
            "联系人手机"
        ]))
    );
    // A data row is not a heading: it names its customer, or holds values.
    let data = strings(&["甲贸易有限公司", "", "王总", "13812345678"]);
    assert_eq!(two_row_header(&header, &data, &[]), None);
    let nameless = strings(&["", "", "王总", "13812345678"]);
    assert_eq!(two_row_header(&header, &nameless, &[]), None);
    assert_eq!(two_row_header(&header, &strings(&["", "", "", ""]), &[]), None);
    // A first data row with one word under an unmerged heading is data.
    let plain = strings(&["客户名称", "负责人", "备注"]);
    assert_eq!(two_row_header(&plain, &strings(&["", "", "邮箱"]), &[]), None);
    assert_eq!(two_row_header(&plain, &strings(&["", "手机", "邮箱"]), &[]), None);
}

#[test]
fn a_repeated_header_is_numbered_clear_of_the_other_headers() {
    let headers = strings(&["客户名称", "微信", "微信(2)", "微信", "微信"]);
    let mapping = Mapping::new(&headers, &[], None).unwrap();
    let shown: Vec<&str> = mapping.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(shown, ["客户名称", "微信", "微信(2)", "微信(3)", "微信(4)"]);
}

#[test]
fn user_maps_win_and_unknown_targets_are_refused() {
    let headers = strings(&["单位", "对接人"]);
    assert!(
        Mapping::new(&headers, &[], None).is_err(),
        "no column identifies the customer"
    );
    let maps = vec![
        ("单位".to_string(), "name".to_string()),
        ("对接人".to_string(), "contact.name".to_string()),
    ];
    let m = Mapping::new(&headers, &maps, Some(Kind::Customers)).unwrap();
    assert_eq!(m.columns[1].target, Some(Target::Contact(ContactField::Name)));
    let bad = vec![("单位".to_string(), "colour".to_string())];
    assert!(
        Mapping::new(&headers, &bad, None)
            .unwrap_err()
            .contains("unknown field colour")
    );
    let missing = vec![("部门".to_string(), "name".to_string())];
    assert!(
        Mapping::new(&headers, &missing, None)
            .unwrap_err()
            .contains("does not have")
    );
}

#[test]
fn the_kind_is_detected_from_headers() {
    assert_eq!(
        detect_kind(
            &strings(&["客户编号", "合同编号", "签约日期", "合同金额(元)"]),
            &[]
        ),
        Kind::Orders
    );
    assert_eq!(
        detect_kind(&strings(&["客户名称", "拜访日期", "沟通方式", "沟通内容"]), &[]),
        Kind::Interactions
    );
    assert_eq!(
        detect_kind(&strings(&["客户名称", "联系人", "手机"]), &[]),
        Kind::Customers
    );
    // The person met, by name alone, is part of the visit; with a phone, a contact.
    let visits = ["拜访日期", "客户名称", "联系人", "拜访方式", "沟通内容", "业务员"];
    assert_eq!(detect_kind(&strings(&visits), &[]), Kind::Interactions);
    let with_phone = [&visits[..], &["手机"]].concat();
    assert_eq!(detect_kind(&strings(&with_phone), &[]), Kind::Customers);
    let contracts = ["客户名称", "合同编号", "签约日期", "合同金额", "联系人"];
    assert_eq!(detect_kind(&strings(&contracts), &[]), Kind::Orders);
    assert_eq!(
        detect_kind(&strings(&["客户名称", "所属行业", "联系人", "手机"]), &[]),
        Kind::Customers
    );
}

#[test]
fn a_row_becomes_keys_fields_contact_and_extras() {
    let headers = strings(&[
        "客户名称",
        "统一社会信用代码",
        "地区",
        "联系电话",
        "联系人",
        "累计合作金额（万元）",
        "微信",
    ]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let row = m
        .parse_row(
            &strings(&[
                "北京某某科技有限公司",
                "91110000600037341l",
                "广东省深圳市南山区",
                "0755-86123456",
                "陈工",
                "12.5",
                "wx_abc",
            ]),
            today(),
        )
        .unwrap();
    assert_eq!(row.keys.uscc.as_deref(), Some("91110000600037341L"));
    let RowBody::Customer(part) = row.body else {
        panic!("customer row")
    };
    let c = part
        .apply(&Customer::new("北京某某科技有限公司").unwrap())
        .unwrap();
    assert_eq!(c.province.map(|p| p.name), Some("广东省"));
    assert_eq!(c.city.as_deref(), Some("深圳"));
    assert_eq!(c.total_amount_fen, Some(12_500_000));
    assert_eq!(c.extra.get("微信").map(String::as_str), Some("wx_abc"));
    let contact = part.contact.unwrap().contact;
    assert_eq!(
        (contact.name.as_str(), contact.landline.as_deref()),
        ("陈工", Some("075586123456"))
    );
}

#[test]
fn a_new_customer_comes_with_the_probe_that_matches_it() {
    let headers = strings(&["单位名称", "统一社会信用代码", "联系人", "手机"]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let row = m
        .parse_row(
            &strings(&[
                "（深圳）华通电子科技有限公司上海分公司",
                "91110000600037341L",
                "王总",
                "+86 138-0013-8000",
            ]),
            today(),
        )
        .unwrap();
    let RowBody::Customer(part) = &row.body else {
        panic!("customer row")
    };
    let NewCustomer { customer, probe } = part.new_customer(&row.keys, today()).unwrap();
    assert_eq!(probe.name(), customer.name);
    assert_eq!(probe.core(), super::super::dedupe::name_key(&customer.name));
    assert_eq!(probe.core(), "华通电子科技");
    assert_eq!(probe.branch(), Some("上海分公司"));
    assert_eq!(probe.uscc(), Some("91110000600037341L"));
    assert_eq!(probe.mobiles().collect::<Vec<_>>(), ["13800138000"]);
}

#[test]
fn bad_cells_name_their_column_value_and_rule() {
    let headers = strings(&["客户名称", "信用代码", "首次合作日期"]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let err = m
        .parse_row(&strings(&["某公司", "91110000600037341A", ""]), today())
        .unwrap_err();
    assert_eq!(
        err,
        RowError::new("信用代码", "91110000600037341A", "check character should be L")
    );
    let row = m
        .parse_row(&strings(&["某公司", "", "2023-02-30"]), today())
        .unwrap();
    let RowBody::Customer(part) = row.body else {
        panic!()
    };
    let err = part.apply(&Customer::new("某公司").unwrap()).unwrap_err();
    assert_eq!(err.column, "首次合作日期");
    assert_eq!(err.value, "2023-02-30");
    let err = m
        .parse_row(&strings(&["", "", "2023-01-01"]), today())
        .unwrap_err();
    assert!(err.reason.contains("no customer name"), "{err:?}");
}

#[test]
fn order_rows_need_date_and_amount() {
    let headers = strings(&["客户编号", "合同编号", "签约日期", "合同金额(万元)"]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let row = m
        .parse_row(&strings(&["cst20240001", "HT-1", "2024/5/20", "12"]), today())
        .unwrap();
    assert_eq!(row.keys.code.as_deref(), Some("CST20240001"));
    assert_eq!(
        row.body,
        RowBody::Order(Order::parse("2024-05-20", "120000", Unit::Yuan, "HT-1", today()).unwrap())
    );
    let err = m
        .parse_row(&strings(&["CST20240001", "HT-2", "", "12"]), today())
        .unwrap_err();
    assert_eq!(err.column, "签约日期");
}

#[test]
fn plainly_different_names_are_told_from_variants() {
    assert!(!plainly_different("北京某某科技有限公司", "某某科技有限责任公司"));
    assert!(!plainly_different("北京某某科技有限公司", "（北京）某某科技"));
    assert!(!plainly_different("北京小米科技有限责任公司", "小米科技"));
    assert!(plainly_different(
        "北京小米科技有限责任公司",
        "深圳市腾讯计算机系统有限公司"
    ));
}

#[test]
fn blank_and_total_rows_are_recognised() {
    assert!(is_blank(&strings(&["", " ", "\u{3000}"])));
    assert!(!is_blank(&strings(&["", "x"])));
    assert!(is_total(&strings(&["合 计", "", "1234"])));
    assert!(is_total(&strings(&["", "总计：", "1234"])));
    assert!(!is_total(&strings(&["合计科技有限公司", "", ""])));
    // A total word in a remark or a name is no total row.
    assert!(!is_total(&strings(&[
        "1",
        "甲科技有限公司",
        "合计2个项目在谈",
        "张伟"
    ])));
    assert!(!is_total(&strings(&[
        "2",
        "乙科技有限公司",
        "小计：年采购约50万"
    ])));
    assert!(!is_total(&strings(&["", "共计（北京）信息技术有限公司", "王总"])));
    assert!(!is_total(&strings(&[
        "TOTAL (China) Investment Co., Ltd.",
        "北京"
    ])));
}

fn maps(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(h, f)| (h.to_string(), f.to_string()))
        .collect()
}

fn targets(headers: &[&str], user: &[(&str, &str)]) -> Vec<Option<Target>> {
    Mapping::new(&strings(headers), &maps(user), None)
        .unwrap()
        .columns
        .iter()
        .map(|c| c.target)
        .collect()
}

#[test]
fn total_labels_with_notes_and_page_totals_are_totals() {
    for label in [
        "合计（共2家）",
        "本页小计",
        "本页合计",
        "合计（元）",
        "合计：2家",
        "共计",
        "共计 3 家",
        "总计(万元)",
        "小计:",
        "Total",
        "TOTAL:",
    ] {
        assert!(is_total(&strings(&["", label, "", "300000"])), "{label}");
    }
}

#[test]
fn footer_notes_are_skipped_with_the_totals() {
    for note in [
        "注：金额单位为万元",
        "注1：以上数据截至6月",
        "制表人：张三  日期：2024-06-30",
        "填表人：李四",
        "审核：王五",
        "审核人",
        "说明：本表由销售部提供",
    ] {
        assert!(is_total(&strings(&[note, "", ""])), "{note}");
        assert!(is_total(&strings(&["", "", note])), "{note}");
    }
    assert!(is_total(&strings(&["制表人：张三", "", "日期：2024-06-30"])));
    // A note beside real data is a row, not a footer.
    assert!(!is_total(&strings(&["某某科技有限公司", "注：老客户"])));
    assert!(!is_total(&strings(&["注册资本较大的公司", "", ""])));
    assert!(!is_total(&strings(&["审核科技有限公司"])));
    assert!(!is_total(&strings(&["说明书印刷厂"])));
}

proptest::proptest! {
    /// A company name never starts with a total word followed by a bracket or colon, so
    /// whatever Han characters follow a total word, the cell is a name, not a total.
    #[test]
    fn company_names_are_not_totals(
        head in proptest::sample::select(vec!["合计", "共计", "小计", "总计", "本页合计", "审核", "编制", "说明", "注", ""]),
        body in "[\\u4e00-\\u9fa5]{1,8}",
        form in proptest::sample::select(vec!["有限公司", "科技有限公司", "股份有限公司", "商行", "(普通合伙)"]),
    ) {
        proptest::prop_assume!(!body.starts_with('人'));
        let name = format!("{head}{body}{form}");
        proptest::prop_assert!(!is_total(&strings(&["1", name.as_str(), "91110000600037341L"])), "{}", name);
        proptest::prop_assert!(!is_total(&strings(&[name.as_str()])), "{}", name);
    }
}

#[test]
fn header_decorations_are_read_past() {
    assert_eq!(
        targets(
            &[
                "*客户名称",
                "客户名称*",
                "*统一社会信用代码",
                "统一社会信用代码（18位）",
                "手机号码*",
                "负责人（必填）",
                "所在地区(省市)",
                "首次合作日期(yyyy-mm-dd)",
                "备注(选填)",
                "累计合作金额（万元）*",
                "联系人【必填】",
            ],
            &[]
        ),
        vec![
            Some(Target::Customer(Field::Name)),
            None, // a second name column is kept as an extra
            Some(Target::Customer(Field::Uscc)),
            None,
            Some(Target::Contact(ContactField::Mobile)),
            Some(Target::Customer(Field::Owner)),
            Some(Target::Location),
            Some(Target::Customer(Field::FirstCoopDate)),
            Some(Target::Customer(Field::Remarks)),
            Some(Target::Customer(Field::TotalAmount)),
            Some(Target::Contact(ContactField::Name)),
        ]
    );
    assert_eq!(
        understand("合同金额（元）（必填）", Kind::Orders),
        (Some(Target::OrderAmount), Unit::Yuan)
    );
    assert_eq!(
        understand("累计合作金额(万元)(选填)", Kind::Customers),
        (Some(Target::Customer(Field::TotalAmount)), Unit::Wan)
    );
    assert_eq!(
        understand("合作时长(年)", Kind::Customers).0,
        Some(Target::Customer(Field::TenureYears))
    );
    assert_eq!(understand("(必填)", Kind::Customers).0, None);
    assert_eq!(understand("*", Kind::Customers).0, None);
}

#[test]
fn more_header_aliases() {
    assert_eq!(
        targets(
            &[
                "客户名称",
                "社会统一信用代码",
                "所属省份",
                "联系人手机",
                "联系人手机号",
                "联系人电话"
            ],
            &[]
        ),
        vec![
            Some(Target::Customer(Field::Name)),
            Some(Target::Customer(Field::Uscc)),
            Some(Target::Customer(Field::Province)),
            Some(Target::Contact(ContactField::Mobile)),
            None, // a second mobile column is kept as an extra
            Some(Target::Phone),
        ]
    );
}

#[test]
fn english_name_is_the_customer_unless_another_column_is() {
    assert_eq!(
        targets(&["name", "mobile", "remarks"], &[]),
        vec![
            Some(Target::Customer(Field::Name)),
            Some(Target::Contact(ContactField::Mobile)),
            Some(Target::Customer(Field::Remarks)),
        ]
    );
    for header in ["company", "customer", "Customer Name", "company_name"] {
        assert_eq!(
            targets(&[header], &[]),
            vec![Some(Target::Customer(Field::Name))],
            "{header}"
        );
    }
    assert_eq!(
        targets(&["company", "name", "mobile"], &[]),
        vec![
            Some(Target::Customer(Field::Name)),
            Some(Target::Contact(ContactField::Name)),
            Some(Target::Contact(ContactField::Mobile)),
        ]
    );
    assert_eq!(
        targets(&["客户名称", "联系人", "name"], &[]),
        vec![
            Some(Target::Customer(Field::Name)),
            Some(Target::Contact(ContactField::Name)),
            None,
        ]
    );
}

#[test]
fn a_name_column_alone_is_a_header() {
    let rows = vec![
        strings(&["客户清单"]),
        strings(&["客户名称", "微信号", "QQ"]),
        strings(&["某某科技有限公司", "wx1", "10001"]),
    ];
    assert_eq!(detect_header(&rows, &[]), Some(1));
    assert_eq!(detect_header(&[strings(&["客户名称"])], &[]), Some(0));
    assert_eq!(detect_header(&[strings(&["单位", "微信"])], &[]), None);
    assert_eq!(
        detect_header(&[strings(&["单位", "微信"])], &maps(&[("单位", "name")])),
        Some(0)
    );
    // One known column that does not name the customer is not enough.
    assert_eq!(detect_header(&[strings(&["单位", "手机"])], &[]), None);
    assert!(Mapping::new(&strings(&["客户名称", "微信号", "QQ"]), &[], None).is_ok());
}

#[test]
fn an_amount_alone_does_not_make_an_orders_file_and_maps_count() {
    let kind = |h: &[&str], m: &[(&str, &str)]| detect_kind(&strings(h), &maps(m));
    assert_eq!(kind(&["客户名称", "金额", "地址"], &[]), Kind::Customers);
    assert_eq!(kind(&["客户名称", "合同金额"], &[]), Kind::Customers);
    assert_eq!(
        kind(&["客户名称", "金额"], &[("金额", "total_amount")]),
        Kind::Customers
    );
    assert_eq!(
        kind(&["客户名称", "合同编号", "金额"], &[("合同编号", "extra")]),
        Kind::Customers
    );
    assert_eq!(
        kind(
            &["客户名称", "单号", "日子", "钱"],
            &[("单号", "order.contract_no")]
        ),
        Kind::Orders
    );
    assert_eq!(kind(&["客户编号", "合同编号", "金额"], &[]), Kind::Orders);
    let err = Mapping::new(&strings(&["客户编号", "合同编号"]), &[], None).unwrap_err();
    assert_eq!(err, "an orders file needs a date (签约日期/订单日期) column");
    let err = Mapping::new(&strings(&["客户编号", "合同编号", "签约日期"]), &[], None).unwrap_err();
    assert_eq!(err, "an orders file needs an amount (合同金额/订单金额) column");
}

#[test]
fn contract_lists_and_follow_up_logs_are_known_by_their_own_columns() {
    use Kind::{Customers, Interactions, Orders};
    let cases: &[(&str, Kind, &str)] = &[
        (
            "合同编号,客户名称,签约日期,合同金额(万元),业务员,备注",
            Orders,
            "the salesperson and a remark are the contract's",
        ),
        (
            "客户名称,合同编号,日期,金额,负责人,省份",
            Orders,
            "plain 日期 and 金额 beside a contract number",
        ),
        (
            "客户名称,签约日期,合同金额,销售",
            Orders,
            "an order date with an amount",
        ),
        (
            "客户名称,跟进日期,跟进方式,跟进内容,跟进人",
            Interactions,
            "a follow-up log",
        ),
        (
            "客户名称,拜访日期,沟通内容,省份,备注",
            Interactions,
            "a visit log with the customer's province",
        ),
        (
            "客户名称,合同编号,金额,负责人,省份",
            Customers,
            "with no date it could not be an orders file",
        ),
        (
            "客户名称,日期,金额,负责人",
            Customers,
            "plain 日期 and 金额 are no contract",
        ),
        (
            "客户名称,合同编号,省份,负责人",
            Customers,
            "a contract number alone is an extra",
        ),
        (
            "客户名称,沟通内容,负责人",
            Customers,
            "沟通内容 alone is an extra",
        ),
        (
            "客户名称,统一社会信用代码,所属行业,省份,城市,企业规模,合作阶段,负责人,联系人,手机,首次合作日期,\
             累计合作金额(万元),合同编号,签约日期,合同金额(万元),备注",
            Customers,
            "a sales list that names each customer's last contract",
        ),
        (
            "客户编号,合作阶段,负责人,首次合作日期,累计合作金额(万元),合同编号,签约日期,合同金额(万元),备注",
            Customers,
            "an update of the customers who signed",
        ),
        (
            "客户名称,所属行业,省份,城市,客户阶段,意向度,负责人,联系人,手机,跟进日期,跟进方式,跟进内容",
            Customers,
            "a CRM export with each customer's last follow-up",
        ),
        (
            "name,industry,province,stage,owner,contract_no,amount",
            Customers,
            "the same in English",
        ),
    ];
    for (headers, expected, why) in cases {
        let headers: Vec<String> = headers.split(',').map(str::to_string).collect();
        assert_eq!(detect_kind(&headers, &[]), *expected, "{why}: {headers:?}");
    }
    let mapped = detect_kind(
        &strings(&["客户名称", "成交日", "成交额", "销售"]),
        &maps(&[("成交日", "order.date"), ("成交额", "order.amount")]),
    );
    assert_eq!(
        mapped, Orders,
        "columns the user maps to an order's date and amount"
    );
}

#[test]
fn no_cell_of_a_customers_row_is_dropped() {
    let headers = strings(&[
        "客户名称",
        "",
        "微信",
        "微信",
        "备注",
        "备注",
        "手机",
        "手机",
        "合同编号",
        "沟通内容",
    ]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    assert_eq!(m.kind, Kind::Customers);
    let shown: Vec<&str> = m.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(
        shown,
        [
            "客户名称",
            "列B",
            "微信",
            "微信(2)",
            "备注",
            "备注(2)",
            "手机",
            "手机(2)",
            "合同编号",
            "沟通内容"
        ]
    );
    let row = m
        .parse_row(
            &strings(&[
                "乙公司",
                "b",
                "wx1",
                "wx2",
                "第一条",
                "第二条",
                "13812345678",
                "13912345678",
                "HT-1",
                "聊过",
                "多余1",
                "",
                "多余2",
            ]),
            today(),
        )
        .unwrap();
    let RowBody::Customer(part) = row.body else {
        panic!("customer row")
    };
    let c = part.apply(&Customer::new("乙公司").unwrap()).unwrap();
    assert_eq!(c.remarks.as_deref(), Some("第一条\n第二条"));
    let extra: Vec<(&str, &str)> = c.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        extra,
        [
            ("列B", "b"),
            ("列K", "多余1"),
            ("列M", "多余2"),
            ("合同编号", "HT-1"),
            ("微信", "wx1"),
            ("微信(2)", "wx2"),
            ("手机(2)", "13912345678"),
            ("沟通内容", "聊过"),
        ]
    );
    assert_eq!(
        part.contact.unwrap().contact.mobile.as_deref(),
        Some("13812345678")
    );
    let m = Mapping::new(&headers, &maps(&[("列B", "owner")]), None).unwrap();
    assert_eq!(m.columns[1].target, Some(Target::Customer(Field::Owner)));
}

#[test]
fn a_second_phone_in_a_phone_column_is_kept() {
    let m = Mapping::new(&strings(&["客户名称", "手机", "联系电话"]), &[], None).unwrap();
    let extra = |cells: &[&str]| {
        let RowBody::Customer(part) = m.parse_row(&strings(cells), today()).unwrap().body else {
            panic!()
        };
        part.extra
    };
    assert_eq!(
        extra(&["甲", "13812345678", "13912345678"])
            .get("联系电话")
            .map(String::as_str),
        Some("13912345678")
    );
    assert!(extra(&["甲", "13812345678", "138-1234-5678"]).is_empty());
}

#[test]
fn excel_errors_are_refused_in_fields_and_dropped_from_extras() {
    let m = Mapping::new(&strings(&["客户名称", "统一社会信用代码", "微信"]), &[], None).unwrap();
    for error in ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"] {
        let err = m.parse_row(&strings(&["甲", error, ""]), today()).unwrap_err();
        assert_eq!(
            (err.column.as_str(), err.value.as_str()),
            ("统一社会信用代码", error)
        );
        assert!(err.reason.contains(&format!("Excel error {error}")), "{err:?}");
        let row = m.parse_row(&strings(&["甲", "", error]), today()).unwrap();
        let RowBody::Customer(part) = row.body else {
            panic!()
        };
        assert!(part.extra.is_empty(), "{error}");
    }
}

#[test]
fn placeholders_for_nothing_are_empty_cells() {
    let m = Mapping::new(
        &strings(&["客户名称", "统一社会信用代码", "手机", "微信"]),
        &[],
        None,
    )
    .unwrap();
    for nothing in ["-", "—", "/", "无", "N/A", "n/a", "--", "暂无"] {
        let row = m
            .parse_row(&strings(&["甲", nothing, nothing, nothing]), today())
            .unwrap();
        assert_eq!(row.keys.uscc, None, "{nothing}");
        let RowBody::Customer(part) = row.body else {
            panic!()
        };
        assert_eq!(part.contact, None, "{nothing}");
        assert!(part.extra.is_empty(), "{nothing}");
    }
}

#[test]
fn a_rule_broken_across_fields_shows_the_cell_as_typed() {
    let m = Mapping::new(&strings(&["客户名称", "合作阶段"]), &[], None).unwrap();
    let RowBody::Customer(part) = m.parse_row(&strings(&["甲", "合作中"]), today()).unwrap().body else {
        panic!()
    };
    let keys = Keys {
        name: Some("甲".into()),
        ..Keys::default()
    };
    let err = part.new_customer(&keys, today()).unwrap_err();
    assert_eq!((err.column.as_str(), err.value.as_str()), ("合作阶段", "合作中"));
}

#[test]
fn a_city_alone_is_kept_without_a_province() {
    let m = Mapping::new(&strings(&["客户名称", "所在地区"]), &[], None).unwrap();
    let RowBody::Customer(part) = m
        .parse_row(&strings(&["甲", "深圳市南山区"]), today())
        .unwrap()
        .body
    else {
        panic!()
    };
    let c = part.apply(&Customer::new("甲").unwrap()).unwrap();
    assert_eq!((c.province, c.city.as_deref()), (None, Some("深圳")));
}

#[test]
fn column_letters_are_excels() {
    let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
        .iter()
        .map(|i| column_letter(*i))
        .collect();
    assert_eq!(letters, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
}

#[test]
fn a_contact_already_stored_is_refused_at_the_first_cell_it_would_change() {
    let mut stored = Contact::new("张三").unwrap();
    stored.set(ContactField::Title, "销售总监").unwrap();
    stored.set(ContactField::Mobile, "13812345678").unwrap();
    let mut incoming = stored.clone();
    assert_eq!(
        contact_already_stored(&stored, &incoming.clone().into(), "CST20240001"),
        None
    );
    incoming.title = None;
    assert_eq!(
        contact_already_stored(&stored, &incoming.clone().into(), "CST20240001"),
        None,
        "an empty cell changes nothing"
    );
    incoming.set(ContactField::Title, "副总裁").unwrap();
    incoming.set(ContactField::Email, "zhangsan@example.com").unwrap();
    assert_eq!(
        contact_already_stored(&stored, &incoming.clone().into(), "CST20240001"),
        Some(RowError::new(
            "contact.title",
            "副总裁",
            "张三 is already stored for CST20240001 (--on-existing error)"
        ))
    );
}

#[test]
fn an_order_given_again_may_fill_its_other_columns_but_not_change_them() {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let stored = map(&[("产品", "打印纸")]);
    let what = "order HT-9";
    assert_eq!(extra_contradiction("order", what, &stored, &map(&[])), None);
    assert_eq!(
        extra_contradiction(
            "order",
            what,
            &stored,
            &map(&[("产品", "打印纸"), ("业务员", "赵六")])
        ),
        None,
        "a column the earlier row left empty may be filled"
    );
    assert_eq!(
        extra_contradiction("order", what, &stored, &map(&[("产品", "硒鼓")])).as_deref(),
        Some(
            "an earlier row of this file is the same order HT-9; this row would change \
             order.extra.产品 打印纸 → 硒鼓 (imported again on its own, it will)"
        )
    );
    assert_eq!(
        extra_already_stored(what, &stored, &map(&[("产品", "打印纸")]), "CST20240001"),
        None
    );
    assert_eq!(
        extra_already_stored(what, &stored, &map(&[("业务员", "赵六")]), "CST20240001"),
        Some(RowError::new(
            "业务员",
            "赵六",
            "order HT-9 is already stored for CST20240001 (--on-existing error)"
        )),
        "filling a column is a change too, as for contacts"
    );
}

#[test]
fn a_growth_table_may_repeat_an_industrys_rate_but_not_change_it() {
    let manufacturing = parse_industry("制造业").unwrap();
    assert_eq!(growth_contradiction(&manufacturing, "12", "12"), None);
    assert_eq!(
        growth_contradiction(&manufacturing, "12", "5").as_deref(),
        Some(
            "an earlier row of this file is the same industry; this row would change the growth rate \
             of C (制造业) 12% → 5% (imported again on its own, it will)"
        )
    );
}

#[test]
fn a_mobile_of_another_person_names_both_and_what_to_do() {
    let mut li = Contact::new("李经理").unwrap();
    li.set(ContactField::Mobile, "13912345678").unwrap();
    let mut sun = Contact::new("孙八").unwrap();
    sun.set(ContactField::Mobile, "139-1234-5678").unwrap();
    assert_eq!(
        mobile_of_another(&li, &sun, "CST20240002", false),
        "mobile 13912345678 is stored for 李经理 of CST20240002, and this row names 孙八: if the number \
         has changed hands, mark 李经理 as left (kehu edit CST20240002 --contact 李经理 --contact-left) \
         or change 李经理's mobile first"
    );
    assert_eq!(
        mobile_of_another(&li, &sun, "CST20240002", true),
        "an earlier row of this file is 李经理 of CST20240002, whose mobile is 13912345678, and this row \
         names 孙八 with it: one of the two rows has the wrong name or number"
    );
}

#[test]
fn a_contract_number_written_another_way_has_the_same_key() {
    for written in [
        "HT-2024-001",
        "ht-2024-001",
        "HT 2024 001",
        "HT2024001",
        "HT_2024/001",
        "Ht.2024.001",
    ] {
        assert_eq!(contract_key(written), "HT2024001", "{written}");
    }
    assert_ne!(contract_key("HT-2024-001"), contract_key("HT-2024-0011"));
    assert_eq!(contract_key("合同-甲-7"), "合同甲7");
}

proptest::proptest! {
    #[test]
    fn a_contract_key_ignores_case_and_separators(no in "[A-Za-z0-9 ./_-]{0,20}") {
        let key = contract_key(&no);
        proptest::prop_assert_eq!(contract_key(&no.to_lowercase()), key.clone());
        proptest::prop_assert_eq!(contract_key(&no.replace(['-', ' ', '.'], "")), key.clone());
        proptest::prop_assert_eq!(contract_key(&key), key);
    }
}

#[test]
fn every_cell_wrong_by_itself_is_a_problem_of_its_own() {
    let headers = strings(&[
        "客户名称",
        "统一社会信用代码",
        "联系人",
        "手机",
        "首次合作日期",
        "累计合作金额",
        "合作阶段",
    ]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let row = strings(&[
        "广州丙实业有限公司",
        "91440000MA00000030",
        "张三",
        "1381234567",
        "2099-01-01",
        "-5",
        "成交",
    ]);
    let found: Vec<String> = m.problems(&row, today()).into_iter().map(|e| e.column).collect();
    // 成交 with no order is the row's problem (it needs the date beside it), not the cell's.
    assert_eq!(
        found,
        ["统一社会信用代码", "手机", "首次合作日期", "累计合作金额"]
    );
    let fine = strings(&[
        "广州丙实业有限公司",
        "",
        "张三",
        "13812345678",
        "2023-01-05",
        "5",
        "成交",
    ]);
    assert_eq!(m.problems(&fine, today()), []);
}

#[test]
fn an_order_cell_is_not_faulted_for_what_its_neighbour_lacks() {
    let headers = strings(&["客户名称", "合同编号", "签约日期", "合同金额"]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let row = strings(&["甲科技有限公司", "HT-1", "2024-13-45", "abc"]);
    let found: Vec<String> = m.problems(&row, today()).into_iter().map(|e| e.column).collect();
    assert_eq!(found, ["签约日期", "合同金额"]);
}

proptest::proptest! {
    /// A row's problems start with the one that rejects it, and name each cell once.
    #[test]
    fn a_rows_problems_start_with_its_first(
        cells in proptest::collection::vec("[0-9a-zA-Z\\-./年月日万 ]{0,12}", 7),
    ) {
        let headers = strings(&["客户名称", "统一社会信用代码", "联系人", "手机", "首次合作日期", "累计合作金额", "预算增长(%)"]);
        let m = Mapping::new(&headers, &[], None).unwrap();
        let problems = m.problems(&cells, today());
        if let Err(first) = m.parse_row(&cells, today())
            && headers.contains(&first.column)
        {
            proptest::prop_assert_eq!(problems.first(), Some(&first));
        }
        let mut columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        columns.sort_unstable();
        columns.dedup();
        proptest::prop_assert_eq!(columns.len(), problems.len());
    }
}

#[test]
fn a_row_known_by_its_uscc_alone_is_not_faulted_for_having_no_name() {
    let headers = strings(&["统一社会信用代码", "首次合作日期", "最近合作日期", "累计合作金额"]);
    let m = Mapping::new(&headers, &[], None).unwrap();
    let row = strings(&["91440000MA00000030", "2099-01-01", "2099-02-01", "-5"]);
    let found: Vec<String> = m.problems(&row, today()).into_iter().map(|e| e.column).collect();
    assert_eq!(
        found,
        ["统一社会信用代码", "首次合作日期", "最近合作日期", "累计合作金额"]
    );
}

#[test]
fn a_workbook_number_a_date_column_cannot_tell_apart_is_a_problem_there_only() {
    let m = Mapping::new(
        &strings(&["客户名称", "首次合作日期", "备注", "最近合作日期"]),
        &[],
        None,
    )
    .unwrap();
    let cells = strings(&["甲公司有限公司", "2023.1", "2023.1", "2023.11"]);
    let problems = m.number_problems(&cells, &[1, 2, 3]);
    assert_eq!(
        problems,
        [RowError::new(
            "首次合作日期",
            "2023.1",
            "2023.1 as a number could be January or October 2023: type it as text, 2023-10 or 2023年10月"
        )]
    );
    assert_eq!(
        m.number_problems(&cells, &[2, 3]),
        [],
        "the same text typed as text is January"
    );
}

#[test]
fn a_primary_contact_column_is_a_flag_beside_a_contact_name_and_the_name_without_one() {
    for header in [
        "主联系人",
        "是否主联系人",
        "首要联系人",
        "primary",
        "Primary Contact",
    ] {
        assert_eq!(
            targets(&["客户名称", "联系人", header], &[]),
            [
                Some(Target::Customer(Field::Name)),
                Some(Target::Contact(ContactField::Name)),
                Some(Target::ContactPrimary),
            ],
            "{header}"
        );
    }
    assert_eq!(
        targets(&["客户名称", "主联系人", "手机"], &[]),
        [
            Some(Target::Customer(Field::Name)),
            Some(Target::Contact(ContactField::Name)),
            Some(Target::Contact(ContactField::Mobile)),
        ],
        "a column of the primary contact's names, the list's only contact name"
    );
    assert_eq!(
        targets(&["客户名称", "联系人", "首选"], &[("首选", "contact.primary")]),
        [
            Some(Target::Customer(Field::Name)),
            Some(Target::Contact(ContactField::Name)),
            Some(Target::ContactPrimary),
        ]
    );
    assert_eq!(Target::ContactPrimary.describe(), "contact.primary");
}

#[test]
fn a_rows_primary_cell_says_yes_no_or_nothing() {
    let m = Mapping::new(
        &strings(&["客户编号", "联系人", "主联系人"]),
        &[],
        Some(Kind::Contacts),
    )
    .unwrap();
    let primary = |cell: &str| -> Result<Option<bool>, RowError> {
        match m
            .parse_row(&strings(&["CST20240001", "王甲", cell]), today())?
            .body
        {
            RowBody::Contact(row) => {
                assert!(row.contact.extra.is_empty(), "no extra column");
                Ok(row.primary)
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(primary("是"), Ok(Some(true)));
    assert_eq!(primary("√"), Ok(Some(true)));
    assert_eq!(primary("否"), Ok(Some(false)));
    assert_eq!(primary(""), Ok(None));
    assert_eq!(primary("无"), Ok(None), "a placeholder for nothing");
    assert_eq!(primary("王甲").unwrap_err().column, "主联系人");
}

#[test]
fn a_contact_given_again_takes_the_primary_flag_the_row_gives() {
    let mut stored = Contact::new("王甲").unwrap();
    stored.is_primary = true;
    let row = |primary| RowContact {
        contact: Contact::new("王甲").unwrap(),
        primary,
    };
    assert!(
        row(None).given_again(&stored).is_primary,
        "a row that does not say"
    );
    assert!(!row(Some(false)).given_again(&stored).is_primary);
    assert!(row(None).added(true).is_primary, "a customer's first contact");
    assert!(!row(Some(false)).added(true).is_primary);
    assert!(row(Some(true)).added(false).is_primary);
    assert_eq!(
        contact_contradiction(&stored, &row(Some(false))).as_deref(),
        Some(
            "an earlier row of this file is the same contact; this row would change 王甲's contact.primary \
             true → false (imported again on its own, it will)"
        )
    );
    assert_eq!(contact_contradiction(&stored, &row(Some(true))), None);

    let mut undone = row(Some(false)).given_again(&stored);
    for change in Contact::diff(&stored, &undone) {
        undone.restore(&change);
    }
    assert_eq!(undone, stored, "undo makes them the primary contact again");
}
