/*
 * Threads: one handle shared by several threads, and the last-error message kept per
 * thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>

#include "check.h"
#include "suites.h"

enum { THREAD_COUNT = 4, HOURS_PER_THREAD = 24 };

typedef struct {
    UsageDb *db;
    int64_t machine_id;
    int failures;
} Worker;

/* Inserts one machine fact per hour of the worker's own day; counts failures. */
static int insert_day(void *argument)
{
    Worker *worker = argument;
    char ts[32];

    for (int hour = 0; hour < HOURS_PER_THREAD; hour++) {
        UsageDbFact fact = {
            .scope = "machine", .ts_iso_utc = ts,
            .has_machine_id = true, .machine_id = worker->machine_id,
            .busy_kwh = 0.5,
        };
        snprintf(ts, sizeof ts, "2025-10-01T%02d:00:00Z", hour);
        if (usage_db_insert_fact_usage(worker->db, &fact, NULL) != USAGE_DB_STATUS_OK) {
            worker->failures++;
        }
    }
    return 0;
}

/* Copies this thread's last error, taken before and after a failing call of its own. */
typedef struct {
    char before[256];
    char after[256];
} ErrorSnapshot;

static int snapshot_errors(void *argument)
{
    ErrorSnapshot *snapshot = argument;
    int64_t id = 0;

    snprintf(snapshot->before, sizeof snapshot->before, "%s", usage_db_last_error());
    usage_db_get_or_create_group(NULL, "g", &id);
    snprintf(snapshot->after, sizeof snapshot->after, "%s", usage_db_last_error());
    return 0;
}

static void test_shared_handle(void)
{
    UsageDb *db = open_memory();
    Worker workers[THREAD_COUNT];
    thrd_t threads[THREAD_COUNT];

    if (db == NULL) {
        return;
    }

    for (int i = 0; i < THREAD_COUNT; i++) {
        char name[16];
        snprintf(name, sizeof name, "node-%d", i);
        workers[i] = (Worker){.db = db, .machine_id = 0, .failures = 0};
        CHECK_OK(usage_db_get_or_create_machine(db, name, &workers[i].machine_id));
    }
    for (int i = 0; i < THREAD_COUNT; i++) {
        CHECK(thrd_create(&threads[i], insert_day, &workers[i]) == thrd_success);
    }
    for (int i = 0; i < THREAD_COUNT; i++) {
        CHECK(thrd_join(threads[i], NULL) == thrd_success);
        CHECK(workers[i].failures == 0);
    }

    CHECK(count_rows(db, "SELECT count(*) AS n FROM fact_usage") == THREAD_COUNT * HOURS_PER_THREAD);
    CHECK_QUERY(db, "SELECT count(*) AS machines, sum(busy_kwh) AS kwh FROM v_machine_totals",
                "[{\"machines\":4,\"kwh\":48.0}]");
    CHECK_OK(usage_db_close(db));
}

static void test_last_error_per_thread(void)
{
    ErrorSnapshot snapshot = {{0}, {0}};
    thrd_t thread;
    char main_message[256];

    /* A failure on this thread first, so its message differs from the other thread's. */
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "machine_name",
                usage_db_get_or_create_machine(NULL, NULL, &(int64_t){0}));
    snprintf(main_message, sizeof main_message, "%s", usage_db_last_error());

    CHECK(thrd_create(&thread, snapshot_errors, &snapshot) == thrd_success);
    CHECK(thrd_join(thread, NULL) == thrd_success);

    CHECK_TEXT(snapshot.before, "");
    CHECK(strstr(snapshot.after, "db is NULL") != NULL);
    CHECK_TEXT(usage_db_last_error(), main_message);
}

void test_threads(void)
{
    test_shared_handle();
    test_last_error_per_thread();
}
