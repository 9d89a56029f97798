//! Deterministic synthetic facts shaped like a platform's hourly accounting.
//!
//! Every hour carries one platform (ada) fact and one fact for each project, machine and
//! user active in that hour, so a larger data set is a longer history, not a denser hour.
//! Entities come and go: each slot of the active population belongs to one entity for a
//! fixed lifetime and then to a new one. So one project's series and one day's window
//! contain the same number of rows at every scale, while the dimension tables grow with the
//! history (at 1 M facts about 70 projects, 200 machines and 300 users over 13 months).

use std::fmt::Write;

/// First hour of the history.
const START_YEAR: i64 = 2024;

/// Entities active in any one hour, per scope.
pub const ACTIVE_PROJECTS: u64 = 24;
pub const ACTIVE_MACHINES: u64 = 40;
pub const ACTIVE_USERS: u64 = 39;

/// Facts per hour: the platform's own and one per active entity.
pub const FACTS_PER_HOUR: u64 = 1 + ACTIVE_PROJECTS + ACTIVE_MACHINES + ACTIVE_USERS;

/// Hours an entity stays active: 200 days for a project, 100 for a machine, 60 for a user.
const PROJECT_LIFETIME_H: u64 = 200 * 24;
const MACHINE_LIFETIME_H: u64 = 100 * 24;
const USER_LIFETIME_H: u64 = 60 * 24;

/// Users are spread over this many groups.
pub const GROUPS: u64 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Ada,
    Project,
    Machine,
    User,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Ada => "ada",
            Scope::Project => "project",
            Scope::Machine => "machine",
            Scope::User => "user",
        }
    }
}

/// One synthetic fact. `key` is the 0-based entity number within its scope; the
/// database id of a project or machine is `key + 1` because they are created in order.
#[derive(Clone, Debug)]
pub struct Row {
    pub scope: Scope,
    pub hour: u64,
    pub key: u64,
    pub metrics: [f64; 6],
    pub intensity: Option<f64>,
}

impl Row {
    pub fn project_id(&self) -> Option<i64> {
        (self.scope == Scope::Project).then_some(self.key as i64 + 1)
    }

    pub fn machine_id(&self) -> Option<i64> {
        (self.scope == Scope::Machine).then_some(self.key as i64 + 1)
    }

    pub fn user_id(&self) -> Option<String> {
        (self.scope == Scope::User).then(|| user_name(self.key))
    }

    pub fn ts(&self) -> String {
        hour_timestamp(self.hour)
    }

    /// Appends the row as a JSON object with the keys of the bulk JSON API.
    pub fn write_json(&self, out: &mut String) {
        let _ = write!(
            out,
            "{{\"scope\":\"{}\",\"ts_iso_utc\":\"{}\"",
            self.scope.name(),
            self.ts()
        );
        match self.scope {
            Scope::Ada => {}
            Scope::Project => {
                let _ = write!(out, ",\"project_id\":{}", self.key + 1);
            }
            Scope::Machine => {
                let _ = write!(out, ",\"machine_id\":{}", self.key + 1);
            }
            Scope::User => {
                let _ = write!(out, ",\"user_id\":\"{}\"", user_name(self.key));
            }
        }
        for (name, value) in usage_db::core::METRIC_NAMES.iter().zip(self.metrics) {
            let _ = write!(out, ",\"{name}\":{value:?}");
        }
        if let Some(intensity) = self.intensity {
            let _ = write!(out, ",\"intensity_gCo2eq_kwh\":{intensity:?}");
        }
        out.push('}');
    }
}

/// Writes rows as one JSON array, the input of `usage_db_bulk_insert_fact_usage`.
pub fn rows_to_json(rows: &[Row]) -> String {
    let mut out = String::with_capacity(rows.len() * 260);
    out.push('[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        row.write_json(&mut out);
    }
    out.push(']');
    out
}

pub fn project_name(key: u64) -> String {
    format!("project-{key:05}")
}

pub fn machine_name(key: u64) -> String {
    format!("node-{key:05}")
}

pub fn user_name(key: u64) -> String {
    format!("u{key:06}")
}

pub fn group_name(key: u64) -> String {
    format!("group-{:02}", key % GROUPS)
}

/// Number of hours needed for `facts` facts.
pub fn hours_for(facts: u64) -> u64 {
    facts.div_ceil(FACTS_PER_HOUR)
}

/// Entities of one scope ever active in the first `hours` hours.
pub fn entity_count(scope: Scope, hours: u64) -> u64 {
    let (slots, lifetime) = population(scope);
    (0..slots)
        .map(|slot| holder(slot, slots, lifetime, hours.saturating_sub(1)) + 1)
        .max()
        .unwrap_or(0)
}

/// Returns the entity key holding `slot` in `hour`. Slots start staggered so the population
/// turns over gradually instead of all at once.
fn holder(slot: u64, slots: u64, lifetime: u64, hour: u64) -> u64 {
    let generation = (hour + slot * lifetime / slots) / lifetime;
    generation * slots + slot
}

