/* The SQL escape hatch (usage_db_q, usage_db_execute_write) and explicit transactions. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "suites.h"

#define MACHINES "SELECT count(*) AS n FROM dim_machine"

static void seed_machines(UsageDb *db)
{
    int64_t id = 0;

    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-01", &id));
    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-02", &id));
    CHECK_OK(usage_db_get_or_create_machine(db, "cpu-01", &id));
}

static void test_query_params(UsageDb *db)
{
    CHECK_JSON("[{\"machine_id\":2,\"machine_name\":\"gpu-02\"}]", usage_db_q, db,
               "SELECT machine_id, machine_name FROM dim_machine WHERE machine_name = ?", "[\"gpu-02\"]");
    CHECK_JSON("[{\"machine_name\":\"cpu-01\"},{\"machine_name\":\"gpu-01\"}]", usage_db_q, db,
               "SELECT machine_name FROM dim_machine WHERE machine_id IN (?1, ?2) ORDER BY machine_name", "[1, 3]");
    CHECK_JSON("[{\"machine_name\":\"gpu-01\"},{\"machine_name\":\"gpu-02\"}]", usage_db_q, db,
               "SELECT machine_name FROM dim_machine WHERE machine_name LIKE :prefix ORDER BY machine_name",
               "{\"prefix\":\"gpu%\"}");
    CHECK_JSON("[{\"machine_name\":\"cpu-01\"}]", usage_db_q, db,
               "SELECT machine_name FROM dim_machine WHERE machine_id = @id", "{\"@id\":3}");
    CHECK_JSON("[{\"half\":1.5,\"none\":null,\"text\":\"x\"}]", usage_db_q, db,
               "SELECT $a / 2.0 AS half, $b AS none, $c AS text", "{\"a\":3,\"b\":null,\"c\":\"x\"}");
    CHECK_JSON("[]", usage_db_q, db, "SELECT machine_name FROM dim_machine WHERE machine_id > 99", NULL);

    char *json = NULL;
    CHECK_ERROR(USAGE_DB_STATUS_SQL_ERROR, "no_such_table", usage_db_q(db, "SELECT * FROM no_such_table", NULL, &json));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_q(db, "SELECT ?", "[1, 2", &json));
    CHECK(json == NULL);
}

static void test_query_rejects_writes(UsageDb *db)
{
    static const char *const writes[] = {
        "DELETE FROM dim_machine",
        "ATTACH DATABASE ':memory:' AS other",
        "PRAGMA journal_mode=DELETE",
        "DROP TABLE dim_machine",
        "INSERT INTO dim_machine (machine_name) VALUES ('x')",
        "BEGIN",
    };
    char *json = NULL;

    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        if (!CHECK_ERROR(USAGE_DB_STATUS_READ_ONLY_VIOLATION, "", usage_db_q(db, writes[i], NULL, &json))) {
            fprintf(stderr, "  statement: %s\n", writes[i]);
        }
    }

    /*
     * A write hidden after a read is caught while the whole text is prepared; two reads
     * are rejected as more than one statement. Neither runs.
     */
    CHECK_ERROR(USAGE_DB_STATUS_READ_ONLY_VIOLATION, "",
                usage_db_q(db, "SELECT 1; DELETE FROM dim_machine", NULL, &json));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "more than one statement",
                usage_db_q(db, "SELECT 1; SELECT 2", NULL, &json));

    CHECK(json == NULL);
    CHECK(count_rows(db, MACHINES) == 3);

    /* Reading a setting is allowed, and the connection keeps foreign keys on. */
    CHECK_JSON("[{\"foreign_keys\":1}]", usage_db_q, db, "PRAGMA foreign_keys", NULL);
}

static void test_execute_write(UsageDb *db)
{
    int64_t changes = -1;

    CHECK_OK(usage_db_execute_write(db, "DELETE FROM dim_machine WHERE machine_name LIKE :p", "{\"p\":\"gpu%\"}", &changes));
    CHECK(changes == 2);
    CHECK_OK(usage_db_execute_write(db, "UPDATE dim_machine SET machine_name = ? WHERE machine_id = 3", "[\"cpu-99\"]", NULL));
    CHECK_QUERY(db, "SELECT machine_id, machine_name FROM dim_machine",
                "[{\"machine_id\":3,\"machine_name\":\"cpu-99\"}]");

    CHECK_ERROR(USAGE_DB_STATUS_SQL_ERROR, "", usage_db_execute_write(db, "BEGIN", NULL, &changes));
    CHECK_ERROR(USAGE_DB_STATUS_SQL_ERROR, "", usage_db_execute_write(db, "ATTACH DATABASE ':memory:' AS other", NULL, &changes));
    CHECK_ERROR(USAGE_DB_STATUS_CONSTRAINT, "", usage_db_execute_write(db, "INSERT INTO dim_machine (machine_name) VALUES (NULL)", NULL, &changes));
    CHECK(changes == 2);
}

void test_query(void)
{
    UsageDb *db = open_memory();

    if (db == NULL) {
        return;
    }
    seed_machines(db);
    test_query_params(db);
    test_query_rejects_writes(db);
    test_execute_write(db);
    CHECK_OK(usage_db_close(db));
}

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

    /* Closing with a transaction open rolls it back. */
    CHECK_OK(usage_db_begin(writer));
    CHECK_OK(usage_db_get_or_create_project(writer, "C", &id));
    CHECK_OK(usage_db_close(writer));
    CHECK_QUERY(reader, "SELECT cloud_project_name FROM dim_project", "[{\"cloud_project_name\":\"A\"}]");
    CHECK_OK(usage_db_close(reader));
}
