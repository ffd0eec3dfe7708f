use std::path::PathBuf;

use rusqlite::ErrorCode;

use crate::domain::Invalid;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database {} does not exist (commands that only read never create one; `kehu add` or `kehu import` creates it)", .0.display())]
    Missing(PathBuf),
    #[error(
        "database schema version {found} is newer than this kehu supports ({supported}); use a newer kehu"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("the database is busy: another kehu is writing to it and did not finish within the busy timeout")]
    Busy,
    #[error("no customer with code {0}")]
    NotFound(String),
    #[error("{0}")]
    NotFoundOther(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A request that contradicts what is stored (a duplicate USCC, a code already taken…).
    #[error("{0}")]
    Conflict(String),
    /// The transaction stopped on request (Ctrl-C) and rolled back.
    #[error("interrupted: nothing was changed, the database is as it was")]
    Interrupted,
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Busy,
            Some(ErrorCode::OperationInterrupted) => Error::Interrupted,
            _ => Error::Sqlite(err),
        }
    }
}
