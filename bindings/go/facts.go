package usagedb

/*
#include "usage_db.h"
*/
import "C"

import "context"

// Scope is the level a fact describes.
type Scope string

// The four scopes. A fact carries exactly the key its scope needs: none for ScopeAda,
// ProjectID for ScopeProject, MachineID for ScopeMachine, UserID for ScopeUser.
const (
	ScopeAda     Scope = "ada"
	ScopeProject Scope = "project"
	ScopeMachine Scope = "machine"
	ScopeUser    Scope = "user"
)

// Fact is one hourly usage fact. Metrics are finite and >= 0; leave unused ones at 0.
// The JSON tags are the keys that BulkInsertFactUsageJSON reads.
type Fact struct {
	Scope Scope `json:"scope"`
	// TsISOUTC is the hour, as "2025-10-01T00:00:00Z" or another ISO 8601 form; an offset
	// is converted to UTC and no zone means UTC.
	TsISOUTC  string  `json:"ts_iso_utc"`
	ProjectID *int64  `json:"project_id,omitempty"`
	MachineID *int64  `json:"machine_id,omitempty"`
	UserID    *string `json:"user_id,omitempty"`

	BusyCPUSecondsTotal float64 `json:"busy_cpu_seconds_total"`
	IdleCPUSecondsTotal float64 `json:"idle_cpu_seconds_total"`
	BusyKwh             float64 `json:"busy_kwh"`
	IdleKwh             float64 `json:"idle_kwh"`
	BusyGCo2eq          float64 `json:"busy_gCo2eq"`
	IdleGCo2eq          float64 `json:"idle_gCo2eq"`
	// IntensityGCo2eqKwh is an explicit carbon intensity in gCO2eq/kWh. When nil, reads
	// compute it as carbon over energy.
	IntensityGCo2eqKwh *float64 `json:"intensity_gCo2eq_kwh,omitempty"`
}

// toC fills a C fact from f. Its strings come from args, which owns and frees them.
func (f *Fact) toC(args *cArgs) C.UsageDbFact {
	c := C.UsageDbFact{
		scope:                  args.text("scope", string(f.Scope)),
		ts_iso_utc:             args.text("ts_iso_utc", f.TsISOUTC),
		user_id:                args.optionalText("user_id", f.UserID),
		busy_cpu_seconds_total: C.double(f.BusyCPUSecondsTotal),
		idle_cpu_seconds_total: C.double(f.IdleCPUSecondsTotal),
		busy_kwh:               C.double(f.BusyKwh),
		idle_kwh:               C.double(f.IdleKwh),
		busy_gCo2eq:            C.double(f.BusyGCo2eq),
		idle_gCo2eq:            C.double(f.IdleGCo2eq),
	}
	if f.ProjectID != nil {
		c.has_project_id = true
		c.project_id = C.int64_t(*f.ProjectID)
	}
	if f.MachineID != nil {
		c.has_machine_id = true
		c.machine_id = C.int64_t(*f.MachineID)
	}
	if f.IntensityGCo2eqKwh != nil {
		c.has_intensity = true
		c.intensity_gCo2eq_kwh = C.double(*f.IntensityGCo2eqKwh)
	}
	return c
}

// InsertFactUsage inserts one fact, or replaces the metrics of the fact with the same
// scope, hour and key, and returns its usage_id. Bad input returns ErrInvalidArgument,
// an unknown project, machine or user id ErrNotFound; nothing is written on failure.
func (o *ops) InsertFactUsage(ctx context.Context, f Fact) (int64, error) {
	const op = "insert_fact_usage"

	args := newCArgs(op)
	defer args.free()
	row := f.toC(args)
	if args.err != nil {
		return 0, args.err
	}

	var id C.int64_t
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_insert_fact_usage(db, &row, &id)
	})
	return int64(id), err
}

// BulkInsertFactUsage upserts facts, all or none, through the library's C array call,
// and returns the number written. The first bad row fails the call with a message
// naming its index and field, and nothing of the batch is written. Inside an open
// transaction the batch becomes part of it.
func (o *ops) BulkInsertFactUsage(ctx context.Context, facts []Fact) (int, error) {
	// The library names both bulk calls bulk_insert_fact_usage in its messages.
	const op = "bulk_insert_fact_usage"

	args := newCArgs(op)
	defer args.free()
	// The array lives in Go memory: cgo allows that because the structs hold only C
	// pointers, the strings that args allocated.
	rows := make([]C.UsageDbFact, len(facts))
	for i := range facts {
		rows[i] = facts[i].toC(args)
		if args.err != nil {
			return 0, invalidArgument(op, "row %d: %s", i, args.rejection)
		}
	}

	var first *C.UsageDbFact
	if len(rows) > 0 {
		first = &rows[0]
	}
	var count C.size_t
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_bulk_insert_fact_usage_array(db, first, C.size_t(len(rows)), &count)
	})
	return int(count), err
}

// BulkInsertFactUsageJSON upserts facts given as a JSON array of objects, all or none,
// and returns the number written. The keys are the JSON tags of Fact; absent or null ids
// and metrics mean absent and 0. The library parses the rows as a stream, so this suits
// large batches that already exist as JSON.
func (o *ops) BulkInsertFactUsageJSON(ctx context.Context, rowsJSON string) (int, error) {
	const op = "bulk_insert_fact_usage"

	args := newCArgs(op)
	defer args.free()
	cRows := args.text("rows_json", rowsJSON)
	if args.err != nil {
		return 0, args.err
	}

	var count C.size_t
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_bulk_insert_fact_usage(db, cRows, &count)
	})
	return int(count), err
}
