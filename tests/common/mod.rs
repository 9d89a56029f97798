//! Helpers shared by the reliability tests: scratch directories, fact builders, a safe
//! wrapper over the C ABI handle, child processes that re-run this test binary, and the
//! scale factor that `make stress` raises.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::borrow::Cow;
use std::ffi::{c_char, CStr, CString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{NaiveDate, TimeDelta};
use usage_db::core::{FactInput, OpenOptions, Store};
use usage_db::ffi::{self, UsageDb, UsageDbOpenOptions};
use usage_db::UsageDbStatus;

/// Environment variable that carries a child process's parameters.
pub const CHILD_PARAMS_ENV: &str = "USAGE_DB_RELIABILITY_CHILD";

/// Environment variable that multiplies durations, batch counts and kill points;
/// `make stress` sets it.
pub const STRESS_SCALE_ENV: &str = "USAGE_DB_STRESS_SCALE";

/// Returns the stress multiplier: 1 in `make test`, larger under `make stress`.
pub fn stress_scale() -> u32 {
    std::env::var(STRESS_SCALE_ENV)
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&scale| scale >= 1)
        .unwrap_or(1)
}

/// A directory under the system temp dir, removed with everything in it on drop.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    pub fn new(label: &str) -> ScratchDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);

        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("usage_db_{label}_{}_{nanos}_{unique}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        ScratchDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Path of `name` inside the directory, as the UTF-8 string the APIs take.
    pub fn file(&self, name: &str) -> String {
        self.path
            .join(name)
            .to_str()
            .expect("UTF-8 temp path")
            .to_owned()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // A test may have made a subdirectory read-only; restore it so removal works.
        restore_permissions(&self.path);
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;

    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            restore_permissions(&entry.path());
        }
    }
}

/// Returns the timestamp `hour` hours after 2000-01-01T00:00:00Z, in the stored form.
pub fn hour_ts(hour: i64) -> String {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid epoch");
    (epoch + TimeDelta::hours(hour))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Builds a machine-scope fact for `machine_id` at `hour` with the given busy and idle
/// energy.
pub fn machine_fact(
    machine_id: i64,
    hour: i64,
    busy_kwh: f64,
    idle_kwh: f64,
) -> FactInput<'static> {
    FactInput {
        scope: Cow::Borrowed("machine"),
        ts_iso_utc: Cow::Owned(hour_ts(hour)),
        project_id: None,
        machine_id: Some(machine_id),
        user_id: None,
        metrics: [0.0, 0.0, busy_kwh, idle_kwh, 0.0, 0.0],
        intensity_gco2eq_kwh: None,
    }
}

/// Builds a JSON array of machine-scope facts for hours `first_hour..first_hour + count`,
/// each with `busy_kwh` 1.0.
pub fn machine_facts_json(machine_id: i64, first_hour: i64, count: usize) -> String {
    let mut json = String::with_capacity(count * 96 + 2);
    json.push('[');
    for i in 0..count {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            r#"{{"scope":"machine","machine_id":{machine_id},"ts_iso_utc":"{}","busy_kwh":1.0}}"#,
            hour_ts(first_hour + i as i64)
        ));
    }
    json.push(']');
    json
}

pub fn open_store(path: &str) -> Store {
    Store::open(path, OpenOptions::default()).unwrap_or_else(|e| panic!("open {path}: {e}"))
}

