package usagedb_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"usagedb"
)

// Sixteen goroutines share one DB, each alternating window reports and inserts of its
// own facts; afterwards every fact is present. Run it with -race.
func TestSharedDBManyGoroutines(t *testing.T) {
	db := openMemory(t)
	const goroutines, iterations = 16, 300
	start := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)

	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			machine := fmt.Sprintf("node-%02d", g)
			id, err := db.GetOrCreateMachine(ctx, machine)
			if err != nil {
				errs <- err
				return
			}
			for i := range iterations {
				ts := start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
				fact := usagedb.Fact{Scope: usagedb.ScopeMachine, TsISOUTC: ts, MachineID: &id,
					BusyCPUSecondsTotal: 1, BusyKwh: 0.5}
				if _, err := db.InsertFactUsage(ctx, fact); err != nil {
					errs <- fmt.Errorf("%s hour %d: %w", machine, i, err)
					return
				}
				if _, err := db.MachineUtilizationShare(ctx, start.Format(time.RFC3339), ts); err != nil {
					errs <- fmt.Errorf("%s window %d: %w", machine, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	if n := countFacts(t, db); n != goroutines*iterations {
		t.Errorf("facts = %d, want %d", n, goroutines*iterations)
	}
	totals := must(db.MachineTotals(ctx))
	if len(totals) != goroutines {
		t.Fatalf("machines with totals = %d, want %d", len(totals), goroutines)
	}
	for _, total := range totals {
		if total.BusyCPUSecondsTotal != iterations || total.BusyKwh != iterations/2 {
			t.Errorf("%s totals = %+v, want %d CPU seconds and %d kWh", total.MachineName, total.Metrics, iterations, iterations/2)
		}
	}
}
