package cli

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

// readBuildInfo is debug.ReadBuildInfo (tests replace it).
var readBuildInfo = debug.ReadBuildInfo

// versionInfo combines the -ldflags Version with the module build info:
// `go install …@v1.2.3` records the module version, a build in a git
// checkout the commit and its time.
func versionInfo() report.Version {
	v := report.Version{SchemaVersion: report.SchemaVersion, Version: Version, GoVersion: runtime.Version(),
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
	return report.WriteVersion(cmd.OutOrStdout(), g.format, versionInfo())
}