/// Runs a query that returns one integer.
pub fn query_i64(store: &Store, sql: &str) -> i64 {
    store
        .connection()
        .query_row(sql, [], |row| row.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub fn fact_count(store: &Store) -> i64 {
    query_i64(store, "SELECT count(*) FROM fact_usage")
}

/// Runs `PRAGMA integrity_check` and returns its rows, `"ok"` for a sound file.
pub fn integrity_check(store: &Store) -> String {
    let rows: Vec<String> = store
        .connection()
        .prepare("PRAGMA integrity_check")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .expect("PRAGMA integrity_check runs");
    rows.join("; ")
}

/// A failed C ABI call: its status and the thread's last error message.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: UsageDbStatus,
    pub message: String,
}

/// Turns a status into a result, reading the message of a failure.
pub fn check(status: UsageDbStatus) -> Result<(), Failure> {
    if status == UsageDbStatus::Ok {
        return Ok(());
    }
    Err(Failure {
        status,
        message: last_error(),
    })
}

pub fn last_error() -> String {
    // SAFETY: the library returns a valid NUL-terminated string owned by this thread.
    unsafe { CStr::from_ptr(ffi::usage_db_last_error()) }
        .to_string_lossy()
        .into_owned()
}

pub fn c_string(text: &str) -> CString {
    CString::new(text).expect("no NUL inside a test string")
}

/// Copies a string returned through `char **` and frees the original.
///
/// # Safety
/// `text` is a non-NULL pointer returned by the library and not yet freed.
pub unsafe fn take_string(text: *mut c_char) -> String {
    let copy = CStr::from_ptr(text).to_string_lossy().into_owned();
    ffi::usage_db_string_free(text);
    copy
}

/// A handle opened through the C ABI and closed on drop.
pub struct Db {
    raw: *mut UsageDb,
}

// SAFETY: the C contract lets one handle be used from several threads at once, because
// the library serialises calls on it.
unsafe impl Send for Db {}
unsafe impl Sync for Db {}

impl Db {
    pub fn open(path: &str) -> Result<Db, Failure> {
        Db::open_with(path, None)
    }

    pub fn open_with(path: &str, options: Option<UsageDbOpenOptions>) -> Result<Db, Failure> {
        let path = c_string(path);
        let options_ptr = options
            .as_ref()
            .map_or(std::ptr::null(), |o| o as *const UsageDbOpenOptions);
        let mut raw = std::ptr::NonNull::<UsageDb>::dangling().as_ptr();

        // SAFETY: every pointer is valid for the call.
        let status = unsafe { ffi::usage_db_open(path.as_ptr(), options_ptr, &mut raw) };
        let opened = check(status);
        if let Err(failure) = opened {
            assert!(raw.is_null(), "a failed open must set *out_db to NULL");
            return Err(failure);
        }
        Ok(Db { raw })
    }

    pub fn raw(&self) -> *mut UsageDb {
        self.raw
    }

    /// Runs `usage_db_q` and returns the JSON text.
    pub fn q(&self, sql: &str, params_json: Option<&str>) -> Result<String, Failure> {
        let sql = c_string(sql);
        let params = params_json.map(c_string);
        let params_ptr = params.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
        let mut out = std::ptr::null_mut();

        // SAFETY: the handle is live and every pointer is valid for the call.
        check(unsafe { ffi::usage_db_q(self.raw, sql.as_ptr(), params_ptr, &mut out) })?;
        // SAFETY: on success `out` is a string the library allocated.
        Ok(unsafe { take_string(out) })
    }

    /// Runs a `char **`-returning read such as `usage_db_machine_totals`.
    pub fn read(
        &self,
        read: unsafe extern "C" fn(*mut UsageDb, *mut *mut c_char) -> UsageDbStatus,
    ) -> Result<String, Failure> {
        let mut out = std::ptr::null_mut();
        // SAFETY: the handle is live and `out` is writable.
        check(unsafe { read(self.raw, &mut out) })?;
        // SAFETY: on success `out` is a string the library allocated.
        Ok(unsafe { take_string(out) })
    }

    pub fn machine_id(&self, name: &str) -> Result<i64, Failure> {
        let name = c_string(name);
        let mut id = 0;
        // SAFETY: the handle is live and every pointer is valid for the call.
        check(unsafe { ffi::usage_db_get_or_create_machine(self.raw, name.as_ptr(), &mut id) })?;
        Ok(id)
    }

    pub fn bulk_json(&self, rows_json: &str) -> Result<usize, Failure> {
        let rows = c_string(rows_json);
        let mut count = 0;
        // SAFETY: the handle is live and every pointer is valid for the call.
        check(unsafe {
            ffi::usage_db_bulk_insert_fact_usage(self.raw, rows.as_ptr(), &mut count)
        })?;
        Ok(count)
    }

    /// Reads the single integer column of a one-row query through `usage_db_q`.
    pub fn q_i64(&self, sql: &str) -> i64 {
        let json = self.q(sql, None).unwrap_or_else(|f| panic!("{sql}: {f:?}"));
        let rows: serde_json::Value = serde_json::from_str(&json).expect("q returns JSON");
        let row = rows[0].as_object().expect("one row");
        row.values()
            .next()
            .and_then(|v| v.as_i64())
            .expect("an integer column")
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        // SAFETY: `raw` came from usage_db_open and is closed exactly once.
        unsafe { ffi::usage_db_close(self.raw) };
    }
}

/// Builds a machine-scope C struct; `ts` must outlive every use of the result.
pub fn machine_fact_struct(machine_id: i64, ts: &CStr, busy_kwh: f64) -> ffi::UsageDbFact {
    ffi::UsageDbFact {
        scope: c"machine".as_ptr(),
        ts_iso_utc: ts.as_ptr(),
        has_project_id: false,
        project_id: 0,
        has_machine_id: true,
        machine_id,
        user_id: std::ptr::null(),
        busy_cpu_seconds_total: 0.0,
        idle_cpu_seconds_total: 0.0,
        busy_kwh,
        idle_kwh: 0.0,
        busy_gCo2eq: 0.0,
        idle_gCo2eq: 0.0,
        has_intensity: false,
        intensity_gCo2eq_kwh: 0.0,
    }
}

/// Returns the parameters given to this process when it runs as a child, if it is one.
pub fn child_params() -> Option<Vec<String>> {
    let params = std::env::var(CHILD_PARAMS_ENV).ok()?;
    Some(params.split('|').map(str::to_owned).collect())
}

/// Re-runs this test binary so that it executes only the ignored test `child_test`, with
/// `params` joined by `|` in the environment and stdout piped back.
pub fn spawn_child(child_test: &str, params: &[String]) -> Child {
    child_command(child_test, params)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn child {child_test}: {e}"))
}

/// Builds the command that [`spawn_child`] runs, for callers that change it (for example
/// its user).
pub fn child_command(child_test: &str, params: &[String]) -> Command {
    let exe = std::env::current_exe().expect("path of the test binary");
    let mut command = Command::new(exe);
    command
        .args([
            "--exact",
            child_test,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_PARAMS_ENV, params.join("|"))
        .env_remove(STRESS_SCALE_ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    command
}

/// Returns what follows `tag` on each stdout line of a child that contains it. The test harness
/// prints its own text too, on the same line as the child's first output, so children
/// mark theirs.
pub fn tagged_lines(stdout: ChildStdout, tag: &str) -> Vec<String> {
    BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| line.split_once(tag).map(|(_, rest)| rest.to_owned()))
        .collect()
}

/// Waits for a child and fails the test, with the child's name, unless it exited with 0.
pub fn wait_success(mut child: Child, name: &str) {
    let status = child
        .wait()
        .unwrap_or_else(|e| panic!("wait for {name}: {e}"));
    assert!(status.success(), "{name} failed: {status}");
}
