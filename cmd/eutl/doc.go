/*
Eutl answers whether a trust service provider holds qualified (QTSP) status
for a kind of service according to the EU Trusted Lists, and proves that the
lists it answered from were authentic: every list's XAdES signature is
verified and chained back to the LOTL signing certificates published in the
Official Journal of the EU.

Usage:

	eutl check --provider NAME --service TYPE [--country CC] [--at TIME]
	eutl batch FILE|-
	eutl providers [QUERY] [--country CC] [--service TYPE] [--qualified]
	eutl show PROVIDER [--country CC]
	eutl types
	eutl fetch
	eutl lists
	eutl verify FILE [--cert PEM ... | --lotl LOTLFILE]
	eutl diff [OLD NEW] [--since DATE] [--provider P] [--country CC] [--service TYPE]
	eutl version
	eutl snapshot create FILE
	eutl --snapshot FILE|URL COMMAND ...
	eutl check|batch ... --evidence FILE
	eutl evidence verify FILE
	eutl evidence show FILE

# Exit codes

	0  check/batch: every query answered qualified, from verified lists;
	   other commands: success
	1  unexpected internal error (a bug, a panic: please report it)
	2  usage or environment error: unknown flag or command, missing argument
	   or required flag, bad service alias, unreadable input file, malformed
	   date, malformed batch rows (nothing looked up), a --cache-dir that is
	   not a writable directory or holds a damaged eutl-cache.json or
	   state.json; decided by the error's type
	3  check/batch: at least one query answered not qualified, and every
	   list that could hold the answer was verified; diff: some change
	   matches the filters (0: none does)
	4  trust failure: a list needed for the answer did not verify
	5  a list needed for the answer could not be fetched, and no verified
	   cached copy may stand in for it
	130  interrupted (Ctrl-C, SIGTERM)

A snapshot or evidence bundle whose manifest disagrees with its bytes, that
is truncated or holds a refused member name is exit 4 (naming the member), as
is a bundle whose recorded answer is not what its lists say; one of a newer
format is exit 2. evidence verify exits with the recorded exit code when it
reproduces the answer.

# Output formats

--format table (default), json or csv. stdout carries only results;
progress, warnings and errors go to stderr. JSON documents carry a top-level
schema_version; fields are only ever added.

# Cache

Fetched lists are kept, exactly as received and only once verified, in
--cache-dir (default the user cache directory /eutl): lotl.xml,
<TERRITORY>.xml, pivot LOTLs in pivots/, metadata in meta/, rollback state
in state.json, and every verified version accepted in
history/<NAME>/<SEQUENCE>.xml (--keep N per list, default 12), which diff
reads. --offline reads only that directory, which may also be prepared by
hand (the LOTL as lotl.xml or eu-lotl.xml, pivots at the top level). No
operation follows a link out of the directory. Cached lists are verified
again on every use.

See README.md for the full contract.
*/
package main
