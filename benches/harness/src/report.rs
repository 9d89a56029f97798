//! The Markdown report: machine, command, results per scale, and the targets.

use std::fmt::Write;
use std::process::Command;

use crate::data;
use crate::ingest::{self, Path};
use crate::memory::PeakMemory;
use crate::python::PythonResult;

pub struct ReadResult {
    pub name: &'static str,
    pub argument: String,
    pub plan: Vec<String>,
    pub access: &'static str,
    pub ms: Vec<f64>,
    pub json_bytes: usize,
}

pub struct ScaleResult {
    pub facts: u64,
    pub hours: u64,
    pub projects: u64,
    pub machines: u64,
    pub users: u64,
    /// Rows per second per run, in the order raw, struct, JSON.
    pub ingest: [Vec<f64>; 3],
    pub single_autocommit: f64,
    pub single_in_transaction: f64,
    pub reads: Vec<ReadResult>,
    pub memory: Option<PeakMemory>,
    pub python: PythonResult,
}

impl ScaleResult {
    /// Median over runs of `path`'s rate divided by the raw loop's rate in the same run.
    fn ingest_ratio(&self, path: Path) -> Ratio {
        let [raw, own] = [&self.ingest[0], &self.ingest[path as usize]];
        Ratio::of(own.iter().zip(raw).map(|(own, raw)| own / raw).collect())
    }
}

/// A ratio measured once per run: its median and its range.
struct Ratio {
    median: f64,
    min: f64,
    max: f64,
}

impl Ratio {
    fn of(values: Vec<f64>) -> Ratio {
        Ratio {
            median: median(&values),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(0.0, f64::max),
        }
    }

    fn text(&self) -> String {
        if self.min == self.max {
            format!("{:.2}", self.median)
        } else {
            format!("{:.2} ({:.2}–{:.2})", self.median, self.min, self.max)
        }
    }
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn per_second(facts: u64, seconds: &[f64]) -> Vec<f64> {
    seconds.iter().map(|s| facts as f64 / s).collect()
}

fn scale_label(facts: u64) -> String {
    match facts {
        n if n % 1_000_000 == 0 => format!("{} M", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{} k", n / 1_000),
        n => n.to_string(),
    }
}

pub fn render(scales: &[u64], results: &[ScaleResult]) -> String {
    let mut out = String::new();
    header(&mut out, scales, results);
    bulk_ingest(&mut out, results);
    single_rows(&mut out, results);
    reads(&mut out, results);
    memory(&mut out, results);
    python(&mut out, results);
    targets(&mut out, results);
    out
}

fn header(out: &mut String, scales: &[u64], results: &[ScaleResult]) {
    let scale_list = scales
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Ingest and query speed of usage_db against raw SQLite, written by `make bench` \
         (the program in `benches/harness`, with `benches/python_ingest.py`).\n"
    );
    let _ = writeln!(
        out,
        "- Command: `USAGE_DB_BENCH_FACTS={scale_list} make bench`"
    );
    let _ = writeln!(out, "- Date: {}", shell("date -u '+%Y-%m-%d %H:%M UTC'"));
    let _ = writeln!(out, "- Machine: {}", machine());
    let _ = writeln!(
        out,
        "- SQLite {} (bundled, used by the library and the raw loop)",
        rusqlite::version()
    );
    if let Some(first) = results.first() {
        let _ = writeln!(out, "- Python side: {}", first.python.versions);
    }
    let _ = writeln!(
        out,
        "\nThe machine's 2 cores were shared with other jobs during the run, so absolute \
         numbers are noisy; each comparison is a ratio of two measurements taken in the \
         same run, back to back. Ranges in brackets are the lowest and highest ratio over \
         the runs.\n"
    );

    let _ = writeln!(out, "## Data\n");
    let _ = writeln!(
        out,
        "Deterministic synthetic facts (`benches/harness/src/data.rs`), written in time order \
         into a database file in a temporary directory. Every hour holds {} facts: one \
         platform (ada) fact, {} projects, {} machines and {} users, each active entity \
         reporting every hour. Projects live 200 days, machines 100, users 60, and then a new \
         entity takes the slot, so a larger data set is a longer history with more entities, \
         while one project's series and one day's window hold the same number of rows at \
         every scale. Machine facts carry a stored intensity, the others do not.\n",
        data::FACTS_PER_HOUR,
        data::ACTIVE_PROJECTS,
        data::ACTIVE_MACHINES,
        data::ACTIVE_USERS
    );
    let _ = writeln!(
        out,
        "| facts | hours | days | projects | machines | users | groups |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            scale_label(r.facts),
            r.hours,
            r.hours / 24,
            r.projects,
            r.machines,
            r.users,
            data::GROUPS
        );
    }
    let _ = writeln!(out);
}

