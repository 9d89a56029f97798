/*
 * A minimal assertion helper for the C tests of the usage_db ABI. Each check counts as
 * passed or failed. A failure prints the expression, file:line and, for calls into the
 * library, usage_db_last_error(), and the run continues so one report lists every fault.
 */
#ifndef USAGE_DB_TEST_CHECK_H
#define USAGE_DB_TEST_CHECK_H

#include <stdbool.h>

#include "usage_db.h"

/* Records one boolean check. */
#define CHECK(expr) check_true((expr), #expr, __FILE__, __LINE__)

/* Checks that `call` returns `expected`, a UsageDbStatus. */
#define CHECK_STATUS(expected, call) check_status((expected), (call), #call, __FILE__, __LINE__)

#define CHECK_OK(call) CHECK_STATUS(USAGE_DB_STATUS_OK, call)

/*
 * Checks that `call` fails with `expected` and that the error message is non-empty and
 * contains `fragment` (which may be "").
 */
#define CHECK_ERROR(expected, fragment, call) \
    check_error((expected), (fragment), (call), #call, __FILE__, __LINE__)

/* Checks that two NUL-terminated strings are equal. `actual` may be NULL. */
#define CHECK_TEXT(actual, expected) \
    check_text((actual), (expected), #actual, __FILE__, __LINE__)

/*
 * Calls `read(args..., &json)`, checks that it returns OK and that the JSON equals
 * `expected` byte for byte, then frees the JSON.
 */
#define CHECK_JSON(expected, read, ...)                                         \
    do {                                                                        \
        char *check_json_out = NULL;                                            \
        UsageDbStatus check_json_status = read(__VA_ARGS__, &check_json_out);   \
        check_status(USAGE_DB_STATUS_OK, check_json_status, #read, __FILE__, __LINE__); \
        check_text(check_json_out, (expected), #read, __FILE__, __LINE__);      \
        usage_db_string_free(check_json_out);                                   \
    } while (0)

/* Runs `sql` through usage_db_q and checks its JSON like CHECK_JSON. */
#define CHECK_QUERY(db, sql, expected) CHECK_JSON((expected), usage_db_q, (db), (sql), NULL)

bool check_true(bool ok, const char *expr, const char *file, int line);
bool check_status(UsageDbStatus expected, UsageDbStatus actual, const char *call,
                  const char *file, int line);
bool check_error(UsageDbStatus expected, const char *fragment, UsageDbStatus actual,
                 const char *call, const char *file, int line);
bool check_text(const char *actual, const char *expected, const char *expr, const char *file,
                int line);

/* Prints "N passed, M failed" and returns the process exit code. */
int check_summary(void);

#endif /* USAGE_DB_TEST_CHECK_H */
