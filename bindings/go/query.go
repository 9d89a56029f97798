package usagedb

/*
#include "usage_db.h"
*/
import "C"

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// paramsJSON encodes the parameters of Query and ExecuteWrite: nil for none, a slice
// for positional ? parameters, or a map for named :name, @name or $name parameters.
func paramsJSON(args *cArgs, params any) (*C.char, error) {
	if params == nil {
		return nil, nil
	}
	encoded, err := json.Marshal(params)
	if err != nil {
		return nil, invalidArgument(args.op, "invalid params %v: %v", params, err)
	}
	p := args.text("params_json", string(encoded))
	return p, args.err
}

// Query runs exactly one read-only SQL statement and returns its rows, one map per row
// keyed by column name. Numbers are json.Number, so integers beyond 2^53 keep every
// digit; SQL NULL is nil. params is nil, a slice or a map (see the library's usage_db_q).
//
// A statement that could write, attach a file, control a transaction or change a
// setting returns ErrReadOnlyViolation and is not run. More than one statement or bad
// params return ErrInvalidArgument, and SQL that does not prepare returns ErrSQL. Views
// named v_* are the stable interface.
func (o *ops) Query(ctx context.Context, sql string, params any) ([]map[string]any, error) {
	const op = "q"

	args := newCArgs(op)
	defer args.free()
	cSQL := args.text("sql", sql)
	if args.err != nil {
		return nil, args.err
	}
	cParams, err := paramsJSON(args, params)
	if err != nil {
		return nil, err
	}

	var out *C.char
	err = o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_q(db, cSQL, cParams, &out)
	})
	if err != nil {
		return nil, err
	}
	return decodeRows(op, takeString(out))
}

func decodeRows(op, text string) ([]map[string]any, error) {
	decoder := json.NewDecoder(bytes.NewReader([]byte(text)))
	decoder.UseNumber()

	var rows []map[string]any
	if err := decoder.Decode(&rows); err != nil {
		return nil, fmt.Errorf("usagedb: %s: decoding the library's JSON result: %w", op, err)
	}
	return rows, nil
}

// ExecuteWrite runs exactly one SQL statement that may write, atomically, and returns
// the number of rows it changed. Parameters are as for Query. The schema's constraints
// still apply; transaction control and ATTACH/DETACH return ErrSQL. It is meant for
// maintenance such as deleting old facts, not for user-supplied text.
func (o *ops) ExecuteWrite(ctx context.Context, sql string, params any) (int64, error) {
	const op = "execute_write"

	args := newCArgs(op)
	defer args.free()
	cSQL := args.text("sql", sql)
	if args.err != nil {
		return 0, args.err
	}
	cParams, err := paramsJSON(args, params)
	if err != nil {
		return 0, err
	}

	var changes C.int64_t
	err = o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_execute_write(db, cSQL, cParams, &changes)
	})
	return int64(changes), err
}
