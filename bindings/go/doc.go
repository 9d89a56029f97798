// Package usagedb is the Go binding of usage_db, an embeddable store for a computing
// platform's hourly CPU time, energy (kWh) and carbon (gCO2eq), per platform ("ada"),
// cloud project, machine and user. It calls the C library libusage_db through cgo; the
// C header include/usage_db.h is the contract that every method here follows.
//
// # Context
//
// Every method that touches the database takes a [context.Context]. The context is
// checked before the call and again just before the C call starts. A call that is
// already running inside the library is not interrupted when the context is cancelled,
// because the library has no cancellation hook. So a long query, or a wait for another
// connection's lock (up to the busy timeout), runs to its end.
//
// NOTE: waiting for another goroutine's InTx to finish is not interrupted by the
// context either.
//
// # Goroutines
//
// One *DB may be shared by any number of goroutines. The library serialises the calls
// on a handle, so they do not run in parallel. Transactions belong to the handle, not
// to a goroutine: see [DB.Begin] and [DB.InTx].
//
// # Errors
//
// Failures reported by the library are *[Error] values carrying a [Code] and the
// library's one-line message, which names the operation, the parameter and the value.
// Compare them with errors.Is against the sentinels such as [ErrInvalidArgument] and
// [ErrNotFound]. A method called after [DB.Close] returns [ErrClosed].
package usagedb
