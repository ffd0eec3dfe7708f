//! Scores duplicate detection against the truth `gen dupes` writes (bench/dedupe.sh).
//!
//! ```sh
//! dedupe_eval matcher dupes.csv truth.csv        # the pure matcher, straight from the CSV
//! dedupe_eval load dupes.csv kehu.db             # store the records as kehu would
//! dedupe_eval score truth.csv groups.jsonl       # score `kehu dedupe --format jsonl`
//! dedupe_eval pairs truth.csv pairs.csv          # score code pairs (a baseline's output)
//! ```
//!
//! Scores are pairwise: every two records in one group are a found pair; precision is the
//! share of found pairs that are one company, recall the share of true pairs found.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/dupes.rs"]
mod dupes;

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use kehu::domain::dedupe::{Candidate, Options, REVIEW, find_groups};
use kehu::store::{Actor, Mode, Store};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn truth(path: &str) -> Result<HashMap<String, u64>> {
    let mut r = csv::Reader::from_path(path)?;
    let mut map = HashMap::new();
    for row in r.records() {
        let row = row?;
        map.insert(row[0].to_string(), row[1].parse()?);
    }
    Ok(map)
}

fn print(label: &str, q: dupes::Quality) {
    println!(
        "{label:<12} precision {:.4}  recall {:.4}  (pairs: true {}, found {}, correct {})",
        q.precision(),
        q.recall(),
        q.true_pairs,
        q.found_pairs,
        q.correct_pairs
    );
}

fn rows(path: &str) -> Result<(Vec<dupes::Column>, csv::Reader<std::fs::File>)> {
    let mut r = csv::Reader::from_path(path)?;
    let headers: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    Ok((dupes::columns(&headers), r))
}

fn matcher(data: &str, truth_path: &str) -> Result<()> {
    let truth = truth(truth_path)?;
    let (headers, mut r) = rows(data)?;
    let start = Instant::now();
    let mut cands: Vec<Candidate> = Vec::new();
    for (i, row) in r.records().enumerate() {
        let (customer, contact) = dupes::parse_row(&headers, &row?);
        cands.push(dupes::candidate(i as i64, &customer, contact.as_ref()));
    }
    let parsed = start.elapsed();
    let groups = find_groups(
        &cands,
        &Options {
            min_score: REVIEW,
            ..Options::default()
        },
    );
    let matched = start.elapsed() - parsed;
    report(&truth, &cands, &groups);
    println!(
        "records {}  parse {:.1}s  match {:.1}s",
        cands.len(),
        parsed.as_secs_f64(),
        matched.as_secs_f64()
    );
    Ok(())
}

fn report(truth: &HashMap<String, u64>, cands: &[Candidate], groups: &[kehu::domain::dedupe::Group]) {
    let code_groups = |sure_only: bool| -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for g in groups {
            if sure_only {
                out.extend(
                    g.sure_parts()
                        .into_iter()
                        .map(|m| m.iter().map(|&i| cands[i].code.clone()).collect()),
                );
            } else {
                out.push(g.members.iter().map(|&i| cands[i].code.clone()).collect());
            }
        }
        out
    };
    print("sure", dupes::quality(truth, &code_groups(true)));
    print("sure+review", dupes::quality(truth, &code_groups(false)));
}

fn load(data: &str, db: &str) -> Result<()> {
    let (headers, mut r) = rows(data)?;
    let (mut store, _) = Store::open(Path::new(db), Mode::Create, Duration::from_secs(60))?;
    let actor = Actor {
        operator: "bench".into(),
        now: "2024-06-30T09:00:00Z".parse()?,
    };
    let start = Instant::now();
    let mut n = 0u64;
    let mut refused = 0u64;
    store.write(&actor, |w| {
        for row in r.records() {
            let row = row.map_err(|e| kehu::store::Error::Conflict(e.to_string()))?;
            let (customer, contact) = dupes::parse_row(&headers, &row);
            match w.insert_customer(customer, "add", None) {
                Ok(stored) => {
                    if let Some(c) = contact {
                        w.add_contact(&stored, &c, None)?;
                    }
                    n += 1;
                }
                Err(kehu::store::Error::Conflict(_)) => refused += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })?;
    eprintln!(
        "loaded {n} customers ({refused} refused) into {db} in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn score(truth_path: &str, groups_path: &str) -> Result<()> {
    let truth = truth(truth_path)?;
    let text = std::fs::read_to_string(groups_path)?;
    let (mut sure, mut all) = (Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let g: serde_json::Value = serde_json::from_str(line)?;
        let members: Vec<String> = g["members"]
            .as_array()
            .ok_or("a group without members")?
            .iter()
            .filter_map(|m| m["code"].as_str().map(str::to_string))
            .collect();
        for part in g["sure_parts"].as_array().into_iter().flatten() {
            sure.push(
                part.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect(),
            );
        }
        all.push(members);
    }
    print("sure", dupes::quality(&truth, &sure));
    print("sure+review", dupes::quality(&truth, &all));
    Ok(())
}

fn pairs(truth_path: &str, pairs_path: &str) -> Result<()> {
    let truth = truth(truth_path)?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(pairs_path)?;
    let groups: Vec<Vec<String>> = r
        .records()
        .map(|row| row.map(|row| row.iter().map(str::to_string).collect()))
        .collect::<std::result::Result<_, _>>()?;
    print("pairs", dupes::quality(&truth, &groups));
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or("missing argument");
    match args.first().map(String::as_str) {
        Some("matcher") => matcher(arg(1)?, arg(2)?),
        Some("load") => load(arg(1)?, arg(2)?),
        Some("score") => score(arg(1)?, arg(2)?),
        Some("pairs") => pairs(arg(1)?, arg(2)?),
        _ => Err(
            "usage: dedupe_eval matcher DATA TRUTH | load DATA DB | score TRUTH GROUPS | pairs TRUTH PAIRS"
                .into(),
        ),
    }
}
