// Package cli is eutl's command tree. It parses flags, calls pkg/, renders
// the results and maps outcomes to exit codes (exitcode.go). It never calls
// os.Exit: Main returns the code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/internal/loadhook"
	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/trust"
)

// Version is set at build time with -ldflags "-X .../cli.Version=v1.2.3".
var Version = "dev"

// Env is what a run of eutl sees of the world. Tests replace parts of it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the wall clock (default time.Now).
	Now func() time.Time
	// StderrIsTerminal enables the progress bar (default: detected).
	StderrIsTerminal bool
	// StdinIsTerminal makes `batch -` print a prompt on stderr.
	StdinIsTerminal bool
	// StdoutWidth is the width of stdout's terminal; 0 when stdout is not a
	// terminal (tables are then not wrapped).
	StdoutWidth int
	// Getenv reads the environment (default os.Getenv).
	Getenv func(string) string
	// Dir, when set, is the directory relative file names are read from
	// (tests run many CLIs in one process); default the process's own.
	Dir string
	// Transport, when set, carries every HTTP request (tests route hosts to
	// a loopback server with it).
	Transport http.RoundTripper
	// RetryBaseDelay shortens the retry backoff (tests); 0 keeps the default.
	RetryBaseDelay time.Duration

	// replay is set when 'evidence verify' recomputes a recorded answer.
	replay *replaySpec
}

// path resolves a file name given on the command line.
func (g *globalOptions) path(p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) || g.env.Dir == "" {
		return p
	}
	return filepath.Join(g.env.Dir, p)
}

// globalOptions are the flags every command takes.
type globalOptions struct {
	env          *Env
	lotlURL      string
	trustAnchors string
	cacheDir     string
	offline      bool
	atFlag       string
	formatFlag   string
	timeout      time.Duration
	allowExpired bool
	quiet        bool
	verbose      bool
	wide         bool
	concurrency  int
	showVersion  bool
	cacheDirErr  error // no --cache-dir and no user cache directory
	snapshot     string
	keep         int

	at     time.Time
	now    time.Time
	format report.Format
	// anchorSet memoises anchors() (a command may verify several sets).
	anchorSet *trust.Anchors

	// Set by loadSet: what the last chain read (for snapshot create and
	// --evidence).
	rec         *snapshot.Recorder
	lastChain   *trust.ChainResult
	lastAnchors trust.Anchors
	lastLOTLURL string
	// ev collects an evidence bundle (--evidence); record asks loadSet to
	// keep the bytes verified (snapshot create).
	ev    *evidenceRun
	evErr error // --evidence cannot be written: a usage error
	// certInputs, when set, records the input files cert reads (--evidence).
	certInputs map[string][]byte
	record     bool
}

// Main runs eutl with args and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, args, &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, StderrIsTerminal: isTerminal(stderr),
		StdinIsTerminal: isTerminal(stdin), StdoutWidth: terminalWidth(stdout)})
}

