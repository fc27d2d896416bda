# Thin wrappers around npm scripts; `make demo` and `make test` work on a fresh clone.
.PHONY: install build lint demo test bench natlab docker clean

STAMP := node_modules/.install-stamp

# Debian packages each target drives for real; scripts/debian-packages.sh installs the missing ones when root.
packages = $(shell grep -v '^\#' scripts/packages/$(1).txt)

$(STAMP): package.json package-lock.json $(wildcard patches/*.patch)
	npm ci --no-audit --no-fund
	@touch $@

install: $(STAMP)

build: $(STAMP)
	npm run build

lint: $(STAMP)
	npm run lint

# The service on a free loopback port, an answerer and an offerer: the whole ICE story on one screen.
demo: build
	node dist/scripts/demo.js

test: build
	scripts/debian-packages.sh $(call packages,test)
	npx tap

bench: build
	npm run bench

# The NAT lab: network namespaces and iptables, so it needs root.
natlab: build
	scripts/debian-packages.sh $(call packages,natlab)
	node dist/natlab/main.js $(NATLAB_ARGS)

docker:
	docker build -t webrtc-lab .

clean:
	rm -rf dist .tap coverage
