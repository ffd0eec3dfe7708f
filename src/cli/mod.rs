//! The command line: global options, one file per subcommand, and the mapping from errors to
//! exit codes. Each subcommand parses its flags, calls the domain and the store, and prints
//! through [`output`].

mod add;
mod config;
mod dedupe;
mod edit;
mod grade;
mod import;
mod interrupt;
mod list;
mod log;
pub mod output;
mod rejects;
mod report;
mod show;
mod tag;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::domain::Invalid;
use crate::store::{self, Actor, Mode, Store};
use output::{Format, Lang, Output};

/// kehu (客户): customer records in one local SQLite file.
///
/// Exit codes: 0 success; 1 failure, nothing changed; 2 usage error; 3 partial success (some
/// rows rejected, the rest committed); 4 not found; 5 database busy after the timeout; 130
/// interrupted by Ctrl-C, nothing changed.
#[derive(Debug, Parser)]
#[command(name = "kehu", version, about, long_about = None)]
pub struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "KEHU_DB", default_value = "kehu.db")]
    pub db: PathBuf,
    /// Who is making the changes (recorded in the change log); defaults to the login name.
    #[arg(long, global = true, env = "KEHU_OPERATOR")]
    pub operator: Option<String>,
    /// Output format for records and results.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Language of column and value labels (default zh when LANG starts with zh).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// No status lines on stderr (errors still print).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Seconds to wait for a database another kehu is writing to.
    #[arg(long, global = true, env = "KEHU_BUSY_TIMEOUT", default_value_t = 60)]
    pub busy_timeout: u64,
    #[command(subcommand)]
    pub command: Command,
    /// Whether `--operator` was typed (not taken from KEHU_OPERATOR): `log` then filters by it.
    #[arg(skip)]
    pub operator_typed: bool,
}

/// Parses the command line (exits with code 2 on a usage error, as clap does).
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.operator_typed = matches.value_source("operator") == Some(ValueSource::CommandLine);
    cli
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a customer (prints its new code).
    #[command(allow_negative_numbers = true)]
    Add(Box<add::AddArgs>),
    /// Change a customer: fields, stage, contacts, orders, interactions, remarks.
    #[command(allow_negative_numbers = true)]
    Edit(edit::EditArgs),
    /// Import a spreadsheet (xlsx/xls/ods/csv); `import list`, `import undo BATCH`.
    Import(import::ImportArgs),
    /// Print the whole file of one customer.
    Show(show::ShowArgs),
    /// List customers, with filters, sort and limit.
    List(list::ListArgs),
    /// The change log, and `log verify` to check it was not tampered with.
    Log(log::LogArgs),
    /// Settings kept in the database (the customer code pattern).
    Config(config::ConfigArgs),
    /// Grade customers into tiers; explain, pin, compare runs, sample for review.
    Grade(Box<grade::GradeArgs>),
    /// Find duplicate customers, merge them (and undo a merge), dismiss a pair.
    Dedupe(dedupe::DedupeArgs),
    /// Reports: distributions, tier movement, data quality, monthly review, tiers.
    Report(report::ReportArgs),
    /// Tags: add, remove, list, rename; tag dimensions.
    Tag(tag::TagArgs),
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Some rows were rejected, the rest committed.
    Partial,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Partial => 3,
        }
    }
}

/// A mistake in how the command was called (exit code 2), found after clap's own checks.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// What every command gets: the output, who is acting, and how to open the database.
pub struct Context {
    pub out: Output,
    pub actor: Actor,
    db: PathBuf,
    busy_timeout: Duration,
}

impl Context {
    /// Opens the database for a command that only reads.
    pub fn read(&self) -> Result<Store> {
        let (store, _) = Store::open(&self.db, Mode::Existing, self.busy_timeout)?;
        Ok(store)
    }

    /// Opens the database for a command that writes, creating it (and saying so) if needed.
    pub fn write(&self) -> Result<Store> {
        let (store, created) = Store::open(&self.db, Mode::Create, self.busy_timeout)
            .with_context(|| format!("cannot open database {}", self.db.display()))?;
        if created {
            self.out
                .status(&format!("created database {}", self.db.display()));
        }
        Ok(store)
    }

    /// Opens the database for a command that writes, or for its dry run: then a database
    /// that does not exist yet is made in memory, so nothing is left behind.
    pub fn write_unless(&self, dry_run: bool) -> Result<Store> {
        if dry_run && !self.db.exists() {
            return Ok(Store::open_in_memory()?);
        }
        self.write()
    }

