#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "query.h"
#include "timeutil.h"

#define WORKSPACE_PORT 22

/* Checks a status and fails with the operation and the value it concerned. */
static bool check(DemoError *error, UsageDbStatus status, const char *operation,
                  const char *value)
{
    if (status == USAGE_DB_STATUS_OK) {
        return true;
    }
    return fail(error, "%s \"%s\" failed (%s): %s", operation, value,
                usage_db_status_name(status), usage_db_last_error());
}

static bool write_people(UsageDb *db, const Platform *platform, const int64_t *project_ids,
                         IngestResult *result, DemoError *error)
{
    int64_t group_id;

    for (size_t g = 0; g < GROUP_COUNT; g++) {
        if (!check(error, usage_db_get_or_create_group(db, group_names[g], &group_id),
                   "usage_db_get_or_create_group", group_names[g])) {
            return false;
        }
        result->reference_calls++;
    }

    for (size_t u = 0; u < USER_COUNT; u++) {
        const PlatformUser *user = &platform->users[u];

        if (!check(error, usage_db_get_or_create_user(db, user->id, user->display_name,
                                                      group_names[user->group]),
                   "usage_db_get_or_create_user", user->id) ||
            !check(error, usage_db_map_user_project(db, user->id, &project_ids[user->project],
                                                    NULL),
                   "usage_db_map_user_project", user->id)) {
            return false;
        }
        if (user->has_second_project &&
            !check(error, usage_db_map_user_project(db, user->id,
                                                    &project_ids[user->second_project], NULL),
                   "usage_db_map_user_project", user->id)) {
            return false;
        }
        result->reference_calls += 2 + user->has_second_project;
    }
    return true;
}

static bool write_machines(UsageDb *db, const Platform *platform, int64_t *project_ids,
                           int64_t *machine_ids, IngestResult *result, DemoError *error)
{
    for (size_t p = 0; p < PROJECT_COUNT; p++) {
        if (!check(error, usage_db_get_or_create_project(db, project_names[p], &project_ids[p]),
                   "usage_db_get_or_create_project", project_names[p])) {
            return false;
        }
        result->reference_calls++;
    }

    for (size_t k = 0; k < platform->machine_count; k++) {
        const char *name = platform->machine_names[k];

        if (!check(error, usage_db_get_or_create_machine(db, name, &machine_ids[k]),
                   "usage_db_get_or_create_machine", name) ||
            !check(error, usage_db_map_project_machine(
                              db, &project_ids[platform->machine_project[k]], NULL,
                              &machine_ids[k], NULL),
                   "usage_db_map_project_machine", name)) {
            return false;
        }
        result->reference_calls += 2;
    }
    return true;
}

/* Whether this exact workspace is already active, so that a rerun adds no second one. */
static bool workspace_exists(UsageDb *db, int64_t instance_id, int64_t machine_id,
                             const char *user_id, const char *started_at, bool *exists,
                             DemoError *error)
{
    char params[160];
    JsonTable rows;

    snprintf(params, sizeof params, "[%lld, %lld, \"%s\", \"%s\"]", (long long)instance_id,
             (long long)machine_id, user_id, started_at);
    if (!query_rows(db,
                    "SELECT count(*) AS n FROM active_workspace "
                    "WHERE instance_id = ?1 AND machine_id = ?2 AND user_id = ?3 "
                    "AND started_at = ?4",
                    params, &rows, error)) {
        return false;
    }
    *exists = json_number(&rows, 0, "n") > 0;
    json_table_free(&rows);
    return true;
}

/* One workspace per machine still running at the end of the trace, opened by its owner
 * when the machine first came on. Its instance is the machine's SSH endpoint. */
