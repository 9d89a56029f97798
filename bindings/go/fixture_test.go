package usagedb_test

import (
	"testing"

	"usagedb"
)

// The fixture's metrics are sums of powers of two, so sums and averages are exact in
// float64 and the tests can compare with ==.

const (
	hour0 = "2025-10-01T00:00:00Z"
	hour1 = "2025-10-01T01:00:00Z"
	hour2 = "2025-10-01T02:00:00Z"
)

// fixture holds the ids of the reference data that loadFixture creates.
type fixture struct {
	alpha, beta int64
	gpu, cpu    int64
}

// loadFixture creates two groups, two users, two projects, two machines and the facts of
// two hours. The first alpha fact is written twice, so the second replaces it.
func loadFixture(t *testing.T, db *usagedb.DB) fixture {
	t.Helper()
	must(db.GetOrCreateUser(ctx, "u123", usagedb.Ptr("Ada Lovelace"), usagedb.Ptr("Research")))
	must(db.GetOrCreateUser(ctx, "u456", nil, usagedb.Ptr("Physics")))
	f := fixture{
		alpha: must(db.GetOrCreateProject(ctx, "alpha-cloud")),
		beta:  must(db.GetOrCreateProject(ctx, "beta-cloud")),
		gpu:   must(db.GetOrCreateMachine(ctx, "gpu-01")),
		cpu:   must(db.GetOrCreateMachine(ctx, "cpu-02")),
	}
	for _, m := range []struct {
		user    string
		project int64
	}{{"u123", f.alpha}, {"u456", f.beta}} {
		if err := db.MapUserProject(ctx, m.user, usagedb.Ptr(m.project), nil); err != nil {
			t.Fatal(err)
		}
	}

	facts := []usagedb.Fact{
		{Scope: usagedb.ScopeAda, TsISOUTC: hour0, BusyKwh: 12.5, IdleKwh: 3.0, BusyGCo2eq: 2300, IdleGCo2eq: 500},
		{Scope: usagedb.ScopeProject, TsISOUTC: hour0, ProjectID: &f.alpha, BusyKwh: 9.5, IdleKwh: 1.25, BusyGCo2eq: 1700, IdleGCo2eq: 210},
		{Scope: usagedb.ScopeProject, TsISOUTC: hour0, ProjectID: &f.alpha, BusyKwh: 10.0, IdleKwh: 1.0, BusyGCo2eq: 1800, IdleGCo2eq: 200},
		{Scope: usagedb.ScopeProject, TsISOUTC: hour1, ProjectID: &f.alpha, BusyKwh: 7.0, IdleKwh: 1.0, BusyGCo2eq: 1200, IdleGCo2eq: 190},
		{Scope: usagedb.ScopeProject, TsISOUTC: hour0, ProjectID: &f.beta, BusyKwh: 2.5, IdleKwh: 0.5, BusyGCo2eq: 400, IdleGCo2eq: 100,
			IntensityGCo2eqKwh: usagedb.Ptr(150.0)},
		{Scope: usagedb.ScopeMachine, TsISOUTC: hour0, MachineID: &f.gpu, BusyCPUSecondsTotal: 18000, IdleCPUSecondsTotal: 6000,
			BusyKwh: 5.5, IdleKwh: 0.75, BusyGCo2eq: 1000, IdleGCo2eq: 160},
		{Scope: usagedb.ScopeMachine, TsISOUTC: hour1, MachineID: &f.gpu, BusyCPUSecondsTotal: 19000, IdleCPUSecondsTotal: 5000,
			BusyKwh: 5.75, IdleKwh: 0.75, BusyGCo2eq: 1040, IdleGCo2eq: 120},
		{Scope: usagedb.ScopeMachine, TsISOUTC: hour0, MachineID: &f.cpu},
		{Scope: usagedb.ScopeUser, TsISOUTC: hour0, UserID: usagedb.Ptr("u123"), BusyKwh: 3.25, IdleKwh: 0.5, BusyGCo2eq: 610, IdleGCo2eq: 70},
		{Scope: usagedb.ScopeUser, TsISOUTC: hour1, UserID: usagedb.Ptr("u123"), BusyKwh: 3.0, IdleKwh: 0.25, BusyGCo2eq: 560, IdleGCo2eq: 60},
		{Scope: usagedb.ScopeUser, TsISOUTC: hour0, UserID: usagedb.Ptr("u456"), BusyKwh: 1.0, BusyGCo2eq: 100},
	}
	for i, fact := range facts {
		if _, err := db.InsertFactUsage(ctx, fact); err != nil {
			t.Fatalf("fact %d: %v", i, err)
		}
	}
	return f
}
