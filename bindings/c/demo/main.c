/* `make demo` runs this program on a real VM CPU trace and the grid's carbon intensity.
 * It models a platform of machines, projects, users and groups on the trace, writes hourly
 * energy and carbon facts into a usage_db database through the public C API, and prints a
 * report.
 *
 * Environment: DATA_DIR (default ../shared/data) contains the two CSV files; DEMO_DB
 * (default demo.db) is the database written. The database is built in a temporary file
 * beside DEMO_DB and renamed over it only when everything succeeded. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "grid.h"
#include "ingest.h"
#include "model.h"
#include "report.h"
#include "table.h"
#include "timeutil.h"
#include "trace.h"
#include "verify.h"

#define TRACE_FILE "bitbrains-rnd-100vms-week.csv"
#define GRID_FILE "gb-carbon-intensity-2023.csv"

typedef struct {
    char trace_path[4096];
    char grid_path[4096];
    char db_path[4096];
    char temp_path[4200];
} Paths;

/* Everything computed from the data files before the database is touched. */
typedef struct {
    Trace trace;
    HourlyUsage usage;
    GridIntensity grid;
    HourlyIntensity intensity;
    Platform platform;
} Inputs;

static const char *environment_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);

    return value != NULL && value[0] != '\0' ? value : fallback;
}

static bool resolve_paths(Paths *paths, DemoError *error)
{
    const char *data_dir = environment_or("DATA_DIR", "../shared/data");
    const char *db_path = environment_or("DEMO_DB", "demo.db");

    if (snprintf(paths->trace_path, sizeof paths->trace_path, "%s/%s", data_dir, TRACE_FILE) >=
            (int)sizeof paths->trace_path ||
        snprintf(paths->grid_path, sizeof paths->grid_path, "%s/%s", data_dir, GRID_FILE) >=
            (int)sizeof paths->grid_path ||
        snprintf(paths->db_path, sizeof paths->db_path, "%s", db_path) >=
            (int)sizeof paths->db_path) {
        return fail(error, "DATA_DIR or DEMO_DB is longer than %zu bytes",
                    sizeof paths->trace_path - 64);
    }
    /* NOTE: a run killed by a signal leaves this file behind; the next run does not
     * reuse or remove it. */
    snprintf(paths->temp_path, sizeof paths->temp_path, "%s.tmp-%ld", db_path, (long)getpid());
    return true;
}

static void print_inputs(const Paths *paths, const Inputs *in, double seconds)
{
    char a[TABLE_CELL_SIZE], b[TABLE_CELL_SIZE];
    char first[ISO_UTC_SIZE], shifted[ISO_UTC_SIZE];
    int64_t start = in->usage.first_hour_s;

    format_iso_utc(start, first);
    format_iso_utc(start + TRACE_SHIFT_S, shifted);

    printf("usage_db %s demo: hourly energy and carbon of %zu VMs on a modelled platform\n",
           usage_db_version(), in->usage.vm_count);
    printf("\nInputs (read in %.2f s)\n", seconds);
    printf("  CPU trace       %s\n", paths->trace_path);
    printf("                  Bitbrains GWA-T-12 \"Rnd\", TU Delft Grid Workloads Archive "
           "(Shen, van Beek, Iosup, CCGrid 2015)\n");
    printf("                  %s samples of %zu VMs over %zu hours from %s\n",
           format_number(a, sizeof a, (double)in->trace.count, 0), in->usage.vm_count,
           in->usage.hour_count, first);
    printf("                  %s duplicate samples (0 s apart) add no time; %s gaps are capped "
           "at %d min\n",
           format_number(a, sizeof a, (double)in->usage.duplicate_samples, 0),
           format_number(b, sizeof b, (double)in->usage.capped_intervals, 0),
           MAX_SAMPLE_INTERVAL_S / 60);
    printf("                  %s samples over 100 %% are capped; %s samples are of VMs that "
           "are off\n",
           format_number(a, sizeof a, (double)in->usage.capped_usage, 0),
           format_number(b, sizeof b, (double)in->usage.off_samples, 0));
    printf("  time shift      +522 weeks (%s days) onto the 2023 grid data, keeping weekday "
           "and hour:\n",
           format_number(a, sizeof a, TRACE_SHIFT_DAYS, 0));
    printf("                  %s (%s) becomes %s (%s)\n", first, weekday_name(start), shifted,
           weekday_name(start + TRACE_SHIFT_S));
    printf("  grid intensity  %s\n", paths->grid_path);
    printf("                  Great Britain, Carbon Intensity API, NESO (CC BY 4.0)\n");
    printf("                  %s half-hours; %zu use forecast because actual is empty or 0; "
           "%zu have no value\n",
           format_number(a, sizeof a, (double)in->grid.count, 0), in->grid.forecast_rows,
           in->grid.unusable_rows);
    printf("                  the %zu trace hours: %zu filled from an earlier half-hour "
           "(%zu half-hours absent), %zu half-hours at forecast\n",
           in->intensity.hour_count, in->intensity.filled_hours,
           in->intensity.filled_half_hours, in->intensity.forecast_half_hours);
    printf("  power model     %.0f W per busy core, %.0f W per idle core\n", BUSY_CORE_WATTS,
           IDLE_CORE_WATTS);
    printf("  platform        %zu machines (vm-<id>) in %d projects; %d users in %d groups; "
           "each machine is charged to its one owner\n",
           in->platform.machine_count, PROJECT_COUNT, USER_COUNT, GROUP_COUNT);
}

