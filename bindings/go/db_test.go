package usagedb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"usagedb"
)

func TestVersionFormat(t *testing.T) {
	if v := usagedb.Version(); !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(v) {
		t.Errorf("Version() = %q, want a semantic version", v)
	}
}

func TestOpenFileKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	db, err := usagedb.Open(path, usagedb.WithBusyTimeout(2*time.Second), usagedb.WithDurability(usagedb.DurabilityFull))
	if err != nil {
		t.Fatal(err)
	}
	id := must(db.GetOrCreateGroup(ctx, "Research"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	reopened, err := usagedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if again := must(reopened.GetOrCreateGroup(ctx, "Research")); again != id {
		t.Errorf("group id after reopening = %d, want %d", again, id)
	}
}

func TestOpenRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	notADatabase := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notADatabase, []byte("these are not the pages of a database, just text\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		path     string
		opts     []usagedb.Option
		sentinel error
		fragment string
	}{
		{"missing directory", filepath.Join(dir, "missing", "x.db"), nil, usagedb.ErrIO, "open: path"},
		{"text file", notADatabase, nil, usagedb.ErrNotADatabase, "notes.txt"},
		{"empty path", "", nil, usagedb.ErrInvalidArgument, "the path is empty"},
		{"NUL in path", "a\x00b", nil, usagedb.ErrInvalidArgument, `invalid path "a\x00b": contains a NUL byte`},
		{"negative busy timeout", ":memory:", []usagedb.Option{usagedb.WithBusyTimeout(-time.Second)}, usagedb.ErrInvalidArgument, "invalid busy timeout -1s"},
		{"unknown durability", ":memory:", []usagedb.Option{usagedb.WithDurability(7)}, usagedb.ErrInvalidArgument, "invalid durability 7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := usagedb.Open(c.path, c.opts...)
			if db != nil {
				t.Errorf("Open returned a DB with error %v", err)
			}
			wantError(t, err, c.sentinel, c.fragment)
		})
	}

	data, err := os.ReadFile(notADatabase)
	if err != nil || string(data) != "these are not the pages of a database, just text\n" {
		t.Errorf("the text file changed: %q, %v", data, err)
	}
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	db, err := usagedb.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if _, err := db.GetOrCreateGroup(ctx, "Research"); !errors.Is(err, usagedb.ErrClosed) {
		t.Errorf("GetOrCreateGroup after Close: %v, want ErrClosed", err)
	}
	if _, err := db.Query(ctx, "SELECT 1", nil); !errors.Is(err, usagedb.ErrClosed) {
		t.Errorf("Query after Close: %v, want ErrClosed", err)
	}
	if err := db.Begin(ctx); !errors.Is(err, usagedb.ErrClosed) {
		t.Errorf("Begin after Close: %v, want ErrClosed", err)
	}
	if err := db.InTx(ctx, func(*usagedb.Tx) error { return nil }); !errors.Is(err, usagedb.ErrClosed) {
		t.Errorf("InTx after Close: %v, want ErrClosed", err)
	}
}

func TestCloseRollsBackOpenTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	db := must(usagedb.Open(path))
	if err := db.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	must(db.GetOrCreateGroup(ctx, "Research"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	reopened := must(usagedb.Open(path))
	defer reopened.Close()
	rows := must(reopened.Query(ctx, "SELECT group_name FROM dim_group", nil))
	if len(rows) != 0 {
		t.Errorf("groups after closing inside a transaction = %v, want none", rows)
	}
}

func TestCancelledContextSkipsCall(t *testing.T) {
	db := openMemory(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	_, err := db.GetOrCreateGroup(cancelled, "Research")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	rows := must(db.Query(ctx, "SELECT group_name FROM dim_group", nil))
	if len(rows) != 0 {
		t.Errorf("groups after a cancelled call = %v, want none", rows)
	}
}
