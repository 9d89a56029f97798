/*
 * The usage_db quickstart in C: open a database, add reference data, record usage in the
 * four scopes, upsert, bulk insert, roll a transaction back, print two reports and one
 * custom query, and close.
 *
 * Build and run with `make c-example`, or by hand from the repository root:
 *   cc -std=c11 -I include bindings/c/quickstart.c \
 *      -L target/release -Wl,-rpath,"$PWD/target/release" -lusage_db
 * The first argument is the database path (default usage.db, or ":memory:" to keep nothing).
 */
#include <stdbool.h>
#include <stdio.h>

#include "usage_db.h"

#define WINDOW_FROM "2025-10-01T00:00:00Z"
#define WINDOW_TO "2025-10-02T00:00:00Z"

/* Ids of the reference rows that the facts below point at. */
typedef struct {
    int64_t project_id;
    int64_t machine_id;
    int64_t workspace_id;
} Ids;

/* Prints the failed call and the library's message, and returns whether `status` is OK. */
static bool ok(UsageDbStatus status, const char *call)
{
    if (status != USAGE_DB_STATUS_OK) {
        fprintf(stderr, "%s failed with %s: %s\n", call, usage_db_status_name(status),
                usage_db_last_error());
    }
    return status == USAGE_DB_STATUS_OK;
}

static bool seed_reference_data(UsageDb *db, Ids *ids)
{
    int64_t group_id = 0;
    int64_t instance_id = 0;
    int64_t port = 2222;

    if (!ok(usage_db_get_or_create_group(db, "Research", &group_id), "get_or_create_group") ||
        !ok(usage_db_get_or_create_user(db, "u123", "Ada Lovelace", "Research"), "get_or_create_user") ||
        !ok(usage_db_get_or_create_project(db, "alpha-cloud", &ids->project_id), "get_or_create_project") ||
        !ok(usage_db_get_or_create_machine(db, "gpu-01", &ids->machine_id), "get_or_create_machine")) {
        return false;
    }

    /* Memberships by name. A NULL id tells the call to use the name beside it. */
    if (!ok(usage_db_map_user_project(db, "u123", NULL, "alpha-cloud"), "map_user_project") ||
        !ok(usage_db_map_project_machine(db, NULL, "alpha-cloud", NULL, "gpu-01"), "map_project_machine")) {
        return false;
    }

    return ok(usage_db_get_or_create_instance(db, "10.0.0.5", &port, "gpu-01:2222", &instance_id),
              "get_or_create_instance") &&
           ok(usage_db_start_workspace(db, instance_id, ids->machine_id, "2025-10-01T09:00:00Z", "u123",
                                       &ids->project_id, &ids->workspace_id),
              "start_workspace");
}

/*
 * One fact per scope. Each scope sets only its own key. Designated initializers zero the
 * fields left out, so those ids are absent and those metrics 0.
 */
static bool insert_single_rows(UsageDb *db, const Ids *ids)
{
    UsageDbFact ada = {
        .scope = "ada", .ts_iso_utc = "2025-10-01T00:00:00Z",
        .busy_kwh = 12.5, .idle_kwh = 3.0, .busy_gCo2eq = 2300, .idle_gCo2eq = 500,
    };
    UsageDbFact project = {
        .scope = "project", .ts_iso_utc = "2025-10-01T00:00:00Z",
        .has_project_id = true, .project_id = ids->project_id,
        .busy_kwh = 9.1, .idle_kwh = 1.2, .busy_gCo2eq = 1700, .idle_gCo2eq = 210,
    };
    UsageDbFact machine = {
        .scope = "machine", .ts_iso_utc = "2025-10-01T00:00:00Z",
        .has_machine_id = true, .machine_id = ids->machine_id,
        .busy_cpu_seconds_total = 18000, .idle_cpu_seconds_total = 6000,
        .busy_kwh = 5.4, .idle_kwh = 0.9, .busy_gCo2eq = 1000, .idle_gCo2eq = 160,
    };
    UsageDbFact user = {
        .scope = "user", .ts_iso_utc = "2025-10-01T00:00:00Z", .user_id = "u123",
        .busy_kwh = 3.3, .idle_kwh = 0.4, .busy_gCo2eq = 610, .idle_gCo2eq = 70,
    };

    if (!ok(usage_db_insert_fact_usage(db, &ada, NULL), "insert ada") ||
        !ok(usage_db_insert_fact_usage(db, &project, NULL), "insert project") ||
        !ok(usage_db_insert_fact_usage(db, &machine, NULL), "insert machine") ||
        !ok(usage_db_insert_fact_usage(db, &user, NULL), "insert user")) {
        return false;
    }

    /* The same scope, hour and project again replaces the metrics of that row. */
    project.busy_kwh = 10.0;
    project.idle_kwh = 1.0;
    project.busy_gCo2eq = 1800;
    project.idle_gCo2eq = 200;
    return ok(usage_db_insert_fact_usage(db, &project, NULL), "upsert project");
}

