//! kehu as a black box: every test runs the real binary on a fresh database.

mod common;

mod add;
mod edit;
mod list;
mod log;
mod show;
mod tag;
