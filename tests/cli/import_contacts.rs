//! Contacts files (`--kind contacts`) and the contacts customers files carry: which stored
//! contact a row's contact is, and what a row may change of it.

use crate::common::Kehu;

const CUSTOMERS: &str = "客户名称,省份\n北京某某科技有限公司,北京\n";

/// A database holding one customer, 北京某某科技有限公司 (CST20240001).
fn with_customer() -> Kehu {
    let k = Kehu::new();
    let path = k.file("customers.csv", CUSTOMERS);
    k.import_json(&[&path], 0);
    k
}

/// The stored contacts, one `name|title|mobile|landline|email` line each, in id order.
fn contacts(k: &Kehu) -> String {
    k.query(
        "SELECT coalesce(group_concat(line, char(10)), '') FROM (SELECT name || '|' || coalesce(title, '') || '|' \
         || coalesce(mobile, '') || '|' || coalesce(landline, '') || '|' || coalesce(email, '') AS line \
         FROM contacts ORDER BY id)",
    )
}

#[test]
fn a_second_person_on_the_company_switchboard_is_added_beside_the_first() {
    let k = with_customer();
    let jan = k.file(
        "jan.csv",
        "客户名称,联系人,职务,手机,座机,邮箱\n北京某某科技有限公司,张三,销售总监,13812345678,010-62345678,zhangsan@example.com\n",
    );
    let feb = k.file(
        "feb.csv",
        "客户名称,联系人,职务,手机,座机,邮箱\n北京某某科技有限公司,李四,采购经理,13912345678,010-62345678,lisi@example.com\n",
    );
    k.import_json(&["--kind", "contacts", &jan], 0);
    let summary = k.import_json(&["--kind", "contacts", &feb], 0);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["updated"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(
        contacts(&k),
        "张三|销售总监|13812345678|01062345678|zhangsan@example.com\n\
         李四|采购经理|13912345678|01062345678|lisi@example.com"
    );
}

#[test]
fn a_customers_file_adds_a_second_person_on_the_switchboard_too() {
    let k = with_customer();
    let jan = k.file(
        "jan.csv",
        "客户名称,联系人,手机,座机\n北京某某科技有限公司,张三,13812345678,010-62345678\n",
    );
    let feb = k.file(
        "feb.csv",
        "客户名称,联系人,手机,座机\n北京某某科技有限公司,李四,13912345678,010-62345678\n",
    );
    k.import_json(&[&jan], 0);
    let summary = k.import_json(&[&feb], 0);
    assert_eq!(summary["counts"]["updated"], 1, "the customer gains a contact");
    assert_eq!(
        contacts(&k),
        "张三||13812345678|01062345678|\n李四||13912345678|01062345678|"
    );
}

#[test]
fn a_title_name_on_the_same_landline_is_the_same_person() {
    let k = with_customer();
    let jan = k.file(
        "jan.csv",
        "客户名称,联系人,座机\n北京某某科技有限公司,王总,010-62345678\n",
    );
    let feb = k.file(
        "feb.csv",
        "客户名称,联系人,手机,座机,邮箱\n北京某某科技有限公司,王经理,13812345678,010-62345678,wang@example.com\n\
         北京某某科技有限公司,李总,13912345678,010-62345678,\n",
    );
    k.import_json(&["--kind", "contacts", &jan], 0);
    let summary = k.import_json(&["--kind", "contacts", &feb], 0);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["updated"].as_u64()
        ),
        (Some(1), Some(1)),
        "王经理 fills in 王总; 李总 is another person"
    );
    assert_eq!(
        contacts(&k),
        "王总||13812345678|01062345678|wang@example.com\n李总||13912345678|01062345678|"
    );
}