/* A project fact that also names a machine is rejected, and nothing is written. */
static bool show_validation_error(UsageDb *db, const Ids *ids)
{
    UsageDbFact wrong = {
        .scope = "project", .ts_iso_utc = "2025-10-01T01:00:00Z",
        .has_project_id = true, .project_id = ids->project_id,
        .has_machine_id = true, .machine_id = ids->machine_id,
    };

    UsageDbStatus status = usage_db_insert_fact_usage(db, &wrong, NULL);
    if (status != USAGE_DB_STATUS_INVALID_ARGUMENT) {
        fprintf(stderr, "expected USAGE_DB_STATUS_INVALID_ARGUMENT, got %s\n", usage_db_status_name(status));
        return false;
    }
    printf("Validation error: %s\n", usage_db_last_error());
    return true;
}

/* Three facts at once, all or none. */
static bool bulk_insert(UsageDb *db, const Ids *ids)
{
    const UsageDbFact rows[] = {
        {
            .scope = "project", .ts_iso_utc = "2025-10-01T01:00:00Z",
            .has_project_id = true, .project_id = ids->project_id,
            .busy_kwh = 7.0, .idle_kwh = 1.0, .busy_gCo2eq = 1200, .idle_gCo2eq = 190,
        },
        {
            .scope = "machine", .ts_iso_utc = "2025-10-01T01:00:00Z",
            .has_machine_id = true, .machine_id = ids->machine_id,
            .busy_cpu_seconds_total = 19000, .idle_cpu_seconds_total = 5000,
            .busy_kwh = 5.7, .idle_kwh = 0.7, .busy_gCo2eq = 1040, .idle_gCo2eq = 120,
        },
        {
            .scope = "user", .ts_iso_utc = "2025-10-01T01:00:00Z", .user_id = "u123",
            .busy_kwh = 3.0, .idle_kwh = 0.3, .busy_gCo2eq = 560, .idle_gCo2eq = 60,
        },
    };
    size_t written = 0;

    if (!ok(usage_db_bulk_insert_fact_usage_array(db, rows, sizeof rows / sizeof rows[0], &written),
            "bulk_insert_fact_usage_array")) {
        return false;
    }
    printf("Bulk insert wrote %zu rows\n", written);
    return true;
}

/* Two inserts inside a transaction, undone together by the rollback. */
static bool rolled_back_transaction(UsageDb *db, const Ids *ids)
{
    UsageDbFact ada = {
        .scope = "ada", .ts_iso_utc = "2025-10-01T02:00:00Z", .busy_kwh = 1.0, .idle_kwh = 0.2,
    };
    UsageDbFact project = {
        .scope = "project", .ts_iso_utc = "2025-10-01T02:00:00Z",
        .has_project_id = true, .project_id = ids->project_id, .busy_kwh = 0.8,
    };

    if (!ok(usage_db_begin(db), "begin")) {
        return false;
    }
    if (!ok(usage_db_insert_fact_usage(db, &ada, NULL), "insert ada in transaction") ||
        !ok(usage_db_insert_fact_usage(db, &project, NULL), "insert project in transaction")) {
        usage_db_rollback(db);
        return false;
    }

    /* The caller decides against the two inserts and undoes both. */
    return ok(usage_db_rollback(db), "rollback");
}

/*
 * Prints the JSON that a read wrote to `*json`, then frees it: every string the library
 * returns through a char ** belongs to the caller. The pointer is read here, after the
 * read call, because C leaves the order of argument evaluation open.
 */
static bool print_report(const char *title, UsageDbStatus status, char **json)
{
    if (!ok(status, title)) {
        return false;
    }
    printf("%s:\n  %s\n", title, *json);
    usage_db_string_free(*json);
    *json = NULL;
    return true;
}

static bool print_reports(UsageDb *db)
{
    char *json = NULL;

    if (!print_report("Energy and carbon by project",
                      usage_db_project_energy_carbon_between(db, WINDOW_FROM, WINDOW_TO, &json), &json)) {
        return false;
    }
    if (!print_report("Busy share of CPU time per machine",
                      usage_db_machine_utilization_share(db, WINDOW_FROM, WINDOW_TO, &json), &json)) {
        return false;
    }
    return print_report("Projects by energy (custom SQL)",
                        usage_db_q(db,
                                   "SELECT cloud_project_name, busy_kwh + idle_kwh AS energy_kwh "
                                   "FROM v_project_totals ORDER BY energy_kwh DESC LIMIT ?",
                                   "[10]", &json),
                        &json);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "usage.db";
    UsageDb *db = NULL;
    Ids ids = {0, 0, 0};

    if (!ok(usage_db_open(path, NULL, &db), "open")) {
        return 1;
    }
    printf("usage_db %s, database %s\n", usage_db_version(), path);

    bool succeeded = seed_reference_data(db, &ids) && insert_single_rows(db, &ids) &&
                     show_validation_error(db, &ids) && bulk_insert(db, &ids) &&
                     rolled_back_transaction(db, &ids) && print_reports(db);

    /* Close even after a failure. Closing rolls back a transaction left open. */
    if (!ok(usage_db_close(db), "close")) {
        return 1;
    }
    return succeeded ? 0 : 1;
}
