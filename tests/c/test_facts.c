/* Facts: single upserts in every scope, both bulk inserts, validation and time forms. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "suites.h"

#define ALL_FACTS "SELECT count(*) AS n FROM fact_usage"

/* Project 1 "alpha-cloud", machine 1 "gpu-01" and user "u123" exist afterwards. */
static void seed_reference(UsageDb *db)
{
    int64_t id = 0;

    CHECK_OK(usage_db_get_or_create_project(db, "alpha-cloud", &id));
    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-01", &id));
    CHECK_OK(usage_db_get_or_create_user(db, "u123", "Ada Lovelace", "Research"));
}

static UsageDbFact project_fact(const char *ts, double busy_kwh)
{
    UsageDbFact fact = {0};

    fact.scope = "project";
    fact.ts_iso_utc = ts;
    fact.has_project_id = true;
    fact.project_id = 1;
    fact.busy_kwh = busy_kwh;
    return fact;
}

static void test_scopes_and_upsert(UsageDb *db)
{
    UsageDbFact ada = {0};
    UsageDbFact project = project_fact("2025-10-01T00:00:00Z", 9.0);
    UsageDbFact machine = {0};
    UsageDbFact user = {0};
    int64_t ids[4] = {0};
    int64_t upserted = 0;

    ada.scope = "ada";
    ada.ts_iso_utc = "2025-10-01T00:00:00Z";
    ada.busy_kwh = 12.5;
    ada.idle_kwh = 3.0;
    ada.busy_gCo2eq = 2300.0;
    ada.idle_gCo2eq = 500.0;

    machine.scope = "machine";
    machine.ts_iso_utc = "2025-10-01T00:00:00Z";
    machine.has_machine_id = true;
    machine.machine_id = 1;
    machine.busy_cpu_seconds_total = 18000.0;
    machine.idle_cpu_seconds_total = 6000.0;
    machine.has_intensity = true;
    machine.intensity_gCo2eq_kwh = 180.5;

    user.scope = "user";
    user.ts_iso_utc = "2025-10-01T00:00:00Z";
    user.user_id = "u123";
    user.busy_kwh = 3.25;

    CHECK_OK(usage_db_insert_fact_usage(db, &ada, &ids[0]));
    CHECK_OK(usage_db_insert_fact_usage(db, &project, &ids[1]));
    CHECK_OK(usage_db_insert_fact_usage(db, &machine, &ids[2]));
    CHECK_OK(usage_db_insert_fact_usage(db, &user, NULL));
    CHECK(ids[0] == 1);
    CHECK(ids[1] == 2);
    CHECK(ids[2] == 3);
    CHECK_QUERY(db,
                "SELECT usage_id, ts, scope, project_id, machine_id, user_id, busy_cpu_seconds_total, "
                "idle_cpu_seconds_total, busy_kwh, idle_kwh, busy_gCo2eq, idle_gCo2eq, "
                "intensity_gCo2eq_kwh FROM fact_usage ORDER BY usage_id",
                "[{\"usage_id\":1,\"ts\":\"2025-10-01T00:00:00Z\",\"scope\":\"ada\",\"project_id\":null,"
                "\"machine_id\":null,\"user_id\":null,\"busy_cpu_seconds_total\":0.0,"
                "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":12.5,\"idle_kwh\":3.0,\"busy_gCo2eq\":2300.0,"
                "\"idle_gCo2eq\":500.0,\"intensity_gCo2eq_kwh\":null},"
                "{\"usage_id\":2,\"ts\":\"2025-10-01T00:00:00Z\",\"scope\":\"project\",\"project_id\":1,"
                "\"machine_id\":null,\"user_id\":null,\"busy_cpu_seconds_total\":0.0,"
                "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":9.0,\"idle_kwh\":0.0,\"busy_gCo2eq\":0.0,"
                "\"idle_gCo2eq\":0.0,\"intensity_gCo2eq_kwh\":null},"
                "{\"usage_id\":3,\"ts\":\"2025-10-01T00:00:00Z\",\"scope\":\"machine\",\"project_id\":null,"
                "\"machine_id\":1,\"user_id\":null,\"busy_cpu_seconds_total\":18000.0,"
                "\"idle_cpu_seconds_total\":6000.0,\"busy_kwh\":0.0,\"idle_kwh\":0.0,\"busy_gCo2eq\":0.0,"
                "\"idle_gCo2eq\":0.0,\"intensity_gCo2eq_kwh\":180.5},"
                "{\"usage_id\":4,\"ts\":\"2025-10-01T00:00:00Z\",\"scope\":\"user\",\"project_id\":null,"
                "\"machine_id\":null,\"user_id\":\"u123\",\"busy_cpu_seconds_total\":0.0,"
                "\"idle_cpu_seconds_total\":0.0,\"busy_kwh\":3.25,\"idle_kwh\":0.0,\"busy_gCo2eq\":0.0,"
                "\"idle_gCo2eq\":0.0,\"intensity_gCo2eq_kwh\":null}]");

    /* The same key keeps its usage_id and takes every metric of the new row. */
    project.busy_kwh = 10.0;
    project.idle_kwh = 1.0;
    project.busy_gCo2eq = 1800.0;
    CHECK_OK(usage_db_insert_fact_usage(db, &project, &upserted));
    CHECK(upserted == ids[1]);
    CHECK(count_rows(db, ALL_FACTS) == 4);
    CHECK_QUERY(db, "SELECT usage_id, busy_kwh, idle_kwh, busy_gCo2eq, idle_gCo2eq FROM fact_usage WHERE scope = 'project'",
                "[{\"usage_id\":2,\"busy_kwh\":10.0,\"idle_kwh\":1.0,\"busy_gCo2eq\":1800.0,\"idle_gCo2eq\":0.0}]");
}

