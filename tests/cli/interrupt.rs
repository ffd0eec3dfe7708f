//! Ctrl-C in the middle of an import.

use std::time::{Duration, Instant};

use crate::common::Kehu;

/// A customers file long enough to be still importing when Ctrl-C comes: every fiftieth
/// row names a province that does not exist, so the rejects file has rows to hold.
fn long_file(k: &Kehu, rows: usize) -> String {
    let mut csv = String::from("客户名称,省份,负责人\n");
    for i in 0..rows {
        let province = if i % 50 == 0 { "火星" } else { "广东" };
        csv.push_str(&format!("深圳市第{i}号科技有限公司,{province},张伟\n"));
    }
    k.file("客户.csv", csv)
}

/// Waits until `dir` holds a file, the sign that the import is under way.
fn wait_for_a_file_in(dir: &std::path::Path) {
    let start = Instant::now();
    while std::fs::read_dir(dir).expect("dir").next().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the import never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_rolls_an_import_back_and_leaves_no_file_behind() {
    let k = Kehu::new();
    let file = long_file(&k, 40_000);
    let rejects = k.dir().join("退回");
    std::fs::create_dir(&rejects).unwrap();
    let destination = rejects.join("退回.csv");
    let import = k.spawn(&["import", &file, "--rejects", destination.to_str().unwrap()]);
    // The rejects file is first written under a temporary name beside its destination.
    wait_for_a_file_in(&rejects);
    // What Ctrl-C sends. The shell's own `kill`, which every sh has.
    let sent = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", import.id())])
        .status()
        .expect("sh runs");
    assert!(sent.success(), "SIGINT sent");
    let out = import.wait_with_output().expect("kehu ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr: {stderr}");
    assert!(
        stderr.contains("interrupted: nothing was changed"),
        "stderr: {stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(&rejects)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(k.json(&["import", "list"]), serde_json::json!([]));
    assert_eq!(k.query("SELECT count(*) FROM customers"), "0");
    assert_eq!(k.query("SELECT count(*) FROM change_log"), "0");
}

/// A load of many rows into a database of few customers writes in place, in a rollback
/// journal. Killed once it has written into the database file, it leaves the database as it
/// was: the next kehu rolls the write back from the journal, and puts WAL mode back.
#[cfg(unix)]
#[test]
fn a_bulk_load_killed_midway_leaves_the_database_as_it_was() {
    let k = Kehu::new();
    let first = k.file("老客户.csv", "客户名称,省份\n北京星辰科技有限公司,北京\n");
    k.ok(&["import", &first]);
    let before = k.dump();
    let size = std::fs::metadata(&k.db).unwrap().len();
    let file = long_file(&k, 60_000);
    let mut import = k.spawn(&["import", &file]);
    let journal = k.dir().join("kehu.db-journal");
    let start = Instant::now();
    // The pages it gives up before commit are written into the database file itself.
    while std::fs::metadata(&k.db).unwrap().len() < size + 1_000_000 {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the import ended before writing into the database file"
        );
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the import never wrote"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(journal.exists(), "the write is journalled");
    import.kill().expect("SIGKILL sent");
    import.wait().expect("kehu ends");

    let batches = k.json(&["import", "list"]);
    assert_eq!(batches.as_array().map(Vec::len), Some(1), "{batches}");
    assert_eq!(k.dump(), before);
    assert_eq!(k.query("PRAGMA integrity_check"), "ok");
    assert_eq!(k.query("PRAGMA journal_mode"), "wal");
    assert!(!journal.exists(), "the journal was played back and removed");
}
