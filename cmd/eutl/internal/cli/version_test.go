package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/report"
)

// TestVersionBuildInfo: a `go install …@v1.2.3` binary reports the module
// version, commit and build time from its build info.
func TestVersionBuildInfo(t *testing.T) {
	old := readBuildInfo
	t.Cleanup(func() { readBuildInfo = old })
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/eutl/eutl", Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}, true
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), args, &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")}); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		for _, want := range []string{"eutl v1.2.3\n", "commit:        0123456789abcdef (modified)\n", "built:         2026-11-30T10:00:00Z\n", runtime.Version(), "C/2026/1944"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: no %q in\n%s", args, want, out.String())
			}
		}
	}
	var out bytes.Buffer
	Run(context.Background(), []string{"version", "--format", "json"}, &Env{Stdout: &out, Stderr: &out, Stdin: strings.NewReader("")})
	var v report.Version
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err, out.String())
	}
	if v.Version != "v1.2.3" || v.Commit != "0123456789abcdef" || !v.Modified || v.BuildTime != "2026-11-30T10:00:00Z" || v.GoVersion != runtime.Version() {
		t.Errorf("%+v", v)
	}
	// an -ldflags version wins over the module's
	Version = "v9.9.9"
	defer func() { Version = "dev" }()
	if v := versionInfo(); v.Version != "v9.9.9" {
		t.Errorf("ldflags version lost: %q", v.Version)
	}
}
