#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "timeutil.h"
#include "trace.h"

/* The demo keeps every VM-hour in memory: 16 bytes each. */
#define MAX_VM_HOURS 20000000u

enum { VM_ID, TIMESTAMP_S, CPU_CORES, CPU_CAPACITY_MHZ, CPU_USAGE_MHZ, CPU_USAGE_PCT, COLUMNS };

static const char *const trace_columns[COLUMNS] = {
    "vm_id", "timestamp_s", "cpu_cores", "cpu_capacity_mhz", "cpu_usage_mhz", "cpu_usage_pct",
};

static bool parse_sample(const CsvReader *reader, TraceSample *sample, DemoError *error)
{
    double capacity_mhz;
    double usage_mhz;

    if (!csv_integer(reader, VM_ID, &sample->vm_id, error) ||
        !csv_integer(reader, TIMESTAMP_S, &sample->time_s, error) ||
        !csv_integer(reader, CPU_CORES, &sample->cores, error) ||
        !csv_number(reader, CPU_CAPACITY_MHZ, &capacity_mhz, error) ||
        !csv_number(reader, CPU_USAGE_MHZ, &usage_mhz, error) ||
        !csv_number(reader, CPU_USAGE_PCT, &sample->usage_pct, error)) {
        return false;
    }

    if (sample->cores < 0) {
        return csv_fail(reader, error, "invalid cpu_cores %lld: must be >= 0",
                        (long long)sample->cores);
    }
    if (sample->usage_pct < 0) {
        return csv_fail(reader, error, "invalid cpu_usage_pct %g: must be >= 0",
                        sample->usage_pct);
    }
    sample->line_number = reader->line_number;
    return true;
}

bool trace_load(const char *path, Trace *trace, DemoError *error)
{
    CsvReader reader;
    size_t capacity = 0;
    TraceSample sample;
    int status;

    memset(trace, 0, sizeof *trace);
    if (!csv_open(&reader, path, trace_columns, COLUMNS, error)) {
        csv_close(&reader);
        return false;
    }

    while ((status = csv_next(&reader, error)) == 1) {
        TraceSample *samples = NULL;

        if (parse_sample(&reader, &sample, error)) {
            samples = reserve(error, "trace samples", trace->samples, &capacity, trace->count + 1,
                              sizeof sample);
        }
        if (samples == NULL) {
            status = -1;
            break;
        }
        trace->samples = samples;
        trace->samples[trace->count++] = sample;
    }
    csv_close(&reader);

    if (status == 0 && trace->count == 0) {
        return fail(error, "%s: no samples after the header", path);
    }
    return status == 0;
}

static int compare_samples(const void *left, const void *right)
{
    const TraceSample *a = left;
    const TraceSample *b = right;

    if (a->vm_id != b->vm_id) {
        return a->vm_id < b->vm_id ? -1 : 1;
    }
    if (a->time_s != b->time_s) {
        return a->time_s < b->time_s ? -1 : 1;
    }
    return (a->line_number > b->line_number) - (a->line_number < b->line_number);
}

/* Seconds that sample i accounts for: up to the next sample of the same VM, capped. */
static int64_t sample_interval(const Trace *trace, size_t i)
{
    int64_t dt;

    if (i + 1 == trace->count || trace->samples[i + 1].vm_id != trace->samples[i].vm_id) {
        return 0;
    }
    dt = trace->samples[i + 1].time_s - trace->samples[i].time_s;
    return dt > MAX_SAMPLE_INTERVAL_S ? MAX_SAMPLE_INTERVAL_S : dt;
}

