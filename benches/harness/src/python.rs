//! The Python-side ingest comparison, run by `benches/python_ingest.py`.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::data;
use crate::ingest;

/// Seconds per run of each way the Python script times, and the rows each wrote.
#[derive(Debug)]
pub struct PythonResult {
    pub rows: u64,
    pub binding: Vec<f64>,
    pub ctypes: Vec<f64>,
    pub executemany: Vec<f64>,
    pub drafted: Vec<f64>,
    pub versions: String,
}

/// Writes the data set as JSON batches and a template database, then runs the script.
pub fn run(repo: &Path, workdir: &Path, facts: u64, runs: usize) -> PythonResult {
    let batches = workdir.join(format!("batches-{facts}.jsonl"));
    let template = workdir.join(format!("template-{facts}.db"));
    write_batches(&batches, facts);
    drop(ingest::prepare_database(&template.to_string_lossy(), facts));

    let output = Command::new("python3")
        .arg(repo.join("benches/python_ingest.py"))
        .arg("--library")
        .arg(repo.join("target/release/libusage_db.so"))
        .arg("--template")
        .arg(&template)
        .arg("--batches")
        .arg(&batches)
        .arg("--workdir")
        .arg(workdir)
        .arg("--runs")
        .arg(runs.to_string())
        .output()
        .unwrap();
    std::fs::remove_file(&batches).unwrap();
    assert!(
        output.status.success(),
        "python_ingest.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let seconds = |way: &str| -> Vec<f64> {
        result["seconds"][way]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_f64().unwrap())
            .collect()
    };
    let parsed = PythonResult {
        rows: result["rows"].as_u64().unwrap(),
        binding: seconds("binding"),
        ctypes: seconds("ctypes"),
        executemany: seconds("executemany"),
        drafted: seconds("drafted"),
        versions: format!(
            "Python {}, its sqlite3 module on SQLite {}",
            result["python"].as_str().unwrap(),
            result["sqlite"].as_str().unwrap()
        ),
    };
    assert_eq!(
        parsed.rows, facts,
        "python_ingest.py wrote another number of rows"
    );
    eprintln!("python: {parsed:?}");
    parsed
}

pub fn write_batches(path: &Path, facts: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for offset in (0..facts).step_by(ingest::BATCH as usize) {
        let rows = data::rows_range(offset, ingest::BATCH.min(facts - offset));
        file.write_all(data::rows_to_json(&rows).as_bytes())
            .unwrap();
        file.write_all(b"\n").unwrap();
    }
}