static void test_single_insert_errors(UsageDb *db)
{
    UsageDbFact fact = project_fact("2025-10-01T01:00:00Z", 1.0);
    int64_t id = -5;

    /* Only the scope's own key may be set. */
    fact.has_machine_id = true;
    fact.machine_id = 1;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "machine_id", usage_db_insert_fact_usage(db, &fact, &id));
    fact.has_machine_id = false;

    fact.has_project_id = false;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "project_id", usage_db_insert_fact_usage(db, &fact, &id));
    fact.has_project_id = true;

    fact.scope = "cluster";
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "cluster", usage_db_insert_fact_usage(db, &fact, &id));
    fact.scope = "project";

    fact.idle_kwh = -0.5;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "idle_kwh", usage_db_insert_fact_usage(db, &fact, &id));
    fact.idle_kwh = NAN;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "idle_kwh", usage_db_insert_fact_usage(db, &fact, &id));
    fact.idle_kwh = 0.0;

    fact.ts_iso_utc = "2025-10-01T01:00:00.500Z";
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "2025-10-01T01:00:00.500Z", usage_db_insert_fact_usage(db, &fact, &id));
    fact.ts_iso_utc = "2025-13-01T00:00:00Z";
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "ts_iso_utc", usage_db_insert_fact_usage(db, &fact, &id));
    fact.ts_iso_utc = "2025-10-01T01:00:00Z";

    fact.project_id = 999;
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "project_id 999", usage_db_insert_fact_usage(db, &fact, &id));

    UsageDbFact user = {0};
    user.scope = "user";
    user.ts_iso_utc = "2025-10-01T01:00:00Z";
    user.user_id = "u404";
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "u404", usage_db_insert_fact_usage(db, &user, &id));

    CHECK(id == -5);
    CHECK(count_rows(db, ALL_FACTS) == 4);
}

static void test_time_forms(UsageDb *db)
{
    UsageDbFact fact = {0};
    int64_t canonical = 0;
    int64_t offset = 0;
    int64_t spaced = 0;

    fact.scope = "ada";
    fact.ts_iso_utc = "2025-03-01T05:00:00Z";
    fact.busy_kwh = 1.0;
    CHECK_OK(usage_db_insert_fact_usage(db, &fact, &canonical));

    fact.ts_iso_utc = "2025-03-01T06:00:00+01:00";
    fact.busy_kwh = 2.0;
    CHECK_OK(usage_db_insert_fact_usage(db, &fact, &offset));

    fact.ts_iso_utc = "2025-03-01 05:00:00Z";
    fact.busy_kwh = 3.0;
    CHECK_OK(usage_db_insert_fact_usage(db, &fact, &spaced));

    CHECK(offset == canonical);
    CHECK(spaced == canonical);
    CHECK_QUERY(db, "SELECT ts, busy_kwh FROM fact_usage WHERE ts LIKE '2025-03-01%'",
                "[{\"ts\":\"2025-03-01T05:00:00Z\",\"busy_kwh\":3.0}]");
}