// Run is Main with an explicit environment.
func Run(ctx context.Context, args []string, env *Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	g := &globalOptions{env: env}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	// Test hooks reach the library through the context only (internal).
	ctx = loadhook.With(ctx, loadhook.Hooks{Transport: env.Transport, RetryBaseDelay: env.RetryBaseDelay, Now: env.Now})
	prepareTree(root, args)
	cmd, err := root.ExecuteContextC(ctx)
	if cmd == nil {
		cmd = root
	}
	code := exitCode(err)
	if err != nil && err.Error() != "" {
		if code == ExitUsage {
			printError(env.Stderr, errors.New(oneLine(err.Error())))
			fmt.Fprintf(env.Stderr, "eutl: hint: see '%s --help'\n", cmd.CommandPath())
		} else {
			printError(env.Stderr, err)
		}
	}
	var ee *exitError
	if errors.As(err, &ee) && !g.quiet {
		for _, h := range ee.hints {
			fmt.Fprintln(env.Stderr, "eutl: hint: "+h)
		}
	}
	return code
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "eutl",
		Short: "Check qualified trust service providers against the verified EU Trusted Lists",
		Long: `eutl answers whether a trust service provider holds qualified (QTSP) status for a kind
of service according to the EU Trusted Lists, and proves the lists authentic: every list's
XAdES signature is verified and chained back to the LOTL signing certificates published in
the Official Journal of the EU.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: usageArgs(func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, ", "))
			}
			return errors.New(msg)
		}),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// cobra checks required flags and flag groups only after this
			// hook, with untyped errors: check them here, as usage errors.
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return usagef(err)
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return usagef(err)
			}
			g.envDefaults(cmd)
			return g.resolve()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.showVersion {
				return g.printVersion(cmd)
			}
			return cmd.Help()
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.Flags().BoolVar(&g.showVersion, "version", false, "print eutl's version (as 'eutl version')")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usagef(flagError(err)) })
	f := root.PersistentFlags()
	f.StringVar(&g.lotlURL, "lotl-url", eutl.DefaultLOTLURL, "where the List of Trusted Lists is fetched")
	f.StringVar(&g.trustAnchors, "trust-anchors", "", "PEM file of the certificates allowed to sign the LOTL (replaces the built-in Official Journal set)")
	f.StringVar(&g.cacheDir, "cache-dir", "", "where fetched lists and verification results are kept (default: the user cache dir/eutl)")
	f.BoolVar(&g.offline, "offline", false, "never touch the network; use only what is in the cache dir")
	f.StringVar(&g.atFlag, "at", "", "evaluate statuses and list freshness at this instant (RFC 3339 or YYYY-MM-DD, midnight UTC; default now)")
	f.StringVar(&g.formatFlag, "format", "table", "output format on stdout: table, json or csv")
	f.DurationVar(&g.timeout, "timeout", 30*time.Second, "timeout per HTTP request")
	f.BoolVar(&g.allowExpired, "allow-expired", false, "accept lists whose NextUpdate has passed (reported as expired, never silently)")
	f.BoolVarP(&g.quiet, "quiet", "q", false, "no progress or notes on stderr")
	f.BoolVarP(&g.verbose, "verbose", "v", false, "also print the notes about the lists that repeat every run (scheme operator names, signer profile)")
	f.BoolVar(&g.wide, "wide", false, "never wrap table cells to the terminal's width")
	f.IntVar(&g.concurrency, "concurrency", 8, "how many lists are fetched at once (verified: at most one per CPU at a time)")
	f.IntVar(&g.keep, "keep", 12, "how many verified versions of each list the cache's history keeps (0: none)")
	f.StringVar(&g.snapshot, "snapshot", "", "answer from this snapshot file or http(s) URL (every list verified again; no other network use)")

	root.AddCommand(newCheckCmd(g), newBatchCmd(g), newProvidersCmd(g), newShowCmd(g), newTypesCmd(g),
		newFetchCmd(g), newListsCmd(g), newVerifyCmd(g), newCertCmd(g), newTrustStoreCmd(g), newSnapshotCmd(g), newEvidenceCmd(g), newDiffCmd(g), newVersionCmd(g))
	registerCompletions(root, g)
	return root
}

// envDefaults lets EUTL_LOTL_URL, EUTL_TRUST_ANCHORS and EUTL_CACHE_DIR
// stand in for flags that are not given (for CI configuration).
func (g *globalOptions) envDefaults(cmd *cobra.Command) {
	for flag, env := range map[string]string{"lotl-url": "EUTL_LOTL_URL", "trust-anchors": "EUTL_TRUST_ANCHORS", "cache-dir": "EUTL_CACHE_DIR", "snapshot": "EUTL_SNAPSHOT"} {
		if v := g.env.Getenv(env); v != "" && !cmd.Flags().Changed(flag) {
			cmd.Flags().Set(flag, v)
		}
	}
}

// resolve checks and converts the global flags.
func (g *globalOptions) resolve() error {
	var err error
	if g.format, err = report.ParseFormat(g.formatFlag); err != nil {
		return usagef(err)
	}
	g.now = g.env.Now().UTC()
	g.at = g.now
	if g.atFlag != "" {
		if g.at, err = query.ParseAt(g.atFlag); err != nil {
			return usagef(fmt.Errorf("--at: %w", err))
		}
	}
	if g.timeout <= 0 {
		return usagef(fmt.Errorf("--timeout must be positive, got %s", g.timeout))
	}
	if g.concurrency < 1 || g.concurrency > eutl.MaxConcurrency {
		return usagef(fmt.Errorf("--concurrency must be between 1 and %d, got %d", eutl.MaxConcurrency, g.concurrency))
	}
	if g.keep < 0 || g.keep > 10000 {
		return usagef(fmt.Errorf("--keep must be between 0 and 10000, got %d", g.keep))
	}
	if g.snapshot != "" && g.offline && snapshot.IsURL(g.snapshot) {
		return usagef(fmt.Errorf("--snapshot %s is a URL and --offline forbids the network: give a snapshot file", g.snapshot))
	}
	if g.cacheDir != "" {
		g.cacheDir = g.path(g.cacheDir)
	} else {
		dir, err := eutl.DefaultCacheDir()
		if err != nil {
			// only an error for the commands that use the cache
			g.cacheDirErr = usagef(fmt.Errorf("no user cache directory (%v): pass --cache-dir", err))
		}
		g.cacheDir = dir
	}
	if g.allowExpired {
		g.warn("--allow-expired is set: lists past their NextUpdate are used and reported as expired")
	}
	return nil
}

// overrides lists the safety overrides in force, for JSON output.
func (g *globalOptions) overrides() []string {
	if g.env.replay != nil {
		return g.env.replay.overrides
	}
	var out []string
	if g.allowExpired {
		out = append(out, "allow-expired")
	}
	if g.trustAnchors != "" {
		out = append(out, "trust-anchors:"+g.trustAnchors)
	}
	return out
}

// prepareTree adds cobra's help and completion commands now (cobra would
// add them during Execute) and makes every argument error a usage error by
// its type: each command's Args validator is wrapped.
func prepareTree(root *cobra.Command, args []string) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Run = nil
			c.RunE = func(c *cobra.Command, args []string) error {
				target, rest, err := c.Root().Find(args)
				if err != nil || target == nil || len(rest) > 0 && target == c.Root() {
					return usagef(fmt.Errorf("unknown help topic %q", strings.Join(args, " ")))
				}
				return target.Help()
			}
		}
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return usagef(errors.New("name a shell: bash, zsh, fish or powershell"))
				}
				return usagef(fmt.Errorf("no completion for shell %q (want bash, zsh, fish or powershell)", args[0]))
			}
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Args != nil {
			c.Args = usageArgs(c.Args)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// usageArgs makes the errors of an argument validator usage errors, in
// words and with the command's usage line.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			var ue *usageError
			if errors.As(err, &ue) {
				return err
			}
			msg := strings.ReplaceAll(err.Error(), "arg(s)", "argument(s)")
			if strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires ") {
				msg = fmt.Sprintf("%s %s (usage: %s)", cmd.CommandPath(), msg, strings.TrimSuffix(cmd.UseLine(), " [flags]"))
			}
			return usagef(errors.New(msg))
		}
		return nil
	}
}

// badFlagValue is pflag's message for a value it cannot parse.
var badFlagValue = regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: .*$`)

// flagError says in words what a flag's value should have been, instead
// of the Go parser's message (strconv.ParseInt: parsing "x": ...).
func flagError(err error) error {
	m := badFlagValue.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	want := "another value"
	switch {
	case strings.Contains(err.Error(), "ParseInt"), strings.Contains(err.Error(), "ParseUint"):
		want = "a whole number"
	case strings.Contains(err.Error(), "ParseBool"):
		want = "true or false"
	case strings.Contains(err.Error(), "time: "):
		want = "a duration such as 30s or 2m"
	}
	flag := m[2]
	if i := strings.LastIndex(flag, "--"); i >= 0 {
		flag = flag[i:] // "-q, --quiet" names the long form
	}
	return fmt.Errorf("%s: %q is not valid: want %s", flag, m[1], want)
}
