#include "query.h"

bool query_json(UsageDb *db, const char *sql, const char *params_json, char **json,
                DemoError *error)
{
    UsageDbStatus status = usage_db_q(db, sql, params_json, json);

    if (status != USAGE_DB_STATUS_OK) {
        return fail_usage_db(error, "usage_db_q", status);
    }
    return true;
}

bool query_rows(UsageDb *db, const char *sql, const char *params_json, JsonTable *rows,
                DemoError *error)
{
    char *json = NULL;
    bool ok;

    if (!query_json(db, sql, params_json, &json, error)) {
        return false;
    }
    ok = json_table_parse(json, rows, error);
    usage_db_string_free(json);
    return ok;
}
