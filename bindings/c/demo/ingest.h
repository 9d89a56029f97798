/* Writes the modelled platform and its hourly facts into the database in one transaction. */
#ifndef DEMO_INGEST_H
#define DEMO_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "grid.h"
#include "model.h"
#include "trace.h"
#include "usage_db.h"

typedef struct {
    size_t fact_rows;          /* rows given to the bulk insert */
    size_t reference_calls;    /* groups, users, projects, machines and memberships */
    size_t workspaces_started; /* new ones; a rerun finds them already active */
    size_t workspaces_active;
    double seconds;            /* from begin to commit */
} IngestResult;

/* Upserts groups, users, projects, machines, memberships, active workspaces and every
 * fact, all inside one usage_db_begin/usage_db_commit. On failure the transaction is
 * rolled back and nothing is written. */
bool ingest(UsageDb *db, const Platform *platform, const HourlyUsage *usage,
            const HourlyIntensity *intensity, IngestResult *result, DemoError *error);

#endif
