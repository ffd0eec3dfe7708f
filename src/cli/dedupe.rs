//! `kehu dedupe`: find groups of duplicate customers, merge them, undo a merge, dismiss a
//! pair as "not the same".

use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::{Cell, Column, Records};
use super::{Context, Status, UsageError};
use crate::domain::Change;
use crate::domain::dedupe::{Candidate, Group, Level, Options, REVIEW, compare, find_groups};
use crate::store::{Merged, Store};

/// Find and merge duplicate customers.
///
/// Without a subcommand, lists the groups of records that look like one company, each with
/// a score (0-100), a level (sure: ≥ 85; review: a person should decide) and the reasons:
///   kehu dedupe
///   kehu dedupe --min-score 85 --format json
///   kehu dedupe --apply-sure                  # merge every sure group (for scripts)
///   kehu dedupe merge CST20240001 CST20240007 [--keep CODE] [--dry-run]
///   kehu dedupe undo 3                        # merge 3, as `merge` printed it
///   kehu dedupe dismiss CST20240001 CST20240007
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DedupeArgs {
    #[command(subcommand)]
    command: Option<DedupeCommand>,
    /// Only links scoring at least this (0-100).
    #[arg(long, default_value_t = REVIEW, value_parser = clap::value_parser!(u8).range(1..=100))]
    min_score: u8,
    /// Merge every set of records joined by sure links, each as its own merge.
    #[arg(long)]
    apply_sure: bool,
    /// With --apply-sure: print what would be merged, change nothing.
    #[arg(long, requires = "apply_sure")]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum DedupeCommand {
    /// Merge customers into one: the oldest (or --keep) survives; its empty fields are filled
    /// from the others, a conflict goes to the most recently updated value; every contact,
    /// order, interaction and tag is kept.
    Merge {
        /// The customers' codes (two or more).
        #[arg(num_args = 2.., required = true)]
        codes: Vec<String>,
        /// The code that survives (default: the oldest).
        #[arg(long)]
        keep: Option<String>,
        /// Print what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Merge even customers with different USCCs.
        #[arg(long, requires = "reason")]
        force: bool,
        /// Why a forced merge is right (recorded with the merge).
        #[arg(long, requires = "force")]
        reason: Option<String>,
    },
    /// Put back every record a merge changed, exactly as it was.
    Undo {
        /// The merge's number.
        merge: i64,
    },
    /// Record that two customers are not the same, so they are never proposed again.
    Dismiss { a: String, b: String },
}

pub fn run(ctx: &Context, args: DedupeArgs) -> Result<Status> {
    match args.command {
        None if args.apply_sure => apply_sure(ctx, args.dry_run),
        None => list(ctx, args.min_score),
        Some(DedupeCommand::Merge {
            codes,
            keep,
            dry_run,
            force: _,
            reason,
        }) => merge(ctx, &codes, keep, dry_run, reason),
        Some(DedupeCommand::Undo { merge }) => undo(ctx, merge),
        Some(DedupeCommand::Dismiss { a, b }) => dismiss(ctx, &a, &b),
    }
}

/// Every candidate and the groups among them scoring at least `min_score`: the duplicates
/// still pending (merged customers are gone; pairs dismissed as not the same are kept
/// apart). `kehu dedupe` lists them; `kehu report quality --duplicates` counts them.
pub(crate) fn groups(ctx: &Context, store: &Store, min_score: u8) -> Result<(Vec<Candidate>, Vec<Group>)> {
    let progress = ctx.out.spinner("reading customers");
    let cands = store.dedupe_candidates(&mut |n| progress.set_position(n as u64))?;
    progress.finish_and_clear();
    let pairs = store.dismissed_pairs()?;
    let dismissed = if pairs.is_empty() {
        Vec::new()
    } else {
        let index: std::collections::HashMap<&str, usize> =
            cands.iter().enumerate().map(|(i, c)| (c.code(), i)).collect();
        pairs
            .iter()
            .filter_map(|(a, b)| Some((*index.get(a.as_str())?, *index.get(b.as_str())?)))
            .collect()
    };
    let groups = find_groups(&cands, &Options { min_score, dismissed });
    Ok((cands, groups))
}

fn level_cell(level: Level) -> Cell {
    Cell::label(level.key(), level.zh())
}

