package usagedb_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"usagedb"
)

func TestErrorCarriesCodeOpMessage(t *testing.T) {
	db := openMemory(t)

	_, err := db.GetOrCreateGroup(ctx, "")
	var dbErr *usagedb.Error
	if !errors.As(err, &dbErr) {
		t.Fatalf("error %v is not an *usagedb.Error", err)
	}
	if dbErr.Code != usagedb.CodeInvalidArgument {
		t.Errorf("Code = %v, want invalid argument", dbErr.Code)
	}
	if dbErr.Op != "get_or_create_group" {
		t.Errorf("Op = %q, want get_or_create_group", dbErr.Op)
	}
	if want := "get_or_create_group: invalid group_name '': must not be empty"; dbErr.Message != want {
		t.Errorf("Message = %q, want %q", dbErr.Message, want)
	}
}

// Each goroutine fails with its own value and must read back its own message, even
// though the library keeps the message per OS thread and goroutines move between
// threads.
func TestErrorMessagePerGoroutine(t *testing.T) {
	db := openMemory(t)
	const goroutines, calls = 16, 200

	var wg sync.WaitGroup
	failures := make(chan string, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				bad := fmt.Sprintf("g%d-call%d", g, i)
				_, err := db.InsertFactUsage(ctx, usagedb.Fact{Scope: usagedb.ScopeAda, TsISOUTC: bad})
				want := fmt.Sprintf("insert_fact_usage: invalid ts_iso_utc '%s'", bad)
				var dbErr *usagedb.Error
				if !errors.As(err, &dbErr) || !strings.HasPrefix(dbErr.Message, want) {
					failures <- fmt.Sprintf("%s: got %v", bad, err)
					return
				}
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	close(failures)
	for failure := range failures {
		t.Error(failure)
	}
}