static bool load_inputs(const Paths *paths, Inputs *in, DemoError *error)
{
    double started = monotonic_seconds();

    if (!trace_load(paths->trace_path, &in->trace, error) ||
        !hourly_usage_compute(&in->trace, &in->usage, error) ||
        !grid_load(paths->grid_path, &in->grid, error) ||
        !grid_hourly(&in->grid, in->usage.first_hour_s + TRACE_SHIFT_S, in->usage.hour_count,
                     &in->intensity, error) ||
        !platform_build(&in->usage, &in->platform, error)) {
        return false;
    }
    print_inputs(paths, in, monotonic_seconds() - started);
    return true;
}

static void free_inputs(Inputs *in)
{
    trace_free(&in->trace);
    hourly_usage_free(&in->usage);
    grid_free(&in->grid);
    hourly_intensity_free(&in->intensity);
    platform_free(&in->platform);
}

static bool open_db(const char *path, UsageDb **db, DemoError *error)
{
    UsageDbStatus status = usage_db_open(path, NULL, db);

    if (status != USAGE_DB_STATUS_OK) {
        return fail(error, "usage_db_open \"%s\" failed (%s): %s", path,
                    usage_db_status_name(status), usage_db_last_error());
    }
    return true;
}

/* Reads the checksum of an existing DEMO_DB, so the new one can be compared with it. */
static bool previous_checksum(const char *path, bool *exists, ContentChecksum *checksum,
                              DemoError *error)
{
    struct stat info;
    UsageDb *db = NULL;
    bool ok;

    *exists = stat(path, &info) == 0;
    if (!*exists) {
        return true;
    }

    if (!open_db(path, &db, error)) {
        return fail(error, "%s exists but cannot be read as a usage_db database (%s): "
                    "remove it or set DEMO_DB to another path", path, usage_db_last_error());
    }
    ok = content_checksum(db, checksum, error);
    usage_db_close(db);
    return ok;
}

static void remove_database_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[4300];

    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

static bool add_ingest_row(TextTable *table, const char *pass, const IngestResult *result,
                           DemoError *error)
{
    char rows[TABLE_CELL_SIZE], calls[TABLE_CELL_SIZE], started[TABLE_CELL_SIZE];
    char seconds[TABLE_CELL_SIZE], rate[TABLE_CELL_SIZE];

    return table_add_row(table, error, pass, format_number(rows, sizeof rows, (double)result->fact_rows, 0),
                         format_number(calls, sizeof calls, (double)result->reference_calls, 0),
                         format_number(started, sizeof started,
                                       (double)result->workspaces_started, 0),
                         format_number(seconds, sizeof seconds, result->seconds, 3),
                         format_number(rate, sizeof rate,
                                       (double)result->fact_rows / result->seconds, 0));
}

/* Ingests twice into the same database, checks that the upsert changed nothing, and
 * returns the final content checksum in *after. */
