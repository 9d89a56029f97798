#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

/* Gregorian calendar arithmetic in 400-year eras of 146,097 days, which starts each year
 * on 1 March so that the leap day is the last day of the year. */
int64_t days_from_civil(int64_t year, int month, int day)
{
    int64_t era;
    int64_t year_of_era;
    int64_t day_of_year;
    int64_t day_of_era;

    year -= month <= 2;
    era = (year >= 0 ? year : year - 399) / 400;
    year_of_era = year - era * 400;
    day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t era;
    int64_t day_of_era;
    int64_t year_of_era;
    int64_t day_of_year;
    int64_t month_index;

    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    day_of_era = days - era * 146097;
    year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    month_index = (5 * day_of_year + 2) / 153;

    *day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
    *month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

/* Reads exactly `width` decimal digits. */
static bool read_digits(const char *text, int width, int *out)
{
    int value = 0;

    for (int i = 0; i < width; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        value = value * 10 + (text[i] - '0');
    }
    *out = value;
    return true;
}

static bool parse_offset(const char *text, int64_t *out_seconds)
{
    int hours;
    int minutes;
    int sign;

    if (strcmp(text, "Z") == 0) {
        *out_seconds = 0;
        return true;
    }
    if ((text[0] != '+' && text[0] != '-') || strlen(text) != 6 || text[3] != ':') {
        return false;
    }
    if (!read_digits(text + 1, 2, &hours) || !read_digits(text + 4, 2, &minutes)) {
        return false;
    }
    if (hours > 23 || minutes > 59) {
        return false;
    }

    sign = text[0] == '-' ? -1 : 1;
    *out_seconds = sign * (hours * 3600 + minutes * 60);
    return true;
}

bool parse_utc_timestamp(const char *text, int64_t *out_seconds)
{
    static const int days_in_month[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year, month, day, hour, minute, second;
    int64_t offset;

    if (strlen(text) < 20 || text[4] != '-' || text[7] != '-' ||
        (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':') {
        return false;
    }
    if (!read_digits(text, 4, &year) || !read_digits(text + 5, 2, &month) ||
        !read_digits(text + 8, 2, &day) || !read_digits(text + 11, 2, &hour) ||
        !read_digits(text + 14, 2, &minute) || !read_digits(text + 17, 2, &second)) {
        return false;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month[month - 1] || hour > 23 ||
        minute > 59 || second > 59) {
        return false;
    }
    if (!parse_offset(text + 19, &offset)) {
        return false;
    }

    *out_seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 +
                   minute * 60 + second - offset;
    return true;
}

int64_t floor_to(int64_t seconds, int64_t unit)
{
    int64_t remainder = seconds % unit;

    return remainder < 0 ? seconds - remainder - unit : seconds - remainder;
}

void format_iso_utc(int64_t seconds, char out[ISO_UTC_SIZE])
{
    int64_t day_start = floor_to(seconds, SECONDS_PER_DAY);
    int64_t of_day = seconds - day_start;
    int64_t year;
    int month;
    int day;
    char text[64];

    civil_from_days(day_start / SECONDS_PER_DAY, &year, &month, &day);
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)year, month, day,
             (int)(of_day / 3600), (int)(of_day / 60 % 60), (int)(of_day % 60));

    /* Years 0 to 9999 fill the fixed width exactly; others are cut rather than overflow. */
    memcpy(out, text, ISO_UTC_SIZE - 1);
    out[ISO_UTC_SIZE - 1] = '\0';
}

const char *weekday_name(int64_t seconds)
{
    static const char *const names[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    int64_t days = floor_to(seconds, SECONDS_PER_DAY) / SECONDS_PER_DAY;
    int64_t index = days % 7;

    return names[index < 0 ? index + 7 : index];
}

double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}
