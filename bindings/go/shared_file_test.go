package usagedb_test

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"usagedb"
)

func TestSecondHandleBusyDuringTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	holder := must(usagedb.Open(path))
	defer holder.Close()
	waiter := must(usagedb.Open(path, usagedb.WithBusyTimeout(50*time.Millisecond)))
	defer waiter.Close()

	if err := holder.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := waiter.GetOrCreateGroup(ctx, "Research")
	wantError(t, err, usagedb.ErrBusy, "get_or_create_group")

	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if id := must(waiter.GetOrCreateGroup(ctx, "Research")); id != 1 {
		t.Errorf("group id after the lock was released = %d, want 1", id)
	}
}

// Close waits for calls in progress; calls that start afterwards return ErrClosed.
func TestCloseDuringConcurrentCalls(t *testing.T) {
	db := must(usagedb.Open(":memory:"))
	const goroutines = 8

	var wg sync.WaitGroup
	unexpected := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := db.Query(ctx, "SELECT count(*) FROM v_project_totals", nil)
				if errors.Is(err, usagedb.ErrClosed) {
					return
				}
				if err != nil {
					unexpected <- err
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(unexpected)
	for err := range unexpected {
		t.Errorf("call during Close: %v", err)
	}
}
