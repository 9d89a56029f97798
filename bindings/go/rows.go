package usagedb

import "time"

// The result rows of the reads. JSON tags are the library's column names; a nullable
// column is a pointer, nil for SQL NULL. Timestamps are UTC.

// Metrics are the six measured quantities of a fact, or their sums.
type Metrics struct {
	BusyCPUSecondsTotal float64 `json:"busy_cpu_seconds_total"`
	IdleCPUSecondsTotal float64 `json:"idle_cpu_seconds_total"`
	BusyKwh             float64 `json:"busy_kwh"`
	IdleKwh             float64 `json:"idle_kwh"`
	BusyGCo2eq          float64 `json:"busy_gCo2eq"`
	IdleGCo2eq          float64 `json:"idle_gCo2eq"`
}

// TimeseriesPoint is one hour of a series. The series' key (project, machine or user)
// is the argument of the call and is not repeated here.
type TimeseriesPoint struct {
	Ts time.Time `json:"ts"`
	Metrics
	// IntensityGCo2eqKwh is the stored intensity, or carbon over energy; nil when the
	// hour has no energy.
	IntensityGCo2eqKwh *float64 `json:"intensity_gCo2eq_kwh"`
}

// IntensityPoint is one hour of a machine's carbon intensity, nil when the hour has no
// energy.
type IntensityPoint struct {
	MachineName      string    `json:"machine_name"`
	Ts               time.Time `json:"ts"`
	IntensityGPerKwh *float64  `json:"intensity_g_per_kwh"`
}

// ProjectTotal is the all-time sums of one project.
type ProjectTotal struct {
	CloudProjectName string `json:"cloud_project_name"`
	Metrics
}

// MachineTotal is the all-time sums of one machine.
type MachineTotal struct {
	MachineName string `json:"machine_name"`
	Metrics
}

// GroupTotal is the all-time sums of one group's users.
type GroupTotal struct {
	GroupName string `json:"group_name"`
	Metrics
}

// UserTotal is the all-time sums of one user.
type UserTotal struct {
	UserID string `json:"user_id"`
	Metrics
}

// Averages are averages over hourly facts.
type Averages struct {
	AvgBusyEnergyKwh    float64 `json:"avg_busy_energy_kwh"`
	AvgIdleEnergyKwh    float64 `json:"avg_idle_energy_kwh"`
	AvgBusyCarbonGCo2eq float64 `json:"avg_busy_carbon_gCo2eq"`
	AvgIdleCarbonGCo2eq float64 `json:"avg_idle_carbon_gCo2eq"`
	// AvgIntensityGCo2eqKwh skips hours without energy; nil when no hour has energy.
	AvgIntensityGCo2eqKwh *float64 `json:"avg_intensity_gCo2eq_kwh"`
}

// ProjectAverage is the averages of one project.
type ProjectAverage struct {
	CloudProjectName string `json:"cloud_project_name"`
	Averages
}

// MachineAverage is the averages of one machine.
type MachineAverage struct {
	MachineName string `json:"machine_name"`
	Averages
}

// GroupAverage is the averages over the user-hour facts of one group's users.
type GroupAverage struct {
	GroupName string `json:"group_name"`
	Averages
}

// UserAverage is the averages of one user.
type UserAverage struct {
	UserID string `json:"user_id"`
	Averages
}

// ActiveWorkspace is one running workspace.
type ActiveWorkspace struct {
	WorkspaceID int64     `json:"workspace_id"`
	StartedAt   time.Time `json:"started_at"`
	// User is the user's display name, or the user id when there is none; nil for a
	// workspace without a user.
	User    *string `json:"user"`
	Project *string `json:"project"`
	Machine string  `json:"machine"`
	Host    string  `json:"host"`
	Port    *int64  `json:"port"`
}

// UserProjectMembership is one user's membership of one project.
type UserProjectMembership struct {
	UserID           string  `json:"user_id"`
	DisplayName      *string `json:"display_name"`
	GroupName        *string `json:"group_name"`
	CloudProjectName string  `json:"cloud_project_name"`
}

// ProjectEnergy is one project's energy and carbon in a window.
type ProjectEnergy struct {
	CloudProjectName string  `json:"cloud_project_name"`
	EnergyKwh        float64 `json:"energy_kwh"`
	CarbonG          float64 `json:"carbon_g"`
}

// GroupEnergy is one group's energy in a window.
type GroupEnergy struct {
	GroupName string  `json:"group_name"`
	EnergyKwh float64 `json:"energy_kwh"`
}

// UserContribution is one user's energy in a window, under one of the user's projects.
type UserContribution struct {
	CloudProjectName string  `json:"cloud_project_name"`
	UserID           string  `json:"user_id"`
	UserEnergyKwh    float64 `json:"user_energy_kwh"`
}

// MachineUtilization is one machine's CPU seconds in a window.
type MachineUtilization struct {
	MachineName string  `json:"machine_name"`
	BusyS       float64 `json:"busy_s"`
	IdleS       float64 `json:"idle_s"`
	// BusyPct is the busy share of the CPU seconds in percent, to one decimal; nil when
	// the machine has no seconds in the window.
	BusyPct *float64 `json:"busy_pct"`
}
