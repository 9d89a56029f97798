/* UTC calendar arithmetic on Unix seconds, without the C library's time zone state. */
#ifndef DEMO_TIMEUTIL_H
#define DEMO_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400

/* "YYYY-MM-DDTHH:MM:SSZ" and its terminating NUL. */
#define ISO_UTC_SIZE 21

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t year, int month, int day);

/* Parses "YYYY-MM-DD HH:MM:SS" followed by "Z", "+HH:MM" or "-HH:MM" (a "T" may replace
 * the space) into Unix seconds. Returns false on anything else. */
bool parse_utc_timestamp(const char *text, int64_t *out_seconds);

/* Writes `seconds` as "YYYY-MM-DDTHH:MM:SSZ". */
void format_iso_utc(int64_t seconds, char out[ISO_UTC_SIZE]);

/* Three-letter English weekday of the UTC day containing `seconds`. */
const char *weekday_name(int64_t seconds);

/* Rounds down to the start of the hour or day. */
int64_t floor_to(int64_t seconds, int64_t unit);

/* Seconds from a monotonic clock, for measuring durations. */
double monotonic_seconds(void);

#endif
