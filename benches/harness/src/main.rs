//! usage_db benchmarks: ingest and query speed against raw SQLite on synthetic data.
//!
//! `make bench` runs this program. `USAGE_DB_BENCH_FACTS` lists the scales in facts
//! (default `1000000,10000000`; `100000` makes a quick run), and the results go to
//! `BENCHMARKS.md` at the repository root, or to the file named by `USAGE_DB_BENCH_OUT`.

mod abi;
mod data;
mod ingest;
mod memory;
mod python;
mod queries;
mod report;

use std::path::{Path, PathBuf};

use ingest::Path as IngestPath;
use report::{ReadResult, ScaleResult};

/// Runs of each read at every scale; the report gives the median.
const READ_RUNS: usize = 7;

/// Single-row upserts timed in each mode.
const SINGLE_ROWS: u64 = 10_000;

/// Rows of the one JSON call whose peak memory is measured.
const MEMORY_ROWS: u64 = 1_000_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("memory-child") {
        memory::child(&args[2], args[3].parse().unwrap());
        return;
    }
    // Writes the data set as the Python side reads it, for profiling that side alone.
    if args.get(1).map(String::as_str) == Some("write-batches") {
        python::write_batches(Path::new(&args[2]), args[3].parse().unwrap());
        return;
    }

    // Times the bulk paths alone and prints their ratios, for work on the ingest path.
    if args.get(1).map(String::as_str) == Some("ingest-only") {
        let workdir = TempDir::new();
        let facts = args[2].parse().unwrap();
        measure_ingest(workdir.path(), facts, args[3].parse().unwrap());
        return;
    }

    let scales = scales_from_env();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let out = std::env::var("USAGE_DB_BENCH_OUT")
        .map_or_else(|_| repo.join("BENCHMARKS.md"), PathBuf::from);
    let workdir = TempDir::new();

    let mut results = Vec::new();
    for &facts in &scales {
        eprintln!("== {facts} facts");
        results.push(run_scale(&repo, workdir.path(), facts, scales[0] == facts));
    }

    let text = report::render(&scales, &results);
    std::fs::write(&out, text).unwrap();
    eprintln!("wrote {}", out.display());
}

fn scales_from_env() -> Vec<u64> {
    let text =
        std::env::var("USAGE_DB_BENCH_FACTS").unwrap_or_else(|_| "1000000,10000000".to_owned());
    text.split(',')
        .map(|n| {
            n.trim().replace('_', "").parse().unwrap_or_else(|_| {
                panic!("invalid USAGE_DB_BENCH_FACTS entry '{n}': expected a number of facts")
            })
        })
        .collect()
}

/// Ingest runs at a scale: at least 3 up to 1 M facts, 1 above, where one run of the
/// three paths takes minutes.
fn ingest_runs(facts: u64) -> usize {
    if facts <= 1_000_000 {
        3
    } else {
        1
    }
}

fn run_scale(repo: &Path, workdir: &Path, facts: u64, measure_memory: bool) -> ScaleResult {
    let db_path = |name: &str| {
        workdir
            .join(format!("{name}-{facts}.db"))
            .to_string_lossy()
            .into_owned()
    };
    let runs = ingest_runs(facts);
    let ingest = measure_ingest(workdir, facts, runs);

    // The struct-path database of the last run serves the reads and single-row writes.
    let read_db = db_path(&format!("{:?}", IngestPath::Struct));
    let db = abi::Db::open(&read_db);
    let hours = data::hours_for(facts);
    let reads = measure_reads(&db, &read_db, hours);

    let autocommit = ingest::single_rows(&db, hours + 1, SINGLE_ROWS, true);
    let in_transaction = ingest::single_rows(&db, hours + 200, SINGLE_ROWS, false);
    eprintln!(
        "single rows: {autocommit:.0}/s autocommit, {in_transaction:.0}/s in one transaction"
    );
    drop(db);
    remove_databases(workdir);

    let memory = measure_memory.then(|| {
        let peak = memory::measure(&db_path("memory"), MEMORY_ROWS);
        eprintln!("memory: {peak:?}");
        remove_databases(workdir);
        peak
    });

    let python = python::run(repo, workdir, facts, runs);
    remove_databases(workdir);

    ScaleResult {
        facts,
        hours,
        projects: data::entity_count(data::Scope::Project, hours),
        machines: data::entity_count(data::Scope::Machine, hours),
        users: data::entity_count(data::Scope::User, hours),
        ingest,
        single_autocommit: autocommit,
        single_in_transaction: in_transaction,
        reads,
        memory,
        python,
    }
}

/// Rows per second of each bulk path per run, in the order of [`ingest::PATHS`].
fn measure_ingest(workdir: &Path, facts: u64, runs: usize) -> [Vec<f64>; 3] {
    let mut rates = [Vec::new(), Vec::new(), Vec::new()];
    for run in 0..runs {
        let spent = ingest::bulk_ingest(workdir, facts);
        for (slot, path) in ingest::PATHS.into_iter().enumerate() {
            let rate = facts as f64 / spent[slot].as_secs_f64();
            let ratio = spent[0].as_secs_f64() / spent[slot].as_secs_f64();
            eprintln!(
                "ingest run {run} {}: {rate:.0} rows/s, {ratio:.2} of raw",
                path.label()
            );
            rates[slot].push(rate);
        }
    }
    rates
}

fn measure_reads(db: &abi::Db, db_path: &str, hours: u64) -> Vec<ReadResult> {
    let reads = queries::reads(hours);

    let mut latencies = vec![Vec::new(); reads.len()];
    let mut json_bytes = vec![0; reads.len()];
    for _ in 0..READ_RUNS {
        for (i, read) in reads.iter().enumerate() {
            let (ms, bytes) = queries::time_read(db, read);
            latencies[i].push(ms);
            json_bytes[i] = bytes;
        }
    }

    reads
        .iter()
        .zip(latencies)
        .zip(json_bytes)
        .map(|((read, ms), bytes)| {
            let plan = queries::query_plan(db, db_path, read);
            eprintln!("{}: median {:.3} ms", read.name, report::median(&ms));
            ReadResult {
                name: read.name,
                argument: read.argument.clone(),
                access: queries::fact_access(&plan),
                plan,
                ms,
                json_bytes: bytes,
            }
        })
        .collect()
}

fn remove_databases(workdir: &Path) {
    for entry in std::fs::read_dir(workdir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains(".db") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!("usage_db_bench_{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
