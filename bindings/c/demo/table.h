/* Aligned text tables for the demo's report. */
#ifndef DEMO_TABLE_H
#define DEMO_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "json.h"

#define TABLE_MAX_COLUMNS 8
#define TABLE_CELL_SIZE 48

typedef struct {
    size_t column_count;
    const char *headers[TABLE_MAX_COLUMNS];
    const char *alignment; /* one 'l' or 'r' per column */
    size_t row_count;
    size_t capacity; /* in cells */
    char (*cells)[TABLE_CELL_SIZE];
} TextTable;

/* `alignment` gives one 'l' (left) or 'r' (right) per header; numbers read best right. */
void table_init(TextTable *table, const char *alignment, const char *const *headers);

/* Appends a row of column_count strings, each cut to TABLE_CELL_SIZE - 1 bytes. */
bool table_add_row(TextTable *table, DemoError *error, ...);

/* Prints a title line, then the table indented by two spaces with a rule under the
 * header. */
void table_print(const TextTable *table, const char *title, FILE *out);

void table_free(TextTable *table);

/* How one column of a query result is printed. */
typedef struct {
    const char *header;
    const char *key;    /* the result's column */
    int decimals;       /* for a number; TEXT_COLUMN prints the value as it is, left-aligned */
    double scale;       /* a number is multiplied by it first; 0 means 1 */
    const char *suffix; /* appended to a number, such as " %"; NULL for none */
} TableColumn;

#define TEXT_COLUMN (-1)

/* Prints `rows` as a table of `columns` under `title`. */
bool table_print_rows(const JsonTable *rows, const TableColumn *columns, size_t column_count,
                      const char *title, DemoError *error);

/* Formats `value` with `decimals` digits and commas between thousands: 12,345.6. NaN is
 * written as "-". Returns `out`. */
char *format_number(char *out, size_t size, double value, int decimals);

#endif
