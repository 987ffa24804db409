package report

import (
	"fmt"
	"io"
)

// Version is the result of `eutl version`.
type Version struct {
	SchemaVersion int    `json:"schema_version"`
	Version       string `json:"version"`
	Commit        string `json:"commit"`
	Modified      bool   `json:"modified"`
	BuildTime     string `json:"build_time"`
	GoVersion     string `json:"go_version"`
	Platform      string `json:"platform"`
	Anchors       string `json:"anchors"`
}

// WriteVersion renders the version: JSON, or one field a line.
func WriteVersion(w io.Writer, f Format, v Version) error {
	if f == JSON {
		return WriteJSON(w, v)
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