fn bulk_ingest(out: &mut String, results: &[ScaleResult]) {
    let _ = writeln!(out, "## 1. Bulk ingest through the C ABI\n");
    let _ = writeln!(
        out,
        "All facts into an empty database (entities already created) in one transaction \
         (`usage_db_begin` / `usage_db_commit` around the calls), in calls of {} rows. \
         Building the JSON text or the struct array is not timed. The raw loop is a plain \
         rusqlite connection on a file the library created, with the library's settings \
         (WAL, `synchronous=NORMAL`, foreign keys on) and the library's per-scope upsert \
         statements, prepared once and bound from typed values, with no validation. Ratio is \
         the path's rate over the raw loop's rate in the same run.\n",
        ingest::BATCH
    );
    let _ = writeln!(
        out,
        "| facts | path | runs | median rows/s | ratio to raw |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for r in results {
        for path in [Path::Raw, Path::Struct, Path::Json] {
            let rates = &r.ingest[path as usize];
            let ratio = if path == Path::Raw {
                "1".to_owned()
            } else {
                r.ingest_ratio(path).text()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {} |",
                scale_label(r.facts),
                path.label(),
                rates.len(),
                median(rates),
                ratio
            );
        }
    }
    let _ = writeln!(out);
}

fn single_rows(out: &mut String, results: &[ScaleResult]) {
    let _ = writeln!(out, "## 2. Single-row upserts through the C ABI\n");
    let _ = writeln!(
        out,
        "`usage_db_insert_fact_usage` of new facts (the hours after the history) into the \
         loaded database, 10000 rows each way, once.\n"
    );
    let _ = writeln!(
        out,
        "| facts | autocommit rows/s | in one transaction rows/s |"
    );
    let _ = writeln!(out, "|---|---|---|");
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} |",
            scale_label(r.facts),
            r.single_autocommit,
            r.single_in_transaction
        );
    }
    let _ = writeln!(out);
}

fn reads(out: &mut String, results: &[ScaleResult]) {
    let (Some(first), Some(last)) = (results.first(), results.last()) else {
        return;
    };
    let _ = writeln!(out, "## 3. Read latency\n");
    let _ = writeln!(
        out,
        "Through the C ABI, JSON serialisation and `usage_db_string_free` included, on the \
         struct-path database just loaded (warm OS cache). Median of {} runs per read. \
         Windows start in the middle of the history; the series is of a project active \
         there. \"Access\" classifies the plan's steps on `fact_usage`.\n",
        first.reads[0].ms.len()
    );

    let scale_columns: Vec<String> = results
        .iter()
        .map(|r| format!("{} ms", scale_label(r.facts)))
        .collect();
    let _ = writeln!(
        out,
        "| read | argument | {} | {} / {} | JSON bytes ({}) | access ({}) |",
        scale_columns.join(" | "),
        scale_label(last.facts),
        scale_label(first.facts),
        scale_label(last.facts),
        scale_label(last.facts)
    );
    let _ = writeln!(out, "|---|---|{}---|---|---|", "---|".repeat(results.len()));
    for (i, read) in last.reads.iter().enumerate() {
        let medians: Vec<f64> = results.iter().map(|r| median(&r.reads[i].ms)).collect();
        let cells: Vec<String> = medians.iter().map(|m| format!("{m:.3}")).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {:.2} | {} | {} |",
            read.name,
            read.argument,
            cells.join(" | "),
            medians[medians.len() - 1] / medians[0],
            read.json_bytes,
            read.access
        );
    }

    let _ = writeln!(
        out,
        "\n`EXPLAIN QUERY PLAN` at {} facts:\n",
        scale_label(last.facts)
    );
    for read in &last.reads {
        let _ = writeln!(
            out,
            "`{}`:\n\n```text\n{}\n```\n",
            read.name,
            read.plan.join("\n")
        );
    }
}

fn memory(out: &mut String, results: &[ScaleResult]) {
    let Some(peak) = results.iter().find_map(|r| r.memory.as_ref()) else {
        return;
    };
    let _ = writeln!(out, "## 4. Peak memory of one JSON bulk ingest\n");
    let _ = writeln!(
        out,
        "One `usage_db_bulk_insert_fact_usage` call of 1000000 rows into an empty database, in \
         a child process: VmHWM after the call minus VmRSS before it, with the high-water mark \
         reset (`/proc/self/clear_refs`) after the JSON text was built.\n"
    );
    let _ = writeln!(
        out,
        "| JSON text | peak growth during the call | growth / text |"
    );
    let _ = writeln!(out, "|---|---|---|");
    let _ = writeln!(
        out,
        "| {:.1} MiB | {:.1} MiB | {:.2} |\n",
        mib(peak.json_bytes),
        mib(peak.peak_growth),
        peak.peak_growth as f64 / peak.json_bytes as f64
    );
}

