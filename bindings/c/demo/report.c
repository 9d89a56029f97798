#include <stdio.h>
#include <string.h>

#include "query.h"
#include "report.h"
#include "table.h"
#include "timeutil.h"

#define TOP_GROUPS 10
#define TOP_MACHINES 10
#define COLUMNS(columns) columns, sizeof columns / sizeof columns[0]

/* One day of the report: [from, to) and a label such as "2023-09-05 (Tue)". */
typedef struct {
    char from[ISO_UTC_SIZE];
    char to[ISO_UTC_SIZE];
    char label[32];
    double energy_kwh;
} ReportDay;

/* Runs a query and prints its rows. */
static bool print_query(UsageDb *db, const char *sql, const char *params_json,
                        const TableColumn *columns, size_t column_count, const char *title,
                        DemoError *error)
{
    JsonTable rows;
    bool ok;

    if (!query_rows(db, sql, params_json, &rows, error)) {
        return false;
    }
    ok = table_print_rows(&rows, columns, column_count, title, error);
    json_table_free(&rows);
    return ok;
}

static bool print_project_totals(UsageDb *db, DemoError *error)
{
    static const TableColumn columns[] = {
        {"project", "project", TEXT_COLUMN, 0, NULL},
        {"machines", "machines", 0, 0, NULL},
        {"members", "members", 0, 0, NULL},
        {"busy core-h", "busy_cpu_seconds_total", 1, 1.0 / 3600, NULL},
        {"idle core-h", "idle_cpu_seconds_total", 1, 1.0 / 3600, NULL},
        {"energy kWh", "energy_kwh", 3, 0, NULL},
        {"carbon kgCO2eq", "carbon_g", 3, 1e-3, NULL},
        {"gCO2eq/kWh", "intensity", 1, 0, NULL},
    };

    return print_query(
        db,
        "SELECT t.cloud_project_name AS project,"
        " (SELECT count(*) FROM map_project_machine m JOIN dim_project p"
        "   ON p.project_id = m.project_id"
        "   WHERE p.cloud_project_name = t.cloud_project_name) AS machines,"
        " (SELECT count(*) FROM v_user_project u"
        "   WHERE u.cloud_project_name = t.cloud_project_name) AS members,"
        " t.busy_cpu_seconds_total, t.idle_cpu_seconds_total,"
        " t.busy_kwh + t.idle_kwh AS energy_kwh,"
        " t.busy_gCo2eq + t.idle_gCo2eq AS carbon_g,"
        " (t.busy_gCo2eq + t.idle_gCo2eq) / nullif(t.busy_kwh + t.idle_kwh, 0) AS intensity "
        "FROM v_project_totals t ORDER BY energy_kwh DESC, project",
        NULL, COLUMNS(columns), "Project totals, all hours (v_project_totals)", error);
}

/* Sets the day from its "YYYY-MM-DD" date. */
static void set_day(ReportDay *day, const char *date, const char *label, double energy_kwh)
{
    int64_t start = 0;
    char text[ISO_UTC_SIZE + 8];

    snprintf(text, sizeof text, "%.10sT00:00:00Z", date);
    parse_utc_timestamp(text, &start);
    format_iso_utc(start, day->from);
    format_iso_utc(start + SECONDS_PER_DAY, day->to);
    snprintf(day->label, sizeof day->label, "%s", label);
    day->energy_kwh = energy_kwh;
}

/* Prints energy and carbon per day and picks the day with the most energy, the earliest
 * of equals. */
