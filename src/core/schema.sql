-- usage_db schema, version 1. Table, view and column names are public: users query the
-- views by name through `q`.

CREATE TABLE dim_group (
    group_id   INTEGER PRIMARY KEY,
    group_name TEXT NOT NULL UNIQUE
);

CREATE TABLE dim_user (
    user_id      TEXT PRIMARY KEY NOT NULL,
    display_name TEXT,
    group_id     INTEGER REFERENCES dim_group (group_id) ON DELETE SET NULL
);
CREATE INDEX ix_dim_user_group ON dim_user (group_id);

CREATE TABLE dim_project (
    project_id         INTEGER PRIMARY KEY,
    cloud_project_name TEXT NOT NULL UNIQUE
);

CREATE TABLE dim_machine (
    machine_id   INTEGER PRIMARY KEY,
    machine_name TEXT NOT NULL UNIQUE
);

CREATE TABLE dim_instance (
    instance_id INTEGER PRIMARY KEY,
    host        TEXT NOT NULL,
    port        INTEGER CHECK (port IS NULL OR port BETWEEN 0 AND 65535),
    raw_label   TEXT CHECK (raw_label IS NULL OR raw_label <> '')
);
-- One row per (host, port, raw_label) with NULLs equal. The CHECKs above keep -1 and ''
-- free to stand for NULL.
CREATE UNIQUE INDEX ux_dim_instance_key
    ON dim_instance (host, ifnull(port, -1), ifnull(raw_label, ''));

