package usagedb_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"usagedb"
)

func TestQueryKeepsLargeIntegers(t *testing.T) {
	db := openMemory(t)

	rows := must(db.Query(ctx, "SELECT 9007199254740993 AS big, ?1 AS word, ?2 AS half, NULL AS missing", []any{"hi", 0.5}))
	want := []map[string]any{{
		"big": json.Number("9007199254740993"), "word": "hi", "half": json.Number("0.5"), "missing": nil,
	}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %#v, want %#v", rows, want)
	}
}

func TestQueryNamedParameters(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	rows := must(db.Query(ctx,
		"SELECT cloud_project_name, energy FROM (SELECT cloud_project_name, busy_kwh + idle_kwh AS energy FROM v_project_timeseries WHERE ts >= :from) ORDER BY energy DESC",
		map[string]any{"from": hour1}))
	want := []map[string]any{{"cloud_project_name": "alpha-cloud", "energy": json.Number("8.0")}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %#v, want %#v", rows, want)
	}
}

func TestQueryRejectsWritesAndBadSQL(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	_, err := db.Query(ctx, "DELETE FROM fact_usage", nil)
	wantError(t, err, usagedb.ErrReadOnlyViolation, "q: rejected 'DELETE FROM fact_usage'")
	_, err = db.Query(ctx, "SELECT nope", nil)
	wantError(t, err, usagedb.ErrSQL, "no such column: nope")
	_, err = db.Query(ctx, "SELECT 1; SELECT 2", nil)
	wantError(t, err, usagedb.ErrInvalidArgument, "q")
	_, err = db.Query(ctx, "SELECT ?", 42)
	wantError(t, err, usagedb.ErrInvalidArgument, "q")
	_, err = db.Query(ctx, "SELECT ?", []any{func() {}})
	wantError(t, err, usagedb.ErrInvalidArgument, "q: invalid params")

	if n := countFacts(t, db); n != 10 {
		t.Errorf("facts after a rejected DELETE = %d, want 10", n)
	}
}

func TestExecuteWriteCountsChanges(t *testing.T) {
	db := openMemory(t)
	loadFixture(t, db)

	changed := must(db.ExecuteWrite(ctx, "DELETE FROM fact_usage WHERE ts < ?", []any{hour1}))
	if changed != 7 {
		t.Errorf("changed = %d, want 7", changed)
	}
	if n := countFacts(t, db); n != 3 {
		t.Errorf("facts left = %d, want 3", n)
	}

	_, err := db.ExecuteWrite(ctx, "BEGIN", nil)
	wantError(t, err, usagedb.ErrSQL, "execute_write: rejected 'BEGIN'")
	_, err = db.ExecuteWrite(ctx, "UPDATE fact_usage SET scope = 'cluster'", nil)
	wantError(t, err, usagedb.ErrConstraint, "execute_write")
}
