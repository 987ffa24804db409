package query

import (
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/trust"
)

// verifiedIn reports whether a verified list of country (of any territory
// when country is "") is indexed and usable at at.
func (ix *Index) verifiedIn(country string, at time.Time) bool {
	for _, l := range ix.lists {
		if (country == "" || l.info.Territory == country) && ix.usableAt(l, at) {
			return true
		}
	}
	return false
}

// noVerifiedReason is the reason of an answer for which no list that could
// hold the provider verified: there is nothing that "verified lists say".
func noVerifiedReason(failed []FailedList) string {
	var fs []string
	for _, f := range failed {
		fs = append(fs, f.Territory+" ("+string(f.Verdict)+")")
	}
	if len(failed) == 1 && failed[0].Territory == "EU" && failed[0].Verdict == trust.FetchFailed {
		return "no answer: nothing could be fetched (the LOTL could not be fetched), so no list was verified"
	}
	return "no answer: no list that could hold the provider was verified: " + strings.Join(fs, ", ") + " could not be used"
}
