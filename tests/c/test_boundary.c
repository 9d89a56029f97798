/*
 * The ABI boundary: a NULL handle, NULL required pointers, NULL out parameters and
 * invalid UTF-8 each give an error code and a message, never a crash, and leave the out
 * parameters untouched.
 */
#include <stdint.h>

#include "check.h"
#include "suites.h"

#define BAD_UTF8 "gpu-\xff\xfe"
#define INVALID USAGE_DB_STATUS_INVALID_ARGUMENT

static void test_null_handle(void)
{
    UsageDbFact fact = {0};
    int64_t id = -7;
    uint32_t depth = 7;
    size_t count = 7;
    char *json = NULL;

    fact.scope = "ada";
    fact.ts_iso_utc = "2025-10-01T00:00:00Z";

    CHECK_ERROR(INVALID, "db is NULL", usage_db_get_or_create_group(NULL, "g", &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_get_or_create_user(NULL, "u1", NULL, NULL));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_get_or_create_project(NULL, "p", &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_get_or_create_machine(NULL, "m", &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_get_or_create_instance(NULL, "h", NULL, NULL, &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_map_user_project(NULL, "u1", NULL, "p"));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_map_project_machine(NULL, NULL, "p", NULL, "m"));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_start_workspace(NULL, 1, 1, "2025-10-01T00:00:00Z", NULL, NULL, &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_end_workspace(NULL, 1));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_insert_fact_usage(NULL, &fact, &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_bulk_insert_fact_usage_array(NULL, &fact, 1, &count));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_bulk_insert_fact_usage(NULL, "[]", &count));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_q(NULL, "SELECT 1", NULL, &json));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_execute_write(NULL, "DELETE FROM dim_group", NULL, &id));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_begin(NULL));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_commit(NULL));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_rollback(NULL));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_transaction_depth(NULL, &depth));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_ada_timeseries(NULL, &json));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_user_totals(NULL, &json));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_machine_timeseries(NULL, "m", &json));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_machine_utilization_share(NULL, "2025-10-01", "2025-10-02", &json));
    CHECK_ERROR(INVALID, "db is NULL", usage_db_top_groups_by_energy(NULL, "2025-10-01", "2025-10-02", 3, &json));

    CHECK(id == -7);
    CHECK(depth == 7);
    CHECK(count == 7);
    CHECK(json == NULL);
}

static void test_null_arguments(UsageDb *db)
{
    int64_t id = -7;
    char *json = NULL;
    UsageDb *opened = NULL;

    CHECK_ERROR(INVALID, "path", usage_db_open(NULL, NULL, &opened));
    CHECK_ERROR(INVALID, "out_db", usage_db_open(":memory:", NULL, NULL));
    CHECK_ERROR(INVALID, "group_name", usage_db_get_or_create_group(db, NULL, &id));
    CHECK_ERROR(INVALID, "user_id", usage_db_get_or_create_user(db, NULL, "name", NULL));
    CHECK_ERROR(INVALID, "cloud_project_name", usage_db_get_or_create_project(db, NULL, &id));
    CHECK_ERROR(INVALID, "machine_name", usage_db_get_or_create_machine(db, NULL, &id));
    CHECK_ERROR(INVALID, "host", usage_db_get_or_create_instance(db, NULL, NULL, NULL, &id));
    CHECK_ERROR(INVALID, "user_id", usage_db_map_user_project(db, NULL, NULL, "p"));
    CHECK_ERROR(INVALID, "started_at_iso_utc", usage_db_start_workspace(db, 1, 1, NULL, NULL, NULL, &id));
    CHECK_ERROR(INVALID, "fact", usage_db_insert_fact_usage(db, NULL, &id));
    CHECK_ERROR(INVALID, "rows", usage_db_bulk_insert_fact_usage_array(db, NULL, 2, NULL));
    CHECK_ERROR(INVALID, "rows_json", usage_db_bulk_insert_fact_usage(db, NULL, NULL));
    CHECK_ERROR(INVALID, "sql", usage_db_q(db, NULL, NULL, &json));
    CHECK_ERROR(INVALID, "sql", usage_db_execute_write(db, NULL, NULL, NULL));
    CHECK_ERROR(INVALID, "cloud_project_name", usage_db_project_timeseries(db, NULL, &json));
    CHECK_ERROR(INVALID, "to", usage_db_project_energy_carbon_between(db, "2025-10-01", NULL, &json));

    /* A fact whose required strings are NULL. */
    UsageDbFact fact = {0};
    CHECK_ERROR(INVALID, "scope", usage_db_insert_fact_usage(db, &fact, &id));
    fact.scope = "ada";
    CHECK_ERROR(INVALID, "ts_iso_utc", usage_db_insert_fact_usage(db, &fact, &id));

    CHECK(id == -7);
    CHECK(json == NULL);
}