static bool write_workspaces(UsageDb *db, const Platform *platform, const HourlyUsage *usage,
                             const int64_t *project_ids, const int64_t *machine_ids,
                             IngestResult *result, DemoError *error)
{
    for (size_t k = 0; k < platform->machine_count; k++) {
        const PlatformUser *owner = &platform->users[platform->machine_owner[k]];
        const int64_t *project_id = &project_ids[platform->machine_project[k]];
        int64_t port = WORKSPACE_PORT;
        char host[32];
        char label[MACHINE_NAME_SIZE + 8];
        char started_at[ISO_UTC_SIZE];
        int64_t instance_id;
        int64_t workspace_id;
        bool exists;

        if (!usage->on_at_end[k] || usage->first_on_s[k] < 0) {
            continue;
        }
        snprintf(host, sizeof host, "10.0.%zu.%zu", platform->machine_project[k], k + 1);
        snprintf(label, sizeof label, "%s:%d", platform->machine_names[k], WORKSPACE_PORT);
        format_iso_utc(usage->first_on_s[k] + TRACE_SHIFT_S, started_at);

        if (!check(error, usage_db_get_or_create_instance(db, host, &port, label, &instance_id),
                   "usage_db_get_or_create_instance", host) ||
            !workspace_exists(db, instance_id, machine_ids[k], owner->id, started_at, &exists,
                              error)) {
            return false;
        }
        if (!exists) {
            if (!check(error, usage_db_start_workspace(db, instance_id, machine_ids[k],
                                                       started_at, owner->id, project_id,
                                                       &workspace_id),
                       "usage_db_start_workspace", label)) {
                return false;
            }
            result->workspaces_started++;
        }
        result->workspaces_active++;
    }
    return true;
}

static bool write_facts(UsageDb *db, const Platform *platform, const HourlyUsage *usage,
                        const HourlyIntensity *intensity, const int64_t *project_ids,
                        const int64_t *machine_ids, IngestResult *result, DemoError *error)
{
    FactSet facts;
    size_t written = 0;
    UsageDbStatus status;

    if (!facts_build(platform, usage, intensity, machine_ids, project_ids, &facts, error)) {
        facts_free(&facts);
        return false;
    }

    status = usage_db_bulk_insert_fact_usage_array(db, facts.rows, facts.count, &written);
    result->fact_rows = written;
    facts_free(&facts);
    if (status != USAGE_DB_STATUS_OK) {
        return fail_usage_db(error, "usage_db_bulk_insert_fact_usage_array", status);
    }
    return true;
}

static bool write_all(UsageDb *db, const Platform *platform, const HourlyUsage *usage,
                      const HourlyIntensity *intensity, int64_t *machine_ids,
                      IngestResult *result, DemoError *error)
{
    int64_t project_ids[PROJECT_COUNT];

    return write_machines(db, platform, project_ids, machine_ids, result, error) &&
           write_people(db, platform, project_ids, result, error) &&
           write_workspaces(db, platform, usage, project_ids, machine_ids, result, error) &&
           write_facts(db, platform, usage, intensity, project_ids, machine_ids, result, error);
}

bool ingest(UsageDb *db, const Platform *platform, const HourlyUsage *usage,
            const HourlyIntensity *intensity, IngestResult *result, DemoError *error)
{
    double started = monotonic_seconds();
    int64_t *machine_ids;
    UsageDbStatus status;
    bool ok;

    memset(result, 0, sizeof *result);
    machine_ids = allocate(error, "machine ids", platform->machine_count, sizeof *machine_ids);
    if (machine_ids == NULL) {
        return false;
    }

    status = usage_db_begin(db);
    if (status != USAGE_DB_STATUS_OK) {
        free(machine_ids);
        return fail_usage_db(error, "usage_db_begin", status);
    }

    ok = write_all(db, platform, usage, intensity, machine_ids, result, error);
    free(machine_ids);
    if (!ok) {
        usage_db_rollback(db);
        return false;
    }

    status = usage_db_commit(db);
    if (status != USAGE_DB_STATUS_OK) {
        return fail_usage_db(error, "usage_db_commit", status);
    }
    result->seconds = monotonic_seconds() - started;
    return true;
}
