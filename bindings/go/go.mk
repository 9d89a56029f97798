# The Go binding: vet it and run its tests, with the race detector, against the release
# library. cgo links target/release/libusage_db.so with an rpath, so no LD_LIBRARY_PATH.

GO ?= go

.PHONY: test-go

test-go: lib
	cd bindings/go && $(GO) vet ./...
	cd bindings/go && $(GO) test -race -count=1 ./...

TEST_TARGETS += test-go
