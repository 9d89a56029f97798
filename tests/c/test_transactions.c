/*
 * Explicit transactions: nesting through savepoints, visibility to a second handle on
 * the same file, the write lock, and misuse.
 */
#include <stdint.h>

#include "check.h"
#include "suites.h"

static uint32_t depth_of(UsageDb *db)
{
    uint32_t depth = 999;

    CHECK_OK(usage_db_transaction_depth(db, &depth));
    return depth;
}

void test_transactions(void)
{
    UsageDb *writer = NULL;
    UsageDb *reader = NULL;
    char path[512];
    int64_t id = 0;

    temp_path("transactions.db", path, sizeof path);
    if (!CHECK_OK(usage_db_open(path, NULL, &writer)) || !CHECK_OK(usage_db_open(path, NULL, &reader))) {
        usage_db_close(writer);
        return;
    }

    CHECK_ERROR(USAGE_DB_STATUS_TRANSACTION_STATE, "", usage_db_commit(writer));
    CHECK_ERROR(USAGE_DB_STATUS_TRANSACTION_STATE, "", usage_db_rollback(writer));
    CHECK(depth_of(writer) == 0);

    /* Begin, insert A, begin, insert B, roll back, commit: only A remains. */
    CHECK_OK(usage_db_begin(writer));
    CHECK_OK(usage_db_get_or_create_project(writer, "A", &id));
    CHECK_OK(usage_db_begin(writer));
    CHECK(depth_of(writer) == 2);
    CHECK_OK(usage_db_get_or_create_project(writer, "B", &id));
    CHECK_OK(usage_db_rollback(writer));
    CHECK(depth_of(writer) == 1);

    /* Nothing is visible to the other handle before the commit. */
    CHECK_QUERY(reader, "SELECT cloud_project_name FROM dim_project", "[]");
    CHECK_OK(usage_db_commit(writer));
    CHECK(depth_of(writer) == 0);
    CHECK_QUERY(reader, "SELECT cloud_project_name FROM dim_project", "[{\"cloud_project_name\":\"A\"}]");

    /* A rolled-back outer transaction leaves nothing, bulk inserts included. */
    size_t written = 0;
    CHECK_OK(usage_db_begin(writer));
    CHECK_OK(usage_db_bulk_insert_fact_usage(writer, "[{\"scope\":\"ada\",\"ts_iso_utc\":\"2025-10-01T00:00:00Z\"}]", &written));
    CHECK(written == 1);
    CHECK(depth_of(writer) == 1);
    CHECK_OK(usage_db_rollback(writer));
    CHECK(count_rows(reader, "SELECT count(*) AS n FROM fact_usage") == 0);
    CHECK(count_rows(writer, "SELECT count(*) AS n FROM fact_usage") == 0);

    /* While the writer holds the write lock, a begin on a handle with a short timeout is BUSY. */
    UsageDbOpenOptions impatient = usage_db_open_options_default();
    UsageDb *waiter = NULL;
    impatient.busy_timeout_ms = 50;
    if (CHECK_OK(usage_db_open(path, &impatient, &waiter))) {
        CHECK_OK(usage_db_begin(writer));
        CHECK_ERROR(USAGE_DB_STATUS_BUSY, "", usage_db_begin(waiter));
        CHECK(depth_of(waiter) == 0);
        CHECK_OK(usage_db_rollback(writer));
        CHECK_OK(usage_db_begin(waiter));
        CHECK_OK(usage_db_commit(waiter));
        CHECK_OK(usage_db_close(waiter));
    }

    /* Closing with a transaction open rolls it back. */
    CHECK_OK(usage_db_begin(writer));
    CHECK_OK(usage_db_get_or_create_project(writer, "C", &id));
    CHECK_OK(usage_db_close(writer));
    CHECK_QUERY(reader, "SELECT cloud_project_name FROM dim_project", "[{\"cloud_project_name\":\"A\"}]");
    CHECK_OK(usage_db_close(reader));
}
