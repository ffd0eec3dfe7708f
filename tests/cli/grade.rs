use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::Kehu;

/// The shipped example models.
fn model(name: &str) -> String {
    format!("{}/fixtures/models/{name}", env!("CARGO_MANIFEST_DIR"))
}

const AS_OF: &str = "2024-06-30";

/// Five customers graded as of 2024-06-30 by the standard model, worked out by hand.
/// The 12-month window is 2023-07-01 … 2024-06-30. Growth table: C 12 %, C39 16 %, I 8 %.
/// total = 0.5 × mean(value) + 0.3 × mean(potential) + 0.2 × mean(relationship).
fn five(k: &Kehu) -> Vec<String> {
    k.ok(&["grade", "growth", "set", "制造业", "12"]);
    k.ok(&["grade", "growth", "set", "C39", "16%"]);
    k.ok(&["grade", "growth", "set", "I", "8"]);
    // 甲: trade 1万 (2023-07-01, first day of the window) + 49万 = 50万 → 100; first order
    // 2021-05-01, over 2 years → 100; C39 16 % > 15 → 100; budget 25 → 100; satisfaction 9,
    // 2 referrals, no complaints → 100 each. Total 100: core.
    let a = k.add(&[
        "--name",
        "甲电子有限公司",
        "--industry",
        "C39",
        "--budget-growth",
        "25",
        "--satisfaction",
        "9",
        "--referrals-12m",
        "2",
        "--complaints-12m",
        "0",
    ]);
    k.ok(&[
        "edit",
        &a,
        "--add-order",
        "date=2021-05-01,amount=30万",
        "--add-order",
        "date=2023-07-01,amount=1万",
        "--add-order",
        "date=2024-03-01,amount=49万",
    ]);
    // 乙: the 40万 order of 2023-06-30 is one day outside the window, so trade is 20万 → 80;
    // tenure from the declared 2022-07-01 (before the first order): over 1 year, not 2 → 80;
    // value 80 → 40. C34 takes section C's 12 % → 80; budget 10 → 80: 24. Satisfaction 8,
    // 1 referral, 1 complaint → 80 each: 16. Total 80: important.
    let b = k.add(&[
        "--name",
        "乙机械有限公司",
        "--industry",
        "C34",
        "--first-coop-date",
        "2022-07-01",
        "--budget-growth",
        "10",
        "--satisfaction",
        "8",
        "--referrals-12m",
        "1",
        "--complaints-12m",
        "1",
    ]);
    k.ok(&[
        "edit",
        &b,
        "--add-order",
        "date=2023-06-30,amount=40万",
        "--add-order",
        "date=2023-08-01,amount=20万",
    ]);
    // 丙: no orders, so declared figures: trade 5万 → 60, tenure 0.5 years → 60: value 30.
    // F51 has no growth row and budget is unknown → 40 + 40: 12. Satisfaction 7 → 60,
    // referrals and complaints unknown → 40 + 40: (140 / 3) × 0.2 = 9.33. Total 51.33:
    // ordinary, incomplete data.
    let c = k.add(&[
        "--name",
        "丙贸易有限公司",
        "--industry",
        "F51",
        "--trade-12m",
        "5万",
        "--tenure-years",
        "0.5",
        "--satisfaction",
        "7",
    ]);
    // 丁: one 5000 元 order on the as-of day: trade → 40, tenure 0 years → 40: 20. I65 takes
    // section I's 8 % → 60, budget 0 → 60: 18. Satisfaction 6 → 40, 0 referrals → 60,
    // 3 complaints → 40: 9.33. Total 47.33: potential.
    let d = k.add(&[
        "--name",
        "丁科技有限公司",
        "--industry",
        "I65",
        "--budget-growth",
        "0",
        "--satisfaction",
        "6",
        "--referrals-12m",
        "0",
        "--complaints-12m",
        "3",
    ]);
    k.ok(&["edit", &d, "--add-order", "date=2024-06-30,amount=5000"]);
    // 戊: no deal at all. Trade 0 and tenure 0 → 40 + 40: 20; potential 100: 30;
    // relationship 100: 20. Total 70, but no deal → potential (the gate).
    let e = k.add(&[
        "--name",
        "戊咨询有限公司",
        "--industry",
        "C39",
        "--budget-growth",
        "30",
        "--satisfaction",
        "10",
        "--referrals-12m",
        "5",
        "--complaints-12m",
        "0",
    ]);
    vec![a, b, c, d, e]
}

