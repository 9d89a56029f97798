/* Read-only SQL through usage_db_q, with the JSON result read into a table. */
#ifndef DEMO_QUERY_H
#define DEMO_QUERY_H

#include <stdbool.h>

#include "error.h"
#include "json.h"
#include "usage_db.h"

/* Runs `sql` with `params_json` (NULL or a JSON array) and reads the rows into `rows`,
 * which the caller frees with json_table_free. */
bool query_rows(UsageDb *db, const char *sql, const char *params_json, JsonTable *rows,
                DemoError *error);

/* As query_rows, but hands back the library's JSON text; free it with
 * usage_db_string_free. */
bool query_json(UsageDb *db, const char *sql, const char *params_json, char **json,
                DemoError *error);

#endif
