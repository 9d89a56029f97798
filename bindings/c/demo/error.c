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

void *reserve(DemoError *error, const char *purpose, void *items, size_t *capacity, size_t needed,
              size_t size)
{
    size_t grown = *capacity == 0 ? 16 : *capacity;
    void *resized;

    if (needed <= *capacity) {
        return items;
    }
    while (grown < needed) {
        grown *= 2;
    }
    if (grown > (size_t)-1 / size || (resized = realloc(items, grown * size)) == NULL) {
        fail(error, "out of memory: %zu x %zu bytes for %s", grown, size, purpose);
        return NULL;
    }

    *capacity = grown;
    return resized;
}

void *allocate(DemoError *error, const char *purpose, size_t count, size_t size)
{
    void *memory;

    if (count == 0) {
        count = 1;
    }
    if (size != 0 && count > (size_t)-1 / size) {
        fail(error, "out of memory: %zu x %zu bytes for %s", count, size, purpose);
        return NULL;
    }

    memory = calloc(count, size);
    if (memory == NULL) {
        fail(error, "out of memory: %zu x %zu bytes for %s", count, size, purpose);
    }
    return memory;
}
