/* Checks on what the demo wrote: a content checksum to compare two ingests, and the
 * agreement of the machine, project, user and platform totals. */
#ifndef DEMO_VERIFY_H
#define DEMO_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "usage_db.h"

typedef struct {
    uint64_t hash;       /* FNV-1a over every table's rows in key order, surrogate keys aside */
    int64_t fact_rows;
    double energy_kwh;
    double carbon_g;
} ContentChecksum;

bool content_checksum(UsageDb *db, ContentChecksum *checksum, DemoError *error);

/* Compares the all-hours energy and carbon of each scope with the machines' sum, and each
 * project's with the sum of its machines. Prints a table and fails when any differs. */
bool verify_scope_sums(UsageDb *db, DemoError *error);

#endif
