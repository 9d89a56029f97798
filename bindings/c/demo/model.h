/* The platform the demo models on top of the trace: each VM is a machine in one of a few
 * cloud projects, owned by one of a few dozen users in a few groups. Everything is
 * assigned from the VM's position in ascending id order, so every run builds the same
 * platform. */
#ifndef DEMO_MODEL_H
#define DEMO_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "grid.h"
#include "timeutil.h"
#include "trace.h"
#include "usage_db.h"

/* 522 weeks: maps Monday 2013-09-02 onto Monday 2023-09-04, keeping weekday and hour. */
#define TRACE_SHIFT_DAYS 3654
#define TRACE_SHIFT_S ((int64_t)TRACE_SHIFT_DAYS * SECONDS_PER_DAY)

/* The platform's power model: watts per busy and per idle core. */
#define BUSY_CORE_WATTS 12.0
#define IDLE_CORE_WATTS 1.0

#define PROJECT_COUNT 5
#define GROUP_COUNT 4
#define USER_COUNT 36
#define MACHINE_NAME_SIZE 32

extern const char *const project_names[PROJECT_COUNT];
extern const char *const group_names[GROUP_COUNT];

typedef struct {
    char id[8];
    char display_name[32];
    size_t group;
    size_t project;        /* the project whose machines the user owns */
    bool has_second_project;
    size_t second_project; /* a membership only, for a many-to-many mapping */
} PlatformUser;

typedef struct {
    PlatformUser users[USER_COUNT];
    size_t machine_count;
    char (*machine_names)[MACHINE_NAME_SIZE];
    size_t *machine_project;
    size_t *machine_owner;
} Platform;

typedef struct {
    UsageDbFact *rows;
    size_t count;
    char (*hour_labels)[ISO_UTC_SIZE]; /* the facts' ts strings, one per hour */
} FactSet;

bool platform_build(const HourlyUsage *usage, Platform *platform, DemoError *error);

/* Builds machine-, project-, user- and ada-scope facts for every hour with usage, charged
 * at that hour's intensity. The ids are those the database gave each machine and project.
 * Project, user and ada facts are sums of machine facts. */
bool facts_build(const Platform *platform, const HourlyUsage *usage,
                 const HourlyIntensity *intensity, const int64_t *machine_ids,
                 const int64_t *project_ids, FactSet *facts, DemoError *error);

void platform_free(Platform *platform);
void facts_free(FactSet *facts);

#endif
