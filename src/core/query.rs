//! The SQL escape hatch: `q` runs one read-only statement, `execute_write` one statement
//! that may write. Both take parameters as JSON.

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::Value;
use rusqlite::{Connection, Statement};

use super::error::{Error, Result, UsageDbStatus};
use super::json_out::rows_to_json;
use super::store::Store;

/// Pragmas that only report, allowed in `q` with or without an argument.
const REPORTING_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
];

/// Pragmas allowed in `q` only without a value, since with one they change a setting.
const SETTING_PRAGMAS: &[&str] = &[
    "user_version",
    "schema_version",
    "application_id",
    "page_count",
    "page_size",
    "freelist_count",
    "synchronous",
    "foreign_keys",
    "compile_options",
    "database_list",
    "collation_list",
    "function_list",
];

/// Runs one read-only statement and returns its rows as JSON.
///
/// Two checks must both pass. While the statement is prepared an authorizer lets through
/// only reads, function calls and reporting pragmas, which rejects ATTACH, transaction
/// control and pragmas that set something (SQLite counts those as read-only). Then
/// SQLite's own `sqlite3_stmt_readonly` must call the prepared statement read-only,
/// which catches anything that writes, however it is spelled.
pub fn q(conn: &Connection, sql: &str, params_json: Option<&str>) -> Result<String> {
    let op = "q";
    let params = parse_params(op, params_json)?;

    conn.authorizer(Some(authorize_read));
    let prepared = conn.prepare(sql);
    conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);

    let mut statement = prepared.map_err(|e| prepare_error(op, sql, &e))?;
    if !statement.readonly() {
        return Err(read_only_violation(sql));
    }

    bind_params(op, &mut statement, &params)?;
    rows_to_json(&mut statement, op).map_err(|e| Error::new(UsageDbStatus::SqlError, e.message))
}

/// Runs one statement that may write, atomically, and returns how many rows it changed.
/// Transaction control is rejected because the handle's begin/commit/rollback own that.
pub fn execute_write(store: &mut Store, sql: &str, params_json: Option<&str>) -> Result<usize> {
    let op = "execute_write";
    let params = parse_params(op, params_json)?;

    store.write(|conn| {
        conn.authorizer(Some(authorize_write));
        let prepared = conn.prepare(sql);
        conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);

        let mut statement = prepared.map_err(|e| prepare_error(op, sql, &e))?;
        bind_params(op, &mut statement, &params)?;
        statement
            .raw_execute()
            .map_err(|e| Error::from_sqlite(&format!("{op}: running '{sql}'"), &e))
    })
}

fn authorize_read(context: AuthContext<'_>) -> Authorization {
    match context.action {
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive => Authorization::Allow,
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            let reporting = REPORTING_PRAGMAS.contains(&name.as_str());
            let reading_setting =
                pragma_value.is_none() && SETTING_PRAGMAS.contains(&name.as_str());
            if reporting || reading_setting {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        _ => Authorization::Deny,
    }
}

fn authorize_write(context: AuthContext<'_>) -> Authorization {
    match context.action {
        AuthAction::Transaction { .. }
        | AuthAction::Savepoint { .. }
        | AuthAction::Attach { .. }
        | AuthAction::Detach { .. } => Authorization::Deny,
        _ => Authorization::Allow,
    }
}

fn prepare_error(op: &str, sql: &str, err: &rusqlite::Error) -> Error {
    use rusqlite::ffi::ErrorCode;

    if err.sqlite_error_code() == Some(ErrorCode::AuthorizationForStatementDenied) {
        return if op == "q" {
            read_only_violation(sql)
        } else {
            Error::new(
                UsageDbStatus::SqlError,
                format!("{op}: rejected '{sql}': transaction control and ATTACH/DETACH are not allowed here; use begin, commit and rollback"),
            )
        };
    }
    if matches!(err, rusqlite::Error::MultipleStatement) {
        return Error::invalid(format!(
            "{op}: sql '{sql}' contains more than one statement; pass exactly one"
        ));
    }

    let status = match super::error::status_of_sqlite(err) {
        UsageDbStatus::Internal | UsageDbStatus::InvalidArgument => UsageDbStatus::SqlError,
        other => other,
    };
    Error::new(status, format!("{op}: cannot prepare '{sql}': {err}"))
}

fn read_only_violation(sql: &str) -> Error {
    Error::new(
        UsageDbStatus::ReadOnlyViolation,
        format!("q: rejected '{sql}': q runs only statements that read; use execute_write to change data"),
    )
}

/// Statement parameters from JSON: an array binds by position, an object by name.
enum Params {
    None,
    Positional(Vec<Value>),
    Named(Vec<(String, Value)>),
}

fn parse_params(op: &str, params_json: Option<&str>) -> Result<Params> {
    let Some(text) = params_json.filter(|t| !t.trim().is_empty()) else {
        return Ok(Params::None);
    };

    let parsed: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid(format!("{op}: invalid params JSON '{text}': {e}")))?;
    let convert = |key: &str, v: &serde_json::Value| json_to_sql(op, key, v);

    match &parsed {
        serde_json::Value::Null => Ok(Params::None),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| convert(&format!("params[{i}]"), v))
            .collect::<Result<_>>()
            .map(Params::Positional),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), convert(&format!("params.{k}"), v)?)))
            .collect::<Result<_>>()
            .map(Params::Named),
        _ => Err(Error::invalid(format!(
            "{op}: invalid params '{text}': expected a JSON array (positional) or object (named)"
        ))),
    }
}

