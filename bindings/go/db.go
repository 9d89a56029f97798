package usagedb

/*
#include "usage_db.h"
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
)

// Durability selects how far a commit is synced to disk.
type Durability int32

const (
	// DurabilityNormal (the default) keeps a commit through a crash of the process. A
	// power loss or OS crash may lose the last commits but never corrupts the file.
	DurabilityNormal Durability = C.USAGE_DB_DURABILITY_NORMAL
	// DurabilityFull syncs each commit to disk before it returns, so it also survives a
	// power loss or OS crash.
	DurabilityFull Durability = C.USAGE_DB_DURABILITY_FULL
)

// maxBusyTimeout is the longest busy timeout the C options can carry (milliseconds in a
// uint32).
const maxBusyTimeout = time.Duration(math.MaxUint32) * time.Millisecond

// Option changes one setting of Open.
type Option func(*openConfig)

type openConfig struct {
	busyTimeout *time.Duration
	durability  *Durability
}

// WithBusyTimeout sets how long a call waits for another connection's lock before it
// fails with ErrBusy, in whole milliseconds (default 30 s).
func WithBusyTimeout(d time.Duration) Option {
	return func(c *openConfig) { c.busyTimeout = &d }
}

// WithDurability sets the durability of commits (default DurabilityNormal).
func WithDurability(d Durability) Option {
	return func(c *openConfig) { c.durability = &d }
}

// handle is the C handle with the locks that guard it. It is kept apart from DB so the
// cleanup attached to a DB can reach it without keeping the DB alive.
type handle struct {
	// lifetime is held shared by every call and exclusively by close, so close waits for
	// calls in progress and no call starts on a freed handle.
	lifetime sync.RWMutex
	ptr      *C.UsageDb

	// txGate is held exclusively by InTx for the whole transaction and shared by every
	// other call made through a DB, so no other goroutine's call lands inside it.
	txGate sync.RWMutex
}

// ops holds the methods shared by DB and Tx. A DB's calls take txGate shared; a Tx's
// calls run under the InTx that holds it exclusively.
type ops struct {
	h  *handle
	tx *Tx
}

// DB is an open usage_db database. Many goroutines may share it, and the library
// serialises their calls.
type DB struct {
	ops
	cleanup runtime.Cleanup
}

// Open opens the database file at path, creating it and its schema when missing, or a
// private in-memory database when path is ":memory:". Release it with Close.
func Open(path string, opts ...Option) (*DB, error) {
	const op = "open"

	options, err := openOptions(opts)
	if err != nil {
		return nil, err
	}
	args := newCArgs(op)
	defer args.free()
	cPath := args.text("path", path)
	if args.err != nil {
		return nil, args.err
	}

	var ptr *C.UsageDb
	err = callC(op, func() C.UsageDbStatus { return C.usage_db_open(cPath, &options, &ptr) })
	if err != nil {
		return nil, err
	}

	h := &handle{ptr: ptr}
	db := &DB{ops: ops{h: h}}
	// A safety net only: a DB dropped without Close still releases its C handle.
	db.cleanup = runtime.AddCleanup(db, func(h *handle) { _ = h.close() }, h)
	return db, nil
}

func openOptions(opts []Option) (C.UsageDbOpenOptions, error) {
	var config openConfig
	for _, opt := range opts {
		opt(&config)
	}

	options := C.usage_db_open_options_default()
	if d := config.busyTimeout; d != nil {
		if *d < 0 || *d > maxBusyTimeout {
			return options, invalidArgument("open", "invalid busy timeout %v: must be between 0 and %v", *d, maxBusyTimeout)
		}
		options.busy_timeout_ms = C.uint32_t(d.Milliseconds())
	}
	if d := config.durability; d != nil {
		options.durability = C.int32_t(*d)
	}
	return options, nil
}

// Close closes the database, rolling back an open transaction. It waits for calls in
// progress on other goroutines. Calling it again does nothing and returns nil.
func (db *DB) Close() error {
	db.cleanup.Stop()
	return db.h.close()
}

func (h *handle) close() error {
	h.lifetime.Lock()
	defer h.lifetime.Unlock()

	if h.ptr == nil {
		return nil
	}
	ptr := h.ptr
	h.ptr = nil
	return callC("close", func() C.UsageDbStatus { return C.usage_db_close(ptr) })
}

// call runs one C call on the handle: it checks ctx, takes the locks, rejects a closed
// handle or a finished Tx, and turns a failing status into an *Error.
func (o *ops) call(ctx context.Context, op string, call func(db *C.UsageDb) C.UsageDbStatus) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("usagedb: %s: %w", op, err)
	}

	if o.tx == nil {
		o.h.txGate.RLock()
		defer o.h.txGate.RUnlock()
	} else if o.tx.done.Load() {
		return ErrTxDone
	}
	o.h.lifetime.RLock()
	defer o.h.lifetime.RUnlock()

	if o.h.ptr == nil {
		return ErrClosed
	}
	// Waiting for the locks may have taken a while, so check once more.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("usagedb: %s: %w", op, err)
	}
	err := callC(op, func() C.UsageDbStatus { return call(o.h.ptr) })

	// o may point into a DB whose cleanup would close the handle; keep it reachable
	// until the C call has returned.
	runtime.KeepAlive(o)
	return err
}
