package usagedb_test

import (
	"reflect"
	"testing"
	"time"

	"usagedb"
)

var (
	t0 = time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	t1 = time.Date(2025, 10, 1, 1, 0, 0, 0, time.UTC)
)

// intensity is carbon over energy, computed in float64 as SQLite does.
func intensity(carbon, energy float64) *float64 {
	v := carbon / energy
	return &v
}

func mean(a, b *float64) *float64 {
	v := (*a + *b) / 2
	return &v
}

func checkRows[T any](t *testing.T, name string, got []T, err error, want []T) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s =\n  %+v\nwant\n  %+v", name, got, want)
	}
}

func TestTimeseriesReads(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	got, err := db.AdaTimeseries(ctx)
	checkRows(t, "AdaTimeseries", got, err, []usagedb.TimeseriesPoint{
		{Ts: t0, Metrics: usagedb.Metrics{BusyKwh: 12.5, IdleKwh: 3, BusyGCo2eq: 2300, IdleGCo2eq: 500}, IntensityGCo2eqKwh: intensity(2800, 15.5)},
	})

	got, err = db.ProjectTimeseries(ctx, "alpha-cloud")
	checkRows(t, "ProjectTimeseries(alpha-cloud)", got, err, []usagedb.TimeseriesPoint{
		{Ts: t0, Metrics: usagedb.Metrics{BusyKwh: 10, IdleKwh: 1, BusyGCo2eq: 1800, IdleGCo2eq: 200}, IntensityGCo2eqKwh: intensity(2000, 11)},
		{Ts: t1, Metrics: usagedb.Metrics{BusyKwh: 7, IdleKwh: 1, BusyGCo2eq: 1200, IdleGCo2eq: 190}, IntensityGCo2eqKwh: intensity(1390, 8)},
	})

	got, err = db.ProjectTimeseries(ctx, "beta-cloud")
	checkRows(t, "ProjectTimeseries(beta-cloud)", got, err, []usagedb.TimeseriesPoint{
		{Ts: t0, Metrics: usagedb.Metrics{BusyKwh: 2.5, IdleKwh: 0.5, BusyGCo2eq: 400, IdleGCo2eq: 100}, IntensityGCo2eqKwh: usagedb.Ptr(150.0)},
	})

	got, err = db.MachineTimeseries(ctx, "cpu-02")
	checkRows(t, "MachineTimeseries(cpu-02)", got, err, []usagedb.TimeseriesPoint{{Ts: t0}})

	got, err = db.UserTimeseries(ctx, "u456")
	checkRows(t, "UserTimeseries(u456)", got, err, []usagedb.TimeseriesPoint{
		{Ts: t0, Metrics: usagedb.Metrics{BusyKwh: 1, BusyGCo2eq: 100}, IntensityGCo2eqKwh: usagedb.Ptr(100.0)},
	})

	got, err = db.ProjectTimeseries(ctx, "no-such-project")
	checkRows(t, "ProjectTimeseries(no-such-project)", got, err, []usagedb.TimeseriesPoint{})

	trend, err := db.MachineIntensityTrend(ctx, "gpu-01")
	checkRows(t, "MachineIntensityTrend(gpu-01)", trend, err, []usagedb.IntensityPoint{
		{MachineName: "gpu-01", Ts: t0, IntensityGPerKwh: intensity(1160, 6.25)},
		{MachineName: "gpu-01", Ts: t1, IntensityGPerKwh: intensity(1160, 6.5)},
	})
}

func TestTotalsReads(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	projects, err := db.ProjectTotals(ctx)
	checkRows(t, "ProjectTotals", projects, err, []usagedb.ProjectTotal{
		{CloudProjectName: "alpha-cloud", Metrics: usagedb.Metrics{BusyKwh: 17, IdleKwh: 2, BusyGCo2eq: 3000, IdleGCo2eq: 390}},
		{CloudProjectName: "beta-cloud", Metrics: usagedb.Metrics{BusyKwh: 2.5, IdleKwh: 0.5, BusyGCo2eq: 400, IdleGCo2eq: 100}},
	})

	machines, err := db.MachineTotals(ctx)
	checkRows(t, "MachineTotals", machines, err, []usagedb.MachineTotal{
		{MachineName: "cpu-02"},
		{MachineName: "gpu-01", Metrics: usagedb.Metrics{BusyCPUSecondsTotal: 37000, IdleCPUSecondsTotal: 11000,
			BusyKwh: 11.25, IdleKwh: 1.5, BusyGCo2eq: 2040, IdleGCo2eq: 280}},
	})

	groups, err := db.GroupTotals(ctx)
	checkRows(t, "GroupTotals", groups, err, []usagedb.GroupTotal{
		{GroupName: "Physics", Metrics: usagedb.Metrics{BusyKwh: 1, BusyGCo2eq: 100}},
		{GroupName: "Research", Metrics: usagedb.Metrics{BusyKwh: 6.25, IdleKwh: 0.75, BusyGCo2eq: 1170, IdleGCo2eq: 130}},
	})

	users, err := db.UserTotals(ctx)
	checkRows(t, "UserTotals", users, err, []usagedb.UserTotal{
		{UserID: "u123", Metrics: usagedb.Metrics{BusyKwh: 6.25, IdleKwh: 0.75, BusyGCo2eq: 1170, IdleGCo2eq: 130}},
		{UserID: "u456", Metrics: usagedb.Metrics{BusyKwh: 1, BusyGCo2eq: 100}},
	})
}

