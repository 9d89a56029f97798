#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

const char *const project_names[PROJECT_COUNT] = {
    "climate-model", "genomics-pipeline", "astro-survey", "materials-sim", "teaching-lab",
};

const char *const group_names[GROUP_COUNT] = {
    "Earth Sciences", "Life Sciences", "Physics", "Teaching",
};

/* Metrics are rounded to multiples of these powers of two (about 1e-6 s, 2e-10 kWh and
 * 6e-8 g). Sums of such values are exact in any order while they stay below 2^53 quanta,
 * about 8.6e9 core-seconds, 2.1e6 kWh and 5.4e8 g, so the machine, project, user and ada
 * totals in the database agree to the last bit.
 * NOTE: past those totals the sums round and agree only to about 1e-16 relative. */
static const double SECOND_QUANTA = 1048576.0;  /* 2^20 per core-second */
static const double KWH_QUANTA = 4294967296.0;  /* 2^32 per kWh */
static const double GRAM_QUANTA = 16777216.0;   /* 2^24 per gCO2eq */

static double quantize(double value, double quanta_per_unit)
{
    return round(value * quanta_per_unit) / quanta_per_unit;
}

static void build_users(Platform *platform)
{
    for (size_t i = 0; i < USER_COUNT; i++) {
        PlatformUser *user = &platform->users[i];

        snprintf(user->id, sizeof user->id, "u%02zu", i + 1);
        snprintf(user->display_name, sizeof user->display_name, "Researcher %02zu", i + 1);
        user->group = i % GROUP_COUNT;
        user->project = i % PROJECT_COUNT;
        user->has_second_project = i % 3 == 0;
        user->second_project = (i + 1) % PROJECT_COUNT;
    }
}

/* Machine k belongs to project k mod 5 and is owned, in turn, by the users whose own
 * project that is (users p, p + 5, p + 10, ...). */
static size_t machine_owner(size_t machine)
{
    size_t project = machine % PROJECT_COUNT;
    size_t owners = (USER_COUNT - project + PROJECT_COUNT - 1) / PROJECT_COUNT;

    return project + PROJECT_COUNT * ((machine / PROJECT_COUNT) % owners);
}

bool platform_build(const HourlyUsage *usage, Platform *platform, DemoError *error)
{
    size_t count = usage->vm_count;

    memset(platform, 0, sizeof *platform);
    build_users(platform);

    platform->machine_count = count;
    platform->machine_names = allocate(error, "machine names", count, MACHINE_NAME_SIZE);
    platform->machine_project = allocate(error, "machine projects", count, sizeof(size_t));
    platform->machine_owner = allocate(error, "machine owners", count, sizeof(size_t));
    if (!platform->machine_names || !platform->machine_project || !platform->machine_owner) {
        return false;
    }

    for (size_t k = 0; k < count; k++) {
        snprintf(platform->machine_names[k], MACHINE_NAME_SIZE, "vm-%lld",
                 (long long)usage->vm_ids[k]);
        platform->machine_project[k] = k % PROJECT_COUNT;
        platform->machine_owner[k] = machine_owner(k);
    }
    return true;
}

static void add_metrics(UsageDbFact *total, const UsageDbFact *part)
{
    total->busy_cpu_seconds_total += part->busy_cpu_seconds_total;
    total->idle_cpu_seconds_total += part->idle_cpu_seconds_total;
    total->busy_kwh += part->busy_kwh;
    total->idle_kwh += part->idle_kwh;
    total->busy_gCo2eq += part->busy_gCo2eq;
    total->idle_gCo2eq += part->idle_gCo2eq;
}

static UsageDbFact empty_fact(const char *scope, const char *ts, double intensity)
{
    UsageDbFact fact = {0};

    fact.scope = scope;
    fact.ts_iso_utc = ts;
    fact.has_intensity = true;
    fact.intensity_gCo2eq_kwh = intensity;
    return fact;
}

