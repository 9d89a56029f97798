package usagedb

/*
#include "usage_db.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
)

// readJSON runs one read that returns a JSON array and decodes it into []T.
func readJSON[T any](
	ctx context.Context,
	o *ops,
	op string,
	call func(db *C.UsageDb, out **C.char) C.UsageDbStatus,
) ([]T, error) {
	var out *C.char
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus { return call(db, &out) })
	if err != nil {
		return nil, err
	}
	text := takeString(out)

	var rows []T
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return nil, fmt.Errorf("usagedb: %s: decoding the library's JSON result: %w", op, err)
	}
	return rows, nil
}

// readNamed runs a read of one named series.
func readNamed[T any](
	ctx context.Context,
	o *ops,
	op, field, name string,
	call func(db *C.UsageDb, name *C.char, out **C.char) C.UsageDbStatus,
) ([]T, error) {
	args := newCArgs(op)
	defer args.free()
	cName := args.text(field, name)
	if args.err != nil {
		return nil, args.err
	}

	return readJSON[T](ctx, o, op, func(db *C.UsageDb, out **C.char) C.UsageDbStatus {
		return call(db, cName, out)
	})
}

// readWindow runs a report over the half-open window [from, to).
func readWindow[T any](
	ctx context.Context,
	o *ops,
	op, from, to string,
	call func(db *C.UsageDb, from, to *C.char, out **C.char) C.UsageDbStatus,
) ([]T, error) {
	args := newCArgs(op)
	defer args.free()
	cFrom := args.text("from", from)
	cTo := args.text("to", to)
	if args.err != nil {
		return nil, args.err
	}

	return readJSON[T](ctx, o, op, func(db *C.UsageDb, out **C.char) C.UsageDbStatus {
		return call(db, cFrom, cTo, out)
	})
}

// AdaTimeseries returns the platform-wide (ada scope) hourly series, by Ts.
func (o *ops) AdaTimeseries(ctx context.Context) ([]TimeseriesPoint, error) {
	return readJSON[TimeseriesPoint](ctx, o, "ada_timeseries",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_ada_timeseries(db, out) })
}

// ProjectTimeseries returns one project's hourly series, by Ts; an unknown project
// gives an empty slice.
func (o *ops) ProjectTimeseries(ctx context.Context, cloudProjectName string) ([]TimeseriesPoint, error) {
	return readNamed[TimeseriesPoint](ctx, o, "project_timeseries", "cloud_project_name", cloudProjectName,
		func(db *C.UsageDb, name *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_project_timeseries(db, name, out)
		})
}

// MachineTimeseries returns one machine's hourly series, by Ts; an unknown machine
// gives an empty slice.
func (o *ops) MachineTimeseries(ctx context.Context, machineName string) ([]TimeseriesPoint, error) {
	return readNamed[TimeseriesPoint](ctx, o, "machine_timeseries", "machine_name", machineName,
		func(db *C.UsageDb, name *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_machine_timeseries(db, name, out)
		})
}

// UserTimeseries returns one user's hourly series, by Ts; an unknown user gives an
// empty slice.
func (o *ops) UserTimeseries(ctx context.Context, userID string) ([]TimeseriesPoint, error) {
	return readNamed[TimeseriesPoint](ctx, o, "user_timeseries", "user_id", userID,
		func(db *C.UsageDb, name *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_user_timeseries(db, name, out)
		})
}

// MachineIntensityTrend returns one machine's carbon intensity per hour, by Ts.
func (o *ops) MachineIntensityTrend(ctx context.Context, machineName string) ([]IntensityPoint, error) {
	return readNamed[IntensityPoint](ctx, o, "machine_intensity_trend", "machine_name", machineName,
		func(db *C.UsageDb, name *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_machine_intensity_trend(db, name, out)
		})
}

// ProjectTotals returns the all-time sums per project, by name.
func (o *ops) ProjectTotals(ctx context.Context) ([]ProjectTotal, error) {
	return readJSON[ProjectTotal](ctx, o, "project_totals",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_project_totals(db, out) })
}

// MachineTotals returns the all-time sums per machine, by name.
func (o *ops) MachineTotals(ctx context.Context) ([]MachineTotal, error) {
	return readJSON[MachineTotal](ctx, o, "machine_totals",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_machine_totals(db, out) })
}

// GroupTotals returns the all-time sums per group, from the user-scope facts of the
// group's users, by name.
func (o *ops) GroupTotals(ctx context.Context) ([]GroupTotal, error) {
	return readJSON[GroupTotal](ctx, o, "group_totals",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_group_totals(db, out) })
}

// UserTotals returns the all-time sums per user, by user id.
func (o *ops) UserTotals(ctx context.Context) ([]UserTotal, error) {
	return readJSON[UserTotal](ctx, o, "user_totals",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_user_totals(db, out) })
}

// ProjectAverages returns the averages over each project's hourly facts, by name.
func (o *ops) ProjectAverages(ctx context.Context) ([]ProjectAverage, error) {
	return readJSON[ProjectAverage](ctx, o, "project_averages",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_project_averages(db, out) })
}

// MachineAverages returns the averages over each machine's hourly facts, by name.
func (o *ops) MachineAverages(ctx context.Context) ([]MachineAverage, error) {
	return readJSON[MachineAverage](ctx, o, "machine_averages",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_machine_averages(db, out) })
}

// GroupAverages returns the averages over the user-hour facts of each group's users, by
// name.
func (o *ops) GroupAverages(ctx context.Context) ([]GroupAverage, error) {
	return readJSON[GroupAverage](ctx, o, "group_averages",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_group_averages(db, out) })
}

// UserAverages returns the averages over each user's hourly facts, by user id.
func (o *ops) UserAverages(ctx context.Context) ([]UserAverage, error) {
	return readJSON[UserAverage](ctx, o, "user_averages",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_user_averages(db, out) })
}

// ActiveWorkspaces returns the active workspaces, newest first.
func (o *ops) ActiveWorkspaces(ctx context.Context) ([]ActiveWorkspace, error) {
	return readJSON[ActiveWorkspace](ctx, o, "active_workspaces",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus { return C.usage_db_active_workspaces(db, out) })
}

// UserProjectMemberships returns every user-project membership, by user then project.
func (o *ops) UserProjectMemberships(ctx context.Context) ([]UserProjectMembership, error) {
	return readJSON[UserProjectMembership](ctx, o, "user_project_memberships",
		func(db *C.UsageDb, out **C.char) C.UsageDbStatus {
			return C.usage_db_user_project_memberships(db, out)
		})
}

// ProjectEnergyCarbonBetween returns the energy and carbon per project in [from, to),
// most energy first. A bad timestamp or from after to returns ErrInvalidArgument.
func (o *ops) ProjectEnergyCarbonBetween(ctx context.Context, from, to string) ([]ProjectEnergy, error) {
	return readWindow[ProjectEnergy](ctx, o, "project_energy_carbon_between", from, to,
		func(db *C.UsageDb, from, to *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_project_energy_carbon_between(db, from, to, out)
		})
}

// UserContributionWindow returns each user's energy in [from, to), listed under every
// project the user is a member of.
func (o *ops) UserContributionWindow(ctx context.Context, from, to string) ([]UserContribution, error) {
	return readWindow[UserContribution](ctx, o, "user_contribution_window", from, to,
		func(db *C.UsageDb, from, to *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_user_contribution_window(db, from, to, out)
		})
}

// MachineUtilizationShare returns the busy and idle CPU seconds per machine in
// [from, to), highest busy share first.
func (o *ops) MachineUtilizationShare(ctx context.Context, from, to string) ([]MachineUtilization, error) {
	return readWindow[MachineUtilization](ctx, o, "machine_utilization_share", from, to,
		func(db *C.UsageDb, from, to *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_machine_utilization_share(db, from, to, out)
		})
}

// TopGroupsByEnergy returns the n groups whose users used the most energy in
// [from, to), most first. A negative n returns ErrInvalidArgument.
func (o *ops) TopGroupsByEnergy(ctx context.Context, from, to string, n int64) ([]GroupEnergy, error) {
	return readWindow[GroupEnergy](ctx, o, "top_groups_by_energy", from, to,
		func(db *C.UsageDb, from, to *C.char, out **C.char) C.UsageDbStatus {
			return C.usage_db_top_groups_by_energy(db, from, to, C.int64_t(n), out)
		})
}
