package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

// VersionInfo is what `eutl version` prints (JSON with --format json).
type VersionInfo struct {
	SchemaVersion int    `json:"schema_version"`
	Version       string `json:"version"`
	Commit        string `json:"commit"`
	Modified      bool   `json:"modified"`
	BuildTime     string `json:"build_time"`
	GoVersion     string `json:"go_version"`
	Platform      string `json:"platform"`
	Anchors       string `json:"anchors"`
}

// readBuildInfo is debug.ReadBuildInfo (tests replace it).
var readBuildInfo = debug.ReadBuildInfo

// versionInfo combines the -ldflags Version with the module build info:
// `go install …@v1.2.3` records the module version, a build in a git
// checkout the commit and its time.
func versionInfo() VersionInfo {
	v := VersionInfo{SchemaVersion: report.SchemaVersion, Version: Version, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, Anchors: trust.OfficialJournalNotice}
	bi, ok := readBuildInfo()
	if !ok {
		return v
	}
	if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.BuildTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print eutl's version, commit, build time, Go version and the pinned trust anchors",
		Example: `  eutl version
  eutl version --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.printVersion(cmd)
		},
	}
}

// printVersion serves `eutl version` and `eutl --version`.
func (g *globalOptions) printVersion(cmd *cobra.Command) error {
	v := versionInfo()
	w := cmd.OutOrStdout()
	if g.format == report.JSON {
		return report.WriteJSON(w, v)
	}
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	commit := or(v.Commit, "unknown")
	if v.Modified {
		commit += " (modified)"
	}
	_, err := fmt.Fprintf(w, "eutl %s\ncommit:        %s\nbuilt:         %s\ngo:            %s %s\ntrust anchors: %s (built in)\n",
		v.Version, commit, or(v.BuildTime, "unknown"), v.GoVersion, v.Platform, v.Anchors)
	return err
}