static bool print_days(UsageDb *db, ReportDay *busiest, DemoError *error)
{
    static const TableColumn columns[] = {
        {"day", "label", TEXT_COLUMN, 0, NULL},
        {"hours", "hours", 0, 0, NULL},
        {"energy kWh", "energy_kwh", 3, 0, NULL},
        {"carbon kgCO2eq", "carbon_g", 3, 1e-3, NULL},
        {"gCO2eq/kWh", "intensity", 1, 0, NULL},
        {"min", "min_intensity", 1, 0, NULL},
        {"max", "max_intensity", 1, 0, NULL},
    };
    JsonTable rows;
    bool ok;

    if (!query_rows(db,
                    "SELECT substr(ts, 1, 10) AS day,"
                    " substr(ts, 1, 10) || ' (' || substr('SunMonTueWedThuFriSat',"
                    "   1 + 3 * strftime('%w', ts), 3) || ')' AS label,"
                    " count(*) AS hours,"
                    " total(busy_kwh + idle_kwh) AS energy_kwh,"
                    " total(busy_gCo2eq + idle_gCo2eq) AS carbon_g,"
                    " total(busy_gCo2eq + idle_gCo2eq) / nullif(total(busy_kwh + idle_kwh), 0)"
                    "   AS intensity,"
                    " min(intensity_gCo2eq_kwh) AS min_intensity,"
                    " max(intensity_gCo2eq_kwh) AS max_intensity "
                    "FROM v_ada_timeseries GROUP BY day ORDER BY day",
                    NULL, &rows, error)) {
        return false;
    }
    if (rows.row_count == 0) {
        json_table_free(&rows);
        return fail(error, "no ada-scope facts to report on");
    }

    busiest->energy_kwh = -1;
    for (size_t r = 0; r < rows.row_count; r++) {
        double energy = json_number(&rows, r, "energy_kwh");

        if (energy > busiest->energy_kwh) {
            set_day(busiest, json_text(&rows, r, "day"), json_text(&rows, r, "label"), energy);
        }
    }
    ok = table_print_rows(&rows, COLUMNS(columns),
                          "Platform energy per day (v_ada_timeseries; gCO2eq/kWh is carbon over "
                          "energy, min and max are hourly)",
                          error);
    json_table_free(&rows);
    return ok;
}

static bool print_top_groups(UsageDb *db, const ReportDay *day, DemoError *error)
{
    const TableColumn columns[] = {
        {"group", "group_name", TEXT_COLUMN, 0, NULL},
        {"energy kWh", "energy_kwh", 3, 0, NULL},
        {"share of day", "energy_kwh", 1, 100 / day->energy_kwh, " %"},
    };
    char *json = NULL;
    JsonTable rows;
    char title[128];
    UsageDbStatus status;
    bool ok;

    status = usage_db_top_groups_by_energy(db, day->from, day->to, TOP_GROUPS, &json);
    if (status != USAGE_DB_STATUS_OK) {
        return fail_usage_db(error, "usage_db_top_groups_by_energy", status);
    }
    ok = json_table_parse(json, &rows, error);
    usage_db_string_free(json);
    if (!ok) {
        return false;
    }

    snprintf(title, sizeof title, "Top groups by energy on %s (usage_db_top_groups_by_energy)",
             day->label);
    ok = table_print_rows(&rows, COLUMNS(columns), title, error);
    json_table_free(&rows);
    return ok;
}

/* Prints the day's top machines by busy share and returns the first one's name. */
static bool print_utilisation(UsageDb *db, const ReportDay *day, char *top_machine,
                              size_t top_machine_size, DemoError *error)
{
    static const TableColumn columns[] = {
        {"machine", "machine_name", TEXT_COLUMN, 0, NULL},
        {"busy core-h", "busy_s", 2, 1.0 / 3600, NULL},
        {"idle core-h", "idle_s", 2, 1.0 / 3600, NULL},
        {"busy share", "busy_pct", 1, 0, " %"},
    };
    char *json = NULL;
    char title[128];
    JsonTable rows;
    size_t all_rows;
    UsageDbStatus status;
    bool ok;

    status = usage_db_machine_utilization_share(db, day->from, day->to, &json);
    if (status != USAGE_DB_STATUS_OK) {
        return fail_usage_db(error, "usage_db_machine_utilization_share", status);
    }
    ok = json_table_parse(json, &rows, error);
    usage_db_string_free(json);
    if (!ok) {
        return false;
    }

    /* The library lists every machine, highest busy share first; print the first ten. */
    all_rows = rows.row_count;
    if (rows.row_count > TOP_MACHINES) {
        rows.row_count = TOP_MACHINES;
    }
    snprintf(top_machine, top_machine_size, "%s", json_text(&rows, 0, "machine_name"));
    snprintf(title, sizeof title, "Machine utilisation on %s, top %d of %zu by busy share "
             "(usage_db_machine_utilization_share)", day->label, TOP_MACHINES, all_rows);
    ok = table_print_rows(&rows, COLUMNS(columns), title, error);
    rows.row_count = all_rows;
    json_table_free(&rows);
    return ok;
}

