//! Scores duplicate detection against the truth `gen dupes` writes (bench/dedupe.sh).
//!
//! ```sh
//! dedupe_eval matcher dupes.csv truth.csv        # the pure matcher, straight from the CSV
//! dedupe_eval load dupes.csv kehu.db             # store the records as kehu would
//! dedupe_eval score truth.csv groups.jsonl       # score `kehu dedupe --format jsonl`
//! dedupe_eval pairs truth.csv pairs.csv          # score code pairs (a baseline's output)
//! dedupe_eval misses dupes.csv truth.csv [N]     # what the matcher misses, by variant
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
                        .map(|m| m.iter().map(|&i| cands[i].code().to_string()).collect()),
                );
            } else {
                out.push(g.members.iter().map(|&i| cands[i].code().to_string()).collect());
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

/// Tallies the true pairs the matcher leaves apart and the false pairs it joins, by the
/// variants of the two records (from the truth's `variant` column) and by whether the pair
/// scores high enough on its own (then blocking never proposed it) or not; prints `n`
/// examples of each of the largest kinds.
fn misses(data: &str, truth_path: &str, n: usize) -> Result<()> {
    let mut r = csv::Reader::from_path(truth_path)?;
    let mut truth: HashMap<String, (u64, String)> = HashMap::new();
    for row in r.records() {
        let row = row?;
        let variant = row.get(2).unwrap_or("").to_string();
        truth.insert(row[0].to_string(), (row[1].parse()?, variant));
    }
    let (headers, mut r) = rows(data)?;
    let mut cands: Vec<Candidate> = Vec::new();
    for (i, row) in r.records().enumerate() {
        let (customer, contact) = dupes::parse_row(&headers, &row?);
        cands.push(dupes::candidate(i as i64, &customer, contact.as_ref()));
    }
    let groups = find_groups(
        &cands,
        &Options {
            min_score: REVIEW,
            ..Options::default()
        },
    );
    let mut group_of = vec![usize::MAX; cands.len()];
    let mut sure_of = vec![usize::MAX; cands.len()];
    let mut parts = 0;
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            group_of[m] = g;
        }
        for part in group.sure_parts() {
            for m in part {
                sure_of[m] = parts;
            }
            parts += 1;
        }
    }
    let entity = |i: usize| {
        truth
            .get(cands[i].code())
            .map_or((0, ""), |(e, v)| (*e, v.as_str()))
    };
    let mut by_entity: HashMap<u64, Vec<usize>> = HashMap::new();
    for i in 0..cands.len() {
        by_entity.entry(entity(i).0).or_default().push(i);
    }
    type Tally = HashMap<String, Vec<(usize, usize)>>;
    let kind = |a: usize, b: usize, what: &str| -> String {
        let (va, vb) = (entity(a).1, entity(b).1);
        let (va, vb) = if va <= vb { (va, vb) } else { (vb, va) };
        let s = kehu::domain::dedupe::score(&cands[a], &cands[b]);
        let scored = match s {
            None => "two usccs".to_string(),
            Some(s) if s >= REVIEW => format!("scores {s}≥{REVIEW}, not joined"),
            Some(_) => format!("scores <{REVIEW}"),
        };
        let m = kehu::domain::dedupe::compare(&cands[a], &cands[b]);
        let mut why: Vec<&str> = Vec::new();
        for r in &m.reasons {
            for (needle, label) in [
                ("same name", "same name"),
                ("names equal", "same name"),
                ("sound alike", "sound alike"),
                ("one character apart", "one char off"),
                ("without its line", "bare 字号"),
                ("short name", "short name"),
                ("% alike", "similar name"),
                ("same mobile", "mobile"),
                ("same landline", "landline"),
                ("same e-mail", "e-mail"),
                ("same contact", "contact"),
                ("分公司", "branch"),
                ("different provinces", "other province"),
            ] {
                if r.contains(needle) && !why.contains(&label) {
                    why.push(label);
                }
            }
        }
        if what == "missed" || what == "not sure" {
            format!("{what}: {va} × {vb} — {scored}")
        } else {
            format!("{what}: [{}] — {scored}", why.join(", "))
        }
    };
    let bucket = |k: String| {
        k.split(" — scores ").next().unwrap_or("").to_string()
            + if k.contains("not joined") {
                " — scores enough, not joined"
            } else if k.contains("two usccs") {
                " — two usccs"
            } else {
                " — scored low"
            }
    };
    let (mut missed, mut sure_missed): (Tally, Tally) = (HashMap::new(), HashMap::new());
    for members in by_entity.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if group_of[a] == usize::MAX || group_of[a] != group_of[b] {
                    missed
                        .entry(bucket(kind(a, b, "missed")))
                        .or_default()
                        .push((a, b));
                }
                if sure_of[a] == usize::MAX || sure_of[a] != sure_of[b] {
                    sure_missed
                        .entry(bucket(kind(a, b, "not sure")))
                        .or_default()
                        .push((a, b));
                }
            }
        }
    }
    let mut joined: Tally = HashMap::new();
    let mut sizes: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for group in &groups {
        *sizes.entry(group.members.len()).or_default() += 1;
        // Only the links: the pairs the matcher itself joined.
        for e in &group.links {
            if entity(e.a).0 != entity(e.b).0 {
                joined
                    .entry(bucket(kind(e.a, e.b, "wrong link")))
                    .or_default()
                    .push((e.a, e.b));
            }
        }
    }
    println!("group sizes: {sizes:?}");
    let mut wrong: Tally = HashMap::new();
    for group in &groups {
        for part in group.sure_parts() {
            for (x, &a) in part.iter().enumerate() {
                for &b in &part[x + 1..] {
                    if entity(a).0 != entity(b).0 {
                        wrong
                            .entry(bucket(kind(a, b, "wrongly sure")))
                            .or_default()
                            .push((a, b));
                    }
                }
            }
        }
    }
    for tally in [missed, sure_missed, wrong, joined] {
        let total: usize = tally.values().map(Vec::len).sum();
        println!("== {total} pairs");
        let mut kinds: Vec<_> = tally.into_iter().collect();
        kinds.sort_by(|x, y| y.1.len().cmp(&x.1.len()).then(x.0.cmp(&y.0)));
        for (rank, (k, pairs)) in kinds.iter().enumerate() {
            println!("{:>6}  {k}", pairs.len());
            for &(a, b) in pairs.iter().take(if rank < 25 { n } else { 0 }) {
                let m = kehu::domain::dedupe::compare(&cands[a], &cands[b]);
                println!(
                    "          {} {} | {} {} | {} {:?}",
                    cands[a].code(),
                    cands[a].name(),
                    cands[b].code(),
                    cands[b].name(),
                    m.score,
                    m.reasons
                );
                for x in [a, b] {
                    if let Some(g) = groups.get(group_of[x]) {
                        let members: Vec<String> = g
                            .members
                            .iter()
                            .map(|&i| format!("{}:{}:{}", cands[i].code(), cands[i].name(), entity(i).0))
                            .collect();
                        println!("            group of {}: {}", cands[x].code(), members.join(" "));
                    }
                }
            }
        }
    }
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
        Some("misses") => misses(arg(1)?, arg(2)?, arg(3).ok().and_then(|n| n.parse().ok()).unwrap_or(3)),
        _ => Err(
            "usage: dedupe_eval matcher DATA TRUTH | load DATA DB | score TRUTH GROUPS | pairs TRUTH PAIRS | misses DATA TRUTH [N]"
                .into(),
        ),
    }
}
