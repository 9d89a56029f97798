/* The SQL escape hatch: usage_db_q and usage_db_execute_write. */
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