fn list(ctx: &Context, min_score: u8) -> Result<Status> {
    let store = ctx.read()?;
    let (cands, groups) = groups(ctx, &store, min_score)?;
    let sure = groups.iter().filter(|g| g.level == Level::Sure).count();
    if ctx.out.format == super::output::Format::Jsonl {
        // One line per group, written as it is built.
        for (n, g) in groups.iter().enumerate() {
            ctx.out.json(&group_json(n + 1, g, &cands))?;
        }
    } else if ctx.out.is_json() {
        let docs: Vec<Value> = groups
            .iter()
            .enumerate()
            .map(|(n, g)| group_json(n + 1, g, &cands))
            .collect();
        ctx.out.json(&Value::Array(docs))?;
    } else {
        let mut records = Records::new(vec![
            Column::new("group", "组"),
            Column::new("level", "级别"),
            Column::new("score", "分数"),
            Column::new("code", "客户编号"),
            Column::new("name", "客户全称"),
            Column::new("matches", "匹配"),
            Column::new("reasons", "理由"),
        ]);
        for (n, g) in groups.iter().enumerate() {
            // Each member after the first is shown with the link that joined it.
            for (k, &m) in g.members.iter().enumerate() {
                let link = (k > 0)
                    .then(|| g.links.iter().find(|e| e.a == m || e.b == m))
                    .flatten();
                let (other, reasons) = match link {
                    Some(e) => {
                        let o = if e.a == m { e.b } else { e.a };
                        let r = compare(&cands[m], &cands[o]).reasons.join("; ");
                        (
                            Cell::Text(format!("{} ({})", cands[o].code(), e.score)),
                            Cell::Text(r),
                        )
                    }
                    None => (Cell::Null, Cell::Null),
                };
                records.rows.push(vec![
                    Cell::Int(n as i64 + 1),
                    level_cell(g.level),
                    Cell::Int(g.score.into()),
                    Cell::Text(cands[m].code().to_string()),
                    Cell::Text(cands[m].name().to_string()),
                    other,
                    reasons,
                ]);
            }
        }
        ctx.out.records(&records)?;
    }
    ctx.out.status(&format!(
        "{} group(s): {sure} sure, {} review, among {} customers",
        groups.len(),
        groups.len() - sure,
        cands.len()
    ));
    Ok(Status::Ok)
}

fn group_json(n: usize, g: &Group, cands: &[Candidate]) -> Value {
    let code = |i: usize| cands[i].code();
    json!({
        "group": n,
        "level": g.level.key(),
        "score": g.score,
        "members": g.members.iter().map(|&i| {
            let c = &cands[i];
            json!({
                "code": c.code(),
                "name": c.name(),
                "uscc": c.uscc(),
                "province": c.province.map(|p| p.name),
                "city": c.city(),
            })
        }).collect::<Vec<_>>(),
        "links": g.links.iter().map(|e| {
            let m = compare(&cands[e.a], &cands[e.b]);
            json!({
                "a": code(e.a),
                "b": code(e.b),
                "score": e.score,
                "level": m.level.map(Level::key),
                "reasons": m.reasons,
            })
        }).collect::<Vec<_>>(),
        "sure_parts": g.sure_parts().iter().map(|p| p.iter().map(|&i| code(i)).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

fn changes_json(changes: &[Change]) -> Value {
    serde_json::to_value(changes).expect("changes serialise")
}

fn merged_json(m: &Merged) -> Value {
    let counts = |v: &[(String, usize)]| -> Value {
        Value::Object(v.iter().map(|(t, n)| (t.clone(), json!(n))).collect())
    };
    json!({
        "merge": m.merge_id,
        "survivor": m.survivor,
        "absorbed": m.absorbed,
        "changes": changes_json(&m.changes),
        "moved": counts(&m.moved),
        "dropped": counts(&m.dropped),
    })
}

fn summary(m: &Merged) -> String {
    let moved: Vec<String> = m.moved.iter().map(|(t, n)| format!("{t} {n}")).collect();
    format!(
        "merge {}: {} into {}; {} field(s) changed{}",
        m.merge_id,
        m.absorbed.join(", "),
        m.survivor,
        m.changes.len(),
        if moved.is_empty() {
            String::new()
        } else {
            format!("; moved: {}", moved.join(", "))
        }
    )
}

fn merge(
    ctx: &Context,
    codes: &[String],
    keep: Option<String>,
    dry_run: bool,
    reason: Option<String>,
) -> Result<Status> {
    let upper: Vec<String> = codes.iter().map(|c| c.trim().to_uppercase()).collect();
    if let Some(k) = &keep
        && !upper.contains(&k.trim().to_uppercase())
    {
        return Err(UsageError(format!("--keep {k} is not one of the codes to merge")).into());
    }
    let mut store = ctx.write()?;
    let run = |w: &mut crate::store::Writer| w.merge_customers(codes, keep.as_deref(), reason.as_deref());
    let merged = if dry_run {
        store.dry_run(&ctx.actor, run)?
    } else {
        store.write(&ctx.actor, run)?
    };
    if ctx.out.is_json() {
        ctx.out.json(&merged_json(&merged))?;
    } else {
        let mut records = Records::new(vec![
            Column::new("field", "字段"),
            Column::new("before", "原值"),
            Column::new("after", "新值"),
        ]);
        records.rows = merged
            .changes
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.field.clone()),
                    Cell::text(c.before.clone()),
                    Cell::text(c.after.clone()),
                ]
            })
            .collect();
        ctx.out.records(&records)?;
    }
    let prefix = if dry_run { "dry run, nothing changed: " } else { "" };
    ctx.out.status(&format!("{prefix}{}", summary(&merged)));
    if !dry_run {
        ctx.out
            .status(&format!("undo with: kehu dedupe undo {}", merged.merge_id));
    }
    Ok(Status::Ok)
}

