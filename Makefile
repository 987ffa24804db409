# eutl — make test is the whole gate (CI runs it through .ci/run).
GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 20s
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/eutl/eutl/cmd/eutl/internal/cli.Version=$(VERSION)

.PHONY: all build install test fmt-check vet race slow depcheck tidy-check cross fuzz bench bench-compare golden lint clean adversarial man

all: build

# The binary is static (CGO_ENABLED=0): nothing in eutl needs cgo, and
# without libc it runs on any Linux and starts with less memory.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o eutl ./cmd/eutl

install:
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/eutl

test: fmt-check vet depcheck tidy-check cross lint race slow

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# Every test under the race detector but the CPU-bound slow ones (TestReal…:
# the 23 MB real set verified several times over; TestAdversarialProperty:
# 2000 mutated lists; the linear-cost attacks; the evidence tampering
# cases), which it slows down tenfold: slow runs them without it. The
# concurrent code they exercise (the chain's parallel verification) runs
# under -race in the generated-world tests.
SLOW := Real|TestAdversarialProperty|TestEvidenceTamper|TestAdversarial$$/linear-cost
race:
	$(GO) test -race -count=1 -skip '$(SLOW)' $(PKGS)

slow:
	$(GO) test -count=1 -run '$(SLOW)' $(PKGS)

# pkg/ is the library: no cobra, no terminal, no os.Exit or process streams,
# no flag names (--cache-dir) in its strings; tablewriter and JSON tags
# (the output contract) only in pkg/report.
depcheck:
	@bad=$$($(GO) list -deps ./pkg/... | grep -E '^github.com/spf13/(cobra|pflag)$$|^golang.org/x/term$$|^github.com/schollz/progressbar' || true); \
	if [ -n "$$bad" ]; then echo "pkg/ must not import: $$bad"; exit 1; fi
	@bad=$$(grep -rnE 'os\.(Exit|Stdout|Stderr)\b' pkg/ --include='*.go' | grep -v '_test.go' || true); \
	if [ -n "$$bad" ]; then echo "pkg/ must not touch the process:"; echo "$$bad"; exit 1; fi
	@bad=$$(grep -rln 'olekukonko/tablewriter' --include='*.go' . | grep -v '^./pkg/report/' || true); \
	if [ -n "$$bad" ]; then echo "tablewriter outside pkg/report: $$bad"; exit 1; fi
	@bad=$$(grep -rn 'os\.Exit(' --include='*.go' . | grep -v '_test.go' | grep -v '^./cmd/eutl/main.go' | grep -v '^./cmd/eutl/internal/mangen/main.go' || true); \
	if [ -n "$$bad" ]; then echo "os.Exit outside main: $$bad"; exit 1; fi
	@$(GO) test -count=1 -run 'TestLibrarySpeaksNoCLI|TestFlagStrings|TestJSONContractInReport|TestNoMutableExportedVars|TestExportedVars' ./internal/depcheck >/dev/null || \
	  { $(GO) test -count=1 -run 'TestLibrarySpeaksNoCLI|TestFlagStrings|TestJSONContractInReport|TestNoMutableExportedVars|TestExportedVars' ./internal/depcheck; exit 1; }
	@echo "depcheck: ok"

# Every platform builds (file locking is per platform: flock, LockFileEx);
# windows also vets, so its test files compile.
CROSS := windows/amd64 darwin/arm64 linux/arm64
cross:
	@for p in $(CROSS); do \
	  echo "cross: $$p"; GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build ./... || exit 1; \
	done
	GOOS=windows GOARCH=amd64 $(GO) vet ./...

tidy-check:
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

# Run every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# eutl and xmlsec1 side by side (the real set when EUTL_REAL_TL_DIR is set,
# else DIR=an offline cache directory), with the ratios.
bench-compare:
	scripts/bench-compare.sh $(DIR)

# Refresh golden files and script expectations from the current output.
golden:
	$(GO) test ./pkg/report/ ./cmd/eutl/ -update

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

clean:
	rm -f eutl
	rm -rf man

# Man pages (section 1), generated from the command tree by cobra's doc
# generator into MANDIR. `make test` checks them (TestManPages generates
# them into a temporary directory and wants a page for every command).
MANDIR ?= man
man:
	$(GO) run ./cmd/eutl/internal/mangen $(MANDIR)

# The adversarial suite: attacks, hostile inputs, network and cache faults,
# the mutation property; prints cases tried per class, passed and failed.
adversarial:
	@$(GO) test -count=1 -run 'Adversarial' -v ./... 2>&1 | tee .adversarial.log | \
	  awk '/^ *--- (PASS|FAIL|SKIP): TestAdversarial[A-Za-z]*\/[^ ]+\// { \
	         split($$3, p, "/"); c = p[2]; tried[c]++; \
	         if ($$2 == "PASS:") pass[c]++; else if ($$2 == "FAIL:") fail[c]++; else skip[c]++ } \
	       END { printf "%-16s %6s %6s %6s %6s\n", "class", "tried", "passed", "failed", "skipped"; \
	             n = split("wrapping key-confusion downgrade trust-chain parser sig-structure linear-cost strict-xml network cache pivot-walk cache-names local-input exit-class partial-data confinement property", order, " "); \
	             for (i = 1; i <= n; i++) { c = order[i]; seen[c] = 1; if (c in tried) { printf "%-16s %6d %6d %6d %6d\n", c, tried[c], pass[c], fail[c], skip[c]; T += tried[c]; P += pass[c]; F += fail[c]; S += skip[c] } } \
	             for (c in tried) if (!(c in seen)) { printf "%-16s %6d %6d %6d %6d\n", c, tried[c], pass[c], fail[c], skip[c]; T += tried[c]; P += pass[c]; F += fail[c]; S += skip[c] } \
	             printf "%-16s %6d %6d %6d %6d\n", "total", T, P, F, S; if (F > 0) exit 1 }'
	@! grep -q '^FAIL' .adversarial.log
	@rm -f .adversarial.log
