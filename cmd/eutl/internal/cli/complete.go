package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

// euTerritories are the territories of the EU and EEA as Trusted Lists
// name them (EL for Greece): completion offers them when no LOTL is cached.
var euTerritories = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
	"IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"}

// registerCompletions makes shell completion complete flag values: the
// output formats, the service aliases, the territories.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	root.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table\tfor people", "json\tone JSON document (batch: JSON Lines)", "csv\tCSV with a header"}, cobra.ShellCompDirectiveNoFileComp
	})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("service") != nil {
			c.RegisterFlagCompletionFunc("service", completeService)
		}
		if c.Flags().Lookup("country") != nil {
			c.RegisterFlagCompletionFunc("country", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				return g.completeCountry(cmd), cobra.ShellCompDirectiveNoFileComp
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func completeService(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, k := range query.Aliases() {
		meaning := ""
		if st := tsl.LookupServiceType(k.TypeURI); st != nil {
			meaning = st.Meaning
		}
		if k.Scope != "" {
			meaning += ", declared for " + query.Tail(k.Scope)
		}
		out = append(out, k.Alias+"\t"+meaning)
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeCountry offers the territories of the cached LOTL (unverified:
// this is only a suggestion), else the EU/EEA territories.
func (g *globalOptions) completeCountry(cmd *cobra.Command) []string {
	dir, _ := cmd.Flags().GetString("cache-dir")
	if dir == "" {
		dir = g.env.Getenv("EUTL_CACHE_DIR")
	}
	if dir == "" {
		if ucd, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(ucd, "eutl")
		}
	}
	if dir != "" {
		if data, err := os.ReadFile(filepath.Join(g.path(dir), "lotl.xml")); err == nil {
			if l, err := trust.ReadHead(data); err == nil { // the pointers are in the head
				seen := map[string]bool{}
				var out []string
				for _, p := range l.Pointers {
					t := strings.TrimSpace(p.Territory)
					if p.Type == tsl.TypeEUGeneric && t != "" && !seen[t] {
						seen[t] = true
						out = append(out, t)
					}
				}
				if len(out) > 0 {
					sort.Strings(out)
					return out
				}
			}
		}
	}
	return euTerritories
}
