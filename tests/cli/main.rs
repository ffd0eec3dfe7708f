//! kehu as a black box: every test runs the real binary on a fresh database.

mod common;

mod add;
mod dedupe;
mod edit;
mod grade;
mod import;
mod import_contacts;
mod import_files;
mod import_headers;
mod import_kinds;
mod import_undo;
mod interrupt;
mod list;
mod log;
mod report;
mod show;
mod tag;
