package usagedb

/*
#include "usage_db.h"
*/
import "C"

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
)

// Begin opens a transaction, or a nested savepoint when one is open. The outermost level
// takes the write lock at once, waiting up to the busy timeout.
//
// The transaction belongs to the handle, not to the goroutine: until Commit or Rollback,
// the calls of every goroutine sharing this DB run inside it and are undone by Rollback.
// Use InTx to keep other goroutines' calls out.
func (db *DB) Begin(ctx context.Context) error {
	return db.begin(ctx)
}

// Commit commits the innermost open level. When the outermost commit fails, everything
// in the transaction is rolled back. With nothing open it returns ErrTransactionState.
func (db *DB) Commit(ctx context.Context) error {
	return db.commit(ctx)
}

// Rollback undoes everything since the matching Begin and closes that level. With
// nothing open it returns ErrTransactionState.
func (db *DB) Rollback(ctx context.Context) error {
	return db.rollback(ctx)
}

func (o *ops) begin(ctx context.Context) error {
	return o.call(ctx, "begin", func(db *C.UsageDb) C.UsageDbStatus { return C.usage_db_begin(db) })
}

func (o *ops) commit(ctx context.Context) error {
	return o.call(ctx, "commit", func(db *C.UsageDb) C.UsageDbStatus { return C.usage_db_commit(db) })
}

func (o *ops) rollback(ctx context.Context) error {
	return o.call(ctx, "rollback", func(db *C.UsageDb) C.UsageDbStatus { return C.usage_db_rollback(db) })
}

// TransactionDepth returns the number of open transaction levels, 0 when none.
func (o *ops) TransactionDepth(ctx context.Context) (int, error) {
	var depth C.uint32_t
	err := o.call(ctx, "transaction_depth", func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_transaction_depth(db, &depth)
	})
	return int(depth), err
}

// Tx is the transaction of one InTx call. It has the read and write methods of DB, but
// not Begin, Commit, Rollback, InTx or Close. After InTx returns, its methods return
// ErrTxDone.
type Tx struct {
	ops
	done atomic.Bool
}

// InTx runs fn in a transaction. It commits when fn returns nil, and rolls back when fn
// returns an error, panics or calls runtime.Goexit. A panic then continues with its own
// value. When ctx is done by the time fn returns nil, it rolls back and returns the
// context's error.
//
// For the whole call, InTx holds this DB's transaction lock, so calls made through the
// DB by other goroutines wait until it ends instead of joining the transaction. Inside fn
// use tx, not db: a call through db (including Begin and InTx) waits for the lock that
// this InTx holds and never returns. Calls through tx may run from several goroutines.
// A transaction opened with Begin and still open becomes the outer level, and this one
// a savepoint inside it.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	db.h.txGate.Lock()
	defer db.h.txGate.Unlock()
	// Tx reaches only the handle, so db must stay reachable, or its cleanup could close
	// the handle in the middle of the transaction.
	defer runtime.KeepAlive(db)

	tx := &Tx{}
	tx.ops = ops{h: db.h, tx: tx}
	if err := tx.begin(ctx); err != nil {
		return err
	}

	// The rollback must run even when ctx is already cancelled.
	finishCtx := context.WithoutCancel(ctx)
	finished := false
	// A panic or runtime.Goexit in fn skips the code below, so this rolls back. The panic
	// then goes on unwinding with its own value and stack.
	defer func() {
		if !finished {
			_ = tx.rollback(finishCtx)
			tx.done.Store(true)
		}
	}()

	fnErr := fn(tx)
	if fnErr == nil {
		fnErr = ctx.Err()
	}
	finished = true
	if fnErr != nil {
		rollbackErr := tx.rollback(finishCtx)
		tx.done.Store(true)
		return errors.Join(fnErr, rollbackErr)
	}

	err := tx.commit(finishCtx)
	tx.done.Store(true)
	return err
}