    pub fn today(&self) -> NaiveDate {
        self.actor.today()
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    let zh = match cli.lang {
        Some(lang) => lang == Lang::Zh,
        None => std::env::var("LANG").is_ok_and(|l| l.starts_with("zh")),
    };
    let operator_filter = cli.operator.clone().filter(|_| cli.operator_typed);
    let ctx = Context {
        out: Output {
            format: cli.format,
            zh,
            quiet: cli.quiet,
        },
        actor: Actor {
            operator: operator(cli.operator),
            now: now()?,
        },
        db: cli.db,
        busy_timeout: Duration::from_secs(cli.busy_timeout),
    };
    match cli.command {
        Command::Add(args) => add::run(&ctx, *args),
        Command::Edit(args) => edit::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Log(args) => log::run(&ctx, args, operator_filter),
        Command::Config(args) => config::run(&ctx, args),
        Command::Grade(args) => grade::run(&ctx, *args),
        Command::Dedupe(args) => dedupe::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Tag(args) => tag::run(&ctx, args),
    }
}

fn operator(flag: Option<String>) -> String {
    flag.filter(|s| !s.trim().is_empty())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// The clock, which `KEHU_NOW` (RFC 3339 or a date) pins for reproducible runs and tests.
fn now() -> Result<DateTime<Utc>> {
    match std::env::var("KEHU_NOW") {
        Ok(v) if !v.is_empty() => {
            if let Ok(t) = DateTime::parse_from_rfc3339(&v) {
                return Ok(t.with_timezone(&Utc));
            }
            let d: NaiveDate = v
                .parse()
                .map_err(|_| UsageError(format!("KEHU_NOW {v}: not an RFC 3339 time or YYYY-MM-DD date")))?;
            Ok(d.and_hms_opt(9, 0, 0).expect("09:00 exists").and_utc())
        }
        _ => Ok(Utc::now()),
    }
}

/// Prints the error and returns the exit code for it.
pub fn report(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        return 0;
    }
    output::error(err);
    exit_code(err)
}

/// Whether the error is the reader of kehu's output having gone away (`kehu list | head`):
/// no failure, and nothing to say. The csv writer's own error wraps the io error.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    fn broken(io: &std::io::Error) -> bool {
        io.kind() == std::io::ErrorKind::BrokenPipe
            || io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<csv::Error>())
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)))
    }
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(broken)
            || e.downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)))
    })
}

/// The exit code of spec §2 for an error.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<UsageError>() {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<store::Error>() {
            return match e {
                store::Error::NotFound(_) | store::Error::NotFoundOther(_) | store::Error::Missing(_) => 4,
                store::Error::Busy => 5,
                store::Error::Interrupted => interrupt::EXIT_CODE,
                _ => 1,
            };
        }
        if cause.is::<Invalid>() {
            return 1;
        }
        // A file named on the command line that is not there.
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
        {
            return 4;
        }
    }
    1
}

/// Parses an optional flag value; the error names the flag, the value and the rule.
pub fn parse_flag<T>(
    flag: &str,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, Invalid> {
    value
        .map(|v| parse(v).map_err(|r| Invalid::new(flag, v, r)))
        .transpose()
}

/// Splits `key=value`; a usage error otherwise.
pub fn key_value(pair: &str) -> Result<(&str, &str), UsageError> {
    pair.split_once('=')
        .map(|(k, v)| (k.trim(), v))
        .ok_or_else(|| UsageError(format!("expected FIELD=VALUE, got {pair}")))
}

/// Splits `k=v,k=v` (a value may hold commas when the text after one is not `key=`).
pub fn key_values(spec: &str) -> Result<Vec<(String, String)>, UsageError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in spec.split(',') {
        let starts_pair = piece
            .split_once('=')
            .is_some_and(|(k, _)| !k.trim().is_empty() && !k.trim().contains(char::is_whitespace));
        match (starts_pair, pairs.last_mut()) {
            (true, _) => {
                let (k, v) = key_value(piece)?;
                pairs.push((k.to_string(), v.to_string()));
            }
            (false, Some((_, v))) => {
                v.push(',');
                v.push_str(piece);
            }
            (false, None) => return Err(UsageError(format!("expected key=value,…, got {spec}"))),
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values_keep_commas_inside_values() {
        let pairs = key_values("date=2024-05-01,summary=谈了价格, 交期,channel=电话").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("date".into(), "2024-05-01".into()),
                ("summary".into(), "谈了价格, 交期".into()),
                ("channel".into(), "电话".into())
            ]
        );
        assert!(key_values("no pairs here").is_err());
    }

    #[test]
    fn exit_codes_follow_the_spec() {
        let nf: anyhow::Error = store::Error::NotFound("X".into()).into();
        assert_eq!(exit_code(&nf), 4);
        let busy: anyhow::Error = store::Error::Busy.into();
        assert_eq!(exit_code(&busy.context("while importing")), 5);
        let usage: anyhow::Error = UsageError("bad".into()).into();
        assert_eq!(exit_code(&usage), 2);
        let invalid: anyhow::Error = Invalid::new("uscc", "1", "bad").into();
        assert_eq!(exit_code(&invalid), 1);
    }
}
