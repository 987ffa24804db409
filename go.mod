module github.com/eutl/eutl

go 1.26

require (
	github.com/ProtonMail/go-crypto v1.5.2
	github.com/beevik/etree v1.8.1
	github.com/russellhaering/goxmldsig v1.6.1
)

require github.com/jonboulle/clockwork v0.5.0 // indirect
