//! The test harness: a temporary directory with its own database, a pinned clock and
//! operator, and an environment cleared of anything that could change the output.

use std::path::PathBuf;

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use serde_json::Value;
use tempfile::TempDir;

/// The date every test runs on.
pub const NOW: &str = "2024-06-30T09:00:00Z";

pub struct Kehu {
    dir: TempDir,
    pub db: PathBuf,
}

impl Kehu {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("kehu.db");
        Kehu { dir, db }
    }

    /// A `kehu` command on this database, English labels, operator 测试员.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kehu"));
        cmd.env_clear()
            .env("KEHU_DB", &self.db)
            .env("KEHU_OPERATOR", "测试员")
            .env("KEHU_NOW", NOW)
            .env("LANG", "C")
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        cmd
    }

    /// Starts `kehu ARGS` in the background, as [`Kehu::cmd`] would run it, output piped.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.std_cmd()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kehu starts")
    }

    /// The directory the database and the test's files are in.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn run(&self, args: &[&str]) -> Assert {
        self.cmd().args(args).assert()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).success();
        String::from_utf8(out.get_output().stdout.clone()).expect("utf-8 stdout")
    }

    /// Runs with `--format json` and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("json output")
    }

    /// Runs and expects exit `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args).code(code);
        String::from_utf8(out.get_output().stderr.clone()).expect("utf-8 stderr")
    }

    /// Writes a file beside the database (a clerk's spreadsheet) and returns its path.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write file");
        path.display().to_string()
    }

    /// Runs `kehu import ARGS --format json`, expects exit `code` and parses the summary.
    pub fn import_json(&self, args: &[&str], code: i32) -> Value {
        let mut all = vec!["import"];
        all.extend(args);
        all.extend(["--format", "json"]);
        let out = self.run(&all).code(code);
        serde_json::from_slice(&out.get_output().stdout).expect("json summary")
    }

    /// The stored customers' names, by code.
    pub fn names(&self) -> Vec<String> {
        self.json(&["list", "--sort", "code"])
            .as_array()
            .expect("a list")
            .iter()
            .map(|c| c["name"].as_str().expect("a name").to_string())
            .collect()
    }

    /// Adds a customer and returns its code.
    pub fn add(&self, args: &[&str]) -> String {
        let mut all = vec!["add"];
        all.extend(args);
        self.ok(&all).trim().to_string()
    }

    /// Direct SQL on the database, behind kehu's back (for tamper tests).
    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        conn.execute_batch(sql).expect("sql runs");
    }

    /// One value from the database.
    pub fn query(&self, sql: &str) -> String {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| match v {
                rusqlite::types::Value::Null => String::new(),
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Real(f) => f.to_string(),
                rusqlite::types::Value::Text(s) => s,
                rusqlite::types::Value::Blob(_) => "<blob>".into(),
            })
            .expect("query")
    }

    /// The whole database as text, for "nothing changed" assertions.
    pub fn dump(&self) -> String {
        if !self.db.exists() {
            return String::new();
        }
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        let mut tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // Full-text shadow tables hold index segments whose layout depends on history; the
        // virtual tables above them show the logical content, which is what must match.
        let shadow = ["_data", "_idx", "_config", "_docsize", "_content"];
        tables.retain(|t| !t.starts_with("sqlite_") && !shadow.iter().any(|s| t.ends_with(s)));
        let mut out = String::new();
        for t in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap();
            for row in rows {
                out.push_str(&format!("{t}: {}\n", row.unwrap().join(" | ")));
            }
        }
        out
    }
}
