//! Opening files that are not usable usage_db databases. Each open fails with its own
//! status and a message naming the path. It leaves the file and its directory exactly as
//! they were: same bytes, same modification time, no new journal files.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::SystemTime;

use common::*;
use usage_db::UsageDbStatus;

const REPORT: &str = "REPORT ";
const OPEN_CHILD: &str = "child_process_open";
/// The unprivileged account that the permission cases run as when the tests run as root.
const NOBODY_UID: u32 = 65534;

/// Everything about a directory's entries that an open could change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    entries: BTreeMap<String, (Option<Vec<u8>>, SystemTime, u32)>,
}

/// Records each entry of `dir`: its bytes (for files), modification time and mode.
fn snapshot(dir: &Path) -> Snapshot {
    let mut entries = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("list the directory") {
        let entry = entry.expect("read a directory entry");
        let metadata = entry.metadata().expect("stat an entry");
        let bytes = metadata
            .is_file()
            .then(|| std::fs::read(entry.path()).expect("read an entry"));
        let modified = metadata.modified().expect("modification time");
        let name = entry.file_name().to_string_lossy().into_owned();
        entries.insert(name, (bytes, modified, metadata.permissions().mode()));
    }
    Snapshot { entries }
}

/// Opens `path` through the C ABI, expects `status`, and checks that the message names
/// the path and that nothing in `dir` changed.
fn assert_open_rejected(dir: &Path, path: &str, status: UsageDbStatus, message_part: &str) {
    let before = snapshot(dir);

    let failure = Db::open(path)
        .err()
        .unwrap_or_else(|| panic!("open {path} succeeded"));

    assert_eq!(
        failure.status, status,
        "status for {path}: {}",
        failure.message
    );
    assert!(
        failure.message.contains(path),
        "message names the path: {}",
        failure.message
    );
    assert!(
        failure.message.contains(message_part),
        "message says '{message_part}': {}",
        failure.message
    );
    assert_eq!(snapshot(dir), before, "the open changed {}", dir.display());
}

/// Creates a usage_db file with a few facts and closes it cleanly.
fn make_usage_db(path: &str) {
    let db = Db::open(path).expect("create a usage_db file");
    let machine = db.machine_id("m1").expect("create a machine");
    db.bulk_json(&machine_facts_json(machine, 0, 500))
        .expect("write facts");
}

#[test]
fn non_sqlite_file_is_not_a_database() {
    let dir = ScratchDir::new("hostile_text");
    let path = dir.file("notes.db");
    std::fs::write(&path, "hour,kwh\n".repeat(1_000)).expect("write a text file");

    assert_open_rejected(
        dir.path(),
        &path,
        UsageDbStatus::NotADatabase,
        "not a database",
    );
}

#[test]
fn truncated_database_is_not_a_database() {
    // Lengths cut inside the header, inside the first page, just past it, at a page
    // boundary, and one page short of the end.
    let cuts: [fn(usize) -> usize; 5] = [
        |_| 50,
        |_| 1_000,
        |_| 4_096 + 100,
        |_| 8_192,
        |len| len - 4_096,
    ];
    for cut in cuts {
        let dir = ScratchDir::new("hostile_truncated");
        let path = dir.file("usage.db");
        make_usage_db(&path);
        let full = std::fs::read(&path).expect("read the file");
        assert!(
            full.len() > 3 * 4_096,
            "the file is large enough to truncate"
        );
        std::fs::write(&path, &full[..cut(full.len())]).expect("truncate the file");

        assert_open_rejected(dir.path(), &path, UsageDbStatus::NotADatabase, "malformed");
    }
}

#[test]
fn newer_schema_version_is_rejected() {
    let dir = ScratchDir::new("hostile_newer");
    let path = dir.file("usage.db");
    make_usage_db(&path);
    let conn = rusqlite::Connection::open(&path).expect("open with SQLite");
    conn.pragma_update(None, "user_version", 99)
        .expect("raise user_version");
    drop(conn);

    assert_open_rejected(dir.path(), &path, UsageDbStatus::SchemaTooNew, "99");
}

#[test]
fn other_application_database_is_rejected() {
    let dir = ScratchDir::new("hostile_foreign");
    let path = dir.file("app.sqlite");
    let conn = rusqlite::Connection::open(&path).expect("create with SQLite");
    conn.execute_batch(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
         INSERT INTO notes (body) VALUES ('keep me');",
    )
    .expect("create another application's table");
    drop(conn);

    assert_open_rejected(
        dir.path(),
        &path,
        UsageDbStatus::NotADatabase,
        "usage_db schema",
    );
}