fn tiers(k: &Kehu) -> Vec<(String, String, String)> {
    k.json(&["list", "--columns", "code,tier,score"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_string(),
                c["tier"].as_str().unwrap_or("").to_string(),
                c["score"].to_string(),
            )
        })
        .collect()
}

fn row(code: &str, tier: &str, score: &str) -> (String, String, String) {
    (code.into(), tier.into(), score.into())
}

#[test]
fn the_standard_model_grades_the_hand_worked_customers() {
    let k = Kehu::new();
    let c = five(&k);
    let summary = k.json(&["grade", "--as-of", AS_OF]);
    assert_eq!(summary["run"], 1);
    assert_eq!(summary["as_of"], AS_OF);
    assert_eq!(summary["model"], "standard");
    assert_eq!(summary["customers"], 5);
    assert_eq!(
        summary["tiers"],
        json!({"core": 1, "important": 1, "ordinary": 1, "potential": 2})
    );
    assert_eq!(summary["changed"], 5);
    assert_eq!(summary["incomplete"], 1);
    assert_eq!(
        tiers(&k),
        vec![
            row(&c[0], "core", "100"),
            row(&c[1], "important", "80"),
            row(&c[2], "ordinary", "51.33"),
            row(&c[3], "potential", "47.33"),
            row(&c[4], "potential", "70"),
        ]
    );
    // Each tier change is in the change log, with the run.
    let log = k.json(&["log", "--customer", &c[1], "--action", "grade"]);
    assert_eq!(
        log[0]["changes"],
        json!([
            {"field": "tier", "before": null, "after": "important"},
            {"field": "score", "before": null, "after": "80"},
            {"field": "grade.run", "before": null, "after": "1"},
        ])
    );
    k.ok(&["log", "verify"]);
}

#[test]
fn a_run_is_reproducible_and_a_second_run_changes_nothing() {
    let k = Kehu::new();
    five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    let logged = k.query("SELECT count(*) FROM change_log");
    let second = k.json(&["grade", "--as-of", AS_OF]);
    assert_eq!(second["run"], 2);
    assert_eq!(second["changed"], 0);
    // Only the run itself is logged the second time.
    assert_eq!(
        k.query("SELECT count(*) FROM change_log"),
        (logged.parse::<i64>().unwrap() + 1).to_string()
    );
    assert_eq!(
        k.query("SELECT action FROM change_log ORDER BY id DESC LIMIT 1"),
        "grade.run"
    );
    // Both runs recorded the same score, tier and indicators for every customer.
    assert_eq!(
        k.query(
            "SELECT count(*) FROM grade_results a JOIN grade_results b
               ON b.customer_id = a.customer_id AND b.run_id = 2
             WHERE a.run_id = 1 AND a.score IS b.score AND a.tier = b.tier
               AND a.indicators = b.indicators"
        ),
        "5"
    );
}

#[test]
fn a_cron_run_is_quiet_and_prints_a_json_summary() {
    let k = Kehu::new();
    five(&k);
    k.run(&["grade", "--quiet"]).success().stdout("").stderr("");
    k.run(&["grade"])
        .success()
        .stderr(predicate::str::contains(
            "graded 5 customers as of 2024-06-30 with model standard (run 2): core 1, important 1, ordinary 1, potential 2; 0 tier changes, 1 incomplete, 0 pinned",
        ));
}

