/*
 * Every read function on one small dataset, compared as exact JSON text. The expected
 * values are computed by hand from the rows in load_dataset(). Every metric is a sum of
 * binary fractions, so the sums and averages are exact.
 */
#include <stdint.h>

#include "check.h"
#include "suites.h"

#define FROM "2025-10-01T00:00:00Z"
#define TO "2025-10-02T00:00:00Z"
#define T0 "2025-10-01T00:00:00Z"
#define T1 "2025-10-01T01:00:00Z"
#define NEXT_DAY "2025-10-02T00:00:00Z"

/* Project ids: 1 alpha, 2 beta. Machine ids: 1 gpu-01, 2 cpu-01. */
enum { ALPHA = 1, BETA = 2, GPU = 1, CPU = 2, NONE = 0 };

/* One row of the dataset. An id of NONE and an intensity below 0 mean absent. */
typedef struct {
    const char *scope;
    const char *ts;
    int64_t project_id;
    int64_t machine_id;
    const char *user_id;
    double busy_s, idle_s, busy_kwh, idle_kwh, busy_g, idle_g, intensity;
} Row;

static const Row rows[] = {
    /* ada: intensity 2400 / 12 = 200, then an explicit 300. */
    {"ada", T0, NONE, NONE, NULL, 0, 0, 10.0, 2.0, 2000, 400, -1},
    {"ada", T1, NONE, NONE, NULL, 0, 0, 4.0, 1.0, 1000, 250, 300},
    /* alpha: three hours at 200 g/kWh, the last outside the window. */
    {"project", T0, ALPHA, NONE, NULL, 0, 0, 3.0, 1.5, 600, 300, -1},
    {"project", T1, ALPHA, NONE, NULL, 0, 0, 1.0, 0.0, 200, 0, -1},
    {"project", NEXT_DAY, ALPHA, NONE, NULL, 0, 0, 2.0, 0.0, 400, 0, -1},
    /* beta: an hour without energy (intensity null), then 1200 / 6 = 200. */
    {"project", T0, BETA, NONE, NULL, 0, 0, 0.0, 0.0, 0, 0, -1},
    {"project", T1, BETA, NONE, NULL, 0, 0, 5.0, 1.0, 900, 300, -1},
    /* gpu-01: 200 / 2 = 100, then an explicit 120. cpu-01 has no energy and no seconds. */
    {"machine", T0, NONE, GPU, NULL, 1800, 1800, 1.0, 1.0, 100, 100, -1},
    {"machine", T1, NONE, GPU, NULL, 3000, 600, 2.0, 0.0, 300, 0, 120},
    {"machine", T0, NONE, CPU, NULL, 0, 0, 0.0, 0.0, 0, 0, -1},
    /* Users, all at 200 g/kWh: u1 and u2 in Research, u3 in Ops. */
    {"user", T0, NONE, NONE, "u1", 0, 0, 2.0, 0.5, 400, 100, -1},
    {"user", T1, NONE, NONE, "u1", 0, 0, 1.0, 0.5, 200, 100, -1},
    {"user", NEXT_DAY, NONE, NONE, "u1", 0, 0, 3.0, 0.5, 600, 100, -1},
    {"user", T0, NONE, NONE, "u2", 0, 0, 0.5, 0.5, 100, 100, -1},
    {"user", T0, NONE, NONE, "u3", 0, 0, 3.0, 1.0, 600, 200, -1},
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

static UsageDbFact to_fact(const Row *row)
{
    UsageDbFact fact = {0};

    fact.scope = row->scope;
    fact.ts_iso_utc = row->ts;
    fact.has_project_id = row->project_id != NONE;
    fact.project_id = row->project_id;
    fact.has_machine_id = row->machine_id != NONE;
    fact.machine_id = row->machine_id;
    fact.user_id = row->user_id;
    fact.busy_cpu_seconds_total = row->busy_s;
    fact.idle_cpu_seconds_total = row->idle_s;
    fact.busy_kwh = row->busy_kwh;
    fact.idle_kwh = row->idle_kwh;
    fact.busy_gCo2eq = row->busy_g;
    fact.idle_gCo2eq = row->idle_g;
    fact.has_intensity = row->intensity >= 0;
    fact.intensity_gCo2eq_kwh = row->intensity >= 0 ? row->intensity : 0;
    return fact;
}

static void load_dataset(UsageDb *db)
{
    UsageDbFact facts[ROW_COUNT];
    int64_t id = 0;
    size_t written = 0;

    CHECK_OK(usage_db_get_or_create_project(db, "alpha", &id));
    CHECK_OK(usage_db_get_or_create_project(db, "beta", &id));
    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-01", &id));
    CHECK_OK(usage_db_get_or_create_machine(db, "cpu-01", &id));
    CHECK_OK(usage_db_get_or_create_user(db, "u1", "Ada Lovelace", "Research"));
    CHECK_OK(usage_db_get_or_create_user(db, "u2", "Bob", "Research"));
    CHECK_OK(usage_db_get_or_create_user(db, "u3", NULL, "Ops"));
    CHECK_OK(usage_db_map_user_project(db, "u1", NULL, "alpha"));
    CHECK_OK(usage_db_map_user_project(db, "u1", NULL, "beta"));
    CHECK_OK(usage_db_map_user_project(db, "u2", NULL, "alpha"));

    for (size_t i = 0; i < ROW_COUNT; i++) {
        facts[i] = to_fact(&rows[i]);
    }
    CHECK_OK(usage_db_bulk_insert_fact_usage_array(db, facts, ROW_COUNT, &written));
    CHECK(written == ROW_COUNT);
}

static void test_timeseries(UsageDb *db)
{
    CHECK_JSON("[{\"ts\":\"2025-10-01T00:00:00Z\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":10.0,\"idle_kwh\":2.0,\"busy_gCo2eq\":2000.0,\"idle_gCo2eq\":400.0,\"intensity_gCo2eq_kwh\":200.0},"
               "{\"ts\":\"2025-10-01T01:00:00Z\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":4.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":1000.0,\"idle_gCo2eq\":250.0,\"intensity_gCo2eq_kwh\":300.0}]",
               usage_db_ada_timeseries, db);

    CHECK_JSON("[{\"cloud_project_name\":\"beta\",\"ts\":\"2025-10-01T00:00:00Z\",\"busy_cpu_seconds_total\":0.0,"
               "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":0.0,\"idle_kwh\":0.0,\"busy_gCo2eq\":0.0,\"idle_gCo2eq\":0.0,"
               "\"intensity_gCo2eq_kwh\":null},"
               "{\"cloud_project_name\":\"beta\",\"ts\":\"2025-10-01T01:00:00Z\",\"busy_cpu_seconds_total\":0.0,"
               "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":5.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":900.0,\"idle_gCo2eq\":300.0,"
               "\"intensity_gCo2eq_kwh\":200.0}]",
               usage_db_project_timeseries, db, "beta");

    CHECK_JSON("[{\"machine_name\":\"gpu-01\",\"ts\":\"2025-10-01T00:00:00Z\",\"busy_cpu_seconds_total\":1800.0,"
               "\"idle_cpu_seconds_total\":1800.0,\"busy_kwh\":1.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":100.0,\"idle_gCo2eq\":100.0,"
               "\"intensity_gCo2eq_kwh\":100.0},"
               "{\"machine_name\":\"gpu-01\",\"ts\":\"2025-10-01T01:00:00Z\",\"busy_cpu_seconds_total\":3000.0,"
               "\"idle_cpu_seconds_total\":600.0,\"busy_kwh\":2.0,\"idle_kwh\":0.0,\"busy_gCo2eq\":300.0,\"idle_gCo2eq\":0.0,"
               "\"intensity_gCo2eq_kwh\":120.0}]",
               usage_db_machine_timeseries, db, "gpu-01");

    CHECK_JSON("[{\"user_id\":\"u1\",\"ts\":\"2025-10-01T00:00:00Z\",\"busy_cpu_seconds_total\":0.0,"
               "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":2.0,\"idle_kwh\":0.5,\"busy_gCo2eq\":400.0,\"idle_gCo2eq\":100.0,"
               "\"intensity_gCo2eq_kwh\":200.0},"
               "{\"user_id\":\"u1\",\"ts\":\"2025-10-01T01:00:00Z\",\"busy_cpu_seconds_total\":0.0,"
               "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":1.0,\"idle_kwh\":0.5,\"busy_gCo2eq\":200.0,\"idle_gCo2eq\":100.0,"
               "\"intensity_gCo2eq_kwh\":200.0},"
               "{\"user_id\":\"u1\",\"ts\":\"2025-10-02T00:00:00Z\",\"busy_cpu_seconds_total\":0.0,"
               "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":3.0,\"idle_kwh\":0.5,\"busy_gCo2eq\":600.0,\"idle_gCo2eq\":100.0,"
               "\"intensity_gCo2eq_kwh\":200.0}]",
               usage_db_user_timeseries, db, "u1");

    CHECK_JSON("[]", usage_db_project_timeseries, db, "no-such-project");
    CHECK_JSON("[]", usage_db_machine_timeseries, db, "no-such-machine");
    CHECK_JSON("[]", usage_db_user_timeseries, db, "no-such-user");
}

static void test_totals(UsageDb *db)
{
    CHECK_JSON("[{\"cloud_project_name\":\"alpha\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":6.0,\"idle_kwh\":1.5,\"busy_gCo2eq\":1200.0,\"idle_gCo2eq\":300.0},"
               "{\"cloud_project_name\":\"beta\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":5.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":900.0,\"idle_gCo2eq\":300.0}]",
               usage_db_project_totals, db);

    CHECK_JSON("[{\"machine_name\":\"cpu-01\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":0.0,\"idle_kwh\":0.0,\"busy_gCo2eq\":0.0,\"idle_gCo2eq\":0.0},"
               "{\"machine_name\":\"gpu-01\",\"busy_cpu_seconds_total\":4800.0,\"idle_cpu_seconds_total\":2400.0,"
               "\"busy_kwh\":3.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":400.0,\"idle_gCo2eq\":100.0}]",
               usage_db_machine_totals, db);

    CHECK_JSON("[{\"group_name\":\"Ops\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":3.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":600.0,\"idle_gCo2eq\":200.0},"
               "{\"group_name\":\"Research\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":6.5,\"idle_kwh\":2.0,\"busy_gCo2eq\":1300.0,\"idle_gCo2eq\":400.0}]",
               usage_db_group_totals, db);

    CHECK_JSON("[{\"user_id\":\"u1\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":6.0,\"idle_kwh\":1.5,\"busy_gCo2eq\":1200.0,\"idle_gCo2eq\":300.0},"
               "{\"user_id\":\"u2\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":0.5,\"idle_kwh\":0.5,\"busy_gCo2eq\":100.0,\"idle_gCo2eq\":100.0},"
               "{\"user_id\":\"u3\",\"busy_cpu_seconds_total\":0.0,\"idle_cpu_seconds_total\":0.0,"
               "\"busy_kwh\":3.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":600.0,\"idle_gCo2eq\":200.0}]",
               usage_db_user_totals, db);
}

static void test_averages(UsageDb *db)
{
    /* beta's hour without energy has no intensity, so its average is over one hour. */
    CHECK_JSON("[{\"cloud_project_name\":\"alpha\",\"avg_busy_energy_kwh\":2.0,\"avg_idle_energy_kwh\":0.5,"
               "\"avg_busy_carbon_gCo2eq\":400.0,\"avg_idle_carbon_gCo2eq\":100.0,\"avg_intensity_gCo2eq_kwh\":200.0},"
               "{\"cloud_project_name\":\"beta\",\"avg_busy_energy_kwh\":2.5,\"avg_idle_energy_kwh\":0.5,"
               "\"avg_busy_carbon_gCo2eq\":450.0,\"avg_idle_carbon_gCo2eq\":150.0,\"avg_intensity_gCo2eq_kwh\":200.0}]",
               usage_db_project_averages, db);

    CHECK_JSON("[{\"machine_name\":\"cpu-01\",\"avg_busy_energy_kwh\":0.0,\"avg_idle_energy_kwh\":0.0,"
               "\"avg_busy_carbon_gCo2eq\":0.0,\"avg_idle_carbon_gCo2eq\":0.0,\"avg_intensity_gCo2eq_kwh\":null},"
               "{\"machine_name\":\"gpu-01\",\"avg_busy_energy_kwh\":1.5,\"avg_idle_energy_kwh\":0.5,"
               "\"avg_busy_carbon_gCo2eq\":200.0,\"avg_idle_carbon_gCo2eq\":50.0,\"avg_intensity_gCo2eq_kwh\":110.0}]",
               usage_db_machine_averages, db);

    /* Research averages the four user-hours of u1 and u2. */
    CHECK_JSON("[{\"group_name\":\"Ops\",\"avg_busy_energy_kwh\":3.0,\"avg_idle_energy_kwh\":1.0,"
               "\"avg_busy_carbon_gCo2eq\":600.0,\"avg_idle_carbon_gCo2eq\":200.0,\"avg_intensity_gCo2eq_kwh\":200.0},"
               "{\"group_name\":\"Research\",\"avg_busy_energy_kwh\":1.625,\"avg_idle_energy_kwh\":0.5,"
               "\"avg_busy_carbon_gCo2eq\":325.0,\"avg_idle_carbon_gCo2eq\":100.0,\"avg_intensity_gCo2eq_kwh\":200.0}]",
               usage_db_group_averages, db);

    CHECK_JSON("[{\"user_id\":\"u1\",\"avg_busy_energy_kwh\":2.0,\"avg_idle_energy_kwh\":0.5,"
               "\"avg_busy_carbon_gCo2eq\":400.0,\"avg_idle_carbon_gCo2eq\":100.0,\"avg_intensity_gCo2eq_kwh\":200.0},"
               "{\"user_id\":\"u2\",\"avg_busy_energy_kwh\":0.5,\"avg_idle_energy_kwh\":0.5,"
               "\"avg_busy_carbon_gCo2eq\":100.0,\"avg_idle_carbon_gCo2eq\":100.0,\"avg_intensity_gCo2eq_kwh\":200.0},"
               "{\"user_id\":\"u3\",\"avg_busy_energy_kwh\":3.0,\"avg_idle_energy_kwh\":1.0,"
               "\"avg_busy_carbon_gCo2eq\":600.0,\"avg_idle_carbon_gCo2eq\":200.0,\"avg_intensity_gCo2eq_kwh\":200.0}]",
               usage_db_user_averages, db);
}

static void test_convenience(UsageDb *db)
{
    CHECK_JSON("[{\"user_id\":\"u1\",\"display_name\":\"Ada Lovelace\",\"group_name\":\"Research\",\"cloud_project_name\":\"alpha\"},"
               "{\"user_id\":\"u1\",\"display_name\":\"Ada Lovelace\",\"group_name\":\"Research\",\"cloud_project_name\":\"beta\"},"
               "{\"user_id\":\"u2\",\"display_name\":\"Bob\",\"group_name\":\"Research\",\"cloud_project_name\":\"alpha\"}]",
               usage_db_user_project_memberships, db);

    /* This dataset starts no workspace, so the list is empty (test_reference fills it). */
    CHECK_JSON("[]", usage_db_active_workspaces, db);
}

static void test_window_reports(UsageDb *db)
{
    /* In the window alpha has 4.5 + 1.0 kWh and beta 0 + 6 kWh. */
    CHECK_JSON("[{\"cloud_project_name\":\"beta\",\"energy_kwh\":6.0,\"carbon_g\":1200.0},"
               "{\"cloud_project_name\":\"alpha\",\"energy_kwh\":5.5,\"carbon_g\":1100.0}]",
               usage_db_project_energy_carbon_between, db, FROM, TO);

    /* Research is u1 2.5 + 1.5 and u2 1.0, Ops is u3 4.0. u1's next-day hour is outside. */
    CHECK_JSON("[{\"group_name\":\"Research\",\"energy_kwh\":5.0},{\"group_name\":\"Ops\",\"energy_kwh\":4.0}]",
               usage_db_top_groups_by_energy, db, FROM, TO, 10);
    CHECK_JSON("[{\"group_name\":\"Research\",\"energy_kwh\":5.0}]", usage_db_top_groups_by_energy, db, FROM, TO, 1);
    CHECK_JSON("[]", usage_db_top_groups_by_energy, db, FROM, TO, 0);

    CHECK_JSON("[{\"machine_name\":\"gpu-01\",\"ts\":\"2025-10-01T00:00:00Z\",\"intensity_g_per_kwh\":100.0},"
               "{\"machine_name\":\"gpu-01\",\"ts\":\"2025-10-01T01:00:00Z\",\"intensity_g_per_kwh\":120.0}]",
               usage_db_machine_intensity_trend, db, "gpu-01");
    CHECK_JSON("[{\"machine_name\":\"cpu-01\",\"ts\":\"2025-10-01T00:00:00Z\",\"intensity_g_per_kwh\":null}]",
               usage_db_machine_intensity_trend, db, "cpu-01");

    /* u3 belongs to no project, so it is not listed. */
    CHECK_JSON("[{\"cloud_project_name\":\"alpha\",\"user_id\":\"u1\",\"user_energy_kwh\":4.0},"
               "{\"cloud_project_name\":\"alpha\",\"user_id\":\"u2\",\"user_energy_kwh\":1.0},"
               "{\"cloud_project_name\":\"beta\",\"user_id\":\"u1\",\"user_energy_kwh\":4.0}]",
               usage_db_user_contribution_window, db, FROM, TO);

    /* gpu-01 is busy 4800 of 7200 s, 66.7 %. cpu-01 has no seconds and sorts last. */
    CHECK_JSON("[{\"machine_name\":\"gpu-01\",\"busy_s\":4800.0,\"idle_s\":2400.0,\"busy_pct\":66.7},"
               "{\"machine_name\":\"cpu-01\",\"busy_s\":0.0,\"idle_s\":0.0,\"busy_pct\":null}]",
               usage_db_machine_utilization_share, db, FROM, TO);

    /* The window is half-open: starting at the next day sees only the next-day rows. */
    CHECK_JSON("[{\"cloud_project_name\":\"alpha\",\"energy_kwh\":2.0,\"carbon_g\":400.0}]",
               usage_db_project_energy_carbon_between, db, NEXT_DAY, "2025-10-03T00:00:00Z");
    CHECK_JSON("[]", usage_db_project_energy_carbon_between, db, T0, T0);

    /* Bounds are normalised like fact timestamps. */
    CHECK_JSON("[{\"group_name\":\"Research\",\"energy_kwh\":5.0},{\"group_name\":\"Ops\",\"energy_kwh\":4.0}]",
               usage_db_top_groups_by_energy, db, "2025-10-01T02:00:00+02:00", "2025-10-01 23:59:59", 5);
}

static void test_window_errors(UsageDb *db)
{
    char *json = NULL;

    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_project_energy_carbon_between(db, TO, FROM, &json));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "tomorrow", usage_db_user_contribution_window(db, FROM, "tomorrow", &json));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "-1", usage_db_top_groups_by_energy(db, FROM, TO, -1, &json));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "from", usage_db_machine_utilization_share(db, NULL, TO, &json));
    CHECK(json == NULL);
}

void test_reads(void)
{
    UsageDb *db = open_memory();

    if (db == NULL) {
        return;
    }
    load_dataset(db);
    test_timeseries(db);
    test_totals(db);
    test_averages(db);
    test_convenience(db);
    test_window_reports(db);
    test_window_errors(db);
    CHECK_OK(usage_db_close(db));
}
