package trust

// Anchors are the certificates allowed to sign the LOTL at the start of the
// chain: the Official Journal set, or the set a pivot LOTL announced.
type Anchors struct {
	// Name says where the set comes from, for reports.
	Name string
	// SHA256 are fingerprints of allowed certificates (lower-case hex).
	SHA256 []string
	// DER are allowed certificates in full.
	DER [][]byte
}

// OfficialJournalNotice names the notice the built-in anchors come from.
const OfficialJournalNotice = "OJ C/2026/1944 (15.4.2026), https://eur-lex.europa.eu/eli/C/2026/1944/oj"

// OfficialJournalURI is the URI by which the LOTL names that notice in its
// SchemeInformationURI.
const OfficialJournalURI = "https://eur-lex.europa.eu/eli/C/2026/1944/oj"

// BuiltinAnchors returns the LOTL signing certificates published in the
// Official Journal of the EU, notice C/2026/1944 of 15 April 2026
// ("Information related to data on Member States' trusted lists as notified
// under Commission Implementing Decision (EU) 2015/1505 as amended by
// Commission Implementing Decision (EU) 2025/2164"), pinned by the SHA-256 of
// their DER encoding. They equal the six certificates the LOTL (seq 378 to
// 390) lists in its pointer to itself.
//
// To rotate them after a new notice: replace the fingerprints below with the
// ones printed in the new notice, update OfficialJournalNotice and
// OfficialJournalURI, and update TestBuiltinAnchors. Until a release carries
// the new set, --trust-anchors FILE replaces it.
func BuiltinAnchors() Anchors {
	return Anchors{
		Name: OfficialJournalNotice,
		SHA256: []string{
			"c0641c4f7d56c431b1c924742db7fce9c1eef7d7fd212113a2768486b3abcdc5", // IOANNA KALOGEROPOULOU, European Commission
			"e0a620fbb6747362bb933ac44169d676a553444716cf5f31605f12a22b8396b1", // EUROPEAN COMMISSION, DG DIGIT (digit-dmo)
			"df7e29360c34b2b8d6d5f40325c1d4d12c9922cecd33b7407674a74b2b3ca1e5", // VICENTE ANDREU NAVARRO, European Commission
			"b63d416744e7098bf9ec2caa596a93bc2468e37f8284ba65ecc061711bcbaa18", // APOSTOLOS APLADAS, European Commission
			"236103f03a8031ae8f47f9059bf8de38564cdbfebedde4a597d50f8980aa653b", // EUROPEAN COMMISSION, DG DIGIT (EU-TRUST)
			"d2064fdd70f6982dcc516b86d9d5c56aea939417c624b2e478c0b29de54f8474", // Patrick Kremer
		},
	}
}