#[test]
fn a_busy_database_exits_5_and_keeps_the_previous_run() {
    let k = Kehu::new();
    five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    let conn = rusqlite::Connection::open(&k.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('x', 'y');")
        .unwrap();
    let err = k.fails(&["--busy-timeout", "0", "grade"], 5);
    assert!(err.contains("database is busy"), "{err}");
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(k.query("SELECT count(*) FROM grade_runs"), "1");
}

#[test]
fn explain_shows_every_indicator_band_and_points() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    let x = k.json(&["grade", "--explain", &c[1]]);
    assert_eq!(x["run"], 1);
    assert_eq!(x["score"], json!(80));
    assert_eq!(
        (x["model_tier"].as_str(), x["tier"].as_str()),
        (Some("important"), Some("important"))
    );
    assert_eq!(x["gate"], Value::Null);
    let value = &x["dimensions"][0];
    assert_eq!(
        (
            value["key"].as_str(),
            value["weight"].clone(),
            value["score"].clone()
        ),
        (Some("value"), json!(50), json!(80))
    );
    assert_eq!(
        value["indicators"][0],
        json!({"indicator": "trade_12m", "value": "200000.00", "display": "200000.00",
               "source": "orders", "band": "≥ 100000", "points": 80})
    );
    assert_eq!(
        value["indicators"][1],
        json!({"indicator": "tenure", "value": "2022-07-01", "display": "1.99 (2022-07-01)",
               "source": "declared", "band": "≥ 1", "points": 80})
    );
    let potential = &x["dimensions"][1]["indicators"][0];
    assert_eq!(
        (potential["value"].as_str(), potential["source"].as_str()),
        (Some("12"), Some("industry_table"))
    );

    // The no-deal gate and missing data are named.
    let gated = k.json(&["grade", "--explain", &c[4]]);
    assert_eq!(gated["score"], json!(70));
    assert_eq!(gated["tier"], "potential");
    assert_eq!(gated["gate"]["tier"], "potential");
    assert!(gated["gate"]["reason"].as_str().unwrap().starts_with("no deal"));
    let incomplete = k.json(&["grade", "--explain", &c[2]]);
    assert_eq!(incomplete["incomplete"], true);
    assert_eq!(
        incomplete["missing"],
        json!([
            "industry_growth",
            "budget_growth",
            "referrals_12m",
            "complaints_12m"
        ])
    );

    // The table names the band and the run.
    k.run(&["grade", "--explain", &c[0]])
        .success()
        .stdout(predicate::str::contains("≥ 500000"))
        .stdout(predicate::str::contains("1 (测试员 2024-06-30T09:00:00Z)"))
        .stdout(predicate::str::contains("industry_table"));
}

/// Tenure of a customer whose first cooperation is `first`, graded as of AS_OF: (display, band, points).
fn tenure_explained(k: &Kehu, first: &str) -> (String, String, i64) {
    let code = k.add(&[
        "--name",
        &format!("{first}贸易有限公司"),
        "--first-coop-date",
        first,
    ]);
    let x = k.json(&["grade", "--explain", &code, "--as-of", AS_OF]);
    let t = &x["dimensions"][0]["indicators"][1];
    assert_eq!(
        (t["indicator"].as_str(), x["gate"].clone()),
        (Some("tenure"), Value::Null)
    );
    (
        t["display"].as_str().unwrap().to_string(),
        t["band"].as_str().unwrap().to_string(),
        t["points"].as_i64().unwrap(),
    )
}

#[test]
fn a_first_deal_on_the_as_of_day_is_no_tenure_yet() {
    let k = Kehu::new();
    // The spec's 60-point band is "> 0" years: the day before as-of is in it, the as-of day
    // itself is not (and is not "no deal" either: the gate does not apply).
    assert_eq!(
        tenure_explained(&k, "2024-06-29"),
        ("0.00 (2024-06-29)".to_string(), "> 0".to_string(), 60)
    );
    assert_eq!(
        tenure_explained(&k, AS_OF),
        ("0 (2024-06-30)".to_string(), "any".to_string(), 40)
    );
}