static void test_null_out_parameters(UsageDb *db)
{
    UsageDbFact fact = {0};

    CHECK_ERROR(INVALID, "out_group_id", usage_db_get_or_create_group(db, "g", NULL));
    CHECK_ERROR(INVALID, "out_project_id", usage_db_get_or_create_project(db, "p", NULL));
    CHECK_ERROR(INVALID, "out_machine_id", usage_db_get_or_create_machine(db, "m", NULL));
    CHECK_ERROR(INVALID, "out_instance_id", usage_db_get_or_create_instance(db, "h", NULL, NULL, NULL));
    CHECK_ERROR(INVALID, "out_workspace_id", usage_db_start_workspace(db, 1, 1, "2025-10-01T00:00:00Z", NULL, NULL, NULL));
    CHECK_ERROR(INVALID, "out_json", usage_db_q(db, "SELECT 1", NULL, NULL));
    CHECK_ERROR(INVALID, "out_json", usage_db_group_totals(db, NULL));
    CHECK_ERROR(INVALID, "out_json", usage_db_user_timeseries(db, "u1", NULL));
    CHECK_ERROR(INVALID, "out_json", usage_db_user_contribution_window(db, "2025-10-01", "2025-10-02", NULL));
    CHECK_ERROR(INVALID, "out_json", usage_db_top_groups_by_energy(db, "2025-10-01", "2025-10-02", 1, NULL));
    CHECK_ERROR(INVALID, "out_depth", usage_db_transaction_depth(db, NULL));

    /* The checks come before any write: a rejected call stores nothing. */
    CHECK(count_rows(db, "SELECT (SELECT count(*) FROM dim_group) + (SELECT count(*) FROM dim_project) "
                         "+ (SELECT count(*) FROM dim_machine) + (SELECT count(*) FROM dim_instance) AS n") == 0);

    /* Out parameters marked optional may be NULL. */
    fact.scope = "ada";
    fact.ts_iso_utc = "2025-10-01T00:00:00Z";
    CHECK_OK(usage_db_insert_fact_usage(db, &fact, NULL));
    CHECK_OK(usage_db_bulk_insert_fact_usage_array(db, &fact, 1, NULL));
    CHECK_OK(usage_db_bulk_insert_fact_usage(db, "[]", NULL));
    CHECK_OK(usage_db_execute_write(db, "DELETE FROM fact_usage", NULL, NULL));
}

static void test_invalid_utf8(UsageDb *db)
{
    int64_t id = -7;
    char *json = NULL;
    UsageDb *opened = NULL;
    UsageDbFact fact = {0};

    CHECK_ERROR(INVALID, "UTF-8", usage_db_open("/tmp/\xff.db", NULL, &opened));
    CHECK(opened == NULL);
    CHECK_ERROR(INVALID, "UTF-8", usage_db_get_or_create_group(db, BAD_UTF8, &id));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_get_or_create_user(db, "u1", BAD_UTF8, NULL));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_get_or_create_project(db, BAD_UTF8, &id));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_get_or_create_machine(db, BAD_UTF8, &id));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_get_or_create_instance(db, "h", NULL, BAD_UTF8, &id));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_map_project_machine(db, NULL, "p", NULL, BAD_UTF8));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_q(db, "SELECT '" BAD_UTF8 "'", NULL, &json));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_bulk_insert_fact_usage(db, "[{\"scope\":\"" BAD_UTF8 "\"}]", NULL));
    CHECK_ERROR(INVALID, "UTF-8", usage_db_machine_intensity_trend(db, BAD_UTF8, &json));

    fact.scope = "user";
    fact.ts_iso_utc = "2025-10-01T00:00:00Z";
    fact.user_id = BAD_UTF8;
    CHECK_ERROR(INVALID, "UTF-8", usage_db_insert_fact_usage(db, &fact, &id));

    CHECK(id == -7);
    CHECK(json == NULL);
    CHECK(count_rows(db, "SELECT count(*) AS n FROM dim_user") == 0);
}

void test_boundary(void)
{
    UsageDb *db = open_memory();

    test_null_handle();
    if (db != NULL) {
        test_null_arguments(db);
        test_null_out_parameters(db);
        test_invalid_utf8(db);
        CHECK_OK(usage_db_close(db));
    }

    /* Freeing NULL is a no-op. A crash here fails the run. */
    usage_db_string_free(NULL);
}