static bool ingest_twice(UsageDb *db, const Inputs *in, ContentChecksum *after,
                         DemoError *error)
{
    static const char *const headers[] = {"ingest", "fact rows", "reference calls",
                                          "new workspaces", "seconds", "fact rows/s"};
    IngestResult first, second;
    ContentChecksum before;
    TextTable table;
    bool ok;

    if (!ingest(db, &in->platform, &in->usage, &in->intensity, &first, error) ||
        !content_checksum(db, &before, error) ||
        !ingest(db, &in->platform, &in->usage, &in->intensity, &second, error) ||
        !content_checksum(db, after, error)) {
        return false;
    }

    table_init(&table, "lrrrrr", headers);
    ok = add_ingest_row(&table, "first, into an empty file", &first, error) &&
         add_ingest_row(&table, "second, same data (upsert)", &second, error);
    if (ok) {
        table_print(&table, "Ingest: one usage_db_begin/usage_db_commit each, facts through "
                    "usage_db_bulk_insert_fact_usage_array", stdout);
    }
    table_free(&table);
    if (!ok) {
        return false;
    }

    printf("  %zu workspaces active. Content checksum %016llx after the first ingest, %016llx "
           "after the second: %s.\n",
           first.workspaces_active, (unsigned long long)before.hash,
           (unsigned long long)after->hash,
           before.hash == after->hash ? "identical, the rerun changed nothing" : "DIFFERENT");
    if (before.hash != after->hash) {
        return fail(error, "the second ingest changed the database content: checksum %016llx "
                    "became %016llx", (unsigned long long)before.hash,
                    (unsigned long long)after->hash);
    }
    return true;
}

static void print_previous_comparison(const char *path, bool existed,
                                      const ContentChecksum *previous,
                                      const ContentChecksum *current)
{
    if (!existed) {
        printf("\n%s did not exist before this run.\n", path);
        return;
    }
    printf("\nThe previous %s had checksum %016llx: %s.\n", path,
           (unsigned long long)previous->hash,
           previous->hash == current->hash ? "same content as this run"
                                          : "different content, now replaced");
}

/* Builds the database in the temporary file, reports on it, and closes it. */
static bool build_database(const Paths *paths, const Inputs *in, bool existed,
                           const ContentChecksum *previous, DemoError *error)
{
    UsageDb *db = NULL;
    ContentChecksum current;
    bool ok;

    if (!open_db(paths->temp_path, &db, error)) {
        return false;
    }
    ok = ingest_twice(db, in, &current, error) && verify_scope_sums(db, error) &&
         print_report(db, error);
    if (ok) {
        print_previous_comparison(paths->db_path, existed, previous, &current);
    }

    if (usage_db_close(db) != USAGE_DB_STATUS_OK && ok) {
        ok = fail_usage_db(error, "usage_db_close", USAGE_DB_STATUS_IO_ERROR);
    }
    return ok;
}

static bool run(DemoError *error)
{
    Paths paths;
    Inputs in;
    ContentChecksum previous;
    bool existed = false;
    bool ok;
    double started = monotonic_seconds();

    memset(&in, 0, sizeof in);
    if (!resolve_paths(&paths, error)) {
        return false;
    }
    ok = load_inputs(&paths, &in, error) &&
         previous_checksum(paths.db_path, &existed, &previous, error);

    if (ok) {
        ok = build_database(&paths, &in, existed, &previous, error);
        if (ok && rename(paths.temp_path, paths.db_path) != 0) {
            ok = fail(error, "rename \"%s\" to \"%s\" failed: %s", paths.temp_path,
                      paths.db_path, strerror(errno));
        }
        if (!ok) {
            remove_database_files(paths.temp_path);
        }
    }
    free_inputs(&in);

    if (ok) {
        printf("Wrote %s in %.2f s. Open it with `sqlite3 %s` or the Python binding; the "
               "views are named v_*.\n", paths.db_path, monotonic_seconds() - started,
               paths.db_path);
    }
    return ok;
}

int main(void)
{
    DemoError error;

    if (!run(&error)) {
        fflush(stdout);
        fprintf(stderr, "demo: %s\n", error.message);
        return 1;
    }
    return 0;
}
