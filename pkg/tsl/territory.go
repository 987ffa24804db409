package tsl

import "strings"

// TerritoryCode maps a country code to the territory code the EU Trusted
// Lists use (SchemeTerritory): ISO 3166-1 "GR" is "EL" (Greece) and "GB" is
// "UK", as in EU usage; other codes are only upper-cased and trimmed. It is
// the one definition of these aliases.
func TerritoryCode(country string) string {
	c := strings.ToUpper(strings.TrimSpace(country))
	switch c {
	case "GR":
		return "EL"
	case "GB":
		return "UK"
	}
	return c
}