#[test]
fn a_row_naming_another_person_under_a_stored_contacts_mobile_is_a_conflict_and_changes_nothing() {
    let k = with_customer();
    let jan = k.file(
        "jan.csv",
        "客户名称,联系人,手机,邮箱\n北京某某科技有限公司,李经理,13912345678,li@example.com\n",
    );
    k.import_json(&["--kind", "contacts", &jan], 0);
    let feb = k.file(
        "feb.csv",
        "客户名称,联系人,职务,手机,邮箱\n北京某某科技有限公司,孙八,财务总监,13912345678,sun@example.com\n\
         北京某某科技有限公司,王总,总经理,13812345678,\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &feb], 3);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["updated"].as_u64(),
            summary["counts"]["conflicts"].as_u64()
        ),
        (Some(1), Some(0), Some(1)),
        "王总 is added; 孙八 is nobody's edit"
    );
    let conflict = &summary["conflicts"][0];
    assert_eq!(
        (
            conflict["row"].as_u64(),
            conflict["code"].as_str(),
            conflict["stored"].as_str(),
            conflict["incoming"].as_str()
        ),
        (Some(2), Some("CST20240001"), Some("李经理"), Some("孙八"))
    );
    assert_eq!(
        conflict["reason"],
        "mobile 13912345678 is stored for 李经理 of CST20240001, and this row names 孙八: if the number \
         has changed hands, mark 李经理 as left (kehu edit CST20240001 --contact 李经理 --contact-left) \
         or change 李经理's mobile first"
    );
    assert_eq!(
        contacts(&k),
        "李经理||13912345678||li@example.com\n王总|总经理|13812345678||",
        "李经理 keeps his e-mail"
    );

    let title = k.file(
        "title.csv",
        "客户名称,联系人,职务,手机\n北京某某科技有限公司,李总,采购总监,13912345678\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &title], 0);
    assert_eq!(
        summary["counts"]["updated"], 1,
        "李总 and 李经理 may be one person: the mobile still finds him"
    );

    k.ok(&["edit", "CST20240001", "--contact", "李经理", "--contact-left"]);
    let summary = k.import_json(&["--kind", "contacts", &feb], 0);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["unchanged"].as_u64()
        ),
        (Some(1), Some(1)),
        "the number passed on once 李经理 left"
    );
    assert_eq!(
        contacts(&k),
        "李经理|采购总监|13912345678||li@example.com\n王总|总经理|13812345678||\n\
         孙八|财务总监|13912345678||sun@example.com"
    );
}