/* One machine's fact for one hour, from its core-seconds and the hour's intensity. */
static UsageDbFact machine_fact(double busy_s, double idle_s, const char *ts, double intensity,
                                int64_t machine_id)
{
    UsageDbFact fact = empty_fact("machine", ts, intensity);
    double busy_kwh = BUSY_CORE_WATTS * busy_s / 3.6e6;
    double idle_kwh = IDLE_CORE_WATTS * idle_s / 3.6e6;

    fact.has_machine_id = true;
    fact.machine_id = machine_id;
    fact.busy_cpu_seconds_total = quantize(busy_s, SECOND_QUANTA);
    fact.idle_cpu_seconds_total = quantize(idle_s, SECOND_QUANTA);
    fact.busy_kwh = quantize(busy_kwh, KWH_QUANTA);
    fact.idle_kwh = quantize(idle_kwh, KWH_QUANTA);
    fact.busy_gCo2eq = quantize(busy_kwh * intensity, GRAM_QUANTA);
    fact.idle_gCo2eq = quantize(idle_kwh * intensity, GRAM_QUANTA);
    return fact;
}

/* Appends one hour's facts: machines, then the projects, users and platform they add up
 * to. Returns the number appended. */
static size_t build_hour(const Platform *platform, const HourlyUsage *usage, size_t hour,
                         const char *ts, double intensity, const int64_t *machine_ids,
                         const int64_t *project_ids, UsageDbFact *out)
{
    UsageDbFact projects[PROJECT_COUNT];
    UsageDbFact users[USER_COUNT];
    bool user_active[USER_COUNT] = {false};
    bool project_active[PROJECT_COUNT] = {false};
    UsageDbFact ada = empty_fact("ada", ts, intensity);
    size_t count = 0;

    for (size_t p = 0; p < PROJECT_COUNT; p++) {
        projects[p] = empty_fact("project", ts, intensity);
        projects[p].has_project_id = true;
        projects[p].project_id = project_ids[p];
    }
    for (size_t u = 0; u < USER_COUNT; u++) {
        users[u] = empty_fact("user", ts, intensity);
        users[u].user_id = platform->users[u].id;
    }

    for (size_t k = 0; k < platform->machine_count; k++) {
        size_t cell = k * usage->hour_count + hour;
        size_t project = platform->machine_project[k];
        size_t owner = platform->machine_owner[k];

        if (usage->busy_core_s[cell] + usage->idle_core_s[cell] <= 0) {
            continue;
        }
        out[count] = machine_fact(usage->busy_core_s[cell], usage->idle_core_s[cell], ts,
                                  intensity, machine_ids[k]);
        add_metrics(&projects[project], &out[count]);
        add_metrics(&users[owner], &out[count]);
        add_metrics(&ada, &out[count]);
        project_active[project] = true;
        user_active[owner] = true;
        count++;
    }
    if (count == 0) {
        return 0;
    }

    for (size_t p = 0; p < PROJECT_COUNT; p++) {
        if (project_active[p]) {
            out[count++] = projects[p];
        }
    }
    for (size_t u = 0; u < USER_COUNT; u++) {
        if (user_active[u]) {
            out[count++] = users[u];
        }
    }
    out[count++] = ada;
    return count;
}

bool facts_build(const Platform *platform, const HourlyUsage *usage,
                 const HourlyIntensity *intensity, const int64_t *machine_ids,
                 const int64_t *project_ids, FactSet *facts, DemoError *error)
{
    size_t per_hour = platform->machine_count + PROJECT_COUNT + USER_COUNT + 1;

    memset(facts, 0, sizeof *facts);
    facts->rows = allocate(error, "facts", usage->hour_count * per_hour, sizeof *facts->rows);
    facts->hour_labels = allocate(error, "hour labels", usage->hour_count, ISO_UTC_SIZE);
    if (facts->rows == NULL || facts->hour_labels == NULL) {
        return false;
    }

    for (size_t hour = 0; hour < usage->hour_count; hour++) {
        int64_t shifted = usage->first_hour_s + (int64_t)hour * SECONDS_PER_HOUR + TRACE_SHIFT_S;

        format_iso_utc(shifted, facts->hour_labels[hour]);
        facts->count += build_hour(platform, usage, hour, facts->hour_labels[hour],
                                   intensity->intensity[hour], machine_ids, project_ids,
                                   facts->rows + facts->count);
    }
    return true;
}

void platform_free(Platform *platform)
{
    free(platform->machine_names);
    free(platform->machine_project);
    free(platform->machine_owner);
    memset(platform, 0, sizeof *platform);
}

void facts_free(FactSet *facts)
{
    free(facts->rows);
    free(facts->hour_labels);
    memset(facts, 0, sizeof *facts);
}
