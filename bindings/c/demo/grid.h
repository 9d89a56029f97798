/* The grid's half-hourly carbon intensity, and the hourly values the demo charges usage at. */
#ifndef DEMO_GRID_H
#define DEMO_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HALF_HOUR_S 1800

typedef struct {
    int64_t from_s;
    double intensity;   /* gCO2/kWh */
    bool from_forecast; /* `actual` was empty or 0 */
    long line_number;
} HalfHourIntensity;

typedef struct {
    const char *path;
    HalfHourIntensity *rows; /* ascending by from_s */
    size_t count;
    size_t forecast_rows;
    size_t unusable_rows; /* neither `actual` nor `forecast`: treated as absent */
} GridIntensity;

typedef struct {
    double *intensity;           /* gCO2/kWh per hour */
    size_t hour_count;
    size_t filled_hours;         /* hours with a half-hour taken from an earlier value */
    size_t filled_half_hours;
    size_t forecast_half_hours;  /* half-hours charged at `forecast` */
} HourlyIntensity;

/* Reads from,to,forecast,actual,index. Each row's value is `actual`, or `forecast` where
 * `actual` is empty or 0, which the grid operator's data uses for a reporting fault. */
bool grid_load(const char *path, GridIntensity *grid, DemoError *error);

/* The intensity of `hour_count` hours from `first_hour_s`: the mean of each hour's two
 * half-hours, where an absent half-hour takes the nearest earlier value. */
bool grid_hourly(const GridIntensity *grid, int64_t first_hour_s, size_t hour_count,
                 HourlyIntensity *hourly, DemoError *error);

void grid_free(GridIntensity *grid);
void hourly_intensity_free(HourlyIntensity *hourly);

#endif