static void test_bulk_array(UsageDb *db)
{
    UsageDbFact rows[3];
    size_t written = 99;

    rows[0] = project_fact("2025-10-02T00:00:00Z", 7.0);
    rows[1] = project_fact("2025-10-02T01:00:00Z", 6.0);
    rows[2] = project_fact("2025-10-02T02:00:00Z", 5.0);
    CHECK_OK(usage_db_bulk_insert_fact_usage_array(db, rows, 3, &written));
    CHECK(written == 3);
    CHECK(count_rows(db, ALL_FACTS) == 8);

    /* Row 1 is bad: the message names it and its field, and rows 0 and 2 are not kept. */
    rows[0] = project_fact("2025-10-03T00:00:00Z", 1.0);
    rows[1] = project_fact("2025-10-03T01:00:00Z", -1.0);
    rows[2] = project_fact("2025-10-03T02:00:00Z", 1.0);
    written = 99;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "row 1", usage_db_bulk_insert_fact_usage_array(db, rows, 3, &written));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "busy_kwh", usage_db_bulk_insert_fact_usage_array(db, rows, 3, &written));
    CHECK(written == 99);

    rows[1] = project_fact("2025-10-03T01:00:00Z", 1.0);
    rows[1].project_id = 999;
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "row 1", usage_db_bulk_insert_fact_usage_array(db, rows, 3, &written));
    CHECK(count_rows(db, ALL_FACTS) == 8);

    /* An upsert inside the batch replaces the earlier row of the same key. */
    rows[1] = project_fact("2025-10-02T00:00:00Z", 8.5);
    CHECK_OK(usage_db_bulk_insert_fact_usage_array(db, rows, 3, &written));
    CHECK(written == 3);
    CHECK(count_rows(db, ALL_FACTS) == 10);
    CHECK_QUERY(db, "SELECT busy_kwh FROM fact_usage WHERE scope = 'project' AND ts = '2025-10-02T00:00:00Z'",
                "[{\"busy_kwh\":8.5}]");

    CHECK_OK(usage_db_bulk_insert_fact_usage_array(db, NULL, 0, &written));
    CHECK(written == 0);
}

static void test_bulk_json(UsageDb *db)
{
    size_t written = 99;

    CHECK_OK(usage_db_bulk_insert_fact_usage(db,
        "[{\"scope\":\"machine\",\"ts_iso_utc\":\"2025-10-01T01:00:00Z\",\"machine_id\":1,"
        "\"busy_cpu_seconds_total\":19000,\"idle_cpu_seconds_total\":5000,\"busy_kwh\":5.7,"
        "\"idle_kwh\":0.7,\"busy_gCo2eq\":1040,\"idle_gCo2eq\":120},"
        "{\"scope\":\"user\",\"ts_iso_utc\":\"2025-10-01T01:00:00+00:00\",\"user_id\":\"u123\","
        "\"project_id\":null,\"busy_kwh\":3.0,\"intensity_gCo2eq_kwh\":200}]",
        &written));
    CHECK(written == 2);
    CHECK_QUERY(db,
                "SELECT scope, ts, busy_cpu_seconds_total, idle_kwh, idle_gCo2eq, intensity_gCo2eq_kwh "
                "FROM fact_usage WHERE ts = '2025-10-01T01:00:00Z' ORDER BY scope",
                "[{\"scope\":\"machine\",\"ts\":\"2025-10-01T01:00:00Z\",\"busy_cpu_seconds_total\":19000.0,"
                "\"idle_kwh\":0.7,\"idle_gCo2eq\":120.0,\"intensity_gCo2eq_kwh\":null},"
                "{\"scope\":\"user\",\"ts\":\"2025-10-01T01:00:00Z\",\"busy_cpu_seconds_total\":0.0,"
                "\"idle_kwh\":0.0,\"idle_gCo2eq\":0.0,\"intensity_gCo2eq_kwh\":200.0}]");
    CHECK(count_rows(db, ALL_FACTS) == 12);

    const char *bad_middle =
        "[{\"scope\":\"ada\",\"ts_iso_utc\":\"2025-11-01T00:00:00Z\",\"busy_kwh\":1},"
        "{\"scope\":\"ada\",\"ts_iso_utc\":\"2025-11-01T01:00:00Z\",\"idle_gCo2eq\":-3},"
        "{\"scope\":\"ada\",\"ts_iso_utc\":\"2025-11-01T02:00:00Z\",\"busy_kwh\":1}]";
    written = 99;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "row 1", usage_db_bulk_insert_fact_usage(db, bad_middle, &written));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "idle_gCo2eq", usage_db_bulk_insert_fact_usage(db, bad_middle, &written));
    CHECK(written == 99);

    const char *unknown_project =
        "[{\"scope\":\"ada\",\"ts_iso_utc\":\"2025-11-01T00:00:00Z\"},"
        "{\"scope\":\"project\",\"ts_iso_utc\":\"2025-11-01T00:00:00Z\",\"project_id\":42}]";
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "project_id 42", usage_db_bulk_insert_fact_usage(db, unknown_project, &written));

    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_bulk_insert_fact_usage(db, "[{\"scope\":", &written));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_bulk_insert_fact_usage(db, "{\"scope\":\"ada\"}", &written));
    CHECK(count_rows(db, ALL_FACTS) == 12);

    CHECK_OK(usage_db_bulk_insert_fact_usage(db, "[]", &written));
    CHECK(written == 0);
}

void test_facts(void)
{
    UsageDb *db = open_memory();

    if (db == NULL) {
        return;
    }
    seed_reference(db);
    test_scopes_and_upsert(db);
    test_single_insert_errors(db);
    test_time_forms(db);
    test_bulk_array(db);
    test_bulk_json(db);
    CHECK_OK(usage_db_close(db));
}
