#include <math.h>
#include <stdio.h>
#include <string.h>

#include "query.h"
#include "report.h"
#include "table.h"
#include "timeutil.h"

#define TOP_GROUPS 10
#define TOP_MACHINES 10

/* One day of the report: [from, to) and a label such as "2023-09-05 (Tue)". */
typedef struct {
    char from[ISO_UTC_SIZE];
    char to[ISO_UTC_SIZE];
    char label[32];
    double energy_kwh;
} ReportDay;

static char *number(char cell[TABLE_CELL_SIZE], double value, int decimals)
{
    return format_number(cell, TABLE_CELL_SIZE, value, decimals);
}

static bool print_project_totals(UsageDb *db, DemoError *error)
{
    static const char *const headers[] = {"project", "machines", "members", "busy core-h",
                                          "idle core-h", "energy kWh", "carbon kgCO2eq",
                                          "gCO2eq/kWh"};
    JsonTable rows;
    TextTable table;
    bool ok = true;

    if (!query_rows(db,
                    "SELECT t.cloud_project_name AS project,"
                    " (SELECT count(*) FROM map_project_machine m JOIN dim_project p"
                    "   ON p.project_id = m.project_id"
                    "   WHERE p.cloud_project_name = t.cloud_project_name) AS machines,"
                    " (SELECT count(*) FROM v_user_project u"
                    "   WHERE u.cloud_project_name = t.cloud_project_name) AS members,"
                    " t.busy_cpu_seconds_total / 3600.0 AS busy_core_h,"
                    " t.idle_cpu_seconds_total / 3600.0 AS idle_core_h,"
                    " t.busy_kwh + t.idle_kwh AS energy_kwh,"
                    " (t.busy_gCo2eq + t.idle_gCo2eq) / 1000.0 AS carbon_kg,"
                    " (t.busy_gCo2eq + t.idle_gCo2eq) / nullif(t.busy_kwh + t.idle_kwh, 0)"
                    "   AS intensity "
                    "FROM v_project_totals t ORDER BY energy_kwh DESC, project",
                    NULL, &rows, error)) {
        return false;
    }

    table_init(&table, "lrrrrrrr", headers);
    for (size_t r = 0; r < rows.row_count && ok; r++) {
        char cells[7][TABLE_CELL_SIZE];

        ok = table_add_row(&table, error, json_text(&rows, r, "project"),
                           number(cells[0], json_number(&rows, r, "machines"), 0),
                           number(cells[1], json_number(&rows, r, "members"), 0),
                           number(cells[2], json_number(&rows, r, "busy_core_h"), 1),
                           number(cells[3], json_number(&rows, r, "idle_core_h"), 1),
                           number(cells[4], json_number(&rows, r, "energy_kwh"), 3),
                           number(cells[5], json_number(&rows, r, "carbon_kg"), 3),
                           number(cells[6], json_number(&rows, r, "intensity"), 1));
    }
    if (ok) {
        table_print(&table, "Project totals, all hours (v_project_totals)", stdout);
    }
    table_free(&table);
    json_table_free(&rows);
    return ok;
}

static void set_day(ReportDay *day, const char *date)
{
    int64_t start;
    char text[ISO_UTC_SIZE + 8];

    snprintf(text, sizeof text, "%.10sT00:00:00Z", date);
    parse_utc_timestamp(text, &start);
    format_iso_utc(start, day->from);
    format_iso_utc(start + SECONDS_PER_DAY, day->to);
    snprintf(day->label, sizeof day->label, "%.10s (%s)", date, weekday_name(start));
}

