package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// WriteManPages writes a man page (section 1) for eutl and every command
// into dir, generated from the command tree (`make man`).
func WriteManPages(dir string) error {
	g := &globalOptions{env: &Env{}}
	root := newRootCmd(g)
	prepareTree(root, nil)
	root.DisableAutoGenTag = true // reproducible pages
	return doc.GenManTree(root, &doc.GenManHeader{Title: "EUTL", Section: "1", Source: "eutl " + Version, Manual: "eutl manual"}, dir)
}

// commandPaths lists every command of the tree that gets a man page.
func commandPaths(c *cobra.Command) []string {
	if !c.IsAvailableCommand() && c.HasParent() {
		return nil
	}
	out := []string{c.CommandPath()}
	for _, sub := range c.Commands() {
		out = append(out, commandPaths(sub)...)
	}
	return out
}