fn json_to_sql(op: &str, field: &str, value: &serde_json::Value) -> Result<Value> {
    use serde_json::Value as J;

    Ok(match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Integer(i64::from(*b)),
        J::Number(n) if n.is_i64() => Value::Integer(n.as_i64().unwrap_or_default()),
        J::Number(n) if n.is_f64() => Value::Real(n.as_f64().unwrap_or_default()),
        J::String(s) => Value::Text(s.clone()),
        other => {
            return Err(Error::invalid(format!(
                "{op}: invalid {field} {other}: expected null, a boolean, a number in the 64-bit integer range or a string"
            )))
        }
    })
}

fn bind_params(op: &str, statement: &mut Statement, params: &Params) -> Result<()> {
    let expected = statement.parameter_count();
    let bind_error = |e: rusqlite::Error| Error::from_sqlite(op, &e);

    match params {
        Params::None if expected == 0 => Ok(()),
        Params::None => Err(Error::invalid(format!(
            "{op}: the statement has {expected} parameter(s) but no params were given"
        ))),
        Params::Positional(values) => {
            if values.len() != expected {
                return Err(Error::invalid(format!(
                    "{op}: the statement has {expected} parameter(s) but params has {} value(s)",
                    values.len()
                )));
            }
            for (i, value) in values.iter().enumerate() {
                statement
                    .raw_bind_parameter(i + 1, value)
                    .map_err(bind_error)?;
            }
            Ok(())
        }
        Params::Named(values) => bind_named(op, statement, values),
    }
}

/// Binds object keys to `:name`, `@name` or `$name` parameters; a key may omit the
/// prefix. Every parameter needs a key and every key a parameter.
fn bind_named(op: &str, statement: &mut Statement, values: &[(String, Value)]) -> Result<()> {
    let mut used = vec![false; values.len()];

    for index in 1..=statement.parameter_count() {
        let Some(name) = statement.parameter_name(index).map(str::to_owned) else {
            return Err(Error::invalid(format!(
                "{op}: parameter {index} is positional; pass params as a JSON array"
            )));
        };
        let bare = name.trim_start_matches([':', '@', '$']);
        let Some(slot) = values.iter().position(|(k, _)| k == &name || k == bare) else {
            return Err(Error::invalid(format!(
                "{op}: params has no value for parameter {name}"
            )));
        };

        used[slot] = true;
        statement
            .raw_bind_parameter(index, &values[slot].1)
            .map_err(|e| Error::from_sqlite(op, &e))?;
    }

    if let Some(unused) = used.iter().position(|u| !u) {
        return Err(Error::invalid(format!(
            "{op}: params key '{}' matches no parameter in the statement",
            values[unused].0
        )));
    }
    Ok(())
}