static bool print_intensity_trend(UsageDb *db, const ReportDay *day, const char *machine,
                                  DemoError *error)
{
    static const TableColumn columns[] = {
        {"hour (UTC)", "hour", TEXT_COLUMN, 0, NULL},
        {"gCO2eq/kWh", "intensity", 1, 0, NULL},
        {"energy Wh", "energy_kwh", 1, 1000, NULL},
        {"carbon g", "carbon_g", 2, 0, NULL},
        {"intensity, one # per 10 gCO2eq/kWh", "bar", TEXT_COLUMN, 0, NULL},
    };
    char params[128];
    char title[192];

    snprintf(params, sizeof params, "[\"%s\", \"%s\", \"%s\"]", machine, day->from, day->to);
    snprintf(title, sizeof title, "Carbon intensity trend of %s on %s (v_machine_timeseries)",
             machine, day->label);
    return print_query(db,
                       "SELECT substr(ts, 12, 5) AS hour, intensity_gCo2eq_kwh AS intensity,"
                       " busy_kwh + idle_kwh AS energy_kwh,"
                       " busy_gCo2eq + idle_gCo2eq AS carbon_g,"
                       " substr('##################################################', 1,"
                       "   CAST(round(intensity_gCo2eq_kwh / 10) AS INTEGER)) AS bar "
                       "FROM v_machine_timeseries WHERE machine_name = ?1 AND ts >= ?2 AND ts < ?3 "
                       "ORDER BY ts",
                       params, COLUMNS(columns), title, error);
}

static bool print_period(UsageDb *db, DemoError *error)
{
    static const TableColumn columns[] = {
        {"first hour", "first_hour", TEXT_COLUMN, 0, NULL},
        {"last hour", "last_hour", TEXT_COLUMN, 0, NULL},
        {"hours", "hours", 0, 0, NULL},
        {"energy kWh", "energy_kwh", 3, 0, NULL},
        {"carbon kgCO2eq", "carbon_g", 3, 1e-3, NULL},
        {"gCO2eq/kWh", "weighted_intensity", 1, 0, NULL},
        {"hourly mean", "mean_intensity", 1, 0, NULL},
    };

    return print_query(
        db,
        "SELECT min(ts) AS first_hour, max(ts) AS last_hour, count(*) AS hours,"
        " total(busy_kwh + idle_kwh) AS energy_kwh,"
        " total(busy_gCo2eq + idle_gCo2eq) AS carbon_g,"
        " total(busy_gCo2eq + idle_gCo2eq) / nullif(total(busy_kwh + idle_kwh), 0)"
        "   AS weighted_intensity,"
        " avg(intensity_gCo2eq_kwh) AS mean_intensity "
        "FROM v_ada_timeseries",
        NULL, COLUMNS(columns),
        "Whole period, platform (v_ada_timeseries; gCO2eq/kWh is carbon over energy, the "
        "hourly mean is unweighted)",
        error);
}

bool print_report(UsageDb *db, DemoError *error)
{
    ReportDay busiest;
    char top_machine[64];

    memset(&busiest, 0, sizeof busiest);
    if (!print_project_totals(db, error) || !print_days(db, &busiest, error)) {
        return false;
    }

    printf("\nThe next three tables show %s, the day with the most energy.\n", busiest.label);
    return print_top_groups(db, &busiest, error) &&
           print_utilisation(db, &busiest, top_machine, sizeof top_machine, error) &&
           print_intensity_trend(db, &busiest, top_machine, error) && print_period(db, error);
}