fn population(scope: Scope) -> (u64, u64) {
    match scope {
        Scope::Ada => (1, u64::MAX),
        Scope::Project => (ACTIVE_PROJECTS, PROJECT_LIFETIME_H),
        Scope::Machine => (ACTIVE_MACHINES, MACHINE_LIFETIME_H),
        Scope::User => (ACTIVE_USERS, USER_LIFETIME_H),
    }
}

/// Returns the project key active in slot 0 at `hour`, used to pick a series to read.
pub fn project_active_at(hour: u64) -> u64 {
    holder(0, ACTIVE_PROJECTS, PROJECT_LIFETIME_H, hour)
}

/// Generates the facts of hours `[first, end)`, hour by hour, the order a live
/// collector writes.
pub fn hour_rows(first: u64, end: u64) -> Vec<Row> {
    let mut rows = Vec::with_capacity(((end - first) * FACTS_PER_HOUR) as usize);
    for hour in first..end {
        for scope in [Scope::Ada, Scope::Project, Scope::Machine, Scope::User] {
            let (slots, lifetime) = population(scope);
            for slot in 0..slots {
                let key = if scope == Scope::Ada {
                    0
                } else {
                    holder(slot, slots, lifetime, hour)
                };
                rows.push(synthetic_row(scope, hour, key));
            }
        }
    }
    rows
}

/// Rows `[offset, offset + count)` of the data set, counted in the order of
/// [`hour_rows`].
pub fn rows_range(offset: u64, count: u64) -> Vec<Row> {
    let first_hour = offset / FACTS_PER_HOUR;
    let end_hour = (offset + count).div_ceil(FACTS_PER_HOUR);
    let skip = (offset - first_hour * FACTS_PER_HOUR) as usize;

    hour_rows(first_hour, end_hour)
        .into_iter()
        .skip(skip)
        .take(count as usize)
        .collect()
}

/// Plausible metrics from a hash of the fact's key: CPU seconds of a busy and an idle
/// share of the hour, energy from a per-core power, carbon from a diurnal grid intensity.
fn synthetic_row(scope: Scope, hour: u64, key: u64) -> Row {
    let seed = mix(hour.wrapping_mul(0x9E37_79B9) ^ (key << 8) ^ scope as u64);
    let unit = |shift: u32| ((seed >> shift) & 0xFFFF) as f64 / 65535.0;

    let cores = match scope {
        Scope::Ada => 4096.0,
        Scope::Project => 256.0,
        Scope::Machine => 64.0,
        Scope::User => 16.0,
    };
    let busy_share = 0.1 + 0.8 * unit(0);
    let busy_s = 3600.0 * cores * busy_share;
    let idle_s = 3600.0 * cores - busy_s;
    let busy_kwh = busy_s / 3600.0 * 0.012 * (0.9 + 0.2 * unit(16));
    let idle_kwh = idle_s / 3600.0 * 0.004;

    let hour_of_day = (hour % 24) as f64;
    let intensity =
        180.0 + 60.0 * (hour_of_day / 24.0 * std::f64::consts::TAU).sin() + 20.0 * unit(32);

    Row {
        scope,
        hour,
        key,
        metrics: [
            busy_s,
            idle_s,
            busy_kwh,
            idle_kwh,
            busy_kwh * intensity,
            idle_kwh * intensity,
        ],
        intensity: (scope == Scope::Machine).then_some(intensity),
    }
}

/// SplitMix64 finaliser: a fast, well-spread hash for deterministic pseudo-random data.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `YYYY-MM-DDTHH:00:00Z` for an hour counted from the start of the history.
pub fn hour_timestamp(hour: u64) -> String {
    let days = (hour / 24) as i64;
    let (year, month, day) = civil_from_days(days_from_civil(START_YEAR, 1, 1) + days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:00:00Z", hour % 24)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_cross_leap_day() {
        assert_eq!(hour_timestamp(0), "2024-01-01T00:00:00Z");
        assert_eq!(hour_timestamp(59 * 24 + 5), "2024-02-29T05:00:00Z");
        assert_eq!(hour_timestamp(366 * 24), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn one_slot_has_one_holder_per_hour() {
        let rows = hour_rows(5000, 5001);
        assert_eq!(rows.len() as u64, FACTS_PER_HOUR);
        let mut users: Vec<u64> = rows
            .iter()
            .filter(|r| r.scope == Scope::User)
            .map(|r| r.key)
            .collect();
        users.dedup();
        assert_eq!(users.len() as u64, ACTIVE_USERS);
    }

    #[test]
    fn rows_range_matches_hour_order() {
        let all = hour_rows(0, 3);
        let part = rows_range(50, 200);
        assert_eq!(part.len(), 200);
        assert_eq!(part[0].key, all[50].key);
        assert_eq!(part[199].hour, all[249].hour);
    }
}
