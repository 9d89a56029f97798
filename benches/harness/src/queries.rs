//! Read latency through the C ABI, JSON serialisation and freeing included, and the
//! query plan of each read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_char, CString};
use std::time::Instant;

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::types::Value;
use rusqlite::Connection;
use usage_db::core::reports;
use usage_db::ffi::*;
use usage_db::UsageDbStatus;

use crate::abi::Db;
use crate::data;

/// A C ABI read: the handle and the out parameter for its JSON.
type AbiRead = Box<dyn Fn(*mut UsageDb, *mut *mut c_char) -> UsageDbStatus>;

/// The same read through the core's report function, on a given connection.
type CoreRead = Box<dyn Fn(&Connection) -> usage_db::Result<String>>;

/// One read: its C ABI call, and the same read through the core, which runs on a traced
/// connection to yield the SQL the library runs, for its plan.
pub struct Read {
    pub name: &'static str,
    /// The window, key or span the read covers, for the report.
    pub argument: String,
    /// The values the library binds, in parameter order.
    params: Vec<Value>,
    call: AbiRead,
    core: CoreRead,
}

/// Groups returned by `top_groups_by_energy`.
const TOP_N: i64 = 10;

/// Lists the reads of the benchmark on a history of `hours` hours. Windows and the series sit
/// in the middle of the history.
pub fn reads(hours: u64) -> Vec<Read> {
    let middle = hours / 2 / 24 * 24;
    let day = (
        data::hour_timestamp(middle),
        data::hour_timestamp(middle + 24),
    );
    let week = (
        data::hour_timestamp(middle),
        data::hour_timestamp(middle + 7 * 24),
    );
    let project = data::project_name(data::project_active_at(middle));

    vec![
        series(project),
        window("project_energy_carbon_between", "one day", day.clone()),
        window("top_groups_by_energy", "one week", week),
        window("machine_utilization_share", "one day", day),
        view("project_totals", "v_project_totals"),
        view("group_averages", "v_group_averages"),
    ]
}

fn series(project: String) -> Read {
    let c_project = CString::new(project.clone()).unwrap();
    let core_project = project.clone();

    Read {
        name: "project_timeseries",
        argument: format!("'{project}'"),
        params: vec![Value::Text(project)],
        call: Box::new(move |db, out| unsafe {
            usage_db_project_timeseries(db, c_project.as_ptr(), out)
        }),
        core: Box::new(move |conn| reports::project_timeseries(conn, &core_project)),
    }
}

fn window(name: &'static str, span: &str, (from, to): (String, String)) -> Read {
    let (c_from, c_to) = (
        CString::new(from.clone()).unwrap(),
        CString::new(to.clone()).unwrap(),
    );
    let mut params = vec![Value::Text(from.clone()), Value::Text(to.clone())];
    let mut argument = format!("{span} from {from}");
    if name == "top_groups_by_energy" {
        params.push(Value::Integer(TOP_N));
        argument += &format!(", n = {TOP_N}");
    }

    Read {
        name,
        argument,
        params,
        call: Box::new(move |db, out| unsafe {
            let (from, to) = (c_from.as_ptr(), c_to.as_ptr());
            match name {
                "top_groups_by_energy" => usage_db_top_groups_by_energy(db, from, to, TOP_N, out),
                "project_energy_carbon_between" => {
                    usage_db_project_energy_carbon_between(db, from, to, out)
                }
                _ => usage_db_machine_utilization_share(db, from, to, out),
            }
        }),
        core: Box::new(move |conn| match name {
            "top_groups_by_energy" => reports::top_groups_by_energy(conn, &from, &to, TOP_N),
            "project_energy_carbon_between" => {
                reports::project_energy_carbon_between(conn, &from, &to)
            }
            _ => reports::machine_utilization_share(conn, &from, &to),
        }),
    }
}

fn view(name: &'static str, view_name: &'static str) -> Read {
    Read {
        name,
        argument: "all time".to_owned(),
        params: Vec::new(),
        call: Box::new(move |db, out| unsafe {
            match name {
                "project_totals" => usage_db_project_totals(db, out),
                _ => usage_db_group_averages(db, out),
            }
        }),
        core: Box::new(move |conn| reports::view(conn, name, view_name)),
    }
}

/// Latency of one read in milliseconds, and its JSON length in bytes.
pub fn time_read(db: &Db, read: &Read) -> (f64, usize) {
    let start = Instant::now();
    let json = db.read(read.name, |db, out| (read.call)(db, out));
    (start.elapsed().as_secs_f64() * 1e3, json.len())
}

thread_local! {
    /// Statements started on the traced connection, as prepared (parameters unexpanded).
    static TRACED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn record_statement(event: TraceEvent) {
    if let TraceEvent::Stmt(statement, _) = event {
        TRACED.with(|traced| traced.borrow_mut().push(statement.sql().into_owned()));
    }
}

/// Returns the `EXPLAIN QUERY PLAN` of the statement the library runs for a read, one line per step,
/// indented by depth. The statement is captured by running the core's own report
/// function on a traced connection, whose result must equal the C ABI's.
pub fn query_plan(db: &Db, db_path: &str, read: &Read) -> Vec<String> {
    let conn =
        Connection::open_with_flags(db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    TRACED.with(|traced| traced.borrow_mut().clear());
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record_statement));
    let through_core = (read.core)(&conn).unwrap();
    conn.trace_v2(TraceEventCodes::empty(), None);

    let through_abi = db.read(read.name, |db, out| (read.call)(db, out));
    assert!(
        through_core == through_abi,
        "{}: the core and the C ABI return different rows",
        read.name
    );
    assert!(
        through_abi.len() > 2,
        "{}: the read returned no rows",
        read.name
    );

    let sql = TRACED
        .with(|traced| traced.borrow().last().cloned())
        .expect("the read ran no statement");
    let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let steps = statement
        .query_map(rusqlite::params_from_iter(&read.params), |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(3)?,
            ))
        })
        .unwrap();

    let mut depth_of = HashMap::new();
    let mut lines = Vec::new();
    for step in steps {
        let (id, parent, detail) = step.unwrap();
        let depth = depth_of.get(&parent).map_or(0, |d| d + 1);
        depth_of.insert(id, depth);
        lines.push(format!("{}{detail}", "  ".repeat(depth)));
    }
    lines
}

/// Classifies how a plan reads `fact_usage` (alias `f`): "index range" when every step is a
/// SEARCH on an index, "index scan" when some step walks a whole index, "TABLE SCAN"
/// when some step reads the table itself.
pub fn fact_access(plan: &[String]) -> &'static str {
    let steps: Vec<&str> = plan
        .iter()
        .map(|line| line.trim())
        .filter(|line| line.starts_with("SCAN f") || line.starts_with("SEARCH f"))
        .collect();

    if steps.is_empty() || steps.iter().any(|step| !step.contains("INDEX")) {
        "TABLE SCAN"
    } else if steps.iter().any(|step| step.starts_with("SCAN")) {
        "index scan"
    } else {
        "index range"
    }
}