#[test]
fn explain_follows_the_run_not_later_edits() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    k.ok(&["edit", &c[1], "--set", "satisfaction=10"]);
    // The run saw satisfaction 8.
    let x = k.json(&["grade", "--explain", &c[1]]);
    assert_eq!(x["dimensions"][2]["indicators"][0]["value"], "8");
    // A fresh explanation (--as-of) sees today's 10: relationship (100 + 80 + 80) / 3.
    let fresh = k.json(&["grade", "--explain", &c[1], "--as-of", AS_OF]);
    assert_eq!(fresh["run"], Value::Null);
    assert_eq!(fresh["score"], json!(81.33));
}

#[test]
fn a_pin_overrides_the_model_until_removed() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    k.run(&[
        "grade",
        "pin",
        &c[1],
        "普通客户",
        "--reason",
        "投诉频繁",
        "--until",
        "2024-12-31",
    ])
    .success()
    .stderr(format!("{}: pinned to ordinary (普通) until 2024-12-31\n", c[1]));
    assert_eq!(k.json(&["show", &c[1]])["customer"]["tier"], "ordinary");
    let pin_log = k.json(&["log", "--customer", &c[1], "--action", "grade.pin"]);
    assert_eq!(
        pin_log[0]["changes"],
        json!([
            {"field": "pin.tier", "before": null, "after": "ordinary"},
            {"field": "pin.reason", "before": null, "after": "投诉频繁"},
            {"field": "pin.until", "before": null, "after": "2024-12-31"},
            {"field": "tier", "before": "important", "after": "ordinary"},
        ])
    );
    let run = k.json(&["grade", "--as-of", AS_OF]);
    assert_eq!(run["pinned"], 1);
    assert_eq!(run["changed"], 0);
    assert_eq!(
        k.query(&format!(
            "SELECT r.tier || '/' || r.model_tier FROM grade_results r JOIN customers c ON c.id = r.customer_id
             WHERE r.run_id = 2 AND c.code = '{}'",
            c[1]
        )),
        "ordinary/important"
    );
    let x = k.json(&["grade", "--explain", &c[1]]);
    assert_eq!(
        (x["tier"].as_str(), x["pinned"].as_bool()),
        (Some("ordinary"), Some(true))
    );
    assert_eq!(x["pin"]["reason"], "投诉频繁");
    let show = k.json(&["show", &c[1]]);
    assert_eq!(show["pin"]["tier"], "ordinary");
    assert_eq!(show["grade"]["model_tier"], "important");
    // Unpinning puts back the model's tier and is logged.
    k.run(&["grade", "unpin", &c[1]])
        .success()
        .stderr(format!("{}: pin to ordinary removed; tier now important\n", c[1]));
    assert_eq!(k.json(&["show", &c[1]])["customer"]["tier"], "important");
    assert_eq!(k.json(&["show", &c[1]])["pin"], Value::Null);
    let unpin = k.json(&["log", "--customer", &c[1], "--action", "grade.unpin"]);
    assert_eq!(
        unpin[0]["changes"][3],
        json!({"field": "tier", "before": "ordinary", "after": "important"})
    );
    k.fails(&["grade", "unpin", &c[1]], 4);
}

#[test]
fn an_expired_pin_no_longer_applies() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&[
        "grade",
        "pin",
        &c[0],
        "potential",
        "--reason",
        "审核中",
        "--until",
        "2024-07-15",
    ]);
    // A month later the pin has expired: the run gives the model's tier again.
    let later = k
        .cmd()
        .env("KEHU_NOW", "2024-08-01T09:00:00Z")
        .args(["grade", "--format", "json"])
        .output()
        .unwrap();
    assert!(later.status.success());
    let summary: Value = serde_json::from_slice(&later.stdout).unwrap();
    assert_eq!(summary["pinned"], 0);
    assert_eq!(k.json(&["show", &c[0]])["customer"]["tier"], "core");
    let pins = k.json(&["grade", "pins"]);
    assert_eq!(pins[0]["code"], c[0].as_str());
    assert_eq!(pins[0]["holds"], true); // still today (2024-06-30) in the harness
}

