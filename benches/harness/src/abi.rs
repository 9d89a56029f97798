//! Thin safe wrappers over the C ABI, as a C caller would use it.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use usage_db::ffi::*;
use usage_db::UsageDbStatus;

use crate::data::{self, Scope};

/// An open handle; closed on drop.
pub struct Db(*mut UsageDb);

impl Db {
    pub fn open(path: &str) -> Db {
        let path = CString::new(path).unwrap();
        let mut db = ptr::null_mut();
        check("usage_db_open", unsafe {
            usage_db_open(path.as_ptr(), ptr::null(), &mut db)
        });
        Db(db)
    }

    pub fn begin(&self) {
        check("usage_db_begin", unsafe { usage_db_begin(self.0) });
    }

    pub fn commit(&self) {
        check("usage_db_commit", unsafe { usage_db_commit(self.0) });
    }

    /// Creates every project, machine and user (with its group) of a history of `hours`
    /// hours, in key order so that ids are `key + 1`.
    pub fn register_entities(&self, hours: u64) {
        self.begin();
        for key in 0..data::entity_count(Scope::Project, hours) {
            let name = CString::new(data::project_name(key)).unwrap();
            let mut id = 0;
            check("get_or_create_project", unsafe {
                usage_db_get_or_create_project(self.0, name.as_ptr(), &mut id)
            });
            assert_eq!(id, key as i64 + 1, "project ids follow creation order");
        }
        for key in 0..data::entity_count(Scope::Machine, hours) {
            let name = CString::new(data::machine_name(key)).unwrap();
            let mut id = 0;
            check("get_or_create_machine", unsafe {
                usage_db_get_or_create_machine(self.0, name.as_ptr(), &mut id)
            });
            assert_eq!(id, key as i64 + 1, "machine ids follow creation order");
        }
        for key in 0..data::entity_count(Scope::User, hours) {
            let user = CString::new(data::user_name(key)).unwrap();
            let group = CString::new(data::group_name(key)).unwrap();
            check("get_or_create_user", unsafe {
                usage_db_get_or_create_user(self.0, user.as_ptr(), ptr::null(), group.as_ptr())
            });
        }
        self.commit();
    }

    pub fn bulk_json(&self, json: &CStr) -> usize {
        let mut count = 0;
        check("usage_db_bulk_insert_fact_usage", unsafe {
            usage_db_bulk_insert_fact_usage(self.0, json.as_ptr(), &mut count)
        });
        count
    }

    pub fn bulk_array(&self, rows: &[UsageDbFact]) -> usize {
        let mut count = 0;
        check("usage_db_bulk_insert_fact_usage_array", unsafe {
            usage_db_bulk_insert_fact_usage_array(self.0, rows.as_ptr(), rows.len(), &mut count)
        });
        count
    }

    pub fn insert_one(&self, fact: &UsageDbFact) {
        check("usage_db_insert_fact_usage", unsafe {
            usage_db_insert_fact_usage(self.0, fact, ptr::null_mut())
        });
    }

    /// Runs a read that writes JSON to an out parameter, frees it and returns its length.
    pub fn read(
        &self,
        name: &str,
        call: impl FnOnce(*mut UsageDb, *mut *mut c_char) -> UsageDbStatus,
    ) -> String {
        let mut out: *mut c_char = ptr::null_mut();
        check(name, call(self.0, &mut out));
        let json = unsafe { CStr::from_ptr(out) }
            .to_string_lossy()
            .into_owned();
        unsafe { usage_db_string_free(out) };
        json
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        unsafe { usage_db_close(self.0) };
    }
}

/// Panics with the library's message when a call failed: a benchmark must not go on
/// after a failed write.
pub fn check(operation: &str, status: UsageDbStatus) {
    if status != UsageDbStatus::Ok {
        let message = unsafe { CStr::from_ptr(usage_db_last_error()) }.to_string_lossy();
        panic!("{operation} failed with {status:?}: {message}");
    }
}

/// Struct rows for the array API and the C strings they point into, kept alive together.
pub struct FactArray {
    pub facts: Vec<UsageDbFact>,
    _strings: Vec<CString>,
}

const SCOPES: [&CStr; 4] = [c"ada", c"project", c"machine", c"user"];

impl FactArray {
    pub fn new(rows: &[data::Row]) -> FactArray {
        let mut strings = Vec::with_capacity(rows.len() * 2);
        let mut facts = Vec::with_capacity(rows.len());

        for row in rows {
            let ts = CString::new(row.ts()).unwrap();
            let user = row.user_id().map(|u| CString::new(u).unwrap());
            let [busy_s, idle_s, busy_kwh, idle_kwh, busy_g, idle_g] = row.metrics;
            facts.push(UsageDbFact {
                scope: SCOPES[row.scope as usize].as_ptr(),
                ts_iso_utc: ts.as_ptr(),
                has_project_id: row.project_id().is_some(),
                project_id: row.project_id().unwrap_or(0),
                has_machine_id: row.machine_id().is_some(),
                machine_id: row.machine_id().unwrap_or(0),
                user_id: user.as_ref().map_or(ptr::null(), |u| u.as_ptr()),
                busy_cpu_seconds_total: busy_s,
                idle_cpu_seconds_total: idle_s,
                busy_kwh,
                idle_kwh,
                busy_gCo2eq: busy_g,
                idle_gCo2eq: idle_g,
                has_intensity: row.intensity.is_some(),
                intensity_gCo2eq_kwh: row.intensity.unwrap_or(0.0),
            });
            strings.push(ts);
            strings.extend(user);
        }
        FactArray {
            facts,
            _strings: strings,
        }
    }
}
