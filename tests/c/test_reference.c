/* Reference data: groups, users, projects, machines, instances, memberships, workspaces. */
#include <stdint.h>

#include "check.h"
#include "suites.h"

static void test_groups_users(UsageDb *db)
{
    int64_t research = 0;
    int64_t ops = 0;
    int64_t again = 0;

    CHECK_OK(usage_db_get_or_create_group(db, "Research", &research));
    CHECK_OK(usage_db_get_or_create_group(db, "Research", &again));
    CHECK_OK(usage_db_get_or_create_group(db, "Ops", &ops));
    CHECK(research == 1);
    CHECK(again == research);
    CHECK(ops == 2);
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "group_name", usage_db_get_or_create_group(db, "", &again));

    /* Created with both optional fields, then NULLs leave them unchanged. */
    CHECK_OK(usage_db_get_or_create_user(db, "u1", "Ada", "Research"));
    CHECK_OK(usage_db_get_or_create_user(db, "u1", NULL, NULL));
    CHECK_QUERY(db, "SELECT user_id, display_name, group_id FROM dim_user",
                "[{\"user_id\":\"u1\",\"display_name\":\"Ada\",\"group_id\":1}]");

    /* A display name alone is updated and the group kept. */
    CHECK_OK(usage_db_get_or_create_user(db, "u1", "Ada Lovelace", NULL));
    CHECK_QUERY(db, "SELECT user_id, display_name, group_id FROM dim_user",
                "[{\"user_id\":\"u1\",\"display_name\":\"Ada Lovelace\",\"group_id\":1}]");

    /* A group alone is updated, and a group named for the first time is created. */
    CHECK_OK(usage_db_get_or_create_user(db, "u1", NULL, "Theory"));
    CHECK_QUERY(db,
                "SELECT u.user_id, u.display_name, g.group_id, g.group_name "
                "FROM dim_user u JOIN dim_group g USING (group_id)",
                "[{\"user_id\":\"u1\",\"display_name\":\"Ada Lovelace\",\"group_id\":3,"
                "\"group_name\":\"Theory\"}]");

    /* A user without name or group stays without them. */
    CHECK_OK(usage_db_get_or_create_user(db, "u2", NULL, NULL));
    CHECK_QUERY(db, "SELECT user_id, display_name, group_id FROM dim_user WHERE user_id = 'u2'",
                "[{\"user_id\":\"u2\",\"display_name\":null,\"group_id\":null}]");
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "user_id", usage_db_get_or_create_user(db, "", NULL, NULL));
}

static void test_projects_machines(UsageDb *db)
{
    int64_t alpha = 0;
    int64_t beta = 0;
    int64_t again = 0;

    CHECK_OK(usage_db_get_or_create_project(db, "alpha-cloud", &alpha));
    CHECK_OK(usage_db_get_or_create_project(db, "beta-cloud", &beta));
    CHECK_OK(usage_db_get_or_create_project(db, "alpha-cloud", &again));
    CHECK(alpha == 1);
    CHECK(beta == 2);
    CHECK(again == alpha);
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "cloud_project_name",
                usage_db_get_or_create_project(db, "", &again));

    int64_t gpu = 0;
    int64_t cpu = 0;
    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-01", &gpu));
    CHECK_OK(usage_db_get_or_create_machine(db, "cpu-01", &cpu));
    CHECK_OK(usage_db_get_or_create_machine(db, "gpu-01", &again));
    CHECK(gpu == 1);
    CHECK(cpu == 2);
    CHECK(again == gpu);
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "machine_name",
                usage_db_get_or_create_machine(db, "", &again));
}

static void test_instances(UsageDb *db)
{
    int64_t port = 2222;
    int64_t port_zero = 0;
    int64_t port_too_big = 65536;
    int64_t full = 0;
    int64_t same = 0;
    int64_t no_port = 0;
    int64_t no_port_again = 0;
    int64_t zero = 0;
    int64_t no_label = 0;

    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", &port, "gpu-01:2222", &full));
    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", &port, "gpu-01:2222", &same));
    CHECK(full == 1);
    CHECK(same == full);

    /* An absent port matches only an absent port, and 0 is a port like any other. */
    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", NULL, "gpu-01:2222", &no_port));
    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", NULL, "gpu-01:2222", &no_port_again));
    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", &port_zero, "gpu-01:2222", &zero));
    CHECK(no_port == 2);
    CHECK(no_port_again == no_port);
    CHECK(zero == 3);

    /* The same for the label. */
    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", &port, NULL, &no_label));
    CHECK(no_label == 4);
    CHECK_OK(usage_db_get_or_create_instance(db, "10.0.0.5", &port, NULL, &same));
    CHECK(same == no_label);

    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "65536",
                usage_db_get_or_create_instance(db, "10.0.0.5", &port_too_big, NULL, &same));
    CHECK(count_rows(db, "SELECT count(*) AS n FROM dim_instance") == 4);
}

