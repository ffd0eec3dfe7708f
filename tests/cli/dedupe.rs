use std::collections::HashMap;

use kehu::domain::dedupe::{Options, REVIEW, find_groups};

use crate::common::Kehu;

#[path = "../../examples/support/dupes.rs"]
mod dupes;

/// The seed's four spellings of one company, and an unrelated one.
fn seed(k: &Kehu) -> Vec<String> {
    vec![
        k.add(&[
            "--name",
            "北京某某科技有限公司",
            "--contact",
            "王总",
            "--mobile",
            "13812345678",
        ]),
        k.add(&[
            "--name",
            "某某科技有限责任公司",
            "--contact",
            "王经理",
            "--mobile",
            "138-1234-5678",
            "--owner",
            "李四",
        ]),
        k.add(&["--name", "（北京）某某科技"]),
        k.add(&["--name", "某某科技"]),
        k.add(&["--name", "远洋物流有限公司", "--uscc", "91310115MA1K3BTP2B"]),
    ]
}

/// The customer data (every table but the change log, merges and settings bookkeeping).
fn data(k: &Kehu) -> String {
    k.dump()
        .lines()
        .filter(|l| {
            !["change_log:", "merges:", "settings:"]
                .iter()
                .any(|t| l.starts_with(t))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_seed_spellings_are_found_with_their_reasons() {
    let k = Kehu::new();
    seed(&k);
    let groups = k.json(&["dedupe"]);
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups:#}");
    let g = &groups[0];
    let codes: Vec<&str> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["CST20240001", "CST20240002", "CST20240003", "CST20240004"]
    );
    assert_eq!(g["level"], "review");
    assert_eq!(g["score"], 60);
    let wang = &g["links"][0];
    assert_eq!(
        (wang["a"].as_str(), wang["b"].as_str()),
        (Some("CST20240001"), Some("CST20240002"))
    );
    assert_eq!(wang["level"], "sure");
    assert_eq!(
        wang["reasons"],
        serde_json::json!([
            "names equal after removing 北京, 有限公司, 有限责任公司",
            "same mobile 138****5678",
            "contacts 王总 and 王经理 alike",
        ])
    );
    assert_eq!(
        g["sure_parts"],
        serde_json::json!([["CST20240001", "CST20240002", "CST20240003"]])
    );
    // A higher minimum keeps only the sure links.
    let sure = k.json(&["dedupe", "--min-score", "85"]);
    assert_eq!(sure[0]["level"], "sure");
    assert_eq!(sure[0]["members"].as_array().unwrap().len(), 3);
    // The table says the same to a person.
    k.run(&["dedupe"])
        .success()
        .stdout(predicates::str::contains("same mobile 138****5678"))
        .stderr("1 group(s): 0 sure, 1 review, among 5 customers\n");
}

#[test]
fn a_merge_keeps_everything_and_its_undo_restores_every_row() {
    let k = Kehu::new();
    let codes = seed(&k);
    k.ok(&[
        "edit",
        &codes[1],
        "--add-order",
        "date=2024-05-20,amount=12万,contract=HT-1",
        "--add-interaction",
        "date=2024-05-10,channel=拜访,summary=演示",
    ]);
    let before = data(&k);
    k.run(&["dedupe", "merge", &codes[0], &codes[1]])
        .success()
        .stderr(
            "merge 1: CST20240002 into CST20240001; 1 field(s) changed; moved: contacts 1, interactions 1, orders 1\n\
             undo with: kehu dedupe undo 1\n",
        );
    let file = k.json(&["show", &codes[0]]);
    assert_eq!(file["customer"]["owner"], "李四", "an empty field is filled");
    assert_eq!(file["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(file["order_count"], 1);
    assert_eq!(file["interactions"].as_array().unwrap().len(), 1);
    k.fails(&["show", &codes[1]], 4);
    let log = k.json(&["log", "--action", "merge"]);
    assert_eq!(log[0]["customer"], "CST20240001");
    assert_eq!(
        log[0]["changes"][1],
        serde_json::json!({"field": "absorbed", "before": null, "after": "CST20240002"})
    );
    assert_eq!(log[1]["changes"][1]["field"], "merged_into");

    k.run(&["dedupe", "undo", "1"])
        .success()
        .stderr("undid merge 1: CST20240002 restored beside CST20240001\n");
    assert_eq!(data(&k), before, "every customer row is back, ids included");
    k.ok(&["log", "verify"]);
}

#[test]
fn a_merge_of_graded_customers_keeps_the_survivors_score_and_its_undo_restores_both() {
    let k = Kehu::new();
    let codes = seed(&k);
    k.ok(&["grade", "--as-of", "2024-06-30"]);
    let score = |code: &str| k.json(&["show", code])["customer"]["score"].clone();
    let (kept, absorbed) = (score(&codes[0]), score(&codes[1]));
    assert!(kept.is_number() && absorbed.is_number(), "{kept} {absorbed}");
    let before = data(&k);
    k.ok(&["dedupe", "merge", &codes[0], &codes[1]]);
    assert_eq!(score(&codes[0]), kept);
    assert_eq!(
        k.query("SELECT count(*) FROM customer_scores s JOIN customers c ON c.id = s.customer_id"),
        k.query("SELECT count(*) FROM customer_scores"),
        "no score is left behind for the absorbed customer"
    );
    k.ok(&["dedupe", "undo", "1"]);
    assert_eq!(data(&k), before, "both scores are back");
    assert_eq!(score(&codes[1]), absorbed);
}

#[test]
fn a_dry_run_prints_the_merge_and_changes_nothing() {
    let k = Kehu::new();
    let codes = seed(&k);
    let before = k.dump();
    let out = k.json(&["dedupe", "merge", &codes[0], &codes[1], "--dry-run"]);
    assert_eq!(out["survivor"], "CST20240001");
    assert_eq!(out["absorbed"], serde_json::json!(["CST20240002"]));
    assert_eq!(
        out["changes"][0],
        serde_json::json!({"field": "owner", "before": null, "after": "李四"})
    );
    assert_eq!(k.dump(), before);
}

#[test]
fn keep_chooses_the_survivor() {
    let k = Kehu::new();
    let codes = seed(&k);
    let out = k.json(&["dedupe", "merge", &codes[0], &codes[3], "--keep", &codes[3]]);
    assert_eq!(out["survivor"], "CST20240004");
    // The registered name wins over the short one.
    assert_eq!(
        k.json(&["show", &codes[3]])["customer"]["name"],
        "北京某某科技有限公司"
    );
    let err = k.fails(
        &["dedupe", "merge", &codes[1], &codes[2], "--keep", "CST20249999"],
        2,
    );
    assert!(
        err.contains("--keep CST20249999 is not one of the codes"),
        "{err}"
    );
}

#[test]
fn bad_merges_are_refused_and_change_nothing() {
    let k = Kehu::new();
    let codes = seed(&k);
    let other = k.add(&["--name", "北京某某科技有限公司", "--uscc", "91110000600037341L"]);
    let before = k.dump();
    let err = k.fails(&["dedupe", "merge", &codes[0], &codes[0].to_lowercase()], 1);
    assert_eq!(err, "error: cannot merge CST20240001 with itself\n");
    let err = k.fails(&["dedupe", "merge", &codes[0], "CST20249999"], 4);
    assert_eq!(err, "error: no customer with code CST20249999\n");
    let err = k.fails(&["dedupe", "merge", &codes[4], &other], 1);
    assert!(
        err.contains("CST20240005 (uscc 91310115MA1K3BTP2B) and CST20240006 (uscc 91110000600037341L) have different USCCs"),
        "{err}"
    );
    k.fails(&["dedupe", "merge", &codes[4], &other, "--force"], 2);
    assert_eq!(k.dump(), before);
    // With a reason, a forced merge goes through and keeps the survivor's USCC.
    k.ok(&[
        "dedupe",
        "merge",
        &codes[4],
        &other,
        "--force",
        "--reason",
        "同一集团, 旧代码作废",
    ]);
    assert_eq!(
        k.json(&["show", &codes[4]])["customer"]["uscc"],
        "91310115MA1K3BTP2B"
    );
    assert_eq!(
        k.query("SELECT reason FROM merges WHERE id = 1"),
        "同一集团, 旧代码作废"
    );
}

#[test]
fn undo_twice_or_after_another_merge_is_refused() {
    let k = Kehu::new();
    let codes = seed(&k);
    k.ok(&["dedupe", "merge", &codes[0], &codes[1]]);
    k.ok(&["dedupe", "merge", &codes[2], &codes[0]]);
    let before = k.dump();
    let err = k.fails(&["dedupe", "undo", "1"], 1);
    assert_eq!(
        err,
        "error: cannot undo merge 1: CST20240001 took in more customers in merge 2 since; undo merge 2 first\n"
    );
    assert_eq!(k.fails(&["dedupe", "undo", "9"], 4), "error: no merge 9\n");
    assert_eq!(k.dump(), before);
    k.ok(&["dedupe", "undo", "2"]);
    k.ok(&["dedupe", "undo", "1"]);
    let before = k.dump();
    let err = k.fails(&["dedupe", "undo", "1"], 1);
    assert!(
        err.starts_with("error: merge 1 was already undone at 2024-06-30T09:00:00Z"),
        "{err}"
    );
    assert_eq!(k.dump(), before);
}

#[test]
fn undo_after_the_survivor_was_merged_away_or_edited_is_refused() {
    let k = Kehu::new();
    let codes = seed(&k);
    k.ok(&["dedupe", "merge", &codes[1], &codes[2]]); // CST…0002 survives
    k.ok(&["dedupe", "merge", &codes[0], &codes[1]]); // …and is merged into CST…0001
    let err = k.fails(&["dedupe", "undo", "1"], 1);
    assert!(
        err.contains("CST20240002 was merged into another customer by merge 2 since; undo merge 2 first"),
        "{err}"
    );
    k.ok(&["dedupe", "undo", "2"]);
    k.ok(&["edit", &codes[1], "--set", "owner=王五"]);
    let before = k.dump();
    let err = k.fails(&["dedupe", "undo", "1"], 1);
    assert!(
        err.contains("CST20240002 changed since (change log entry"),
        "{err}"
    );
    assert_eq!(k.dump(), before);
}

#[test]
fn a_dismissed_pair_is_not_proposed_again() {
    let k = Kehu::new();
    let a = k.add(&["--name", "华兴科技有限公司"]);
    let b = k.add(&["--name", "华兴科技"]);
    assert_eq!(k.json(&["dedupe"]).as_array().unwrap().len(), 1);
    k.run(&["dedupe", "dismiss", &a, &b])
        .success()
        .stderr("CST20240001 and CST20240002 recorded as not the same customer\n");
    assert_eq!(k.json(&["dedupe"]), serde_json::json!([]));
    k.run(&["dedupe", "dismiss", &b, &a])
        .success()
        .stderr("CST20240001 and CST20240002 were already recorded as not the same customer\n");
    k.fails(&["dedupe", "dismiss", &a, "CST20249999"], 4);
}

#[test]
fn apply_sure_merges_the_sure_groups_only() {
    let k = Kehu::new();
    let codes = seed(&k);
    let before = k.dump();
    let planned = k.json(&["dedupe", "--apply-sure", "--dry-run"]);
    assert_eq!(planned.as_array().unwrap().len(), 1);
    assert_eq!(k.dump(), before);
    let merges = k.json(&["dedupe", "--apply-sure"]);
    assert_eq!(merges[0]["survivor"], "CST20240001");
    assert_eq!(
        merges[0]["absorbed"],
        serde_json::json!(["CST20240002", "CST20240003"])
    );
    // The review-level short name is left for a person.
    k.ok(&["show", &codes[3]]);
    let left = k.json(&["dedupe"]);
    assert_eq!(left[0]["level"], "review");
}

/// The matcher on labelled data: the quality targets, on a small sample.
#[test]
fn the_matcher_meets_its_quality_targets_on_labelled_data() {
    let mut records = Vec::new();
    dupes::generate(4000, 7, |r| records.push(r.clone()));
    let cands: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (c, contact) = dupes::parse_record(r);
            dupes::candidate(i as i64, &c, contact.as_ref())
        })
        .collect();
    let truth: HashMap<usize, u64> = records.iter().enumerate().map(|(i, r)| (i, r.entity)).collect();
    let groups = find_groups(
        &cands,
        &Options {
            min_score: REVIEW,
            ..Options::default()
        },
    );
    let sure: Vec<Vec<usize>> = groups.iter().flat_map(|g| g.sure_parts()).collect();
    let all: Vec<Vec<usize>> = groups.iter().map(|g| g.members.clone()).collect();
    let (sure, all) = (dupes::quality(&truth, &sure), dupes::quality(&truth, &all));
    assert!(sure.true_pairs > 1000, "{sure:?}");
    assert!(sure.precision() >= 0.99, "sure precision {:.4}", sure.precision());
    assert!(sure.recall() >= 0.90, "sure recall {:.4}", sure.recall());
    assert!(all.recall() >= 0.97, "sure+review recall {:.4}", all.recall());
}

/// Sales lists and people keep a merged-away customer's code for months: `show` and an
/// orders file say where it went instead of only that it is gone; after the merge's undo
/// the code is the customer's again.
#[test]
fn a_merged_away_code_says_where_the_customer_went() {
    let k = Kehu::new();
    let codes = seed(&k);
    k.ok(&["dedupe", "merge", &codes[0], &codes[1]]);
    let err = k.fails(&["show", &codes[1].to_lowercase()], 4);
    assert!(
        err.contains(
            "no customer with code CST20240002: CST20240002 was merged into CST20240001 \
             (merge 1; kehu dedupe undo 1 brings it back)"
        ),
        "{err}"
    );
    let orders = k.file(
        "合同.csv",
        format!(
            "客户编号,合同编号,签约日期,合同金额\n{},HT-020,2024-05-01,1000\n",
            codes[1]
        ),
    );
    let summary = k.import_json(&[&orders], 1);
    assert_eq!(
        summary["rejected"][0]["reason"],
        "no stored customer has this code: CST20240002 was merged into CST20240001 (merge 1); \
         use that code",
        "{summary}"
    );
    // Nor does a customers file with the old code make a new customer of it.
    let list = k.file(
        "客户.csv",
        format!(
            "客户编号,客户名称,负责人\n{},某某科技有限责任公司,赵六\n",
            codes[1]
        ),
    );
    let summary = k.import_json(&[&list], 1);
    assert_eq!(
        summary["rejected"][0]["reason"], "CST20240002 was merged into CST20240001 (merge 1); use that code",
        "{summary}"
    );
    k.ok(&["dedupe", "undo", "1"]);
    k.ok(&["show", &codes[1]]);
    let err = k.fails(&["show", "CST20249999"], 4);
    assert!(err.contains("no customer with code CST20249999"), "{err}");
    assert!(!err.contains("merged"), "{err}");
}