fn python(out: &mut String, results: &[ScaleResult]) {
    let _ = writeln!(out, "## 5 and 6. Ingest from Python\n");
    let _ = writeln!(
        out,
        "The same facts, read back from JSON batches of {} rows, each way in one \
         transaction into its own copy of an empty database. \"binding\" is \
         `UsageDB.bulk_insert_fact_usage(batch)` of the row dicts through `bindings/python` \
         (validation and timestamp normalisation included); \"ctypes\" is one `json.dumps` \
         of the batch plus the same C call made directly. \"executemany\" is the `sqlite3` \
         module's `executemany` of prebuilt tuples (building them is not timed) with one \
         upsert statement for all scopes (`ON CONFLICT DO UPDATE` with no target). \
         \"drafted\" is that `executemany` into the same tables with the first-drafted index \
         set: separate indexes on ts, on scope and on each of project_id, machine_id and \
         user_id where not NULL, and one unique index on (scope, ts, coalesce(project_id, -1), \
         coalesce(machine_id, -1), coalesce(user_id, '')). Ratios are of rates.\n",
        ingest::BATCH
    );
    let _ = writeln!(
        out,
        "| facts | runs | binding rows/s | ctypes rows/s | executemany rows/s | drafted rows/s | binding / executemany | ctypes / executemany | ours / drafted |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    for r in results {
        let p = &r.python;
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {} |",
            scale_label(r.facts),
            p.binding.len(),
            median(&per_second(p.rows, &p.binding)),
            median(&per_second(p.rows, &p.ctypes)),
            median(&per_second(p.rows, &p.executemany)),
            median(&per_second(p.rows, &p.drafted)),
            speed_ratio(&p.binding, &p.executemany).text(),
            speed_ratio(&p.ctypes, &p.executemany).text(),
            speed_ratio(&p.executemany, &p.drafted).text()
        );
    }
    let _ = writeln!(out);
}

/// Rate of `way` over rate of `baseline`, run by run, from the seconds each took.
fn speed_ratio(way: &[f64], baseline: &[f64]) -> Ratio {
    Ratio::of(baseline.iter().zip(way).map(|(b, w)| b / w).collect())
}

fn targets(out: &mut String, results: &[ScaleResult]) {
    let _ = writeln!(out, "## Targets\n");
    let _ = writeln!(out, "| target | measured | holds |");
    let _ = writeln!(out, "|---|---|---|");
    let mut row = |target: String, measured: String, holds: bool| {
        let _ = writeln!(
            out,
            "| {target} | {measured} | {} |",
            if holds { "yes" } else { "**no**" }
        );
    };

    for r in results {
        let scale = scale_label(r.facts);
        let struct_ratio = r.ingest_ratio(Path::Struct).median;
        let json_ratio = r.ingest_ratio(Path::Json).median;
        row(
            format!("C ABI struct ingest ≥ 0.85 × raw ({scale})"),
            format!("{struct_ratio:.2}"),
            struct_ratio >= 0.85,
        );
        row(
            format!("C ABI JSON ingest ≥ 0.6 × raw ({scale})"),
            format!("{json_ratio:.2}"),
            json_ratio >= 0.6,
        );

        let python_ratio = speed_ratio(&r.python.binding, &r.python.executemany).median;
        row(
            format!("Python binding ingest ≥ 0.9 × executemany ({scale})"),
            format!("{python_ratio:.2}"),
            python_ratio >= 0.9,
        );

        let drafted = speed_ratio(&r.python.executemany, &r.python.drafted).median;
        let table_scans: Vec<&str> = r
            .reads
            .iter()
            .filter(|q| q.access == "TABLE SCAN")
            .map(|q| q.name)
            .collect();
        row(
            format!("our indexes ingest ≥ 2 × the drafted set, every read index-served ({scale})"),
            format!(
                "{drafted:.2}; table scans: {}",
                if table_scans.is_empty() {
                    "none".to_owned()
                } else {
                    table_scans.join(", ")
                }
            ),
            drafted >= 2.0 && table_scans.is_empty(),
        );
    }

    if let (Some(first), Some(last)) = (results.first(), results.last()) {
        if first.facts != last.facts {
            for (i, read) in last.reads.iter().enumerate().take(4) {
                let growth = median(&read.ms) / median(&first.reads[i].ms);
                row(
                    format!(
                        "`{}` grows < 1.5 × from {} to {}",
                        read.name,
                        scale_label(first.facts),
                        scale_label(last.facts)
                    ),
                    format!("{growth:.2}"),
                    growth < 1.5,
                );
            }
        }
    }

    if let Some(peak) = results.iter().find_map(|r| r.memory.as_ref()) {
        let ratio = peak.peak_growth as f64 / peak.json_bytes as f64;
        row(
            "1 M-row JSON ingest peak memory ≤ 2 × the JSON text".to_owned(),
            format!("{ratio:.2}"),
            ratio <= 2.0,
        );
    }
    let _ = writeln!(out);
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|rest| rest.split(':').nth(1))
        })
        .map_or("unknown CPU".to_owned(), |m| m.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    format!(
        "{cores} cores, {model}, {:.1} GiB memory, {}",
        mem_kib as f64 / 1048576.0,
        shell("uname -sr")
    )
}

fn shell(command: &str) -> String {
    Command::new("sh")
        .args(["-c", command])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