fn apply_sure(ctx: &Context, dry_run: bool) -> Result<Status> {
    let mut store = ctx.write()?;
    let (cands, groups) = groups(ctx, &store, REVIEW)?;
    let sets: Vec<Vec<String>> = groups
        .iter()
        .flat_map(|g| g.sure_parts())
        .map(|part| part.iter().map(|&i| cands[i].code().to_string()).collect())
        .collect();
    drop(cands);
    let run = |w: &mut crate::store::Writer| {
        sets.iter()
            .map(|codes| w.merge_customers(codes, None, None))
            .collect::<crate::store::Result<Vec<Merged>>>()
    };
    let merges = if dry_run {
        store.dry_run(&ctx.actor, run)?
    } else {
        store.write(&ctx.actor, run)?
    };
    if ctx.out.is_json() {
        ctx.out
            .json(&Value::Array(merges.iter().map(merged_json).collect()))?;
    } else {
        let mut records = Records::new(vec![
            Column::new("merge", "合并号"),
            Column::new("survivor", "保留"),
            Column::new("absorbed", "并入"),
            Column::new("changes", "变更字段数"),
        ]);
        records.rows = merges
            .iter()
            .map(|m| {
                vec![
                    Cell::Int(m.merge_id),
                    Cell::Text(m.survivor.clone()),
                    Cell::Text(m.absorbed.join(", ")),
                    Cell::Int(m.changes.len() as i64),
                ]
            })
            .collect();
        ctx.out.records(&records)?;
    }
    let absorbed: usize = merges.iter().map(|m| m.absorbed.len()).sum();
    ctx.out.status(&format!(
        "{}{} merge(s), {absorbed} customer(s) merged away",
        if dry_run { "dry run, nothing changed: " } else { "" },
        merges.len()
    ));
    Ok(Status::Ok)
}

fn undo(ctx: &Context, merge: i64) -> Result<Status> {
    let mut store = ctx.write()?;
    let undone = store.write(&ctx.actor, |w| w.undo_merge(merge))?;
    if ctx.out.is_json() {
        ctx.out.json(&json!({
            "merge": undone.merge_id,
            "survivor": undone.survivor,
            "restored": undone.restored,
        }))?;
    }
    ctx.out.status(&format!(
        "undid merge {}: {} restored beside {}",
        undone.merge_id,
        undone.restored.join(", "),
        undone.survivor
    ));
    Ok(Status::Ok)
}

fn dismiss(ctx: &Context, a: &str, b: &str) -> Result<Status> {
    let mut store = ctx.write()?;
    let new = store.write(&ctx.actor, |w| w.dismiss_pair(a, b))?;
    let (a, b) = (a.trim().to_uppercase(), b.trim().to_uppercase());
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    ctx.out.status(&if new {
        format!("{a} and {b} recorded as not the same customer")
    } else {
        format!("{a} and {b} were already recorded as not the same customer")
    });
    Ok(Status::Ok)
}
