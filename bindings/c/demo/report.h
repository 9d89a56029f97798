/* The demo's printed report, read back from the database through usage_db_q and
 * usage_db_top_groups_by_energy. */
#ifndef DEMO_REPORT_H
#define DEMO_REPORT_H

#include <stdbool.h>

#include "error.h"
#include "usage_db.h"

/* Prints project totals, energy per day, the top groups, the machines' utilisation and
 * one machine's intensity trend on the day with the most energy, and the whole period's
 * energy, carbon and average intensity. */
bool print_report(UsageDb *db, DemoError *error);

#endif
