package usagedb_test

import (
	"reflect"
	"testing"
	"time"

	"usagedb"
)

func TestGetOrCreateReturnsSameIDs(t *testing.T) {
	db := openMemory(t)

	research := must(db.GetOrCreateGroup(ctx, "Research"))
	physics := must(db.GetOrCreateGroup(ctx, "Physics"))
	alpha := must(db.GetOrCreateProject(ctx, "alpha-cloud"))
	gpu := must(db.GetOrCreateMachine(ctx, "gpu-01"))
	withPort := must(db.GetOrCreateInstance(ctx, "10.0.0.5", usagedb.Ptr(int64(2222)), usagedb.Ptr("gpu-01:2222")))
	bare := must(db.GetOrCreateInstance(ctx, "10.0.0.5", nil, nil))

	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"first group", research, 1},
		{"second group", physics, 2},
		{"group again", must(db.GetOrCreateGroup(ctx, "Research")), 1},
		{"project", alpha, 1},
		{"project again", must(db.GetOrCreateProject(ctx, "alpha-cloud")), 1},
		{"machine", gpu, 1},
		{"machine again", must(db.GetOrCreateMachine(ctx, "gpu-01")), 1},
		{"instance with port", withPort, 1},
		{"instance without port", bare, 2},
		{"instance with port again", must(db.GetOrCreateInstance(ctx, "10.0.0.5", usagedb.Ptr(int64(2222)), usagedb.Ptr("gpu-01:2222"))), 1},
		{"instance without port again", must(db.GetOrCreateInstance(ctx, "10.0.0.5", nil, nil)), 2},
	} {
		if c.got != c.want {
			t.Errorf("%s: id %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestGetOrCreateUserUpdatesOnlyGivenFields(t *testing.T) {
	db := openMemory(t)
	must(db.GetOrCreateProject(ctx, "alpha-cloud"))

	if id := must(db.GetOrCreateUser(ctx, "u123", usagedb.Ptr("Ada Lovelace"), usagedb.Ptr("Research"))); id != "u123" {
		t.Errorf("GetOrCreateUser returned %q, want u123", id)
	}
	must(db.GetOrCreateUser(ctx, "u123", nil, nil))
	must(db.GetOrCreateUser(ctx, "u123", nil, usagedb.Ptr("Physics")))
	if err := db.MapUserProject(ctx, "u123", nil, usagedb.Ptr("alpha-cloud")); err != nil {
		t.Fatal(err)
	}
	if err := db.MapUserProject(ctx, "u123", usagedb.Ptr(int64(1)), nil); err != nil {
		t.Fatalf("mapping twice: %v", err)
	}

	got := must(db.UserProjectMemberships(ctx))
	want := []usagedb.UserProjectMembership{{
		UserID: "u123", DisplayName: usagedb.Ptr("Ada Lovelace"), GroupName: usagedb.Ptr("Physics"), CloudProjectName: "alpha-cloud",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("memberships = %+v, want %+v", got, want)
	}
}

func TestMapProjectMachineByNameAndID(t *testing.T) {
	db := openMemory(t)

	if err := db.MapProjectMachine(ctx, nil, usagedb.Ptr("alpha-cloud"), nil, usagedb.Ptr("gpu-01")); err != nil {
		t.Fatal(err)
	}
	if err := db.MapProjectMachine(ctx, usagedb.Ptr(int64(1)), nil, usagedb.Ptr(int64(1)), nil); err != nil {
		t.Fatalf("mapping twice by id: %v", err)
	}

	rows := must(db.Query(ctx, "SELECT project_id, machine_id FROM map_project_machine", nil))
	if len(rows) != 1 || rows[0]["project_id"].(interface{ String() string }).String() != "1" ||
		rows[0]["machine_id"].(interface{ String() string }).String() != "1" {
		t.Errorf("map_project_machine = %v, want one row (1, 1)", rows)
	}

	err := db.MapProjectMachine(ctx, usagedb.Ptr(int64(9)), nil, usagedb.Ptr(int64(1)), nil)
	wantError(t, err, usagedb.ErrNotFound, "9")
	err = db.MapProjectMachine(ctx, usagedb.Ptr(int64(1)), usagedb.Ptr("alpha-cloud"), usagedb.Ptr(int64(1)), nil)
	wantError(t, err, usagedb.ErrInvalidArgument, "map_project_machine")
}

func TestWorkspacesStartListEnd(t *testing.T) {
	db := openMemory(t)
	must(db.GetOrCreateUser(ctx, "u123", usagedb.Ptr("Ada Lovelace"), nil))
	alpha := must(db.GetOrCreateProject(ctx, "alpha-cloud"))
	gpu := must(db.GetOrCreateMachine(ctx, "gpu-01"))
	cpu := must(db.GetOrCreateMachine(ctx, "cpu-02"))
	withPort := must(db.GetOrCreateInstance(ctx, "10.0.0.5", usagedb.Ptr(int64(2222)), nil))
	bare := must(db.GetOrCreateInstance(ctx, "10.0.0.6", nil, nil))

	first := must(db.StartWorkspace(ctx, withPort, gpu, "2025-10-01T11:00:00+02:00", usagedb.Ptr("u123"), &alpha))
	second := must(db.StartWorkspace(ctx, bare, cpu, "2025-10-01T10:00:00Z", nil, nil))

	got := must(db.ActiveWorkspaces(ctx))
	want := []usagedb.ActiveWorkspace{
		{WorkspaceID: second, StartedAt: time.Date(2025, 10, 1, 10, 0, 0, 0, time.UTC), Machine: "cpu-02", Host: "10.0.0.6"},
		{WorkspaceID: first, StartedAt: time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC), User: usagedb.Ptr("Ada Lovelace"),
			Project: usagedb.Ptr("alpha-cloud"), Machine: "gpu-01", Host: "10.0.0.5", Port: usagedb.Ptr(int64(2222))},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("active workspaces = %+v, want %+v", got, want)
	}

	if err := db.EndWorkspace(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got := must(db.ActiveWorkspaces(ctx)); len(got) != 1 || got[0].WorkspaceID != first {
		t.Errorf("active workspaces after ending %d = %+v, want only %d", second, got, first)
	}
	wantError(t, db.EndWorkspace(ctx, second), usagedb.ErrNotFound, "end_workspace: workspace_id 2 not found")

	_, err := db.StartWorkspace(ctx, withPort, gpu, "2025-10-01T09:00:00Z", usagedb.Ptr("nobody"), nil)
	wantError(t, err, usagedb.ErrNotFound, "nobody")
}

func TestReferenceBadInput(t *testing.T) {
	db := openMemory(t)

	_, err := db.GetOrCreateGroup(ctx, "")
	wantError(t, err, usagedb.ErrInvalidArgument, "get_or_create_group: invalid group_name '': must not be empty")
	_, err = db.GetOrCreateProject(ctx, "   ")
	wantError(t, err, usagedb.ErrInvalidArgument, "cloud_project_name")
	_, err = db.GetOrCreateMachine(ctx, "gpu\x00-01")
	wantError(t, err, usagedb.ErrInvalidArgument, `get_or_create_machine: invalid machine_name "gpu\x00-01": contains a NUL byte`)
	_, err = db.GetOrCreateInstance(ctx, "10.0.0.5", usagedb.Ptr(int64(70000)), nil)
	wantError(t, err, usagedb.ErrInvalidArgument, "invalid port 70000")
	_, err = db.GetOrCreateUser(ctx, "", nil, nil)
	wantError(t, err, usagedb.ErrInvalidArgument, "user_id")

	err = db.MapUserProject(ctx, "u1", nil, nil)
	wantError(t, err, usagedb.ErrInvalidArgument, "map_user_project: requires project_id or cloud_project_name")
	err = db.MapUserProject(ctx, "u1", nil, usagedb.Ptr("alpha-cloud"))
	wantError(t, err, usagedb.ErrNotFound, "user_id 'u1' not found")
}