#[test]
fn pins_are_checked() {
    let k = Kehu::new();
    let c = five(&k);
    let before = k.dump();
    let err = k.fails(&["grade", "pin", &c[0], "gold", "--reason", "x"], 1);
    assert!(err.contains("tier gold: not a tier of model standard (核心/core, 重要/important, 普通/ordinary, 潜在/potential)"), "{err}");
    let err = k.fails(&["grade", "pin", &c[0], "core", "--reason", " "], 1);
    assert!(err.contains("reason: required"), "{err}");
    let err = k.fails(
        &[
            "grade",
            "pin",
            &c[0],
            "core",
            "--reason",
            "x",
            "--until",
            "2024-01-01",
        ],
        1,
    );
    assert!(
        err.contains("until 2024-01-01: is before today (2024-06-30)"),
        "{err}"
    );
    k.fails(&["grade", "pin", "CST20249999", "core", "--reason", "x"], 4);
    assert_eq!(k.dump(), before);
}

#[test]
fn diff_shows_who_moved_between_runs() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    // 丁 signs 60万 on 2024-06-01: trade 60.5万 → 100 and tenure from then, over 0 → 60;
    // value (100 + 60) / 2 → 40; 40 + 18 + 9.33 = 67.33.
    k.ok(&["edit", &c[3], "--add-order", "date=2024-06-01,amount=60万"]);
    // 乙 loses its satisfaction: relationship (40 + 80 + 80) / 3 → 13.33; 40 + 24 + 13.33 = 77.33.
    k.ok(&["edit", &c[1], "--set", "satisfaction="]);
    k.ok(&["grade", "--as-of", AS_OF]);
    let d = k.json(&["grade", "diff"]);
    assert_eq!((d["from_run"].as_i64(), d["to_run"].as_i64()), (Some(1), Some(2)));
    assert_eq!(
        d["moved"],
        json!([{"code": c[3], "name": "丁科技有限公司", "from": "potential", "from_score": 47.33,
                "to": "ordinary", "to_score": 67.33, "direction": "up"}])
    );
    let matrix = d["matrix"].as_array().unwrap();
    assert!(matrix.contains(&json!({"from": "potential", "to": "ordinary", "count": 1})));
    assert!(matrix.contains(&json!({"from": "important", "to": "important", "count": 1})));
    k.run(&["grade", "diff", "1", "2"])
        .success()
        .stdout(predicate::str::contains(
            "run 1 (2024-06-30) → run 2 (2024-06-30): 1 up, 0 down, 0 new, 0 gone",
        ));
    let runs = k.json(&["grade", "runs"]);
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_eq!(runs[0]["run"], 2);
    assert_eq!(runs[0]["changed"], 1);
    k.fails(&["grade", "diff", "1", "7"], 4);
}

#[test]
fn diff_lists_customers_new_in_the_later_run_and_gone_from_it() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    // 己 arrives after the first run. Nothing known: trade and tenure 0 → 40 + 40: 20;
    // growth and budget unknown → 40 + 40: 12; relationship unknown → 40 × 3: 8. Total 40:
    // potential. The second run leaves 戊 out, so 戊 is gone from it.
    let f = k.add(&["--name", "己物流有限公司"]);
    k.ok(&[
        "grade", "--as-of", AS_OF, "--code", &c[0], "--code", &c[1], "--code", &c[2], "--code", &c[3],
        "--code", &f,
    ]);
    let d = k.json(&["grade", "diff", "1", "2"]);
    assert_eq!(
        d["moved"],
        json!([
            {"code": c[4], "name": "戊咨询有限公司", "from": "potential", "from_score": 70,
             "to": "none", "to_score": null, "direction": "gone"},
            {"code": f, "name": "己物流有限公司", "from": "none", "from_score": null,
             "to": "potential", "to_score": 40, "direction": "new"},
        ])
    );
    let matrix = d["matrix"].as_array().unwrap();
    assert!(matrix.contains(&json!({"from": "potential", "to": null, "count": 1})));
    assert!(matrix.contains(&json!({"from": null, "to": "potential", "count": 1})));
    assert!(matrix.contains(&json!({"from": "potential", "to": "potential", "count": 1})));
    let table = k.ok(&["grade", "diff", "1", "2"]);
    assert!(
        table.contains(
            "run 1 (2024-06-30) → run 2 (2024-06-30): 0 up, 0 down, 1 new, 1 gone, 0 other changes"
        ),
        "{table}"
    );
    assert_eq!(
        k.ok(&["grade", "diff", "1", "2", "--format", "csv"]),
        format!(
            "code,name,from,from_score,to,to_score,direction\n\
             {},戊咨询有限公司,potential,70,none,,gone\n\
             {f},己物流有限公司,none,,potential,40,new\n",
            c[4]
        )
    );
}