static bool allocate_usage(const Trace *trace, HourlyUsage *usage, DemoError *error)
{
    int64_t first = trace->samples[0].time_s;
    int64_t end = first;
    size_t cells;

    for (size_t i = 0; i < trace->count; i++) {
        int64_t start = trace->samples[i].time_s;
        int64_t stop = start + sample_interval(trace, i);

        first = start < first ? start : first;
        end = stop > end ? stop : end;
        if (i == 0 || trace->samples[i].vm_id != trace->samples[i - 1].vm_id) {
            usage->vm_count++;
        }
    }

    usage->first_hour_s = floor_to(first, SECONDS_PER_HOUR);
    usage->hour_count = (size_t)((end - usage->first_hour_s + SECONDS_PER_HOUR - 1) /
                                 SECONDS_PER_HOUR);
    if (usage->hour_count == 0) {
        usage->hour_count = 1;
    }
    if (usage->hour_count > MAX_VM_HOURS / usage->vm_count) {
        return fail(error, "the trace spans %zu hours across %zu VMs: more than %u VM-hours",
                    usage->hour_count, usage->vm_count, MAX_VM_HOURS);
    }

    cells = usage->vm_count * usage->hour_count;
    usage->vm_ids = allocate(error, "VM ids", usage->vm_count, sizeof *usage->vm_ids);
    usage->first_on_s = usage->vm_ids ? allocate(error, "VM start times", usage->vm_count,
                                                 sizeof *usage->first_on_s) : NULL;
    usage->on_at_end = usage->first_on_s ? allocate(error, "VM states", usage->vm_count,
                                                    sizeof *usage->on_at_end) : NULL;
    usage->busy_core_s = usage->on_at_end ? allocate(error, "busy seconds", cells,
                                                     sizeof *usage->busy_core_s) : NULL;
    usage->idle_core_s = usage->busy_core_s ? allocate(error, "idle seconds", cells,
                                                       sizeof *usage->idle_core_s) : NULL;
    return usage->idle_core_s != NULL;
}

/* Spreads one interval's busy and idle core-seconds over the hours it overlaps. */
static void accumulate_interval(HourlyUsage *usage, size_t vm, const TraceSample *sample,
                                int64_t dt)
{
    double busy_fraction = (sample->usage_pct > 100.0 ? 100.0 : sample->usage_pct) / 100.0;
    double busy_per_s = busy_fraction * (double)sample->cores;
    double idle_per_s = (double)sample->cores - busy_per_s;
    int64_t start = sample->time_s;
    int64_t stop = start + dt;

    while (start < stop) {
        int64_t hour_start = floor_to(start, SECONDS_PER_HOUR);
        int64_t segment_end = hour_start + SECONDS_PER_HOUR < stop ? hour_start + SECONDS_PER_HOUR
                                                                    : stop;
        size_t cell = vm * usage->hour_count +
                      (size_t)((hour_start - usage->first_hour_s) / SECONDS_PER_HOUR);
        double seconds = (double)(segment_end - start);

        usage->busy_core_s[cell] += busy_per_s * seconds;
        usage->idle_core_s[cell] += idle_per_s * seconds;
        start = segment_end;
    }
}

static void count_faults(HourlyUsage *usage, const Trace *trace, size_t i)
{
    const TraceSample *sample = &trace->samples[i];
    bool has_next = i + 1 < trace->count && trace->samples[i + 1].vm_id == sample->vm_id;

    if (has_next && trace->samples[i + 1].time_s == sample->time_s) {
        usage->duplicate_samples++;
    }
    if (has_next && trace->samples[i + 1].time_s - sample->time_s > MAX_SAMPLE_INTERVAL_S) {
        usage->capped_intervals++;
    }
    if (sample->usage_pct > 100.0) {
        usage->capped_usage++;
    }
    if (sample->cores == 0) {
        usage->off_samples++;
    }
}

bool hourly_usage_compute(Trace *trace, HourlyUsage *usage, DemoError *error)
{
    size_t vm = 0;

    memset(usage, 0, sizeof *usage);
    qsort(trace->samples, trace->count, sizeof *trace->samples, compare_samples);
    if (!allocate_usage(trace, usage, error)) {
        return false;
    }

    for (size_t i = 0; i < trace->count; i++) {
        const TraceSample *sample = &trace->samples[i];
        bool first_of_vm = i == 0 || sample->vm_id != trace->samples[i - 1].vm_id;

        if (first_of_vm) {
            vm = i == 0 ? 0 : vm + 1;
            usage->vm_ids[vm] = sample->vm_id;
            usage->first_on_s[vm] = -1;
        }
        if (sample->cores > 0 && usage->first_on_s[vm] < 0) {
            usage->first_on_s[vm] = sample->time_s;
        }
        usage->on_at_end[vm] = sample->cores > 0;

        count_faults(usage, trace, i);
        accumulate_interval(usage, vm, sample, sample_interval(trace, i));
    }
    return true;
}

void trace_free(Trace *trace)
{
    free(trace->samples);
    memset(trace, 0, sizeof *trace);
}

void hourly_usage_free(HourlyUsage *usage)
{
    free(usage->vm_ids);
    free(usage->first_on_s);
    free(usage->on_at_end);
    free(usage->busy_core_s);
    free(usage->idle_core_s);
    memset(usage, 0, sizeof *usage);
}
