package usagedb_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"usagedb"
)

func groupNames(t *testing.T, db *usagedb.DB) []string {
	t.Helper()
	var names []string
	for _, row := range must(db.Query(ctx, "SELECT group_name FROM dim_group ORDER BY group_name", nil)) {
		names = append(names, row["group_name"].(string))
	}
	return names
}

func depth(t *testing.T, db *usagedb.DB) int {
	t.Helper()
	return must(db.TransactionDepth(ctx))
}

func TestBeginCommitRollbackNest(t *testing.T) {
	db := openMemory(t)

	if err := db.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	must(db.GetOrCreateGroup(ctx, "Kept"))
	if err := db.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if d := depth(t, db); d != 2 {
		t.Errorf("depth inside nested begin = %d, want 2", d)
	}
	must(db.GetOrCreateGroup(ctx, "Undone"))
	if err := db.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	if d := depth(t, db); d != 0 {
		t.Errorf("depth after commit = %d, want 0", d)
	}
	if names := groupNames(t, db); len(names) != 1 || names[0] != "Kept" {
		t.Errorf("groups = %v, want [Kept]", names)
	}
	wantError(t, db.Commit(ctx), usagedb.ErrTransactionState, "commit: no transaction is open; call begin first")
	wantError(t, db.Rollback(ctx), usagedb.ErrTransactionState, "rollback")
}

func TestInTxCommitsOnNil(t *testing.T) {
	db := openMemory(t)

	err := db.InTx(ctx, func(tx *usagedb.Tx) error {
		must(tx.GetOrCreateGroup(ctx, "Research"))
		if d := must(tx.TransactionDepth(ctx)); d != 1 {
			t.Errorf("depth inside InTx = %d, want 1", d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if names := groupNames(t, db); len(names) != 1 || names[0] != "Research" {
		t.Errorf("groups = %v, want [Research]", names)
	}
	if d := depth(t, db); d != 0 {
		t.Errorf("depth after InTx = %d, want 0", d)
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	db := openMemory(t)
	failure := errors.New("report rejected")

	var leaked *usagedb.Tx
	err := db.InTx(ctx, func(tx *usagedb.Tx) error {
		leaked = tx
		must(tx.GetOrCreateGroup(ctx, "Research"))
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("InTx error = %v, want %v", err, failure)
	}
	if names := groupNames(t, db); len(names) != 0 {
		t.Errorf("groups after rollback = %v, want none", names)
	}
	if _, err := leaked.GetOrCreateGroup(ctx, "Late"); !errors.Is(err, usagedb.ErrTxDone) {
		t.Errorf("Tx used after InTx: %v, want ErrTxDone", err)
	}
}

func TestInTxRollsBackAndRepanics(t *testing.T) {
	db := openMemory(t)

	recovered := func() (value any) {
		defer func() { value = recover() }()
		_ = db.InTx(ctx, func(tx *usagedb.Tx) error {
			must(tx.GetOrCreateGroup(ctx, "Research"))
			panic("fixture panic")
		})
		return nil
	}()

	if recovered != "fixture panic" {
		t.Errorf("recovered %v, want the original panic value", recovered)
	}
	if names := groupNames(t, db); len(names) != 0 {
		t.Errorf("groups after panic = %v, want none", names)
	}
	if d := depth(t, db); d != 0 {
		t.Errorf("depth after panic = %d, want 0", d)
	}
}

func TestInTxRollsBackOnGoexit(t *testing.T) {
	db := openMemory(t)
	exited := make(chan struct{})

	go func() {
		defer close(exited)
		_ = db.InTx(ctx, func(tx *usagedb.Tx) error {
			must(tx.GetOrCreateGroup(ctx, "Research"))
			runtime.Goexit()
			return nil
		})
	}()
	<-exited

	if names := groupNames(t, db); len(names) != 0 {
		t.Errorf("groups after Goexit = %v, want none", names)
	}
	if d := depth(t, db); d != 0 {
		t.Errorf("depth after Goexit = %d, want 0", d)
	}
}

// A call through the DB from another goroutine waits for InTx to end, so the rollback
// of the transaction does not undo it.
func TestInTxKeepsOtherGoroutinesOut(t *testing.T) {
	db := openMemory(t)
	started := make(chan struct{})
	otherDone := make(chan error, 1)

	var otherErr error
	finishedInside := false
	err := db.InTx(ctx, func(tx *usagedb.Tx) error {
		go func() {
			close(started)
			_, err := db.GetOrCreateGroup(ctx, "Outside")
			otherDone <- err
		}()
		<-started

		select {
		case otherErr = <-otherDone:
			finishedInside = true
		case <-time.After(100 * time.Millisecond):
		}
		must(tx.GetOrCreateGroup(ctx, "Inside"))
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("InTx returned nil, want the function's error")
	}

	if finishedInside {
		t.Fatalf("a call through the DB finished inside InTx (error %v)", otherErr)
	}
	if err := <-otherDone; err != nil {
		t.Fatal(err)
	}
	if names := groupNames(t, db); len(names) != 1 || names[0] != "Outside" {
		t.Errorf("groups = %v, want [Outside]", names)
	}
}

func TestInTxCancelledContextRollsBack(t *testing.T) {
	db := openMemory(t)
	cancellable, cancel := context.WithCancel(ctx)

	err := db.InTx(cancellable, func(tx *usagedb.Tx) error {
		must(tx.GetOrCreateGroup(ctx, "Research"))
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("InTx error = %v, want context.Canceled", err)
	}
	if names := groupNames(t, db); len(names) != 0 {
		t.Errorf("groups = %v, want none", names)
	}
}
