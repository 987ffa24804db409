package cli

import (
	"context"
	"errors"
	"io/fs"
	"syscall"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/trust"
)

// Exit codes: a contract, documented in README.md and cmd/eutl/doc.go.
//
//	0  check/batch: every query answered qualified from verified lists;
//	   other commands: success
//	1  unexpected internal error (a bug)
//	2  usage or environment error: unknown flag or command, missing argument
//	   or required flag, bad service alias, unreadable input, bad date, a
//	   --cache-dir that is not a writable directory
//	3  check/batch: at least one query answered not qualified, from verified lists;
//	   diff: some change matches the filters (ExitChanged)
//	4  trust failure: a list needed for the answer did not verify
//	5  a list needed for the answer could not be fetched and no verified cached
//	   copy may stand in for it
//	130  interrupted (Ctrl-C, SIGTERM), as shells report it
const (
	ExitOK           = 0
	ExitInternal     = 1
	ExitUsage        = 2
	ExitNotQualified = 3
	ExitTrust        = 4
	ExitFetch        = 5
	ExitInterrupted  = 130
)

// usageError is a mistake in how eutl was called.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(err error) error { return &usageError{err} }

// exitError carries an exit code for an outcome that is already reported on
// stdout (a failed verdict, a negative answer); its message, if any, goes to
// stderr.
type exitError struct {
	code  int
	msg   string
	hints []string
}

func (e *exitError) Error() string { return e.msg }

// exitCode is the one place that maps outcomes to exit codes. It decides
// by the error's type, never by when the error happened.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue *usageError
	var ce *eutl.ConfigError
	var te *eutl.TerritoryError
	if errors.As(err, &ue) || errors.As(err, &ce) || errors.As(err, &te) {
		return ExitUsage
	}
	var le *trust.ListError
	if errors.As(err, &le) {
		return verdictCode(le.Verdict)
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	if environmentProblem(err) {
		return ExitUsage
	}
	var cacheErr *fetch.CacheError
	if errors.As(err, &cacheErr) {
		return ExitUsage // the environment: a cache dir that cannot be used
	}
	return ExitInternal
}

// environmentProblem: a path the user gave (the cache dir) is not a
// directory, cannot be created or is not writable. Lists that could not be
// read are trust.ListErrors and classified above.
func environmentProblem(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) ||
		errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EISDIR)
}

// verdictCode maps a failed list verdict to 4 or 5.
func verdictCode(v trust.Verdict) int {
	switch v {
	case trust.Valid:
		return ExitOK
	case trust.FetchFailed:
		return ExitFetch
	}
	return ExitTrust
}

// worse orders exit codes as the contract does for batch: 1 > 4 > 5 > 3 > 0
// (2 is decided before anything runs).
func worse(a, b int) int {
	rank := map[int]int{ExitOK: 0, ExitNotQualified: 1, ExitFetch: 2, ExitTrust: 3, ExitInternal: 4, ExitUsage: 5, ExitInterrupted: 6}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
