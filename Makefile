# Drives the development buildout of the zc egg family.
#   make          build .venv (pinned buildout toolchain) and run buildout
#   make test     run every distribution's tests; TESTFLAGS='-s zc.thread'
#   make bench    run every distribution's benchmarks
#   make dist     sdist + wheel for every distribution into dist/, twine-checked
#   make distcheck  make dist, then install each wheel into a fresh virtualenv
#                 with --find-links dist --pre, import it and pip check it
#   make check    the skeleton check (also run by make test)
#   make run      start the task board at http://127.0.0.1:8080 (Ctrl-C stops)

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
DISTVENV := .venv-dist
DISTS := $(sort $(wildcard zc.*))
# The task board, the application that `make run` starts: a develop egg
# too, but not a distribution of the family.
APPS := taskboard
SETUPS := $(foreach d,$(DISTS) $(APPS),$(d)/setup.py)

# The value 0 *disables* build isolation (the name reads backwards): develop
# installs then need no network and no fresh build environment each time.
export PIP_NO_BUILD_ISOLATION := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Keep personal ~/.buildout/default.cfg out of our builds.
export BUILDOUT_HOME := $(CURDIR)/.buildout-home

.PHONY: all buildout test check bench dist distcheck clean distclean egg-info run

all: bin/test

$(VENV)/.stamp: constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q -c constraints.txt pip
	$(VPY) -m pip install -q -c constraints.txt zc.buildout setuptools wheel
	touch $@

# Buildout redevelops every develop egg on each run, so it only runs
# when its configuration or a distribution's setup.py changed.
bin/test: $(VENV)/.stamp buildout.cfg versions.cfg $(SETUPS)
	$(MAKE) buildout
	touch $@

buildout: $(VENV)/.stamp check egg-info
	@tools/apt-ensure $(BUILD_PACKAGES)
	mkdir -p $(BUILDOUT_HOME)
	$(VENV)/bin/buildout -N

# The develop eggs must resolve to src/, which needs src/*.egg-info
# (docs/development.md explains this and the other choices here).
egg-info:
	@for d in $(DISTS) $(APPS); do (cd $$d && ../$(VPY) setup.py -q egg_info) || exit 1; done

# The checker's own tests first: a check that cannot fail proves nothing.
check:
	@$(PYTHON) -m unittest discover -s tools -p 'test_*.py' -q
	@$(PYTHON) tools/check-skeleton $(DISTS)

# System packages the tests use, installed when missing so that `make test`
# works on a fresh machine: gcc for zc.recipe.egg's custom recipe (it builds
# a C extension), zookeeper for zc.resumelb's real-server tests, chromium
# for zc.resourcelibrary's browser test (SRI and CSP nonces) and
# zc.testbrowser's real browser, postgresql
# for the RelStorage tests (zc.queue.testing).  Buildout builds psycopg2
# from source, against Debian's libpq (libpq-dev), so those come first.
BUILD_PACKAGES := gcc libpq-dev
TEST_PACKAGES := $(BUILD_PACKAGES) zookeeper chromium postgresql

test: check bin/test
	@tools/apt-ensure $(TEST_PACKAGES)
	@$(PYTHON) tools/run-tests $(TESTFLAGS)

# The task board's database, logs and sockets live in var/; another port
# when 8080 is taken: make run PORT=8081.
PORT ?= 8080
run: bin/test
	bin/taskboard-run --var var --port $(PORT)

# wrk and nginx: zc.resumelb's benchmark compares against nginx under wrk;
# valgrind: zc.resourcelibrary's counts instructions, whatever the load.
bench: bin/test
	@tools/apt-ensure wrk nginx valgrind
	@$(PYTHON) tools/run-benchmarks $(DISTS)

# build and twine live in their own virtualenv: .venv is the buildout
# toolchain only, and its site-packages is on every generated script's path.
$(DISTVENV)/.stamp: constraints.txt
	$(PYTHON) -m venv $(DISTVENV)
	$(DISTVENV)/bin/pip install -q -c constraints.txt pip setuptools wheel build twine
	touch $@

dist: $(DISTVENV)/.stamp
	rm -rf dist
	@for d in $(DISTS); do \
	    $(DISTVENV)/bin/python -m build -q --no-isolation --outdir dist $$d || exit 1; \
	done
	$(DISTVENV)/bin/twine check --strict dist/*

# Each wheel as a user installs it (the README's command), in a virtualenv
# of its own; no family member may come from the index.  Ends with
# `N passed, M failed`.
distcheck: dist
	@$(DISTVENV)/bin/python tools/distcheck $(DISTS)

clean:
	rm -rf bin parts develop-eggs .installed.cfg dist build .buildout-home
	find . -path ./$(VENV) -prune -o -path ./$(DISTVENV) -prune -o -name '*.egg-info' -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(DISTVENV) eggs
