package xmlscan_test

import (
	"bufio"
	"fmt"
	"os"

	"github.com/eutl/eutl/internal/xmlscan"
)

// The streaming pattern of an enveloped signature over a list: the
// signature detached as it closes, each provider written to the canonical
// form and dropped as it closes, the rest written by Finish.
func ExampleExcStream() {
	data := []byte(`<?pi head?><L xmlns="urn:l" xmlns:ds="` + nsDSig + `"><Head>h</Head><Ps>
<P n="1"><Name>one</Name></P>
<P n="2"><Name>two &amp; more</Name></P>
</Ps><ds:Signature><ds:SignedInfo/></ds:Signature></L>`)
	w := bufio.NewWriter(os.Stdout)
	xs := xmlscan.NewExcStream(w, nil, "", false, true)
	var sig xmlscan.Node
	d, err := xmlscan.Parse(data, xmlscan.Limits{CloseDepth: 3, OnClose: func(n xmlscan.Node, depth int) (xmlscan.Action, error) {
		switch {
		case depth == 2 && n.Is(nsDSig, "Signature"):
			sig = n // kept: its subtree is verified after the parse
			n.Doc().Detach(n)
		case depth == 3 && n.Is("urn:l", "P"):
			// Here the model of the provider would be built from n.
			if err := xs.Through(n); err != nil {
				return xmlscan.Keep, err
			}
			return xmlscan.Drop, nil
		}
		return xmlscan.Keep, nil
	}})
	if err == nil {
		err = xs.Bind(d)
	}
	if err == nil {
		err = xs.Finish()
	}
	fmt.Println()
	fmt.Println(err, sig.FirstElement().Name(), d.Root().FirstElement().NextElement().FirstElement().Valid())
	// Output:
	// <?pi head?>
	// <L xmlns="urn:l"><Head>h</Head><Ps>
	// <P n="1"><Name>one</Name></P>
	// <P n="2"><Name>two &amp; more</Name></P>
	// </Ps></L>
	// <nil> ds:SignedInfo false
}
