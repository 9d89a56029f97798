package usagedb

import (
	"errors"
	"strings"
	"testing"
)

func TestCodeNamesMatchLibrary(t *testing.T) {
	for code := CodeOK; code <= CodeInternal; code++ {
		want := libraryStatusName(code)
		got := "USAGE_DB_STATUS_" + strings.ToUpper(strings.ReplaceAll(code.String(), " ", "_"))
		if got != want {
			t.Errorf("code %d: Go name %q, library name %q", code, got, want)
		}
	}
	if got := Code(99).String(); got != "unknown code 99" {
		t.Errorf("Code(99).String() = %q", got)
	}
}

func TestErrorIsMatchesCode(t *testing.T) {
	err := error(&Error{Code: CodeBusy, Op: "begin", Message: "begin: database is locked"})

	if !errors.Is(err, ErrBusy) {
		t.Error("errors.Is(err, ErrBusy) = false")
	}
	if errors.Is(err, ErrNotFound) {
		t.Error("errors.Is(err, ErrNotFound) = true")
	}
	if !errors.Is(err, &Error{Code: CodeBusy, Op: "begin"}) {
		t.Error("an *Error with the same code and op does not match")
	}
	if errors.Is(err, &Error{Code: CodeBusy, Op: "commit"}) {
		t.Error("an *Error with another op matches")
	}
	if got, want := err.Error(), "usagedb: begin: database is locked (busy)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := ErrNotFound.Error(), "usagedb: not found"; got != want {
		t.Errorf("ErrNotFound.Error() = %q, want %q", got, want)
	}
}