CREATE TABLE map_user_project (
    user_id    TEXT NOT NULL REFERENCES dim_user (user_id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES dim_project (project_id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, project_id)
) WITHOUT ROWID;
CREATE INDEX ix_map_user_project_project ON map_user_project (project_id);

CREATE TABLE map_project_machine (
    project_id INTEGER NOT NULL REFERENCES dim_project (project_id) ON DELETE CASCADE,
    machine_id INTEGER NOT NULL REFERENCES dim_machine (machine_id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, machine_id)
) WITHOUT ROWID;
CREATE INDEX ix_map_project_machine_machine ON map_project_machine (machine_id);

CREATE TABLE fact_usage (
    usage_id               INTEGER PRIMARY KEY,
    -- Only the stored form of a real instant: SQLite's own formatting must give it back.
    ts                     TEXT NOT NULL CHECK (ts IS strftime('%Y-%m-%dT%H:%M:%SZ', ts)),
    scope                  TEXT NOT NULL CHECK (scope IN ('ada', 'project', 'machine', 'user')),
    project_id             INTEGER REFERENCES dim_project (project_id),
    machine_id             INTEGER REFERENCES dim_machine (machine_id),
    user_id                TEXT REFERENCES dim_user (user_id),
    busy_cpu_seconds_total REAL NOT NULL DEFAULT 0
        CHECK (typeof(busy_cpu_seconds_total) = 'real' AND busy_cpu_seconds_total BETWEEN 0 AND 1.7976931348623157e308),
    idle_cpu_seconds_total REAL NOT NULL DEFAULT 0
        CHECK (typeof(idle_cpu_seconds_total) = 'real' AND idle_cpu_seconds_total BETWEEN 0 AND 1.7976931348623157e308),
    busy_kwh               REAL NOT NULL DEFAULT 0
        CHECK (typeof(busy_kwh) = 'real' AND busy_kwh BETWEEN 0 AND 1.7976931348623157e308),
    idle_kwh               REAL NOT NULL DEFAULT 0
        CHECK (typeof(idle_kwh) = 'real' AND idle_kwh BETWEEN 0 AND 1.7976931348623157e308),
    busy_gCo2eq            REAL NOT NULL DEFAULT 0
        CHECK (typeof(busy_gCo2eq) = 'real' AND busy_gCo2eq BETWEEN 0 AND 1.7976931348623157e308),
    idle_gCo2eq            REAL NOT NULL DEFAULT 0
        CHECK (typeof(idle_gCo2eq) = 'real' AND idle_gCo2eq BETWEEN 0 AND 1.7976931348623157e308),
    intensity_gCo2eq_kwh   REAL CHECK (
        intensity_gCo2eq_kwh IS NULL
        OR (typeof(intensity_gCo2eq_kwh) = 'real' AND intensity_gCo2eq_kwh BETWEEN 0 AND 1.7976931348623157e308)
    ),
    -- Each scope carries exactly the key it needs and no other.
    CHECK (
        (scope = 'ada' AND project_id IS NULL AND machine_id IS NULL AND user_id IS NULL)
        OR (scope = 'project' AND project_id IS NOT NULL AND machine_id IS NULL AND user_id IS NULL)
        OR (scope = 'machine' AND machine_id IS NOT NULL AND project_id IS NULL AND user_id IS NULL)
        OR (scope = 'user' AND user_id IS NOT NULL AND project_id IS NULL AND machine_id IS NULL)
    )
);

-- The upsert key (scope, ts, project_id, machine_id, user_id) as one partial unique index
-- per scope. The scope CHECK makes the ids a scope does not carry NULL, so (id, ts) within
-- a scope is the whole key. Each fact lands in exactly one of these indexes, which keeps
-- ingest cheap, and every per-entity series reads a contiguous range of one.
CREATE UNIQUE INDEX ux_fact_ada ON fact_usage (ts) WHERE scope = 'ada';
CREATE UNIQUE INDEX ux_fact_project ON fact_usage (project_id, ts) WHERE scope = 'project';
CREATE UNIQUE INDEX ux_fact_machine ON fact_usage (machine_id, ts) WHERE scope = 'machine';
CREATE UNIQUE INDEX ux_fact_user ON fact_usage (user_id, ts) WHERE scope = 'user';

-- Window reports read the hours of one scope in time order from these, so their cost
-- follows the rows inside the window, not the number of keys or the length of history.
-- (The ada scope's unique index above is already in time order.)
CREATE INDEX ix_fact_project_ts ON fact_usage (ts) WHERE scope = 'project';
CREATE INDEX ix_fact_machine_ts ON fact_usage (ts) WHERE scope = 'machine';
CREATE INDEX ix_fact_user_ts ON fact_usage (ts) WHERE scope = 'user';

CREATE TABLE active_workspace (
    workspace_id INTEGER PRIMARY KEY,
    instance_id  INTEGER NOT NULL REFERENCES dim_instance (instance_id),
    machine_id   INTEGER NOT NULL REFERENCES dim_machine (machine_id),
    user_id      TEXT REFERENCES dim_user (user_id),
    project_id   INTEGER REFERENCES dim_project (project_id),
    started_at   TEXT NOT NULL CHECK (started_at IS strftime('%Y-%m-%dT%H:%M:%SZ', started_at))
);
CREATE INDEX ix_active_workspace_started ON active_workspace (started_at);

-- Time series. The intensity is the stored one where given, otherwise carbon over
-- energy, and NULL where the energy is 0.

CREATE VIEW v_ada_timeseries AS
SELECT f.ts,
       f.busy_cpu_seconds_total, f.idle_cpu_seconds_total,
       f.busy_kwh, f.idle_kwh, f.busy_gCo2eq, f.idle_gCo2eq,
       coalesce(f.intensity_gCo2eq_kwh,
                (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0)) AS intensity_gCo2eq_kwh
FROM fact_usage f
WHERE f.scope = 'ada'
ORDER BY f.ts;

CREATE VIEW v_project_timeseries AS
SELECT p.cloud_project_name, f.ts,
       f.busy_cpu_seconds_total, f.idle_cpu_seconds_total,
       f.busy_kwh, f.idle_kwh, f.busy_gCo2eq, f.idle_gCo2eq,
       coalesce(f.intensity_gCo2eq_kwh,
                (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0)) AS intensity_gCo2eq_kwh
FROM dim_project p
JOIN fact_usage f ON f.scope = 'project' AND f.project_id = p.project_id
ORDER BY p.cloud_project_name, f.ts;

CREATE VIEW v_machine_timeseries AS
SELECT m.machine_name, f.ts,
       f.busy_cpu_seconds_total, f.idle_cpu_seconds_total,
       f.busy_kwh, f.idle_kwh, f.busy_gCo2eq, f.idle_gCo2eq,
       coalesce(f.intensity_gCo2eq_kwh,
                (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0)) AS intensity_gCo2eq_kwh
FROM dim_machine m
JOIN fact_usage f ON f.scope = 'machine' AND f.machine_id = m.machine_id
ORDER BY m.machine_name, f.ts;

CREATE VIEW v_user_timeseries AS
SELECT f.user_id, f.ts,
       f.busy_cpu_seconds_total, f.idle_cpu_seconds_total,
       f.busy_kwh, f.idle_kwh, f.busy_gCo2eq, f.idle_gCo2eq,
       coalesce(f.intensity_gCo2eq_kwh,
                (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0)) AS intensity_gCo2eq_kwh
FROM fact_usage f
WHERE f.scope = 'user'
ORDER BY f.user_id, f.ts;

-- Totals over all time, one row per key that has facts, ordered by key.

CREATE VIEW v_project_totals AS
SELECT p.cloud_project_name,
       sum(f.busy_cpu_seconds_total) AS busy_cpu_seconds_total,
       sum(f.idle_cpu_seconds_total) AS idle_cpu_seconds_total,
       sum(f.busy_kwh) AS busy_kwh, sum(f.idle_kwh) AS idle_kwh,
       sum(f.busy_gCo2eq) AS busy_gCo2eq, sum(f.idle_gCo2eq) AS idle_gCo2eq
FROM dim_project p
JOIN fact_usage f ON f.scope = 'project' AND f.project_id = p.project_id
GROUP BY p.project_id
ORDER BY p.cloud_project_name;

CREATE VIEW v_machine_totals AS
SELECT m.machine_name,
       sum(f.busy_cpu_seconds_total) AS busy_cpu_seconds_total,
       sum(f.idle_cpu_seconds_total) AS idle_cpu_seconds_total,
       sum(f.busy_kwh) AS busy_kwh, sum(f.idle_kwh) AS idle_kwh,
       sum(f.busy_gCo2eq) AS busy_gCo2eq, sum(f.idle_gCo2eq) AS idle_gCo2eq
FROM dim_machine m
JOIN fact_usage f ON f.scope = 'machine' AND f.machine_id = m.machine_id
GROUP BY m.machine_id
ORDER BY m.machine_name;

-- A group's usage is the user-scope usage of the users in it.
CREATE VIEW v_group_totals AS
SELECT g.group_name,
       sum(f.busy_cpu_seconds_total) AS busy_cpu_seconds_total,
       sum(f.idle_cpu_seconds_total) AS idle_cpu_seconds_total,
       sum(f.busy_kwh) AS busy_kwh, sum(f.idle_kwh) AS idle_kwh,
       sum(f.busy_gCo2eq) AS busy_gCo2eq, sum(f.idle_gCo2eq) AS idle_gCo2eq
FROM dim_group g
JOIN dim_user u ON u.group_id = g.group_id
JOIN fact_usage f ON f.scope = 'user' AND f.user_id = u.user_id
GROUP BY g.group_id
ORDER BY g.group_name;

CREATE VIEW v_user_totals AS
SELECT f.user_id,
       sum(f.busy_cpu_seconds_total) AS busy_cpu_seconds_total,
       sum(f.idle_cpu_seconds_total) AS idle_cpu_seconds_total,
       sum(f.busy_kwh) AS busy_kwh, sum(f.idle_kwh) AS idle_kwh,
       sum(f.busy_gCo2eq) AS busy_gCo2eq, sum(f.idle_gCo2eq) AS idle_gCo2eq
FROM fact_usage f
WHERE f.scope = 'user'
GROUP BY f.user_id
ORDER BY f.user_id;

-- Averages over the hourly rows of each key. The intensity average skips hours with no
-- energy, whose intensity is NULL.

CREATE VIEW v_project_averages AS
SELECT p.cloud_project_name,
       avg(f.busy_kwh) AS avg_busy_energy_kwh, avg(f.idle_kwh) AS avg_idle_energy_kwh,
       avg(f.busy_gCo2eq) AS avg_busy_carbon_gCo2eq, avg(f.idle_gCo2eq) AS avg_idle_carbon_gCo2eq,
       avg(coalesce(f.intensity_gCo2eq_kwh,
                    (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0))) AS avg_intensity_gCo2eq_kwh
FROM dim_project p
JOIN fact_usage f ON f.scope = 'project' AND f.project_id = p.project_id
GROUP BY p.project_id
ORDER BY p.cloud_project_name;

CREATE VIEW v_machine_averages AS
SELECT m.machine_name,
       avg(f.busy_kwh) AS avg_busy_energy_kwh, avg(f.idle_kwh) AS avg_idle_energy_kwh,
       avg(f.busy_gCo2eq) AS avg_busy_carbon_gCo2eq, avg(f.idle_gCo2eq) AS avg_idle_carbon_gCo2eq,
       avg(coalesce(f.intensity_gCo2eq_kwh,
                    (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0))) AS avg_intensity_gCo2eq_kwh
FROM dim_machine m
JOIN fact_usage f ON f.scope = 'machine' AND f.machine_id = m.machine_id
GROUP BY m.machine_id
ORDER BY m.machine_name;

-- Group averages are over the user-hour rows of the group's users.
CREATE VIEW v_group_averages AS
SELECT g.group_name,
       avg(f.busy_kwh) AS avg_busy_energy_kwh, avg(f.idle_kwh) AS avg_idle_energy_kwh,
       avg(f.busy_gCo2eq) AS avg_busy_carbon_gCo2eq, avg(f.idle_gCo2eq) AS avg_idle_carbon_gCo2eq,
       avg(coalesce(f.intensity_gCo2eq_kwh,
                    (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0))) AS avg_intensity_gCo2eq_kwh
FROM dim_group g
JOIN dim_user u ON u.group_id = g.group_id
JOIN fact_usage f ON f.scope = 'user' AND f.user_id = u.user_id
GROUP BY g.group_id
ORDER BY g.group_name;

CREATE VIEW v_user_averages AS
SELECT f.user_id,
       avg(f.busy_kwh) AS avg_busy_energy_kwh, avg(f.idle_kwh) AS avg_idle_energy_kwh,
       avg(f.busy_gCo2eq) AS avg_busy_carbon_gCo2eq, avg(f.idle_gCo2eq) AS avg_idle_carbon_gCo2eq,
       avg(coalesce(f.intensity_gCo2eq_kwh,
                    (f.busy_gCo2eq + f.idle_gCo2eq) / nullif(f.busy_kwh + f.idle_kwh, 0))) AS avg_intensity_gCo2eq_kwh
FROM fact_usage f
WHERE f.scope = 'user'
GROUP BY f.user_id
ORDER BY f.user_id;

-- Convenience views. `user` is the display name, or the user id where there is none.

CREATE VIEW v_active_workspaces AS
SELECT w.workspace_id, w.started_at,
       coalesce(u.display_name, u.user_id) AS "user",
       p.cloud_project_name AS project,
       m.machine_name AS machine,
       i.host, i.port
FROM active_workspace w
JOIN dim_instance i ON i.instance_id = w.instance_id
JOIN dim_machine m ON m.machine_id = w.machine_id
LEFT JOIN dim_user u ON u.user_id = w.user_id
LEFT JOIN dim_project p ON p.project_id = w.project_id
ORDER BY w.started_at DESC, w.workspace_id DESC;

CREATE VIEW v_user_project AS
SELECT u.user_id, u.display_name, g.group_name, p.cloud_project_name
FROM map_user_project mu
JOIN dim_user u ON u.user_id = mu.user_id
JOIN dim_project p ON p.project_id = mu.project_id
LEFT JOIN dim_group g ON g.group_id = u.group_id
ORDER BY u.user_id, p.cloud_project_name;