func TestAveragesReads(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	projects, err := db.ProjectAverages(ctx)
	checkRows(t, "ProjectAverages", projects, err, []usagedb.ProjectAverage{
		{CloudProjectName: "alpha-cloud", Averages: usagedb.Averages{AvgBusyEnergyKwh: 8.5, AvgIdleEnergyKwh: 1,
			AvgBusyCarbonGCo2eq: 1500, AvgIdleCarbonGCo2eq: 195, AvgIntensityGCo2eqKwh: mean(intensity(2000, 11), intensity(1390, 8))}},
		{CloudProjectName: "beta-cloud", Averages: usagedb.Averages{AvgBusyEnergyKwh: 2.5, AvgIdleEnergyKwh: 0.5,
			AvgBusyCarbonGCo2eq: 400, AvgIdleCarbonGCo2eq: 100, AvgIntensityGCo2eqKwh: usagedb.Ptr(150.0)}},
	})

	machines, err := db.MachineAverages(ctx)
	checkRows(t, "MachineAverages", machines, err, []usagedb.MachineAverage{
		{MachineName: "cpu-02"},
		{MachineName: "gpu-01", Averages: usagedb.Averages{AvgBusyEnergyKwh: 5.625, AvgIdleEnergyKwh: 0.75,
			AvgBusyCarbonGCo2eq: 1020, AvgIdleCarbonGCo2eq: 140, AvgIntensityGCo2eqKwh: mean(intensity(1160, 6.25), intensity(1160, 6.5))}},
	})

	research := usagedb.Averages{AvgBusyEnergyKwh: 3.125, AvgIdleEnergyKwh: 0.375,
		AvgBusyCarbonGCo2eq: 585, AvgIdleCarbonGCo2eq: 65, AvgIntensityGCo2eqKwh: mean(intensity(680, 3.75), intensity(620, 3.25))}
	physics := usagedb.Averages{AvgBusyEnergyKwh: 1, AvgBusyCarbonGCo2eq: 100, AvgIntensityGCo2eqKwh: usagedb.Ptr(100.0)}

	groups, err := db.GroupAverages(ctx)
	checkRows(t, "GroupAverages", groups, err, []usagedb.GroupAverage{
		{GroupName: "Physics", Averages: physics},
		{GroupName: "Research", Averages: research},
	})

	users, err := db.UserAverages(ctx)
	checkRows(t, "UserAverages", users, err, []usagedb.UserAverage{
		{UserID: "u123", Averages: research},
		{UserID: "u456", Averages: physics},
	})
}

func TestWindowReads(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	energy, err := db.ProjectEnergyCarbonBetween(ctx, hour0, hour2)
	checkRows(t, "ProjectEnergyCarbonBetween(0h, 2h)", energy, err, []usagedb.ProjectEnergy{
		{CloudProjectName: "alpha-cloud", EnergyKwh: 19, CarbonG: 3390},
		{CloudProjectName: "beta-cloud", EnergyKwh: 3, CarbonG: 500},
	})
	// The window is half-open, and bounds with an offset are converted to UTC.
	energy, err = db.ProjectEnergyCarbonBetween(ctx, "2025-10-01T03:00:00+02:00", "2025-10-01 02:00:00")
	checkRows(t, "ProjectEnergyCarbonBetween(1h, 2h)", energy, err, []usagedb.ProjectEnergy{
		{CloudProjectName: "alpha-cloud", EnergyKwh: 8, CarbonG: 1390},
	})

	groups, err := db.TopGroupsByEnergy(ctx, hour0, hour2, 10)
	checkRows(t, "TopGroupsByEnergy(n=10)", groups, err, []usagedb.GroupEnergy{
		{GroupName: "Research", EnergyKwh: 7},
		{GroupName: "Physics", EnergyKwh: 1},
	})
	groups, err = db.TopGroupsByEnergy(ctx, hour0, hour2, 1)
	checkRows(t, "TopGroupsByEnergy(n=1)", groups, err, []usagedb.GroupEnergy{{GroupName: "Research", EnergyKwh: 7}})

	contributions, err := db.UserContributionWindow(ctx, hour0, hour2)
	checkRows(t, "UserContributionWindow", contributions, err, []usagedb.UserContribution{
		{CloudProjectName: "alpha-cloud", UserID: "u123", UserEnergyKwh: 7},
		{CloudProjectName: "beta-cloud", UserID: "u456", UserEnergyKwh: 1},
	})

	utilization, err := db.MachineUtilizationShare(ctx, hour0, hour2)
	checkRows(t, "MachineUtilizationShare", utilization, err, []usagedb.MachineUtilization{
		{MachineName: "gpu-01", BusyS: 37000, IdleS: 11000, BusyPct: usagedb.Ptr(77.1)},
		{MachineName: "cpu-02"},
	})
}

func TestWindowReadsBadInput(t *testing.T) {
	db := openMemory(t)

	_, err := db.ProjectEnergyCarbonBetween(ctx, hour2, hour0)
	wantError(t, err, usagedb.ErrInvalidArgument, "project_energy_carbon_between", "later than its end")
	_, err = db.UserContributionWindow(ctx, "today", hour2)
	wantError(t, err, usagedb.ErrInvalidArgument, "user_contribution_window", "invalid from 'today'")
	_, err = db.MachineUtilizationShare(ctx, hour0, "2025-10-01T00:00:00.250Z")
	wantError(t, err, usagedb.ErrInvalidArgument, "machine_utilization_share", "to")
	_, err = db.TopGroupsByEnergy(ctx, hour0, hour2, -1)
	wantError(t, err, usagedb.ErrInvalidArgument, "top_groups_by_energy: invalid n -1: must be >= 0")
	_, err = db.MachineTimeseries(ctx, "gpu\x00")
	wantError(t, err, usagedb.ErrInvalidArgument, `machine_timeseries: invalid machine_name "gpu\x00"`)
}