/* Prints energy and carbon per day and picks the day with the most energy. */
static bool print_days(UsageDb *db, ReportDay *busiest, DemoError *error)
{
    static const char *const headers[] = {"day", "hours", "energy kWh", "carbon kgCO2eq",
                                           "gCO2eq/kWh", "min", "max"};
    JsonTable rows;
    TextTable table;
    bool ok = true;

    if (!query_rows(db,
                    "SELECT substr(ts, 1, 10) AS day, count(*) AS hours,"
                    " total(busy_kwh + idle_kwh) AS energy_kwh,"
                    " total(busy_gCo2eq + idle_gCo2eq) AS carbon_g,"
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

    table_init(&table, "lrrrrrr", headers);
    busiest->energy_kwh = -1;
    for (size_t r = 0; r < rows.row_count && ok; r++) {
        double energy = json_number(&rows, r, "energy_kwh");
        double carbon = json_number(&rows, r, "carbon_g");
        ReportDay day;
        char cells[6][TABLE_CELL_SIZE];

        set_day(&day, json_text(&rows, r, "day"));
        day.energy_kwh = energy;
        if (energy > busiest->energy_kwh) {
            *busiest = day;
        }
        ok = table_add_row(&table, error, day.label,
                           number(cells[0], json_number(&rows, r, "hours"), 0),
                           number(cells[1], energy, 3), number(cells[2], carbon / 1000, 3),
                           number(cells[3], energy > 0 ? carbon / energy : NAN, 1),
                           number(cells[4], json_number(&rows, r, "min_intensity"), 1),
                           number(cells[5], json_number(&rows, r, "max_intensity"), 1));
    }
    if (ok) {
        table_print(&table, "Platform energy per day (v_ada_timeseries; gCO2eq/kWh is carbon "
                    "over energy, min and max are hourly)", stdout);
    }
    table_free(&table);
    json_table_free(&rows);
    return ok;
}

static bool print_top_groups(UsageDb *db, const ReportDay *day, DemoError *error)
{
    static const char *const headers[] = {"group", "energy kWh", "share of day"};
    char *json = NULL;
    JsonTable rows;
    TextTable table;
    char title[128];
    UsageDbStatus status;
    bool ok = true;

    status = usage_db_top_groups_by_energy(db, day->from, day->to, TOP_GROUPS, &json);
    if (status != USAGE_DB_STATUS_OK) {
        return fail_usage_db(error, "usage_db_top_groups_by_energy", status);
    }
    ok = json_table_parse(json, &rows, error);
    usage_db_string_free(json);
    if (!ok) {
        return false;
    }

    table_init(&table, "lrr", headers);
    for (size_t r = 0; r < rows.row_count && ok; r++) {
        double energy = json_number(&rows, r, "energy_kwh");
        char cells[2][TABLE_CELL_SIZE];
        char share[TABLE_CELL_SIZE];

        snprintf(share, sizeof share, "%s %%",
                 number(cells[1], 100 * energy / day->energy_kwh, 1));
        ok = table_add_row(&table, error, json_text(&rows, r, "group_name"),
                           number(cells[0], energy, 3), share);
    }
    if (ok) {
        snprintf(title, sizeof title, "Top groups by energy on %s (usage_db_top_groups_by_energy)",
                 day->label);
        table_print(&table, title, stdout);
    }
    table_free(&table);
    json_table_free(&rows);
    return ok;
}

/* Prints the day's top machines by busy share and returns the first one's name. */
static bool print_utilisation(UsageDb *db, const ReportDay *day, char *top_machine,
                              size_t top_machine_size, DemoError *error)
{
    static const char *const headers[] = {"machine", "project", "busy core-h", "idle core-h",
                                          "busy share", "energy kWh"};
    char params[96];
    char title[128];
    JsonTable rows;
    TextTable table;
    bool ok = true;

    snprintf(params, sizeof params, "[\"%s\", \"%s\", %d]", day->from, day->to, TOP_MACHINES);
    if (!query_rows(db,
                    "SELECT t.machine_name, p.cloud_project_name AS project,"
                    " total(t.busy_cpu_seconds_total) AS busy_s,"
                    " total(t.idle_cpu_seconds_total) AS idle_s,"
                    " round(100.0 * total(t.busy_cpu_seconds_total) / nullif("
                    "   total(t.busy_cpu_seconds_total) + total(t.idle_cpu_seconds_total), 0), 1)"
                    "   AS busy_pct,"
                    " total(t.busy_kwh + t.idle_kwh) AS energy_kwh "
                    "FROM v_machine_timeseries t"
                    " JOIN dim_machine d ON d.machine_name = t.machine_name"
                    " LEFT JOIN map_project_machine m ON m.machine_id = d.machine_id"
                    " LEFT JOIN dim_project p ON p.project_id = m.project_id "
                    "WHERE t.ts >= ?1 AND t.ts < ?2 GROUP BY t.machine_name "
                    "ORDER BY busy_pct IS NULL, busy_pct DESC, t.machine_name LIMIT ?3",
                    params, &rows, error)) {
        return false;
    }

    table_init(&table, "llrrrr", headers);
    for (size_t r = 0; r < rows.row_count && ok; r++) {
        char cells[4][TABLE_CELL_SIZE];
        char share[TABLE_CELL_SIZE];

        snprintf(share, sizeof share, "%s %%", number(cells[2], json_number(&rows, r, "busy_pct"), 1));
        ok = table_add_row(&table, error, json_text(&rows, r, "machine_name"),
                           json_text(&rows, r, "project"),
                           number(cells[0], json_number(&rows, r, "busy_s") / 3600, 2),
                           number(cells[1], json_number(&rows, r, "idle_s") / 3600, 2), share,
                           number(cells[3], json_number(&rows, r, "energy_kwh"), 3));
    }
    snprintf(top_machine, top_machine_size, "%s", json_text(&rows, 0, "machine_name"));
    if (ok) {
        snprintf(title, sizeof title, "Machine utilisation on %s, top %d by busy share",
                 day->label, TOP_MACHINES);
        table_print(&table, title, stdout);
    }
    table_free(&table);
    json_table_free(&rows);
    return ok;
}

static bool print_intensity_trend(UsageDb *db, const ReportDay *day, const char *machine,
                                  DemoError *error)
{
    static const char *const headers[] = {"hour (UTC)", "gCO2eq/kWh", "energy Wh", "carbon g",
                                          "intensity, one # per 10 g/kWh"};
    static const char bars[] = "##################################################";
    char params[128];
    char title[192];
    JsonTable rows;
    TextTable table;
    bool ok = true;

    snprintf(params, sizeof params, "[\"%s\", \"%s\", \"%s\"]", machine, day->from, day->to);
    if (!query_rows(db,
                    "SELECT ts, intensity_gCo2eq_kwh AS intensity,"
                    " 1000 * (busy_kwh + idle_kwh) AS energy_wh,"
                    " busy_gCo2eq + idle_gCo2eq AS carbon_g "
                    "FROM v_machine_timeseries WHERE machine_name = ?1 AND ts >= ?2 AND ts < ?3 "
                    "ORDER BY ts",
                    params, &rows, error)) {
        return false;
    }

    table_init(&table, "lrrrl", headers);
    for (size_t r = 0; r < rows.row_count && ok; r++) {
        double intensity = json_number(&rows, r, "intensity");
        int bar = isnan(intensity) ? 0 : (int)lround(intensity / 10);
        char cells[3][TABLE_CELL_SIZE];
        char bar_text[TABLE_CELL_SIZE];
        char hour[8];

        snprintf(hour, sizeof hour, "%.5s", json_text(&rows, r, "ts") + 11);
        snprintf(bar_text, sizeof bar_text, "%.*s", bar > 47 ? 47 : bar, bars);
        ok = table_add_row(&table, error, hour, number(cells[0], intensity, 1),
                           number(cells[1], json_number(&rows, r, "energy_wh"), 1),
                           number(cells[2], json_number(&rows, r, "carbon_g"), 2), bar_text);
    }
    if (ok) {
        snprintf(title, sizeof title, "Carbon intensity trend of %s on %s (v_machine_timeseries)",
                 machine, day->label);
        table_print(&table, title, stdout);
    }
    table_free(&table);
    json_table_free(&rows);
    return ok;
}

static bool print_period(UsageDb *db, DemoError *error)
{
    static const char *const headers[] = {"from", "to", "hours", "energy kWh", "carbon kgCO2eq",
                                          "gCO2eq/kWh", "hourly mean"};
    JsonTable rows;
    TextTable table;
    char cells[5][TABLE_CELL_SIZE];
    bool ok;

    if (!query_rows(db,
                    "SELECT min(ts) AS first_hour, max(ts) AS last_hour, count(*) AS hours,"
                    " total(busy_kwh + idle_kwh) AS energy_kwh,"
                    " total(busy_gCo2eq + idle_gCo2eq) AS carbon_g,"
                    " total(busy_gCo2eq + idle_gCo2eq) / nullif(total(busy_kwh + idle_kwh), 0)"
                    "   AS weighted_intensity,"
                    " avg(intensity_gCo2eq_kwh) AS mean_intensity "
                    "FROM v_ada_timeseries",
                    NULL, &rows, error)) {
        return false;
    }

    table_init(&table, "llrrrrr", headers);
    ok = table_add_row(&table, error, json_text(&rows, 0, "first_hour"),
                       json_text(&rows, 0, "last_hour"),
                       number(cells[0], json_number(&rows, 0, "hours"), 0),
                       number(cells[1], json_number(&rows, 0, "energy_kwh"), 3),
                       number(cells[2], json_number(&rows, 0, "carbon_g") / 1000, 3),
                       number(cells[3], json_number(&rows, 0, "weighted_intensity"), 1),
                       number(cells[4], json_number(&rows, 0, "mean_intensity"), 1));
    if (ok) {
        table_print(&table, "Whole period, platform (v_ada_timeseries; gCO2eq/kWh is carbon "
                    "over energy, the hourly mean is unweighted)", stdout);
    }
    table_free(&table);
    json_table_free(&rows);
    return ok;
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
           print_intensity_trend(db, &busiest, top_machine, error) &&
           print_period(db, error);
}
