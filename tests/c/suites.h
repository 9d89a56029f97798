/* The test suites of the C ABI tests, each in its own file, and what they share. */
#ifndef USAGE_DB_TEST_SUITES_H
#define USAGE_DB_TEST_SUITES_H

#include <stddef.h>

#include "usage_db.h"

void test_lifecycle(void);
void test_reference(void);
void test_facts(void);
void test_reads(void);
void test_query(void);
void test_transactions(void);
void test_boundary(void);
void test_threads(void);

/* Writes the path of `name` inside this run's temporary directory into `out`. */
void temp_path(const char *name, char *out, size_t size);

/* Opens a private in-memory database, or returns NULL after recording a failed check. */
UsageDb *open_memory(void);

/* Runs a single-value COUNT(*) query and returns the count, or -1 on failure. */
long long count_rows(UsageDb *db, const char *sql);

#endif /* USAGE_DB_TEST_SUITES_H */
