#include "check.h"

#include <stdio.h>
#include <string.h>

static int passed_count;
static int failed_count;

static bool record(bool ok)
{
    if (ok) {
        passed_count++;
    } else {
        failed_count++;
    }
    return ok;
}

bool check_true(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) {
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
    }
    return record(ok);
}

bool check_status(UsageDbStatus expected, UsageDbStatus actual, const char *call,
                  const char *file, int line)
{
    bool ok = actual == expected;

    if (!ok) {
        fprintf(stderr, "FAIL %s:%d: %s\n  expected %s, got %s\n  last error: %s\n", file,
                line, call, usage_db_status_name(expected), usage_db_status_name(actual),
                usage_db_last_error());
    }
    return record(ok);
}

bool check_error(UsageDbStatus expected, const char *fragment, UsageDbStatus actual,
                 const char *call, const char *file, int line)
{
    const char *message = usage_db_last_error();
    bool ok = actual == expected && message[0] != '\0' && strstr(message, fragment) != NULL;

    if (!ok) {
        fprintf(stderr,
                "FAIL %s:%d: %s\n  expected %s with a message containing \"%s\"\n"
                "  got %s, last error: %s\n",
                file, line, call, usage_db_status_name(expected), fragment,
                usage_db_status_name(actual), message);
    }
    return record(ok);
}

bool check_text(const char *actual, const char *expected, const char *expr, const char *file,
                int line)
{
    bool ok = actual != NULL && strcmp(actual, expected) == 0;

    if (!ok) {
        fprintf(stderr, "FAIL %s:%d: %s\n  expected: %s\n  actual:   %s\n", file, line, expr,
                expected, actual != NULL ? actual : "(NULL)");
    }
    return record(ok);
}

int check_summary(void)
{
    printf("%d passed, %d failed\n", passed_count, failed_count);
    return failed_count == 0 ? 0 : 1;
}
