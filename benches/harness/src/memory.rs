//! Peak resident memory of one large JSON bulk ingest, measured in a child process so
//! that nothing the parent allocated counts.

use std::ffi::CString;
use std::process::Command;

use crate::data;
use crate::ingest;

/// Sizes the child reports, in bytes.
#[derive(Debug)]
pub struct PeakMemory {
    pub json_bytes: u64,
    /// VmHWM after the call minus VmRSS before it, with the high-water mark reset once
    /// the JSON text was built.
    pub peak_growth: u64,
}

/// Runs this program as a child (`memory-child DB ROWS`) and parses its one line.
pub fn measure(db_path: &str, rows: u64) -> PeakMemory {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["memory-child", db_path, &rows.to_string()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "memory child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let numbers: Vec<u64> = stdout
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    PeakMemory {
        json_bytes: numbers[0],
        peak_growth: numbers[1],
    }
}

/// Builds the text, resets the high-water mark and ingests in one call: the child's side.
pub fn child(db_path: &str, rows: u64) {
    let db = ingest::prepare_database(db_path, rows);
    let json = CString::new(data::rows_to_json(&data::rows_range(0, rows))).unwrap();

    // "5" resets VmHWM to the current RSS (Linux 4.0 and later), so the peak of building
    // the text does not count.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmRSS");

    let written = db.bulk_json(&json);
    assert_eq!(written as u64, rows);

    let peak = status_kib("VmHWM");
    println!(
        "{} {}",
        json.as_bytes().len(),
        peak.saturating_sub(before) * 1024
    );
}

/// Reads a field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with(&format!("{field}:")))
        .unwrap_or_else(|| panic!("/proc/self/status has no {field}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
