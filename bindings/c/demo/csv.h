/* A reader for the data sets' plain CSV (no quoting), whose errors name the file, the line
 * and the column. */
#ifndef DEMO_CSV_H
#define DEMO_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define CSV_MAX_FIELDS 16

typedef struct {
    const char *path;
    FILE *file;
    char *line;
    size_t capacity;
    long line_number;
    size_t column_count;
    const char *columns[CSV_MAX_FIELDS];
    char *fields[CSV_MAX_FIELDS];
} CsvReader;

/* Opens `path` and checks that its first line is exactly `columns` (comma-separated). */
bool csv_open(CsvReader *reader, const char *path, const char *const *columns,
              size_t column_count, DemoError *error);

/* Reads the next row into reader->fields. Returns 1 for a row, 0 at the end of the file
 * and -1 on a read error or a row with the wrong number of fields. */
int csv_next(CsvReader *reader, DemoError *error);

/* Parses field `index` of the current row as a decimal integer. */
bool csv_integer(const CsvReader *reader, size_t index, int64_t *out, DemoError *error);

/* Parses field `index` as a finite number. */
bool csv_number(const CsvReader *reader, size_t index, double *out, DemoError *error);

/* As csv_number, but an empty field sets *present to false instead of failing. */
bool csv_optional_number(const CsvReader *reader, size_t index, double *out, bool *present,
                         DemoError *error);

/* Parses field `index` as a UTC timestamp (see parse_utc_timestamp). */
bool csv_timestamp(const CsvReader *reader, size_t index, int64_t *out, DemoError *error);

/* Fails with "path:line: " followed by the formatted message. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
bool csv_fail(const CsvReader *reader, DemoError *error, const char *format, ...);

void csv_close(CsvReader *reader);

#endif
