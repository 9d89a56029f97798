#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "timeutil.h"

bool csv_fail(const CsvReader *reader, DemoError *error, const char *format, ...)
{
    char detail[768];
    va_list args;

    va_start(args, format);
    vsnprintf(detail, sizeof detail, format, args);
    va_end(args);
    return fail(error, "%s:%ld: %s", reader->path, reader->line_number, detail);
}

/* Reads one line without its "\n" or "\r\n". Returns 1, 0 at the end, -1 on error. */
static int read_line(CsvReader *reader, DemoError *error)
{
    ssize_t length;

    errno = 0;
    length = getline(&reader->line, &reader->capacity, reader->file);
    if (length < 0) {
        if (errno != 0 || ferror(reader->file)) {
            fail(error, "%s: read failed after line %ld: %s", reader->path, reader->line_number,
                 strerror(errno));
            return -1;
        }
        return 0;
    }

    reader->line_number++;
    while (length > 0 && (reader->line[length - 1] == '\n' || reader->line[length - 1] == '\r')) {
        reader->line[--length] = '\0';
    }
    return 1;
}

/* Splits the current line in place at each comma. Returns the number of fields found. */
static size_t split_line(CsvReader *reader)
{
    size_t count = 0;
    char *cursor = reader->line;

    for (;;) {
        char *comma = strchr(cursor, ',');

        if (count < CSV_MAX_FIELDS) {
            reader->fields[count] = cursor;
        }
        count++;
        if (comma == NULL) {
            return count;
        }
        *comma = '\0';
        cursor = comma + 1;
    }
}

bool csv_open(CsvReader *reader, const char *path, const char *const *columns,
              size_t column_count, DemoError *error)
{
    int status;

    memset(reader, 0, sizeof *reader);
    reader->path = path;
    reader->column_count = column_count;
    for (size_t i = 0; i < column_count; i++) {
        reader->columns[i] = columns[i];
    }

    reader->file = fopen(path, "r");
    if (reader->file == NULL) {
        return fail(error, "cannot open %s: %s", path, strerror(errno));
    }

    status = read_line(reader, error);
    if (status < 0) {
        return false;
    }
    if (status == 0) {
        return fail(error, "%s:1: empty file, expected a header line", path);
    }
    if (split_line(reader) != column_count) {
        return csv_fail(reader, error, "expected a header of %zu columns starting with \"%s\"",
                        column_count, columns[0]);
    }
    for (size_t i = 0; i < column_count; i++) {
        if (strcmp(reader->fields[i], columns[i]) != 0) {
            return csv_fail(reader, error, "header column %zu is \"%s\", expected \"%s\"", i + 1,
                            reader->fields[i], columns[i]);
        }
    }
    return true;
}

int csv_next(CsvReader *reader, DemoError *error)
{
    int status = read_line(reader, error);
    size_t count;

    if (status <= 0) {
        return status;
    }

    count = split_line(reader);
    if (count != reader->column_count) {
        csv_fail(reader, error, "expected %zu fields, found %zu", reader->column_count, count);
        return -1;
    }
    return 1;
}

bool csv_integer(const CsvReader *reader, size_t index, int64_t *out, DemoError *error)
{
    const char *text = reader->fields[index];
    char *end;
    long long value;

    errno = 0;
    value = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno == ERANGE) {
        return csv_fail(reader, error, "invalid %s \"%s\": expected an integer",
                        reader->columns[index], text);
    }
    *out = value;
    return true;
}

bool csv_optional_number(const CsvReader *reader, size_t index, double *out, bool *present,
                         DemoError *error)
{
    const char *text = reader->fields[index];
    char *end;
    double value;

    if (*text == '\0') {
        *present = false;
        return true;
    }

    errno = 0;
    value = strtod(text, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(value)) {
        return csv_fail(reader, error, "invalid %s \"%s\": expected a finite number",
                        reader->columns[index], text);
    }
    *out = value;
    *present = true;
    return true;
}

bool csv_number(const CsvReader *reader, size_t index, double *out, DemoError *error)
{
    bool present;

    if (!csv_optional_number(reader, index, out, &present, error)) {
        return false;
    }
    if (!present) {
        return csv_fail(reader, error, "missing %s: expected a number", reader->columns[index]);
    }
    return true;
}

bool csv_timestamp(const CsvReader *reader, size_t index, int64_t *out, DemoError *error)
{
    if (!parse_utc_timestamp(reader->fields[index], out)) {
        return csv_fail(reader, error,
                        "invalid %s \"%s\": expected \"YYYY-MM-DD HH:MM:SS+00:00\"",
                        reader->columns[index], reader->fields[index]);
    }
    return true;
}

void csv_close(CsvReader *reader)
{
    if (reader->file != NULL) {
        fclose(reader->file);
    }
    free(reader->line);
    reader->file = NULL;
    reader->line = NULL;
}
