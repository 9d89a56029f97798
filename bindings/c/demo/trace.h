/* The CPU trace of the virtual machines, and its conversion into hourly busy and idle
 * core-seconds per VM. */
#ifndef DEMO_TRACE_H
#define DEMO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Maximum interval a sample accounts for. Samples come about every 5 minutes, so a longer
 * gap means missing data, and counting it in full would invent usage. */
#define MAX_SAMPLE_INTERVAL_S 900

typedef struct {
    int64_t vm_id;
    int64_t time_s;
    int64_t cores;
    double usage_pct;
    long line_number;
} TraceSample;

typedef struct {
    TraceSample *samples;
    size_t count;
} Trace;

/* Per VM and hour, the core-seconds spent busy and idle. Cell [vm * hour_count + hour]
 * covers [first_hour_s + hour * 3600, + 3600) in the trace's own time. */
typedef struct {
    size_t vm_count;
    int64_t *vm_ids;          /* ascending */
    int64_t *first_on_s;      /* first sample with cores > 0, or -1 when never on */
    bool *on_at_end;          /* whether the VM's last sample has cores > 0 */
    int64_t first_hour_s;
    size_t hour_count;
    double *busy_core_s;
    double *idle_core_s;

    size_t duplicate_samples; /* 0 s after the previous sample of the same VM */
    size_t capped_intervals;  /* longer than MAX_SAMPLE_INTERVAL_S */
    size_t capped_usage;      /* cpu_usage_pct above 100 */
    size_t off_samples;       /* cpu_cores = 0 */
} HourlyUsage;

/* Reads vm_id,timestamp_s,cpu_cores,cpu_capacity_mhz,cpu_usage_mhz,cpu_usage_pct. */
bool trace_load(const char *path, Trace *trace, DemoError *error);

/* Sorts the trace by VM and time (file order breaks ties) and accumulates each sample's
 * interval to the next sample of the same VM, capped, into the hours it overlaps. */
bool hourly_usage_compute(Trace *trace, HourlyUsage *usage, DemoError *error);

void trace_free(Trace *trace);
void hourly_usage_free(HourlyUsage *usage);

#endif
