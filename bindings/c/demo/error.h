/* A failure message that travels up to main(), which prints it and exits non-zero. */
#ifndef DEMO_ERROR_H
#define DEMO_ERROR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char message[1024];
} DemoError;

/* Formats the message into `error` and returns false, so callers can `return fail(...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
bool fail(DemoError *error, const char *format, ...);

/* Fails with the operation's name, the status name and usage_db_last_error(). */
bool fail_usage_db(DemoError *error, const char *operation, int status);

/* Allocates `count` zeroed items or fails with a message naming what they were for. */
void *allocate(DemoError *error, const char *purpose, size_t count, size_t size);

/* Returns `items`, an array of *capacity items of `size` bytes, grown by doubling to hold
 * at least `needed`, and updates *capacity. Returns NULL, with `items` untouched and a
 * message naming what the array holds, when memory runs out. */
void *reserve(DemoError *error, const char *purpose, void *items, size_t *capacity, size_t needed,
              size_t size);

#endif
