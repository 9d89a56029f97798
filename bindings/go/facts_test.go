package usagedb_test

import (
	"math"
	"testing"

	"usagedb"
)

func TestInsertFactUsageUpserts(t *testing.T) {
	db := openMemory(t)
	alpha := must(db.GetOrCreateProject(ctx, "alpha-cloud"))

	first := must(db.InsertFactUsage(ctx, usagedb.Fact{Scope: usagedb.ScopeProject, TsISOUTC: hour0, ProjectID: &alpha, BusyKwh: 9.5}))
	// The same hour written with an offset is the same key.
	again := must(db.InsertFactUsage(ctx, usagedb.Fact{Scope: usagedb.ScopeProject, TsISOUTC: "2025-10-01T02:00:00+02:00", ProjectID: &alpha, BusyKwh: 10}))
	if first != 1 || again != first {
		t.Errorf("usage ids = %d, %d, want 1, 1", first, again)
	}

	series := must(db.ProjectTimeseries(ctx, "alpha-cloud"))
	if len(series) != 1 || series[0].BusyKwh != 10 {
		t.Errorf("series after upsert = %+v, want one hour with busy_kwh 10", series)
	}
}

func TestBulkInsertFactUsageArray(t *testing.T) {
	db := openMemory(t)
	gpu := must(db.GetOrCreateMachine(ctx, "gpu-01"))
	must(db.GetOrCreateUser(ctx, "u123", nil, nil))

	written := must(db.BulkInsertFactUsage(ctx, []usagedb.Fact{
		{Scope: usagedb.ScopeAda, TsISOUTC: hour0, BusyKwh: 1},
		{Scope: usagedb.ScopeMachine, TsISOUTC: hour0, MachineID: &gpu, BusyCPUSecondsTotal: 3600, IntensityGCo2eqKwh: usagedb.Ptr(200.0)},
		{Scope: usagedb.ScopeUser, TsISOUTC: hour1, UserID: usagedb.Ptr("u123"), IdleKwh: 0.5},
	}))
	if written != 3 {
		t.Errorf("written = %d, want 3", written)
	}
	if n := countFacts(t, db); n != 3 {
		t.Errorf("facts = %d, want 3", n)
	}
	trend := must(db.MachineIntensityTrend(ctx, "gpu-01"))
	if len(trend) != 1 || trend[0].IntensityGPerKwh == nil || *trend[0].IntensityGPerKwh != 200 {
		t.Errorf("intensity trend = %+v, want one hour at 200", trend)
	}

	if empty := must(db.BulkInsertFactUsage(ctx, nil)); empty != 0 {
		t.Errorf("empty batch wrote %d rows", empty)
	}
}

func TestBulkInsertFactUsageJSON(t *testing.T) {
	db := openMemory(t)
	must(db.GetOrCreateProject(ctx, "alpha-cloud"))

	written := must(db.BulkInsertFactUsageJSON(ctx, `[
		{"scope": "project", "ts_iso_utc": "2025-10-01T00:00:00Z", "project_id": 1, "busy_kwh": 2.5},
		{"scope": "ada", "ts_iso_utc": "2025-10-01T00:00:00Z", "idle_kwh": null}
	]`))
	if written != 2 {
		t.Errorf("written = %d, want 2", written)
	}
	if n := countFacts(t, db); n != 2 {
		t.Errorf("facts = %d, want 2", n)
	}
}

