//! `kehu config`: settings kept in the database.

use anyhow::Result;
use clap::{Args, Subcommand};

use super::{Context, Status, UsageError};
use crate::domain::code::{CodePattern, DEFAULT_PATTERN};

/// Settings kept in the database.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print a setting.
    Get {
        /// code-pattern
        key: String,
    },
    /// Change a setting, e.g. `kehu config set code-pattern '{yyyy}{mm}-{seq:04}'`.
    Set { key: String, value: String },
}

const KEYS: &str = "code-pattern";

fn storage_key(key: &str) -> Result<&'static str, UsageError> {
    match key {
        "code-pattern" | "code_pattern" => Ok("code_pattern"),
        _ => Err(UsageError(format!("unknown setting {key} (settings: {KEYS})"))),
    }
}

pub fn run(ctx: &Context, args: ConfigArgs) -> Result<Status> {
    match args.command {
        ConfigCommand::Get { key } => {
            let key = storage_key(&key)?;
            let value = ctx.read()?.setting(key)?;
            ctx.out.line(value.as_deref().unwrap_or(DEFAULT_PATTERN))?;
        }
        ConfigCommand::Set { key, value } => {
            let key = storage_key(&key)?;
            let pattern = CodePattern::parse(value.trim()).map_err(UsageError)?;
            let mut store = ctx.write()?;
            store.write(&ctx.actor, |w| {
                let before = w.setting(key)?;
                w.set_setting(key, pattern.as_str())?;
                w.log(
                    "config",
                    None,
                    None,
                    &[crate::domain::Change::new(
                        key,
                        before,
                        Some(pattern.as_str().to_string()),
                    )],
                )
            })?;
            ctx.out.status(&format!("{key} = {}", pattern.as_str()));
        }
    }
    Ok(Status::Ok)
}
