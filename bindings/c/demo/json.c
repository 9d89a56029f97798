#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

typedef struct {
    const char *text;
    size_t position;
    DemoError *error;
} Parser;

/* Growable list of cells or names while the table is read. */
typedef struct {
    void *items;
    size_t count;
    size_t capacity;
} Growable;

static bool parse_fail(Parser *parser, const char *expected)
{
    return fail(parser->error, "malformed JSON result at offset %zu: expected %s",
                parser->position, expected);
}

static void skip_space(Parser *parser)
{
    while (strchr(" \t\r\n", parser->text[parser->position]) != NULL &&
           parser->text[parser->position] != '\0') {
        parser->position++;
    }
}

static bool consume(Parser *parser, char expected)
{
    skip_space(parser);
    if (parser->text[parser->position] != expected) {
        return false;
    }
    parser->position++;
    return true;
}

static bool grow(Growable *list, size_t item_size, DemoError *error)
{
    void *items = reserve(error, "a JSON result", list->items, &list->capacity, list->count + 1,
                          item_size);

    if (items == NULL) {
        return false;
    }
    list->items = items;
    return true;
}

static void append_utf8(char *out, size_t *length, uint32_t code_point)
{
    if (code_point < 0x80) {
        out[(*length)++] = (char)code_point;
    } else if (code_point < 0x800) {
        out[(*length)++] = (char)(0xC0 | (code_point >> 6));
        out[(*length)++] = (char)(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out[(*length)++] = (char)(0xE0 | (code_point >> 12));
        out[(*length)++] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        out[(*length)++] = (char)(0x80 | (code_point & 0x3F));
    } else {
        out[(*length)++] = (char)(0xF0 | (code_point >> 18));
        out[(*length)++] = (char)(0x80 | ((code_point >> 12) & 0x3F));
        out[(*length)++] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        out[(*length)++] = (char)(0x80 | (code_point & 0x3F));
    }
}

static bool read_hex4(Parser *parser, uint32_t *out)
{
    uint32_t value = 0;

    for (int i = 0; i < 4; i++) {
        char c = parser->text[parser->position];
        uint32_t digit;

        if (c >= '0' && c <= '9') {
            digit = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = (uint32_t)(c - 'A' + 10);
        } else {
            return parse_fail(parser, "four hex digits after \\u");
        }
        value = value * 16 + digit;
        parser->position++;
    }
    *out = value;
    return true;
}

/* Decodes one escape after the backslash into `out`. */
static bool read_escape(Parser *parser, char *out, size_t *length)
{
    static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    char c = parser->text[parser->position++];
    uint32_t code_point;
    uint32_t low;

    if (c != 'u') {
        for (size_t i = 0; escapes[i] != '\0'; i += 2) {
            if (escapes[i] == c) {
                out[(*length)++] = escapes[i + 1];
                return true;
            }
        }
        parser->position--;
        return parse_fail(parser, "a valid escape");
    }

    if (!read_hex4(parser, &code_point)) {
        return false;
    }
    if (code_point >= 0xD800 && code_point < 0xDC00) {
        if (parser->text[parser->position] != '\\' || parser->text[parser->position + 1] != 'u') {
            return parse_fail(parser, "the low half of a surrogate pair");
        }
        parser->position += 2;
        if (!read_hex4(parser, &low) || low < 0xDC00 || low > 0xDFFF) {
            return parse_fail(parser, "the low half of a surrogate pair");
        }
        code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, length, code_point);
    return true;
}

/* Reads a string at the current position. Decoding never makes text longer, so a buffer
 * of the encoded length is large enough. */
static bool read_string(Parser *parser, char **out)
{
    size_t start;
    size_t length = 0;
    char *text;

    if (!consume(parser, '"')) {
        return parse_fail(parser, "a string");
    }
    start = parser->position;
    while (parser->text[start] != '\0' && parser->text[start] != '"') {
        start += parser->text[start] == '\\' && parser->text[start + 1] != '\0' ? 2 : 1;
    }
    text = malloc(start - parser->position + 1);
    if (text == NULL) {
        return fail(parser->error, "out of memory reading a JSON string");
    }

    while (parser->text[parser->position] != '"') {
        char c = parser->text[parser->position++];
        bool ok = true;

        if (c == '\0' || (unsigned char)c < 0x20) {
            parser->position--;
            ok = parse_fail(parser, "a closing quote");
        } else if (c == '\\') {
            ok = read_escape(parser, text, &length);
        } else {
            text[length++] = c;
        }
        if (!ok) {
            free(text);
            return false;
        }
    }
    parser->position++;
    text[length] = '\0';
    *out = text;
    return true;
}

static bool read_literal(Parser *parser, JsonCell *cell)
{
    const char *start = parser->text + parser->position;
    size_t length = strspn(start, "0123456789+-.eE");

    if (strncmp(start, "null", 4) == 0) {
        parser->position += 4;
        cell->type = JSON_NULL;
        return true;
    }
    if (strncmp(start, "true", 4) == 0 || strncmp(start, "false", 5) == 0) {
        length = start[0] == 't' ? 4 : 5;
        cell->type = JSON_BOOLEAN;
    } else {
        char *end;

        strtod(start, &end);
        if (length == 0 || end != start + length) {
            return parse_fail(parser, "a number, string, true, false or null");
        }
        cell->type = JSON_NUMBER;
    }

    cell->text = malloc(length + 1);
    if (cell->text == NULL) {
        return fail(parser->error, "out of memory reading a JSON value");
    }
    memcpy(cell->text, start, length);
    cell->text[length] = '\0';
    parser->position += length;
    return true;
}

static bool read_value(Parser *parser, JsonCell *cell)
{
    skip_space(parser);
    cell->text = NULL;
    if (parser->text[parser->position] == '"') {
        cell->type = JSON_STRING;
        return read_string(parser, &cell->text);
    }
    return read_literal(parser, cell);
}

/* Reads one object. The first row defines the columns; later rows must repeat them. */
static bool read_row(Parser *parser, JsonTable *table, Growable *names, Growable *cells)
{
    size_t column = 0;
    bool first_row = table->row_count == 0;

    if (!consume(parser, '{')) {
        return parse_fail(parser, "an object");
    }
    if (consume(parser, '}')) {
        return parse_fail(parser, "at least one column");
    }

    do {
        char *name;
        bool known;

        if (!read_string(parser, &name)) {
            return false;
        }
        known = first_row || (column < table->column_count &&
                              strcmp(name, ((char **)names->items)[column]) == 0);
        if (first_row) {
            if (!grow(names, sizeof(char *), parser->error)) {
                free(name);
                return false;
            }
            ((char **)names->items)[names->count++] = name;
        } else {
            free(name);
        }
        if (!known) {
            return parse_fail(parser, "the same columns in every row");
        }
        if (!consume(parser, ':')) {
            return parse_fail(parser, "':'");
        }
        if (!grow(cells, sizeof(JsonCell), parser->error) ||
            !read_value(parser, &((JsonCell *)cells->items)[cells->count])) {
            return false;
        }
        cells->count++;
        column++;
    } while (consume(parser, ','));

    if (!consume(parser, '}')) {
        return parse_fail(parser, "',' or '}'");
    }
    if (first_row) {
        table->column_count = column;
    } else if (column != table->column_count) {
        return parse_fail(parser, "the same columns in every row");
    }
    table->row_count++;
    return true;
}

bool json_table_parse(const char *json, JsonTable *table, DemoError *error)
{
    Parser parser = {json, 0, error};
    Growable names = {0};
    Growable cells = {0};
    bool ok = true;

    memset(table, 0, sizeof *table);
    if (!consume(&parser, '[')) {
        return parse_fail(&parser, "'['");
    }
    if (!consume(&parser, ']')) {
        do {
            ok = read_row(&parser, table, &names, &cells);
        } while (ok && consume(&parser, ','));
        ok = ok && (consume(&parser, ']') || parse_fail(&parser, "',' or ']'"));
    }
    skip_space(&parser);
    ok = ok && (parser.text[parser.position] == '\0' || parse_fail(&parser, "the end"));

    table->columns = names.items;
    table->cells = cells.items;
    if (!ok) {
        table->column_count = names.count;
        table->row_count = 0;
        for (size_t i = 0; i < cells.count; i++) {
            free(table->cells[i].text);
        }
        cells.count = 0;
        json_table_free(table);
    }
    return ok;
}

const JsonCell *json_cell(const JsonTable *table, size_t row, const char *column)
{
    if (row >= table->row_count) {
        return NULL;
    }
    for (size_t i = 0; i < table->column_count; i++) {
        if (strcmp(table->columns[i], column) == 0) {
            return &table->cells[row * table->column_count + i];
        }
    }
    return NULL;
}

double json_number(const JsonTable *table, size_t row, const char *column)
{
    const JsonCell *cell = json_cell(table, row, column);

    if (cell == NULL || cell->type != JSON_NUMBER) {
        return NAN;
    }
    return strtod(cell->text, NULL);
}

const char *json_text(const JsonTable *table, size_t row, const char *column)
{
    const JsonCell *cell = json_cell(table, row, column);

    return cell == NULL || cell->text == NULL ? "" : cell->text;
}

void json_table_free(JsonTable *table)
{
    for (size_t i = 0; i < table->row_count * table->column_count; i++) {
        free(table->cells[i].text);
    }
    for (size_t i = 0; i < table->column_count; i++) {
        free(table->columns[i]);
    }
    free(table->cells);
    free(table->columns);
    memset(table, 0, sizeof *table);
}
