package usagedb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"usagedb"
)

var ctx = context.Background()

// openMemory opens a private in-memory database that the test closes at its end.
func openMemory(t *testing.T) *usagedb.DB {
	t.Helper()
	db, err := usagedb.Open(":memory:")
	if err != nil {
		t.Fatalf("Open(:memory:): %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// must returns v, and panics on err, which fails the running test with the error. It
// keeps fixture steps on one line each.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantError checks that err matches sentinel through errors.Is and that its message
// contains every fragment.
func wantError(t *testing.T, err error, sentinel error, fragments ...string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want %v", err, sentinel)
	}
	for _, fragment := range fragments {
		if !strings.Contains(err.Error(), fragment) {
			t.Errorf("error %q does not contain %q", err.Error(), fragment)
		}
	}
}

func countFacts(t *testing.T, db *usagedb.DB) int64 {
	t.Helper()
	rows := must(db.Query(ctx, "SELECT count(*) AS n FROM fact_usage", nil))
	n, err := rows[0]["n"].(interface{ Int64() (int64, error) }).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
