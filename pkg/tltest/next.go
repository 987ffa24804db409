package tltest

import "time"

// Next returns the world after one more issue of every list, signed by the
// same keys: the LOTL and each list get the next sequence number, issued a
// month later; in BE the GlobalSign QTSA is withdrawn (its granted entry
// moves to the history) and a provider is added. The receiver is unchanged.
func (w *World) Next() (*World, error) {
	n := *w
	n.Lists = map[string]List{}
	issued := w.Opts.Issued.AddDate(0, 1, 0)
	for t, l := range w.Lists {
		l.Sequence++
		l.Issued, l.NextUpdate = issued, issued.AddDate(0, 6, 0)
		l.Providers = append([]Provider{}, l.Providers...)
		if t == "BE" {
			l.Providers = nextBE(l.Providers, issued)
		}
		n.Lists[t] = l
	}
	n.LOTL.Sequence++
	n.LOTL.Issued = issued
	n.SignOpts, n.SignKeys = map[string]SignOptions{}, map[string]*Key{}
	return &n, n.Sign()
}

func nextBE(ps []Provider, issued time.Time) []Provider {
	for i, p := range ps {
		if p.Name != "GlobalSign NV/SA" {
			continue
		}
		p.Services = append([]Service{}, p.Services...)
		for j, s := range p.Services {
			if s.Name == "GlobalSign QTSA" {
				s.History = append([]Instance{{Type: s.Type, Name: s.Name, Status: s.Status, Start: s.Start, ASI: s.ASI}}, s.History...)
				s.Status, s.Start = "withdrawn", issued.AddDate(0, 0, -3)
				p.Services[j] = s
			}
		}
		ps[i] = p
	}
	return append(ps, Provider{Name: "Example New QTSP", TradeNames: []string{"VATBE-0123456789"}, Services: []Service{
		{Type: "QESValidation/Q", Name: "Example Validation", Status: "granted", Start: issued.AddDate(0, 0, -3)},
	}})
}
