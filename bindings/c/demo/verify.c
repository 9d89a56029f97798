#include <stdio.h>
#include <string.h>

#include "query.h"
#include "table.h"
#include "verify.h"

/* Every table's content in a fixed order. Surrogate ids stay out where the rows are
 * identified by names; fact and workspace rows refer to ids, which a rerun keeps. */
static const char *const content_queries[] = {
    "SELECT group_name FROM dim_group ORDER BY group_name",
    "SELECT u.user_id, u.display_name, g.group_name FROM dim_user u "
    "LEFT JOIN dim_group g ON g.group_id = u.group_id ORDER BY u.user_id",
    "SELECT project_id, cloud_project_name FROM dim_project ORDER BY project_id",
    "SELECT machine_id, machine_name FROM dim_machine ORDER BY machine_id",
    "SELECT instance_id, host, port, raw_label FROM dim_instance ORDER BY instance_id",
    "SELECT user_id, project_id FROM map_user_project ORDER BY user_id, project_id",
    "SELECT project_id, machine_id FROM map_project_machine ORDER BY project_id, machine_id",
    "SELECT instance_id, machine_id, user_id, project_id, started_at FROM active_workspace "
    "ORDER BY workspace_id",
    "SELECT scope, ts, project_id, machine_id, user_id, busy_cpu_seconds_total, "
    "idle_cpu_seconds_total, busy_kwh, idle_kwh, busy_gCo2eq, idle_gCo2eq, "
    "intensity_gCo2eq_kwh FROM fact_usage ORDER BY scope, ts, project_id, machine_id, user_id",
};

static uint64_t fnv1a(uint64_t hash, const char *text)
{
    for (const unsigned char *byte = (const unsigned char *)text; *byte != '\0'; byte++) {
        hash ^= *byte;
        hash *= 1099511628211u;
    }
    return hash;
}

bool content_checksum(UsageDb *db, ContentChecksum *checksum, DemoError *error)
{
    JsonTable totals;

    memset(checksum, 0, sizeof *checksum);
    checksum->hash = 14695981039346656037u;
    for (size_t i = 0; i < sizeof content_queries / sizeof content_queries[0]; i++) {
        char *json;

        if (!query_json(db, content_queries[i], NULL, &json, error)) {
            return false;
        }
        checksum->hash = fnv1a(checksum->hash, json);
        usage_db_string_free(json);
    }

    if (!query_rows(db,
                    "SELECT count(*) AS fact_rows, "
                    "total(busy_kwh + idle_kwh) AS energy_kwh, "
                    "total(busy_gCo2eq + idle_gCo2eq) AS carbon_g "
                    "FROM fact_usage WHERE scope = 'ada'",
                    NULL, &totals, error)) {
        return false;
    }
    checksum->energy_kwh = json_number(&totals, 0, "energy_kwh");
    checksum->carbon_g = json_number(&totals, 0, "carbon_g");
    json_table_free(&totals);

    if (!query_rows(db, "SELECT count(*) AS n FROM fact_usage", NULL, &totals, error)) {
        return false;
    }
    checksum->fact_rows = (int64_t)json_number(&totals, 0, "n");
    json_table_free(&totals);
    return true;
}

/* Each scope's totals beside those of the machines, and each project's beside its own
 * machines'. The values are quantized when written, so equal means bit for bit. The
 * totals are compared in an outer query so each is computed once. */
static const char scope_sums_sql[] =
    "WITH machine_sums AS ("
    "  SELECT f.machine_id, total(f.busy_kwh + f.idle_kwh) AS energy_kwh,"
    "         total(f.busy_gCo2eq + f.idle_gCo2eq) AS carbon_g"
    "  FROM fact_usage f WHERE f.scope = 'machine' GROUP BY f.machine_id),"
    " all_machines AS (SELECT total(energy_kwh) AS energy_kwh, total(carbon_g) AS carbon_g"
    "  FROM machine_sums) "
    ", compared AS ("
    "SELECT 'all ' || f.scope || ' facts' AS part, total(f.busy_kwh + f.idle_kwh) AS energy_kwh,"
    "       total(f.busy_gCo2eq + f.idle_gCo2eq) AS carbon_g,"
    "       (SELECT energy_kwh FROM all_machines) AS expected_kwh,"
    "       (SELECT carbon_g FROM all_machines) AS expected_g"
    " FROM fact_usage f GROUP BY f.scope "
    "UNION ALL "
    "SELECT 'project ' || p.cloud_project_name,"
    "       (SELECT total(busy_kwh + idle_kwh) FROM fact_usage"
    "         WHERE scope = 'project' AND project_id = p.project_id),"
    "       (SELECT total(busy_gCo2eq + idle_gCo2eq) FROM fact_usage"
    "         WHERE scope = 'project' AND project_id = p.project_id),"
    "       total(s.energy_kwh), total(s.carbon_g)"
    " FROM dim_project p JOIN map_project_machine m ON m.project_id = p.project_id"
    " JOIN machine_sums s ON s.machine_id = m.machine_id"
    " GROUP BY p.project_id) "
    "SELECT *, CASE WHEN energy_kwh = expected_kwh AND carbon_g = expected_g"
    " THEN 'yes' ELSE 'NO' END AS equal FROM compared";

bool verify_scope_sums(UsageDb *db, DemoError *error)
{
    static const TableColumn columns[] = {
        {"facts", "part", TEXT_COLUMN, 0, NULL},
        {"energy kWh", "energy_kwh", 6, 0, NULL},
        {"carbon gCO2eq", "carbon_g", 3, 0, NULL},
        {"sum of machines kWh", "expected_kwh", 6, 0, NULL},
        {"sum of machines g", "expected_g", 3, 0, NULL},
        {"equal", "equal", TEXT_COLUMN, 0, NULL},
    };
    JsonTable rows;
    size_t mismatches = 0;
    bool ok;

    if (!query_rows(db, scope_sums_sql, NULL, &rows, error)) {
        return false;
    }

    ok = table_print_rows(&rows, columns, sizeof columns / sizeof columns[0],
                          "Energy and carbon by scope, all hours, against the machines' sum",
                          error);
    for (size_t r = 0; r < rows.row_count; r++) {
        mismatches += strcmp(json_text(&rows, r, "equal"), "yes") != 0;
    }
    json_table_free(&rows);

    if (ok && mismatches > 0) {
        return fail(error, "%zu scope totals differ from the sum of their machines", mismatches);
    }
    return ok;
}