#[test]
fn a_customers_file_row_with_another_persons_mobile_leaves_the_customer_as_it_was() {
    let k = with_customer();
    let jan = k.file(
        "jan.csv",
        "客户名称,联系人,手机,邮箱\n北京某某科技有限公司,李经理,13912345678,li@example.com\n",
    );
    k.import_json(&[&jan], 0);
    let feb = k.file(
        "feb.csv",
        "客户名称,负责人,联系人,职务,手机,邮箱\n北京某某科技有限公司,张伟,周总,董事长,13912345678,zhou@example.com\n\
         上海华兴科技有限公司,张伟,,,,\n",
    );
    let summary = k.import_json(&[&feb], 3);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["updated"].as_u64(),
            summary["counts"]["conflicts"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
    let conflict = &summary["conflicts"][0];
    assert_eq!(
        (conflict["row"].as_u64(), conflict["code"].as_str()),
        (Some(2), Some("CST20240001"))
    );
    assert_eq!(
        conflict["reason"],
        "mobile 13912345678 is stored for 李经理 of CST20240001, and this row names 周总: if the number \
         has changed hands, mark 李经理 as left (kehu edit CST20240001 --contact 李经理 --contact-left) \
         or change 李经理's mobile first"
    );
    assert_eq!(
        k.query("SELECT coalesce(owner, '') FROM customers WHERE code = 'CST20240001'"),
        "",
        "the row's owner is not applied either"
    );
    assert_eq!(contacts(&k), "李经理||13912345678||li@example.com");
}

#[test]
fn one_file_giving_one_mobile_to_two_people_keeps_the_first_and_reports_the_second() {
    let k = with_customer();
    let path = k.file(
        "contacts.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,李经理,13912345678\n北京某某科技有限公司,孙八,13912345678\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &path], 3);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["unchanged"].as_u64(),
            summary["counts"]["conflicts"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "an earlier row of this file is 李经理 of CST20240001, whose mobile is 13912345678, and this row \
         names 孙八 with it: one of the two rows has the wrong name or number"
    );
    assert_eq!(contacts(&k), "李经理||13912345678||");
}

#[test]
fn a_contact_given_twice_in_a_contacts_file_keeps_the_first_phone_however_often_imported() {
    let k = with_customer();
    let path = k.file(
        "contacts.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,张三,13812345678\n北京某某科技有限公司,张三,13900001111\n",
    );
    for round in 0..2 {
        let summary = k.import_json(&["--kind", "contacts", &path], 3);
        assert_eq!(summary["counts"]["conflicts"], 1, "round {round}");
        assert_eq!(summary["conflicts"][0]["row"], 3, "round {round}");
        assert_eq!(
            summary["conflicts"][0]["reason"],
            "an earlier row of this file is the same contact; this row would change 张三's contact.mobile \
             13812345678 → 13900001111 (imported again on its own, it will)",
            "round {round}"
        );
        assert_eq!(summary["counts"]["updated"], 0, "round {round}");
        assert_eq!(contacts(&k), "张三||13812345678||", "round {round}");
    }
    let later = k.file(
        "later.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,张三,13900001111\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &later], 0);
    assert_eq!(
        summary["counts"]["updated"], 1,
        "a later file gives his new phone"
    );
    assert_eq!(contacts(&k), "张三||13900001111||");
}

#[test]
fn a_customers_file_gives_a_contact_of_an_earlier_file_a_new_phone_once() {
    let k = with_customer();
    let jan = k.file(
        "jan.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,张三,13812345678\n",
    );
    k.import_json(&[&jan], 0);
    let feb = k.file(
        "feb.csv",
        "客户名称,负责人,联系人,手机\n北京某某科技有限公司,张伟,,\n北京某某科技有限公司,,张三,13900001111\n\
         北京某某科技有限公司,,张三,13700002222\n",
    );
    let summary = k.import_json(&[&feb], 3);
    assert_eq!(
        (
            summary["counts"]["updated"].as_u64(),
            summary["counts"]["conflicts"].as_u64()
        ),
        (Some(2), Some(1)),
        "the first row naming 张三 is his new phone; the next one contradicts it"
    );
    assert_eq!(summary["conflicts"][0]["row"], 4);
    assert_eq!(contacts(&k), "张三||13900001111||");
}

#[test]
fn a_contact_that_would_change_is_skipped_or_refused_as_on_existing_says() {
    let k = with_customer();
    let a = k.file(
        "a.csv",
        "客户名称,联系人,职务,手机\n北京某某科技有限公司,张三,销售总监,13812345678\n",
    );
    let b = k.file(
        "b.csv",
        "客户名称,联系人,职务,手机\n北京某某科技有限公司,张三,副总裁,13812345678\n\
         北京某某科技有限公司,李四,采购经理,13912345678\n",
    );
    k.import_json(&["--kind", "contacts", &a], 0);
    let before = contacts(&k);

    let refuse = k.import_json(
        &["--kind", "contacts", "--on-existing", "error", "--dry-run", &b],
        3,
    );
    assert_eq!(
        (
            refuse["counts"]["rejected"].as_u64(),
            refuse["counts"]["inserted"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let rejected = &refuse["rejected"][0];
    assert_eq!(
        (
            rejected["row"].as_u64(),
            rejected["column"].as_str(),
            rejected["value"].as_str(),
            rejected["reason"].as_str()
        ),
        (
            Some(2),
            Some("职务"),
            Some("副总裁"),
            Some("张三 is already stored for CST20240001 (--on-existing error)")
        )
    );

    let skip = k.import_json(&["--kind", "contacts", "--on-existing", "skip", &b], 0);
    assert_eq!(
        (
            skip["counts"]["skipped"].as_u64(),
            skip["counts"]["inserted"].as_u64(),
            skip["counts"]["updated"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(
        contacts(&k),
        before + "\n李四|采购经理|13912345678||",
        "张三 as he was"
    );
    let again = k.import_json(&["--kind", "contacts", "--on-existing", "error", &a], 0);
    assert_eq!(
        again["counts"]["unchanged"], 1,
        "a contact given again as stored changes nothing and is no error"
    );
}

#[test]
fn a_contacts_files_other_columns_stay_with_the_person_and_undo_puts_them_back() {
    let k = with_customer();
    let first = k.file(
        "通讯录.csv",
        "客户名称,联系人,手机,微信,部门,负责人\n北京某某科技有限公司,张三,13812345678,zs_wx,销售部,李四\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &first], 0);
    assert_eq!(summary["counts"]["inserted"], 1);
    let shown = |k: &Kehu| k.json(&["show", "CST20240001"]);
    assert_eq!(
        shown(&k)["contacts"][0]["other"],
        "微信: zs_wx; 负责人: 李四; 部门: 销售部"
    );
    assert_eq!(
        shown(&k)["customer"]["owner"],
        serde_json::Value::Null,
        "a contacts file's 负责人 is not the customer's owner"
    );

    let second = k.file(
        "通讯录2.csv",
        "客户名称,联系人,手机,微信\n北京某某科技有限公司,张三,13812345678,zs_new\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &second], 0);
    assert_eq!(summary["counts"]["updated"], 1);
    assert_eq!(
        shown(&k)["contacts"][0]["other"],
        "微信: zs_new; 负责人: 李四; 部门: 销售部"
    );
    k.ok(&["import", "undo", "3"]);
    assert_eq!(
        shown(&k)["contacts"][0]["other"],
        "微信: zs_wx; 负责人: 李四; 部门: 销售部"
    );
}

/// Each stored contact as `name|is_primary`, in id order.
fn primaries(k: &Kehu) -> String {
    k.query(
        "SELECT coalesce(group_concat(name || '|' || is_primary, char(10)), '') FROM (SELECT name, is_primary \
         FROM contacts ORDER BY id)",
    )
}

/// A database holding 北京某某科技有限公司 (CST20240001) with its primary contact 王甲,
/// batch 2.
fn with_wang() -> Kehu {
    let k = with_customer();
    let path = k.file(
        "wang.csv",
        "客户名称,联系人,手机\n北京某某科技有限公司,王甲,13811110001\n",
    );
    k.import_json(&["--kind", "contacts", &path], 0);
    assert_eq!(primaries(&k), "王甲|1");
    k
}

#[test]
fn a_contacts_files_primary_column_makes_the_primary_contact_and_undo_gives_it_back() {
    let k = with_wang();
    let path = k.file(
        "c1.csv",
        "客户编号,联系人,职务,手机,主联系人,微信\nCST20240001,钱七,采购,13500001111,是,wx2\n\
         CST20240001,王甲,,13811110001,否,\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &path], 0);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["unchanged"].as_u64()
        ),
        (Some(1), Some(1)),
        "否 for someone who is not the primary contact (any more) changes nothing: {summary}"
    );
    assert_eq!(primaries(&k), "王甲|0\n钱七|1");
    let shown = k.json(&["show", "CST20240001"]);
    assert_eq!(shown["contacts"][0]["name"], "钱七", "the primary one first");
    assert_eq!(shown["contacts"][0]["primary"], true);
    assert_eq!(
        shown["contacts"][0]["other"], "微信: wx2",
        "主联系人 is no extra column"
    );

    // 王甲 stopping being the primary contact is in the log, with the batch.
    let log = k.json(&["log", "--customer", "CST20240001", "--action", "contact.edit"]);
    let edits = log.as_array().unwrap();
    assert_eq!(edits.len(), 1, "{log}");
    assert_eq!(edits[0]["changes"][1]["field"], "contact.primary");
    assert_eq!(
        (
            edits[0]["changes"][1]["before"].as_str(),
            edits[0]["changes"][1]["after"].as_str()
        ),
        (Some("true"), Some("false"))
    );

    let undone = k.json(&["import", "undo", "3"]);
    assert_eq!(undone["removed_contacts"], 1);
    assert_eq!(primaries(&k), "王甲|1", "王甲 is the primary contact again");
    k.ok(&["log", "verify"]);
}

#[test]
fn a_stored_contact_made_primary_by_a_customers_file_is_undone_too() {
    let k = with_wang();
    k.ok(&[
        "edit",
        "CST20240001",
        "--add-contact",
        "name=钱七,mobile=13500001111",
    ]);
    assert_eq!(primaries(&k), "王甲|1\n钱七|0");
    let path = k.file(
        "customers.csv",
        "客户名称,联系人,手机,是否主联系人\n北京某某科技有限公司,钱七,13500001111,Y\n",
    );
    let summary = k.import_json(&[&path], 0);
    assert_eq!(summary["counts"]["updated"], 1, "{summary}");
    assert_eq!(primaries(&k), "王甲|0\n钱七|1");
    k.ok(&["import", "undo", "3"]);
    assert_eq!(primaries(&k), "王甲|1\n钱七|0");
}

#[test]
fn no_on_the_primary_contact_takes_the_flag_and_an_empty_cell_leaves_it() {
    let k = with_wang();
    let path = k.file("c.csv", "客户名称,联系人,主联系人\n北京某某科技有限公司,王甲,\n");
    let summary = k.import_json(&["--kind", "contacts", &path], 0);
    assert_eq!(summary["counts"]["unchanged"], 1);
    assert_eq!(primaries(&k), "王甲|1");

    let path = k.file("c.csv", "客户名称,联系人,首选\n北京某某科技有限公司,王甲,否\n");
    let summary = k.import_json(&["--kind", "contacts", "--map", "首选=contact.primary", &path], 0);
    assert_eq!(summary["counts"]["updated"], 1);
    assert_eq!(
        primaries(&k),
        "王甲|0",
        "the file says 王甲 is not the primary contact"
    );

    // A new contact the file says is not the primary one stays so, even with none.
    let path = k.file(
        "c.csv",
        "客户名称,联系人,主联系人\n北京某某科技有限公司,钱七,N\n北京某某科技有限公司,孙八,也许\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &path], 3);
    assert_eq!(primaries(&k), "王甲|0\n钱七|0");
    assert_eq!(summary["rejected"][0]["column"], "主联系人");
    assert_eq!(
        summary["rejected"][0]["reason"],
        "unknown yes/no value 也许 (known: 是/yes, 否/no): the column says whether the row's contact \
         is the primary one (--map '主联系人=extra' keeps it as it is)"
    );
}

#[test]
fn two_rows_of_one_file_making_two_primary_contacts_are_a_conflict() {
    let k = with_wang();
    let path = k.file(
        "c.csv",
        "客户名称,联系人,手机,主联系人\n北京某某科技有限公司,钱七,13500001111,√\n\
         北京某某科技有限公司,孙八,13600001111,√\n北京某某科技有限公司,钱七,13500001111,√\n",
    );
    let summary = k.import_json(&["--kind", "contacts", &path], 3);
    assert_eq!(
        (
            summary["counts"]["inserted"].as_u64(),
            summary["counts"]["unchanged"].as_u64(),
            summary["counts"]["conflicts"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{summary}"
    );
    let conflict = &summary["conflicts"][0];
    assert_eq!(
        (
            conflict["row"].as_u64(),
            conflict["stored"].as_str(),
            conflict["incoming"].as_str()
        ),
        (Some(3), Some("钱七"), Some("孙八"))
    );
    assert_eq!(
        conflict["reason"],
        "an earlier row of this file made 钱七 the primary contact; this row would make 孙八 the \
         primary one, and a customer has only one"
    );
    assert_eq!(primaries(&k), "王甲|0\n钱七|1", "孙八 is not added");

    // In a customers file, the whole row is the conflict.
    let path = k.file(
        "customers.csv",
        "客户名称,省份,联系人,手机,主联系人\n上海华兴科技有限公司,,李丙,13700001111,是\n\
         上海华兴科技有限公司,上海,周丁,13700002222,是\n",
    );
    let summary = k.import_json(&[&path], 3);
    assert_eq!(summary["conflicts"][0]["row"], 3, "{summary}");
    assert_eq!(
        summary["conflicts"][0]["reason"],
        "an earlier row of this file made 李丙 the primary contact; this row would make 周丁 the \
         primary one, and a customer has only one"
    );
    assert_eq!(
        k.query("SELECT coalesce(province, '') FROM customers WHERE name = '上海华兴科技有限公司'"),
        "",
        "nor does the row fill the province"
    );
    assert_eq!(primaries(&k), "王甲|0\n钱七|1\n李丙|1");
}

/// A list whose only contact name column is headed 主联系人 names the primary contact there:
/// the contact is stored under that name, not as an unnamed contact with the name aside.
#[test]
fn a_primary_contact_column_alone_names_the_contact() {
    let k = Kehu::new();
    let path = k.file(
        "客户.csv",
        "客户名称,主联系人,手机\n杭州西湖软件有限公司,王甲,13800001111\n",
    );
    k.import_json(&[&path], 0);
    assert_eq!(
        k.query("SELECT name || '|' || mobile || '|' || is_primary FROM contacts"),
        "王甲|13800001111|1"
    );
    assert_eq!(k.query("SELECT coalesce(extra, '') FROM customers"), "");
}
