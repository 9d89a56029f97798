#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

void table_init(TextTable *table, const char *alignment, const char *const *headers)
{
    memset(table, 0, sizeof *table);
    table->alignment = alignment;
    table->column_count = strlen(alignment);
    for (size_t i = 0; i < table->column_count; i++) {
        table->headers[i] = headers[i];
    }
}

bool table_add_row(TextTable *table, DemoError *error, ...)
{
    va_list args;
    void *cells;

    cells = reserve(error, "a report table", table->cells, &table->capacity,
                    (table->row_count + 1) * table->column_count, TABLE_CELL_SIZE);
    if (cells == NULL) {
        return false;
    }
    table->cells = cells;

    va_start(args, error);
    for (size_t i = 0; i < table->column_count; i++) {
        snprintf(table->cells[table->row_count * table->column_count + i], TABLE_CELL_SIZE, "%s",
                 va_arg(args, const char *));
    }
    va_end(args);
    table->row_count++;
    return true;
}

static void print_cell(FILE *out, const char *text, size_t width, char alignment, bool last)
{
    if (alignment == 'r') {
        fprintf(out, "%*s", (int)width, text);
    } else if (last) {
        fputs(text, out);
    } else {
        fprintf(out, "%-*s", (int)width, text);
    }
}

void table_print(const TextTable *table, const char *title, FILE *out)
{
    size_t widths[TABLE_MAX_COLUMNS];

    for (size_t c = 0; c < table->column_count; c++) {
        widths[c] = strlen(table->headers[c]);
        for (size_t r = 0; r < table->row_count; r++) {
            size_t length = strlen(table->cells[r * table->column_count + c]);

            widths[c] = length > widths[c] ? length : widths[c];
        }
    }

    fprintf(out, "\n%s\n  ", title);
    for (size_t c = 0; c < table->column_count; c++) {
        fputs(c == 0 ? "" : "  ", out);
        print_cell(out, table->headers[c], widths[c], table->alignment[c],
                   c + 1 == table->column_count);
    }
    fputs("\n  ", out);
    for (size_t c = 0; c < table->column_count; c++) {
        fprintf(out, "%s%.*s", c == 0 ? "" : "  ", (int)widths[c],
                "------------------------------------------------");
    }
    fputc('\n', out);

    for (size_t r = 0; r < table->row_count; r++) {
        fputs("  ", out);
        for (size_t c = 0; c < table->column_count; c++) {
            fputs(c == 0 ? "" : "  ", out);
            print_cell(out, table->cells[r * table->column_count + c], widths[c],
                       table->alignment[c], c + 1 == table->column_count);
        }
        fputc('\n', out);
    }
}

/* Formats one cell of a query result as its column specifies. */
static void format_cell(char cell[TABLE_CELL_SIZE], const JsonTable *rows, size_t row,
                        const TableColumn *column)
{
    double scale = column->scale == 0 ? 1 : column->scale;
    size_t length;

    if (column->decimals == TEXT_COLUMN) {
        snprintf(cell, TABLE_CELL_SIZE, "%s", json_text(rows, row, column->key));
        return;
    }

    format_number(cell, TABLE_CELL_SIZE, json_number(rows, row, column->key) * scale,
                  column->decimals);
    length = strlen(cell);
    if (column->suffix != NULL && strcmp(cell, "-") != 0) {
        snprintf(cell + length, TABLE_CELL_SIZE - length, "%s", column->suffix);
    }
}

bool table_print_rows(const JsonTable *rows, const TableColumn *columns, size_t column_count,
                      const char *title, DemoError *error)
{
    TextTable table;
    const char *headers[TABLE_MAX_COLUMNS];
    char alignment[TABLE_MAX_COLUMNS + 1] = {0};
    bool ok = true;

    for (size_t c = 0; c < column_count; c++) {
        headers[c] = columns[c].header;
        alignment[c] = columns[c].decimals == TEXT_COLUMN ? 'l' : 'r';
    }
    table_init(&table, alignment, headers);

    for (size_t r = 0; r < rows->row_count && ok; r++) {
        char *cells = reserve(error, "a report table", table.cells, &table.capacity,
                              (r + 1) * column_count, TABLE_CELL_SIZE);

        if (cells == NULL) {
            ok = false;
            break;
        }
        table.cells = (char(*)[TABLE_CELL_SIZE])cells;
        for (size_t c = 0; c < column_count; c++) {
            format_cell(table.cells[r * column_count + c], rows, r, &columns[c]);
        }
        table.row_count++;
    }

    if (ok) {
        table_print(&table, title, stdout);
    }
    table_free(&table);
    return ok;
}

void table_free(TextTable *table)
{
    free(table->cells);
    memset(table, 0, sizeof *table);
}

char *format_number(char *out, size_t size, double value, int decimals)
{
    char plain[64];
    const char *digits;
    const char *point;
    size_t integer_length;
    size_t length = 0;

    if (isnan(value)) {
        snprintf(out, size, "-");
        return out;
    }

    snprintf(plain, sizeof plain, "%.*f", decimals, value);
    digits = plain[0] == '-' ? plain + 1 : plain;
    point = strchr(digits, '.');
    integer_length = point != NULL ? (size_t)(point - digits) : strlen(digits);

    if (digits != plain && length + 1 < size) {
        out[length++] = '-';
    }
    for (size_t i = 0; i < integer_length && length + 1 < size; i++) {
        if (i > 0 && (integer_length - i) % 3 == 0 && length + 2 < size) {
            out[length++] = ',';
        }
        out[length++] = digits[i];
    }
    for (const char *rest = digits + integer_length; *rest != '\0' && length + 1 < size; rest++) {
        out[length++] = *rest;
    }
    out[length] = '\0';
    return out;
}
