/*
 * C tests of the usage_db ABI: every group of calls in include/usage_db.h, round-tripped
 * with exact expected values. Builds against the header alone and links libusage_db.
 * Prints "N passed, M failed" last and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "suites.h"
#include "usage_db.h"

static char temp_dir[] = "/tmp/usage_db_c_test_XXXXXX";

void temp_path(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", temp_dir, name);
}

UsageDb *open_memory(void)
{
    UsageDb *db = NULL;

    if (!CHECK_OK(usage_db_open(":memory:", NULL, &db))) {
        return NULL;
    }
    return db;
}

long long count_rows(UsageDb *db, const char *sql)
{
    char *json = NULL;
    long long count = -1;

    if (CHECK_OK(usage_db_q(db, sql, NULL, &json)) && sscanf(json, "[{\"n\":%lld}]", &count) != 1) {
        fprintf(stderr, "count_rows: '%s' returned %s, expected [{\"n\":<count>}]\n", sql, json);
        count = -1;
    }
    usage_db_string_free(json);
    return count;
}

/* Removes the temporary directory with the database, WAL and shared-memory files in it. */
static void remove_temp_dir(void)
{
    DIR *dir = opendir(temp_dir);
    struct dirent *entry;
    char path[512];

    if (dir == NULL) {
        return;
    }
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
            temp_path(entry->d_name, path, sizeof path);
            unlink(path);
        }
    }
    closedir(dir);
    rmdir(temp_dir);
}

/* Reads up to `size` bytes of the file at `path` into `out` and returns how many, or 0. */
static size_t read_file(const char *path, char *out, size_t size)
{
    FILE *file = fopen(path, "rb");
    size_t length = 0;

    if (file != NULL) {
        length = fread(out, 1, size, file);
        fclose(file);
    }
    return length;
}

/* Checks that opening `path` fails with `expected` and leaves the file byte for byte as it was. */
static void check_open_rejects(const char *path, UsageDbStatus expected, const char *fragment)
{
    static char before[1 << 20];
    static char after[1 << 20];
    UsageDb *db = NULL;
    size_t before_length = read_file(path, before, sizeof before);

    CHECK(before_length > 0 && before_length < sizeof before);
    CHECK_ERROR(expected, fragment, usage_db_open(path, NULL, &db));
    CHECK(db == NULL);

    size_t after_length = read_file(path, after, sizeof after);
    CHECK(after_length == before_length);
    CHECK(memcmp(before, after, before_length) == 0);
}

void test_lifecycle(void)
{
    UsageDb *db = NULL;
    UsageDbOpenOptions options = usage_db_open_options_default();
    char path[512];

    CHECK(options.busy_timeout_ms == 30000);
    CHECK(options.durability == USAGE_DB_DURABILITY_NORMAL);
    CHECK_TEXT(usage_db_version(), "0.1.0");

    /* Memory, default options. */
    CHECK_OK(usage_db_open(":memory:", NULL, &db));
    CHECK(db != NULL);
    CHECK_OK(usage_db_close(db));

    /* A file in a fresh directory, with changed options. Reopening it finds the data. */
    temp_path("lifecycle.db", path, sizeof path);
    options.busy_timeout_ms = 1500;
    options.durability = USAGE_DB_DURABILITY_FULL;
    db = NULL;
    CHECK_OK(usage_db_open(path, &options, &db));
    CHECK(db != NULL);
    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-01", &(int64_t){0}));
    CHECK_OK(usage_db_close(db));
    CHECK(access(path, F_OK) == 0);

    db = NULL;
    CHECK_OK(usage_db_open(path, NULL, &db));
    CHECK_QUERY(db, "SELECT machine_id, machine_name FROM dim_machine",
                "[{\"machine_id\":1,\"machine_name\":\"gpu-01\"}]");
    CHECK_OK(usage_db_close(db));

    CHECK_OK(usage_db_close(NULL));

    /* A bad durability is rejected, and out_db is set to NULL as the header promises. */
    options = usage_db_open_options_default();
    options.durability = 7;
    db = (UsageDb *)&options;
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "durability 7", usage_db_open(":memory:", &options, &db));
    CHECK(db == NULL);

    /* A directory that does not exist cannot hold the file. */
    temp_path("missing/sub.db", path, sizeof path);
    CHECK_ERROR(USAGE_DB_STATUS_IO_ERROR, "", usage_db_open(path, NULL, &db));
    CHECK(db == NULL);

    /* A file stamped by a newer schema version is rejected and left at that version. */
    temp_path("newer.db", path, sizeof path);
    if (CHECK_OK(usage_db_open(path, NULL, &db))) {
        CHECK_OK(usage_db_execute_write(db, "PRAGMA user_version = 99", NULL, NULL));
        CHECK_OK(usage_db_close(db));
        check_open_rejects(path, USAGE_DB_STATUS_SCHEMA_TOO_NEW, "99");
    }

    /* A file that is not a database is left as it was. */
    temp_path("not_a_database.txt", path, sizeof path);
    FILE *text = fopen(path, "w");
    if (CHECK(text != NULL)) {
        fputs("plain text, not SQLite\n", text);
        fclose(text);
        check_open_rejects(path, USAGE_DB_STATUS_NOT_A_DATABASE, "");
    }
}

static void test_status_names(void)
{
    static const char *const names[] = {
        "USAGE_DB_STATUS_OK",
        "USAGE_DB_STATUS_INVALID_ARGUMENT",
        "USAGE_DB_STATUS_NOT_FOUND",
        "USAGE_DB_STATUS_CONSTRAINT",
        "USAGE_DB_STATUS_BUSY",
        "USAGE_DB_STATUS_TRANSACTION_STATE",
        "USAGE_DB_STATUS_SQL_ERROR",
        "USAGE_DB_STATUS_READ_ONLY_VIOLATION",
        "USAGE_DB_STATUS_IO_ERROR",
        "USAGE_DB_STATUS_NOT_A_DATABASE",
        "USAGE_DB_STATUS_SCHEMA_TOO_NEW",
        "USAGE_DB_STATUS_INTERNAL",
    };

    CHECK(USAGE_DB_STATUS_INTERNAL == 11);
    for (int code = 0; code <= USAGE_DB_STATUS_INTERNAL; code++) {
        CHECK_TEXT(usage_db_status_name(code), names[code]);
    }
    CHECK_TEXT(usage_db_status_name(12), "unknown");
    CHECK_TEXT(usage_db_status_name(-1), "unknown");
}

int main(void)
{
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }

    test_lifecycle();
    test_status_names();
    test_reference();
    test_facts();
    test_reads();
    test_query();
    test_transactions();
    test_boundary();
    test_threads();

    remove_temp_dir();
    return check_summary();
}