/// `kehu tag list --dim 等级` as `value count` lines (values that lost every customer left out).
fn tier_tag_counts(k: &Kehu) -> Vec<String> {
    k.json(&["tag", "list", "--dim", "等级"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["count"].as_i64() != Some(0))
        .map(|r| format!("{} {}", r["value"].as_str().unwrap(), r["count"]))
        .collect()
}

#[test]
fn tier_counts_and_scores_follow_every_run() {
    let k = Kehu::new();
    let c = five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    assert_eq!(
        tier_tag_counts(&k),
        ["core 1", "important 1", "ordinary 1", "potential 2"]
    );
    // 丁 moves up a tier (see diff_shows_who_moved_between_runs); 乙 keeps its tier with a
    // lower score.
    k.ok(&["edit", &c[3], "--add-order", "date=2024-06-01,amount=60万"]);
    k.ok(&["edit", &c[1], "--set", "satisfaction="]);
    assert_eq!(k.json(&["grade", "--as-of", AS_OF])["changed"], 1);
    assert_eq!(
        tier_tag_counts(&k),
        ["core 1", "important 1", "ordinary 2", "potential 1"]
    );
    assert_eq!(
        k.ok(&["list", "--tier", "普通", "--format", "csv", "--columns", "code"]),
        format!("code\n{}\n{}\n", c[2], c[3])
    );
    assert_eq!(
        tiers(&k)[1..4],
        [
            row(&c[1], "important", "77.33"),
            row(&c[2], "ordinary", "51.33"),
            row(&c[3], "ordinary", "67.33"),
        ]
    );
    // A score that moves within its tier is recorded with the run, not logged as a change.
    let logged: Vec<i64> = k
        .json(&["log", "--customer", &c[1], "--action", "grade"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(logged.len(), 1);
    // A pin after the runs still moves the counts.
    k.ok(&["grade", "pin", &c[0], "重要", "--reason", "战略调整"]);
    assert_eq!(tier_tag_counts(&k), ["important 2", "ordinary 2", "potential 1"]);
    k.ok(&["log", "verify"]);
}

#[test]
fn a_malformed_model_is_refused_with_its_line_and_nothing_changes() {
    let k = Kehu::new();
    five(&k);
    let before = k.dump();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"bad\"\nkind = \"weighted\"\n\n[[tiers]]\nkey = \"a\"\nlabel = \"A\"\nmin = 50\n\n\
         [[tiers]]\nkey = \"b\"\nlabel = \"B\"\n\n[[dimensions]]\nkey = \"v\"\nwieght = 100\n",
    )
    .unwrap();
    let err = k.fails(&["grade", "--model", bad.to_str().unwrap()], 1);
    assert!(
        err.contains(&format!(
            "model {} line 15: unknown field `wieght`",
            bad.display()
        )),
        "{err}"
    );
    std::fs::write(
        &bad,
        "name = \"bad\"\nkind = \"rule\"\n\n[[tiers]]\nkey = \"a\"\nlabel = \"A\"\n\n\
         [[tiers]]\nkey = \"b\"\nlabel = \"B\"\n\n[[rules]]\ntier = \"c\"\n",
    )
    .unwrap();
    let err = k.fails(&["grade", "--model", bad.to_str().unwrap()], 1);
    assert!(err.contains("line 13: unknown tier `c` (tiers: a, b)"), "{err}");
    // A model file that is not there is not found (exit 4), like any file named to kehu.
    let err = k.fails(&["grade", "--model", "no-such-model.toml"], 4);
    assert!(err.contains("cannot read model no-such-model.toml"), "{err}");
    assert_eq!(k.dump(), before);
}

#[test]
fn seed004_classes_need_consecutive_years() {
    let k = Kehu::new();
    let steady = k.add(&["--name", "连续三年公司"]);
    k.ok(&[
        "edit",
        &steady,
        "--add-order",
        "date=2021-04-01,amount=60万",
        "--add-order",
        "date=2022-04-01,amount=55万",
        "--add-order",
        "date=2023-04-01,amount=50万",
        "--add-order",
        "date=2023-12-01,amount=25万",
    ]);
    // 2022 has no orders: the run 2023 alone is too short, whatever the amounts.
    let gap = k.add(&["--name", "断档公司"]);
    k.ok(&[
        "edit",
        &gap,
        "--add-order",
        "date=2020-04-01,amount=90万",
        "--add-order",
        "date=2021-04-01,amount=90万",
        "--add-order",
        "date=2023-04-01,amount=90万",
    ]);
    let declared = k.add(&["--name", "填报公司", "--trade-12m", "200万"]);
    let prospect = k.add(&["--name", "潜在公司"]);
    let summary = k.json(&[
        "grade",
        "--model",
        &model("seed004-classes.toml"),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(summary["model"], "seed004-classes");
    // 连续三年: 2021-2023 each ≥ 50万 and a 25万 contract in the last 12 months → 重要.
    // 断档: a gap year → 一般. 填报: a deal but no per-year amounts → 一般, incomplete.
    // 潜在: no deal.
    let t = tiers(&k);
    assert_eq!(
        t.iter()
            .map(|(code, tier, _)| (code.as_str(), tier.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (steady.as_str(), "important"),
            (gap.as_str(), "general"),
            (declared.as_str(), "general"),
            (prospect.as_str(), "potential"),
        ]
    );
    assert_eq!(summary["incomplete"], 1);
    let x = k.json(&["grade", "--explain", &gap]);
    assert_eq!(x["rule"], 3);
    assert_eq!(
        x["rules"][0]["conditions"][0],
        "3 consecutive years each ≥ 500000 (years: 1) ✗"
    );
    assert_eq!(x["years"][1]["year"], 2021);
    assert_eq!(x["years"][1]["amount"].to_string(), "900000.00");
}

#[test]
fn a_model_can_write_a_tag_dimension_instead_of_the_tier() {
    let k = Kehu::new();
    let c = five(&k);
    let level = model("seed000-value-level.toml");
    let s = k.json(&["grade", "--model", &level, "--as-tag", "价值", "--as-of", AS_OF]);
    assert_eq!(s["as_tag"], "价值");
    assert_eq!(s["tiers"], json!({"high": 1, "medium": 1, "low": 3}));
    assert_eq!(
        k.query(&format!(
            "SELECT group_concat(dim || ':' || value || ':' || origin, ',' ORDER BY c.code) FROM customer_tags t
             JOIN customers c ON c.id = t.customer_id WHERE c.code IN ('{}', '{}')",
            c[0], c[1]
        )),
        "价值:高:model,价值:中:model"
    );
    // The tier is untouched by a tag run, and a second run changes nothing.
    assert_eq!(
        k.query("SELECT count(*) FROM customers WHERE tier IS NOT NULL"),
        "0"
    );
    let again = k.json(&["grade", "--model", &level, "--as-tag", "价值", "--as-of", AS_OF]);
    assert_eq!(again["changed"], 0);
    for derived in ["等级", "区域", "省份", "region"] {
        let err = k.fails(&["grade", "--as-tag", derived], 2);
        assert!(err.contains("not one kehu derives"), "{derived}: {err}");
    }
}

#[test]
fn a_dry_run_prints_the_results_and_saves_nothing() {
    let k = Kehu::new();
    let c = five(&k);
    let before = k.dump();
    let rows = k.json(&["grade", "--dry-run", "--as-of", AS_OF]);
    assert_eq!(rows.as_array().unwrap().len(), 5);
    assert_eq!(
        rows[2],
        json!({"code": c[2], "name": "丙贸易有限公司", "tier": "ordinary", "score": 51.33,
               "model_tier": "ordinary", "pinned": false, "incomplete": true, "before": null})
    );
    assert_eq!(k.dump(), before);
}

#[test]
fn a_filtered_run_grades_only_those_customers() {
    let k = Kehu::new();
    let c = five(&k);
    let s = k.json(&["grade", "--code", &c[0], "--code", &c[3], "--as-of", AS_OF]);
    assert_eq!(s["customers"], 2);
    assert_eq!(
        s["tiers"],
        json!({"core": 1, "important": 0, "ordinary": 0, "potential": 1})
    );
    let s = k.json(&["grade", "--industry", "C", "--as-of", AS_OF]);
    assert_eq!(s["customers"], 3);
}

#[test]
fn a_sample_is_reproducible() {
    let k = Kehu::new();
    five(&k);
    k.ok(&["grade", "--as-of", AS_OF]);
    let a = k.json(&["grade", "--sample", "40%"]);
    assert_eq!(a.as_array().unwrap().len(), 2);
    assert_eq!(k.json(&["grade", "--sample", "40%"]), a);
    let core = k.json(&["grade", "--sample", "5", "--tier", "核心"]);
    assert_eq!(core.as_array().unwrap().len(), 1);
    assert_eq!(core[0]["tier"], "core");
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("review.xlsx");
    k.ok(&["grade", "--sample", "10%", "--xlsx", xlsx.to_str().unwrap()]);
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 0);
    let err = k.fails(&["grade", "--sample", "0"], 2);
    assert!(
        err.contains("give a share such as 10% or a count such as 25"),
        "{err}"
    );
}

#[test]
fn the_growth_table_is_listed_and_edited() {
    let k = Kehu::new();
    k.run(&[
        "grade",
        "growth",
        "set",
        "计算机、通信和其他电子设备制造业",
        "16.5%",
    ])
    .success()
    .stderr(predicate::str::contains(
        "C39 计算机、通信和其他电子设备制造业: growth 16.5%",
    ));
    k.ok(&["grade", "growth", "set", "C", "-2"]);
    let list = k.json(&["grade", "growth"]);
    assert_eq!(list[0]["industry"], "C");
    assert_eq!(list[0]["growth"], json!(-2));
    assert_eq!(list[1]["industry"], "C39");
    assert_eq!(list[1]["growth"], json!(16.5));
    let log = k.json(&["log", "--action", "industry_growth"]);
    assert_eq!(
        log[0]["changes"][0],
        json!({"field": "industry_growth.C39", "before": null, "after": "16.5"})
    );
    k.ok(&["grade", "growth", "rm", "C39"]);
    assert_eq!(k.json(&["grade", "growth", "list"]).as_array().unwrap().len(), 1);
    k.fails(&["grade", "growth", "rm", "C39"], 4);
    let err = k.fails(&["grade", "growth", "set", "火星", "3"], 1);
    assert!(err.contains("industry 火星"), "{err}");
}

#[test]
fn grading_refuses_a_future_as_of_and_an_unknown_customer() {
    let k = Kehu::new();
    five(&k);
    let err = k.fails(&["grade", "--as-of", "2024-07-01"], 1);
    assert!(
        err.contains("as_of 2024-07-01: is after today (2024-06-30)"),
        "{err}"
    );
    k.fails(&["grade", "--explain", "CST20249999"], 4);
    let err = k.fails(&["grade", "--run", "1"], 2);
    assert!(err.contains("--run goes with --explain or --sample"), "{err}");
}
