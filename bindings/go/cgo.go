package usagedb

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../target/release -lusage_db -Wl,-rpath,${SRCDIR}/../../target/release
#include <stdlib.h>
#include "usage_db.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// callC runs one C call and turns a failing status into an *Error. The goroutine stays
// on one OS thread from the call to the read of usage_db_last_error, because the library
// keeps that message per OS thread: a goroutine that moved in between would read another
// thread's message.
func callC(op string, call func() C.UsageDbStatus) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	status := call()
	if status == C.USAGE_DB_STATUS_OK {
		return nil
	}
	return &Error{
		Code:    Code(status),
		Op:      op,
		Message: C.GoString(C.usage_db_last_error()),
	}
}

// cArgs converts Go strings to C strings for one call and frees them all afterwards.
// The first rejected string is kept in err, so a caller converts every argument and
// checks once.
type cArgs struct {
	op    string
	owned []*C.char
	err   error
	// rejection is err's message without the operation, for callers that add context.
	rejection string
}

func newCArgs(op string) *cArgs {
	return &cArgs{op: op}
}

// text returns value as a C string. A NUL byte would silently cut the string short in
// C, so it is rejected here.
func (a *cArgs) text(field, value string) *C.char {
	if a.err != nil {
		return nil
	}
	if strings.IndexByte(value, 0) >= 0 {
		a.rejection = fmt.Sprintf("invalid %s %q: contains a NUL byte", field, value)
		a.err = invalidArgument(a.op, "%s", a.rejection)
		return nil
	}

	p := C.CString(value)
	a.owned = append(a.owned, p)
	return p
}

// optionalText returns NULL for a nil value and text(*value) otherwise.
func (a *cArgs) optionalText(field string, value *string) *C.char {
	if value == nil {
		return nil
	}
	return a.text(field, *value)
}

func (a *cArgs) free() {
	for _, p := range a.owned {
		C.free(unsafe.Pointer(p))
	}
	a.owned = nil
}

// optionalInt64 returns NULL for a nil value, otherwise a pointer to a C copy. The copy
// lives in Go memory, which cgo allows because it holds no Go pointers.
func optionalInt64(value *int64) *C.int64_t {
	if value == nil {
		return nil
	}
	v := C.int64_t(*value)
	return &v
}

// takeString copies a string returned by the library and frees the original.
func takeString(p *C.char) string {
	defer C.usage_db_string_free(p)
	return C.GoString(p)
}

// Version returns the C library's version, such as "0.1.0".
func Version() string {
	return C.GoString(C.usage_db_version())
}