func TestBulkInsertIsAllOrNothing(t *testing.T) {
	db := openMemory(t)
	good := usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: hour0, BusyKwh: 1}

	_, err := db.BulkInsertFactUsage(ctx, []usagedb.Fact{good, {Scope: usagedb.ScopeAda, TsISOUTC: "yesterday"}})
	wantError(t, err, usagedb.ErrInvalidArgument, "bulk_insert_fact_usage: row 1", "ts_iso_utc", "'yesterday'")

	_, err = db.BulkInsertFactUsage(ctx, []usagedb.Fact{good, good, {Scope: usagedb.ScopeAda, TsISOUTC: "2025\x00"}})
	wantError(t, err, usagedb.ErrInvalidArgument, `bulk_insert_fact_usage: row 2: invalid ts_iso_utc "2025\x00": contains a NUL byte`)

	_, err = db.BulkInsertFactUsageJSON(ctx, `[{"scope": "ada", "ts_iso_utc": "2025-10-01T00:00:00Z"}, {"scope": "ada"}]`)
	wantError(t, err, usagedb.ErrInvalidArgument, "bulk_insert_fact_usage", "row 1", "ts_iso_utc")

	_, err = db.BulkInsertFactUsageJSON(ctx, `{"scope": "ada"}`)
	wantError(t, err, usagedb.ErrInvalidArgument, "bulk_insert_fact_usage")

	if n := countFacts(t, db); n != 0 {
		t.Errorf("facts after failed batches = %d, want 0", n)
	}
}

func TestInsertFactUsageBadInput(t *testing.T) {
	db := openMemory(t)
	alpha := must(db.GetOrCreateProject(ctx, "alpha-cloud"))
	gpu := must(db.GetOrCreateMachine(ctx, "gpu-01"))

	cases := []struct {
		name      string
		fact      usagedb.Fact
		sentinel  error
		fragments []string
	}{
		{"bad timestamp", usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: "2025-13-01T00:00:00Z"},
			usagedb.ErrInvalidArgument, []string{"insert_fact_usage: invalid ts_iso_utc '2025-13-01T00:00:00Z'"}},
		{"fractional second", usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: "2025-10-01T00:00:00.5Z"},
			usagedb.ErrInvalidArgument, []string{"ts_iso_utc", "00.5Z"}},
		{"NaN metric", usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: hour0, BusyKwh: math.NaN()},
			usagedb.ErrInvalidArgument, []string{"insert_fact_usage: invalid busy_kwh NaN: must be a finite number >= 0"}},
		{"negative metric", usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: hour0, IdleGCo2eq: -1},
			usagedb.ErrInvalidArgument, []string{"invalid idle_gCo2eq -1"}},
		{"infinite intensity", usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: hour0, IntensityGCo2eqKwh: usagedb.Ptr(math.Inf(1))},
			usagedb.ErrInvalidArgument, []string{"intensity_gCo2eq_kwh"}},
		{"project scope with machine id", usagedb.Fact{Scope: usagedb.ScopeProject, TsISOUTC: hour0, ProjectID: &alpha, MachineID: &gpu},
			usagedb.ErrInvalidArgument, []string{"insert_fact_usage: scope 'project' takes only project_id, but machine_id 1 was given"}},
		{"project scope without project id", usagedb.Fact{Scope: usagedb.ScopeProject, TsISOUTC: hour0},
			usagedb.ErrInvalidArgument, []string{"scope 'project' requires project_id"}},
		{"ada scope with user id", usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: hour0, UserID: usagedb.Ptr("u123")},
			usagedb.ErrInvalidArgument, []string{"scope 'ada'", "user_id"}},
		{"unknown scope", usagedb.Fact{Scope: "cluster", TsISOUTC: hour0},
			usagedb.ErrInvalidArgument, []string{"invalid scope 'cluster'"}},
		{"unknown project", usagedb.Fact{Scope: usagedb.ScopeProject, TsISOUTC: hour0, ProjectID: usagedb.Ptr(int64(99))},
			usagedb.ErrNotFound, []string{"project_id 99 not found"}},
		{"unknown user", usagedb.Fact{Scope: usagedb.ScopeUser, TsISOUTC: hour0, UserID: usagedb.Ptr("nobody")},
			usagedb.ErrNotFound, []string{"user_id 'nobody' not found"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.InsertFactUsage(ctx, c.fact)
			wantError(t, err, c.sentinel, c.fragments...)
		})
	}
	if n := countFacts(t, db); n != 0 {
		t.Errorf("facts after rejected inserts = %d, want 0", n)
	}
}
