#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "usage_db.h"

bool fail(DemoError *error, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
    return false;
}

bool fail_usage_db(DemoError *error, const char *operation, int status)
{
    return fail(error, "%s failed (%s): %s", operation, usage_db_status_name(status),
                usage_db_last_error());
}

void *allocate(DemoError *error, const char *what, size_t count, size_t size)
{
    void *memory;

    if (count == 0) {
        count = 1;
    }
    if (size != 0 && count > (size_t)-1 / size) {
        fail(error, "out of memory: %zu x %zu bytes for %s", count, size, what);
        return NULL;
    }

    memory = calloc(count, size);
    if (memory == NULL) {
        fail(error, "out of memory: %zu x %zu bytes for %s", count, size, what);
    }
    return memory;
}