#[test]
fn missing_directory_is_an_io_error() {
    let dir = ScratchDir::new("hostile_missing");
    let path = dir.file("absent/usage.db");

    assert_open_rejected(dir.path(), &path, UsageDbStatus::IoError, "unable to open");
    assert!(
        !dir.path().join("absent").exists(),
        "the open created the directory"
    );
}

#[test]
fn directory_path_is_an_io_error() {
    let dir = ScratchDir::new("hostile_directory");
    let path = dir.file("usage.db");
    std::fs::create_dir(&path).expect("create a directory where the file would be");
    let inside_before = snapshot(Path::new(&path));

    assert_open_rejected(dir.path(), &path, UsageDbStatus::IoError, "unable to open");
    assert_eq!(
        snapshot(Path::new(&path)),
        inside_before,
        "the open wrote into the directory"
    );
}

// ---- Permissions ----
//
// Root ignores file modes, so when the tests run as root these cases open the file from a
// child process running as `nobody`, for which the modes hold.

#[test]
fn read_only_file_is_an_io_error() {
    let dir = ScratchDir::new("hostile_readonly");
    let path = dir.file("usage.db");
    make_usage_db(&path);
    make_accessible_to_child(dir.path(), 0o755);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))
        .expect("make the file read-only");

    let before = snapshot(dir.path());
    let (status, message) = open_in_child(&path);

    assert_eq!(status, UsageDbStatus::IoError as i32, "{message}");
    assert!(message.contains(&path), "message names the path: {message}");
    assert!(
        message.contains("needs write access"),
        "message says what to change: {message}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "the open changed the directory"
    );
}

#[test]
fn unwritable_directory_is_an_io_error() {
    let dir = ScratchDir::new("hostile_unwritable_dir");
    let db_dir = dir.path().join("ro");
    std::fs::create_dir(&db_dir).expect("create the database directory");
    let path = db_dir.join("usage.db").to_str().expect("UTF-8").to_owned();
    make_usage_db(&path);
    make_accessible_to_child(dir.path(), 0o755);
    give_to_child(&path);
    make_accessible_to_child(&db_dir, 0o555);

    let before = snapshot(&db_dir);
    let (status, message) = open_in_child(&path);

    assert_eq!(status, UsageDbStatus::IoError as i32, "{message}");
    assert!(message.contains(&path), "message names the path: {message}");
    assert!(
        message.contains("needs write access"),
        "message says what to change: {message}"
    );
    assert_eq!(snapshot(&db_dir), before, "the open changed the directory");
}

fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next().map(|uid| uid == "0"))
        .unwrap_or(false)
}

/// Sets the mode of a directory the child must traverse.
fn make_accessible_to_child(dir: &Path, mode: u32) {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
        .expect("set the directory mode");
}

/// Makes `nobody` own the file, so only the directory's mode stops it writing.
fn give_to_child(path: &str) {
    if running_as_root() {
        std::os::unix::fs::chown(path, Some(NOBODY_UID), Some(NOBODY_UID))
            .expect("give the file to nobody");
    }
}

/// Opens `path` in a child process, as `nobody` when this process is root, and returns
/// the status and message it reports.
fn open_in_child(path: &str) -> (i32, String) {
    let mut command = child_command(OPEN_CHILD, &[path.to_owned()]);
    if running_as_root() {
        command.uid(NOBODY_UID).gid(NOBODY_UID);
    }
    let mut child = command.spawn().expect("spawn the open child");

    let stdout = child.stdout.take().expect("child stdout is piped");
    let report = tagged_lines(stdout, REPORT);
    wait_success(child, "open child");

    let line = report
        .first()
        .expect("the child reports the open's outcome");
    let (status, message) = line.split_once(' ').unwrap_or((line, ""));
    (status.parse().expect("a status number"), message.to_owned())
}

#[test]
#[ignore = "child process of the permission tests; runs only when they start it"]
fn child_process_open() {
    let Some(params) = child_params() else {
        return;
    };
    let [path] = params.as_slice() else {
        panic!("open parameters: expected path, got {params:?}");
    };

    let (status, message) = match Db::open(path) {
        Ok(_) => (UsageDbStatus::Ok as i32, String::new()),
        Err(failure) => (failure.status as i32, failure.message),
    };
    println!("{REPORT}{status} {message}");
}
