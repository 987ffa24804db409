package fetch

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"testing/iotest"
)

// TestReadSized: the announced size is read into one buffer of exactly that
// size; a reader holding less or more than announced is read as it is,
// within max; an unknown size reads too; more than max is refused.
func TestReadSized(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, tc := range []struct {
		name      string
		r         func() io.Reader
		size, max int64
		want      []byte
		over      bool
		exact     bool // cap(result) == len(result): one exact buffer
	}{
		{name: "exact", r: func() io.Reader { return bytes.NewReader(data) }, size: 10000, max: 20000, want: data, exact: true},
		{name: "exact at max", r: func() io.Reader { return bytes.NewReader(data) }, size: 10000, max: 10000, want: data, exact: true},
		{name: "one byte reads", r: func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }, size: 10000, max: 20000, want: data, exact: true},
		{name: "data with EOF", r: func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }, size: 10000, max: 20000, want: data, exact: true},
		{name: "shrank", r: func() io.Reader { return bytes.NewReader(data[:4000]) }, size: 10000, max: 20000, want: data[:4000]},
		{name: "empty", r: func() io.Reader { return bytes.NewReader(nil) }, size: 10000, max: 20000, want: []byte{}},
		{name: "grew", r: func() io.Reader { return bytes.NewReader(data) }, size: 4000, max: 20000, want: data},
		{name: "grew beyond max", r: func() io.Reader { return bytes.NewReader(data) }, size: 4000, max: 9999, over: true},
		{name: "grew by one at max", r: func() io.Reader { return bytes.NewReader(data) }, size: 9999, max: 9999, over: true},
		{name: "unknown", r: func() io.Reader { return bytes.NewReader(data) }, size: -1, max: 20000, want: data},
		{name: "unknown over max", r: func() io.Reader { return bytes.NewReader(data) }, size: -1, max: 9999, over: true},
		{name: "announced over max", r: func() io.Reader { return bytes.NewReader(data[:100]) }, size: 1 << 40, max: 9999, want: data[:100]},
		{name: "announced over max, holds more", r: func() io.Reader { return bytes.NewReader(data) }, size: 1 << 40, max: 9999, over: true},
	} {
		got, err := ReadSized(tc.r(), tc.size, tc.max)
		switch {
		case tc.over:
			if !errors.Is(err, ErrOverLimit) {
				t.Errorf("%s: %d bytes, %v; want ErrOverLimit", tc.name, len(got), err)
			}
		case err != nil || !bytes.Equal(got, tc.want):
			t.Errorf("%s: %d bytes, %v; want %d bytes", tc.name, len(got), err, len(tc.want))
		case tc.exact && cap(got) != len(got):
			t.Errorf("%s: buffer of %d bytes for %d", tc.name, cap(got), len(got))
		}
	}
	boom := errors.New("boom")
	if _, err := ReadSized(iotest.TimeoutReader(bytes.NewReader(data)), 10000, 20000); !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("a read error: %v", err)
	}
	if _, err := ReadSized(io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)), 10000, 20000); !errors.Is(err, boom) {
		t.Errorf("an error after the announced size: %v", err)
	}
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestReadsAllocateTheSize: a local file, a cache entry and an HTTP body
// with a Content-Length are read into one buffer of their size, not the
// doubling buffers of io.ReadAll (about twice the input).
func TestReadsAllocateTheSize(t *testing.T) {
	const size = 3<<20 + 12345 // just over a power of two: io.ReadAll would allocate ~2x
	data := bytes.Repeat([]byte{'x'}, size)
	dir := t.TempDir()
	path := filepath.Join(dir, "BE.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	const slack = 256 << 10
	var got []byte
	if n := allocated(func() { got, _ = ReadLocalFile(path, DefaultMaxSize) }); len(got) != size || n > size+slack {
		t.Errorf("ReadLocalFile: %d bytes read, %d allocated", len(got), n)
	}
	c := &Cache{Dir: dir}
	if n := allocated(func() { got, _, _ = c.Read("BE") }); len(got) != size || n > size+slack {
		t.Errorf("Cache.Read: %d bytes read, %d allocated", len(got), n)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.Write(data)
	}))
	defer srv.Close()
	cl := NewClient(Options{Transport: srv.Client().Transport})
	resp, err := cl.Get(t.Context(), srv.URL, Validators{}) // warm the connection
	if err != nil || len(resp.Body) != size {
		t.Fatalf("Get: %v", err)
	}
	if n := allocated(func() { resp, err = cl.Get(t.Context(), srv.URL, Validators{}) }); err != nil || len(resp.Body) != size || cap(resp.Body) != size || n > size+slack {
		t.Errorf("Client.Get: %v, %d bytes read, %d allocated", err, len(resp.Body), n)
	}
}
