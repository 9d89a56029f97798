package usagedb

import (
	"runtime"
	"testing"
	"time"
)

// A DB that is dropped without Close still has its C handle closed by the cleanup.
func TestCleanupClosesDroppedDB(t *testing.T) {
	h := openAndDrop(t)

	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		h.lifetime.RLock()
		closed := h.ptr == nil
		h.lifetime.RUnlock()
		if closed {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the handle of a dropped DB was not closed within 5 s of garbage collection")
}

func openAndDrop(t *testing.T) *handle {
	t.Helper()
	db, err := Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	return db.h
}
