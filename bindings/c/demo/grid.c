#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "grid.h"
#include "timeutil.h"

enum { FROM, TO, FORECAST, ACTUAL, INDEX, COLUMNS };

static const char *const grid_columns[COLUMNS] = {"from", "to", "forecast", "actual", "index"};

/* Parses one row. Returns false on malformed input; *usable is false for a row with no
 * value at all. */
static bool parse_row(const CsvReader *reader, HalfHourIntensity *row, bool *usable,
                      DemoError *error)
{
    int64_t to_s;
    double forecast = 0;
    double actual = 0;
    bool has_forecast;
    bool has_actual;

    if (!csv_timestamp(reader, FROM, &row->from_s, error) ||
        !csv_timestamp(reader, TO, &to_s, error) ||
        !csv_optional_number(reader, FORECAST, &forecast, &has_forecast, error) ||
        !csv_optional_number(reader, ACTUAL, &actual, &has_actual, error)) {
        return false;
    }

    if (row->from_s % HALF_HOUR_S != 0 || to_s != row->from_s + HALF_HOUR_S) {
        return csv_fail(reader, error, "invalid half-hour \"%s\" to \"%s\": expected 30 minutes "
                        "starting on :00 or :30", reader->fields[FROM], reader->fields[TO]);
    }
    if ((has_forecast && forecast < 0) || (has_actual && actual < 0)) {
        return csv_fail(reader, error, "invalid intensity: forecast \"%s\", actual \"%s\" "
                        "must be >= 0", reader->fields[FORECAST], reader->fields[ACTUAL]);
    }

    row->line_number = reader->line_number;
    row->from_forecast = !(has_actual && actual > 0);
    row->intensity = row->from_forecast ? forecast : actual;
    *usable = !row->from_forecast || has_forecast;
    return true;
}

static int compare_rows(const void *left, const void *right)
{
    const HalfHourIntensity *a = left;
    const HalfHourIntensity *b = right;

    if (a->from_s != b->from_s) {
        return a->from_s < b->from_s ? -1 : 1;
    }
    return (a->line_number > b->line_number) - (a->line_number < b->line_number);
}

static bool reject_duplicates(const GridIntensity *grid, const char *path, DemoError *error)
{
    for (size_t i = 1; i < grid->count; i++) {
        if (grid->rows[i].from_s == grid->rows[i - 1].from_s) {
            char when[ISO_UTC_SIZE];

            format_iso_utc(grid->rows[i].from_s, when);
            return fail(error, "%s:%ld: duplicate half-hour %s, first given on line %ld", path,
                        grid->rows[i].line_number, when, grid->rows[i - 1].line_number);
        }
    }
    return true;
}

bool grid_load(const char *path, GridIntensity *grid, DemoError *error)
{
    CsvReader reader;
    size_t capacity = 0;
    HalfHourIntensity row;
    HalfHourIntensity *rows;
    bool usable = false;
    int status;

    memset(grid, 0, sizeof *grid);
    grid->path = path;
    if (!csv_open(&reader, path, grid_columns, COLUMNS, error)) {
        csv_close(&reader);
        return false;
    }

    while ((status = csv_next(&reader, error)) == 1) {
        if (!parse_row(&reader, &row, &usable, error)) {
            status = -1;
            break;
        }
        if (!usable) {
            grid->unusable_rows++;
            continue;
        }
        rows = reserve(error, "intensity rows", grid->rows, &capacity, grid->count + 1, sizeof row);
        if (rows == NULL) {
            status = -1;
            break;
        }
        grid->rows = rows;
        grid->rows[grid->count++] = row;
        grid->forecast_rows += row.from_forecast;
    }
    csv_close(&reader);
    if (status != 0) {
        return false;
    }

    qsort(grid->rows, grid->count, sizeof *grid->rows, compare_rows);
    return reject_duplicates(grid, path, error);
}

/* Index of the last row starting at or before `when`, or -1 when there is none. */
static long find_at_or_before(const GridIntensity *grid, int64_t when)
{
    size_t low = 0;
    size_t high = grid->count;

    while (low < high) {
        size_t middle = low + (high - low) / 2;

        if (grid->rows[middle].from_s <= when) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    return (long)low - 1;
}

bool grid_hourly(const GridIntensity *grid, int64_t first_hour_s, size_t hour_count,
                 HourlyIntensity *hourly, DemoError *error)
{
    memset(hourly, 0, sizeof *hourly);
    hourly->intensity = allocate(error, "hourly intensity", hour_count, sizeof(double));
    if (hourly->intensity == NULL) {
        return false;
    }
    hourly->hour_count = hour_count;

    for (size_t hour = 0; hour < hour_count; hour++) {
        int64_t hour_start = first_hour_s + (int64_t)hour * SECONDS_PER_HOUR;
        bool filled = false;
        double sum = 0;

        for (int64_t slot = hour_start; slot < hour_start + SECONDS_PER_HOUR; slot += HALF_HOUR_S) {
            long index = find_at_or_before(grid, slot);
            char when[ISO_UTC_SIZE];

            if (index < 0) {
                format_iso_utc(slot, when);
                return fail(error, "%s has no carbon intensity at or before %s, which the "
                            "trace needs", grid->path, when);
            }
            if (grid->rows[index].from_s != slot) {
                filled = true;
                hourly->filled_half_hours++;
            } else if (grid->rows[index].from_forecast) {
                hourly->forecast_half_hours++;
            }
            sum += grid->rows[index].intensity;
        }

        hourly->intensity[hour] = sum / 2;
        hourly->filled_hours += filled;
    }
    return true;
}

void grid_free(GridIntensity *grid)
{
    free(grid->rows);
    memset(grid, 0, sizeof *grid);
}

void hourly_intensity_free(HourlyIntensity *hourly)
{
    free(hourly->intensity);
    memset(hourly, 0, sizeof *hourly);
}
