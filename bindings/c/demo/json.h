/* A reader for the library's query results: a JSON array of flat objects whose values are
 * numbers, strings, booleans or null. Nested arrays and objects are rejected. */
#ifndef DEMO_JSON_H
#define DEMO_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum { JSON_NULL, JSON_NUMBER, JSON_STRING, JSON_BOOLEAN } JsonType;

typedef struct {
    JsonType type;
    char *text; /* the decoded string, the number's literal, "true"/"false"; NULL for null */
} JsonCell;

/* Rows by columns, with the columns of the first row. Every row must have the same keys
 * in the same order, which the library's results always do. */
typedef struct {
    size_t row_count;
    size_t column_count;
    char **columns;
    JsonCell *cells; /* [row * column_count + column] */
} JsonTable;

bool json_table_parse(const char *json, JsonTable *table, DemoError *error);

/* The cell of `column` in `row`, or NULL when there is no such column or row. */
const JsonCell *json_cell(const JsonTable *table, size_t row, const char *column);

/* The cell's number, or NaN for null, a missing cell or a non-number. */
double json_number(const JsonTable *table, size_t row, const char *column);

/* The cell's text, or "" for null and a missing cell. */
const char *json_text(const JsonTable *table, size_t row, const char *column);

void json_table_free(JsonTable *table);

#endif