static void test_memberships(UsageDb *db)
{
    int64_t alpha = 1;
    int64_t gpu = 1;
    int64_t unknown = 999;

    /* By id, by name, and again: each pair is stored once. */
    CHECK_OK(usage_db_map_user_project(db, "u1", &alpha, NULL));
    CHECK_OK(usage_db_map_user_project(db, "u1", NULL, "alpha-cloud"));
    CHECK_OK(usage_db_map_user_project(db, "u1", &alpha, NULL));
    CHECK_OK(usage_db_map_user_project(db, "u2", NULL, "gamma-cloud"));
    CHECK_QUERY(db,
                "SELECT user_id, cloud_project_name FROM map_user_project JOIN dim_project "
                "USING (project_id) ORDER BY user_id",
                "[{\"user_id\":\"u1\",\"cloud_project_name\":\"alpha-cloud\"},"
                "{\"user_id\":\"u2\",\"cloud_project_name\":\"gamma-cloud\"}]");

    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "u9", usage_db_map_user_project(db, "u9", &alpha, NULL));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_map_user_project(db, "u1", &unknown, NULL));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_map_user_project(db, "u1", &alpha, "alpha-cloud"));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_map_user_project(db, "u1", NULL, NULL));

    /* Machines by ids, by names, mixed and repeated. A new name creates the machine. */
    CHECK_OK(usage_db_map_project_machine(db, &alpha, NULL, &gpu, NULL));
    CHECK_OK(usage_db_map_project_machine(db, NULL, "alpha-cloud", NULL, "gpu-01"));
    CHECK_OK(usage_db_map_project_machine(db, NULL, "beta-cloud", &gpu, NULL));
    CHECK_OK(usage_db_map_project_machine(db, &alpha, NULL, NULL, "tpu-01"));
    CHECK_QUERY(db,
                "SELECT cloud_project_name, machine_name FROM map_project_machine "
                "JOIN dim_project USING (project_id) JOIN dim_machine USING (machine_id) "
                "ORDER BY cloud_project_name, machine_name",
                "[{\"cloud_project_name\":\"alpha-cloud\",\"machine_name\":\"gpu-01\"},"
                "{\"cloud_project_name\":\"alpha-cloud\",\"machine_name\":\"tpu-01\"},"
                "{\"cloud_project_name\":\"beta-cloud\",\"machine_name\":\"gpu-01\"}]");

    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_map_project_machine(db, &alpha, NULL, &unknown, NULL));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_map_project_machine(db, &unknown, NULL, &gpu, NULL));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_map_project_machine(db, NULL, NULL, &gpu, NULL));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "", usage_db_map_project_machine(db, &alpha, NULL, &gpu, "gpu-01"));
}

static void test_workspaces(UsageDb *db)
{
    int64_t alpha = 1;
    int64_t unknown = 999;
    int64_t first = 0;
    int64_t second = 0;
    int64_t third = 0;

    /* Instance 1 is 10.0.0.5:2222 and instance 2 has no port. Machine 1 is gpu-01. */
    CHECK_OK(usage_db_start_workspace(db, 1, 1, "2025-10-01T09:00:00Z", "u1", &alpha, &first));
    CHECK_OK(usage_db_start_workspace(db, 2, 2, "2025-10-01 11:00:00+01:00", NULL, NULL, &second));
    CHECK_OK(usage_db_start_workspace(db, 1, 1, "2025-10-01T08:00:00Z", "u2", NULL, &third));
    CHECK(first == 1);
    CHECK(second == 2);
    CHECK(third == 3);

    /* Newest first. A missing user or project is null, and a user without a name shows its id. */
    CHECK_JSON("[{\"workspace_id\":2,\"started_at\":\"2025-10-01T10:00:00Z\",\"user\":null,"
               "\"project\":null,\"machine\":\"cpu-01\",\"host\":\"10.0.0.5\",\"port\":null},"
               "{\"workspace_id\":1,\"started_at\":\"2025-10-01T09:00:00Z\",\"user\":\"Ada Lovelace\","
               "\"project\":\"alpha-cloud\",\"machine\":\"gpu-01\",\"host\":\"10.0.0.5\",\"port\":2222},"
               "{\"workspace_id\":3,\"started_at\":\"2025-10-01T08:00:00Z\",\"user\":\"u2\","
               "\"project\":null,\"machine\":\"gpu-01\",\"host\":\"10.0.0.5\",\"port\":2222}]",
               usage_db_active_workspaces, db);

    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_start_workspace(db, 999, 1, "2025-10-01T09:00:00Z", NULL, NULL, &third));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_start_workspace(db, 1, 999, "2025-10-01T09:00:00Z", NULL, NULL, &third));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "u9", usage_db_start_workspace(db, 1, 1, "2025-10-01T09:00:00Z", "u9", NULL, &third));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_start_workspace(db, 1, 1, "2025-10-01T09:00:00Z", NULL, &unknown, &third));
    CHECK_ERROR(USAGE_DB_STATUS_INVALID_ARGUMENT, "yesterday", usage_db_start_workspace(db, 1, 1, "yesterday", NULL, NULL, &third));
    CHECK(third == 3);

    CHECK_OK(usage_db_end_workspace(db, second));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "2", usage_db_end_workspace(db, second));
    CHECK_ERROR(USAGE_DB_STATUS_NOT_FOUND, "999", usage_db_end_workspace(db, 999));
    CHECK(count_rows(db, "SELECT count(*) AS n FROM active_workspace") == 2);
    CHECK_QUERY(db, "SELECT workspace_id FROM v_active_workspaces",
                "[{\"workspace_id\":1},{\"workspace_id\":3}]");
}

void test_reference(void)
{
    UsageDb *db = open_memory();

    if (db == NULL) {
        return;
    }
    test_groups_users(db);
    test_projects_machines(db);
    test_instances(db);
    test_memberships(db);
    test_workspaces(db);
    CHECK_OK(usage_db_close(db));
}
