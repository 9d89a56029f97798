package usagedb

/*
#include "usage_db.h"
*/
import "C"

import (
	"errors"
	"fmt"
)

// Code is a status code of the C library (UsageDbStatus). The numbers are part of the
// library's ABI and never change.
type Code int32

// The status codes, in the order and with the numbers of include/usage_db.h.
const (
	CodeOK                Code = C.USAGE_DB_STATUS_OK
	CodeInvalidArgument   Code = C.USAGE_DB_STATUS_INVALID_ARGUMENT
	CodeNotFound          Code = C.USAGE_DB_STATUS_NOT_FOUND
	CodeConstraint        Code = C.USAGE_DB_STATUS_CONSTRAINT
	CodeBusy              Code = C.USAGE_DB_STATUS_BUSY
	CodeTransactionState  Code = C.USAGE_DB_STATUS_TRANSACTION_STATE
	CodeSQLError          Code = C.USAGE_DB_STATUS_SQL_ERROR
	CodeReadOnlyViolation Code = C.USAGE_DB_STATUS_READ_ONLY_VIOLATION
	CodeIOError           Code = C.USAGE_DB_STATUS_IO_ERROR
	CodeNotADatabase      Code = C.USAGE_DB_STATUS_NOT_A_DATABASE
	CodeSchemaTooNew      Code = C.USAGE_DB_STATUS_SCHEMA_TOO_NEW
	CodeInternal          Code = C.USAGE_DB_STATUS_INTERNAL
)

var codeNames = map[Code]string{
	CodeOK:                "ok",
	CodeInvalidArgument:   "invalid argument",
	CodeNotFound:          "not found",
	CodeConstraint:        "constraint",
	CodeBusy:              "busy",
	CodeTransactionState:  "transaction state",
	CodeSQLError:          "sql error",
	CodeReadOnlyViolation: "read only violation",
	CodeIOError:           "io error",
	CodeNotADatabase:      "not a database",
	CodeSchemaTooNew:      "schema too new",
	CodeInternal:          "internal",
}

// String returns the code's name in lower case, such as "invalid argument".
func (c Code) String() string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return fmt.Sprintf("unknown code %d", int32(c))
}

// libraryStatusName returns the C library's name for a code, such as
// "USAGE_DB_STATUS_BUSY", so tests can check the Go names against it.
func libraryStatusName(c Code) string {
	return C.GoString(C.usage_db_status_name(C.int32_t(c)))
}

// Error is a failure reported by the library, or an argument the binding rejected
// before calling it.
type Error struct {
	// Code is the library's status code.
	Code Code
	// Op is the library operation that failed, such as "insert_fact_usage".
	Op string
	// Message is the library's one-line message naming the operation, the parameter and
	// the value.
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "usagedb: " + e.Code.String()
	}
	return fmt.Sprintf("usagedb: %s (%s)", e.Message, e.Code)
}

// Is reports whether target is an *Error with the same code whose Op and Message, where
// set, are equal to e's. The sentinels below set only the code, so
// errors.Is(err, ErrNotFound) matches every not-found failure.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code &&
		(t.Op == "" || t.Op == e.Op) &&
		(t.Message == "" || t.Message == e.Message)
}

// Sentinels for errors.Is, one per failure code.
var (
	ErrInvalidArgument   = &Error{Code: CodeInvalidArgument}
	ErrNotFound          = &Error{Code: CodeNotFound}
	ErrConstraint        = &Error{Code: CodeConstraint}
	ErrBusy              = &Error{Code: CodeBusy}
	ErrTransactionState  = &Error{Code: CodeTransactionState}
	ErrSQL               = &Error{Code: CodeSQLError}
	ErrReadOnlyViolation = &Error{Code: CodeReadOnlyViolation}
	ErrIO                = &Error{Code: CodeIOError}
	ErrNotADatabase      = &Error{Code: CodeNotADatabase}
	ErrSchemaTooNew      = &Error{Code: CodeSchemaTooNew}
	ErrInternal          = &Error{Code: CodeInternal}
)

// ErrClosed is returned by every method of a DB after Close.
var ErrClosed = errors.New("usagedb: database is closed")

// ErrTxDone is returned by a Tx used after its InTx call returned.
var ErrTxDone = errors.New("usagedb: transaction has already been committed or rolled back")

// invalidArgument builds the error for an argument the binding rejects itself, in the
// library's message form.
func invalidArgument(op, format string, args ...any) *Error {
	return &Error{
		Code:    CodeInvalidArgument,
		Op:      op,
		Message: op + ": " + fmt.Sprintf(format, args...),
	}
}
