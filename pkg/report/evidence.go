package report

import "github.com/eutl/eutl/pkg/snapshot"

// EvidenceVerify is the result of `eutl evidence verify --format json`: a
// bundle whose answer was reproduced from its lists.
type EvidenceVerify struct {
	SchemaVersion int                `json:"schema_version"`
	Verified      bool               `json:"verified"`
	At            string             `json:"at"`
	Command       string             `json:"command"`
	Args          []string           `json:"args"`
	ExitCode      int                `json:"exit_code"`
	Statements    []string           `json:"statements,omitempty"`
	Files         []snapshot.File    `json:"files"`
	Anchors       snapshot.AnchorSet `json:"anchors"`
}

// EvidenceShow is the result of `eutl evidence show --format json`: the
// bundle's manifest as recorded, not verified.
type EvidenceShow struct {
	SchemaVersion int                `json:"schema_version"`
	Verified      bool               `json:"verified"`
	Note          string             `json:"note"`
	Manifest      *snapshot.Manifest `json:"manifest"`
}
