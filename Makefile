# The two commands of the README, and the usual helpers.
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
TEST_ENV = DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/civic_feedback} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	SECRET_KEY=test-only-secret DEBUG=0 FIREBASE_AUTH_EMULATOR_HOST= \
	MEDIA_ROOT=$(CURDIR)/var/test-media SECURE_SSL_REDIRECT=0

.PHONY: demo test test-fast lint fmt bench messages
# Where makemessages looks: the project's code, not its environment or its data.
MESSAGE_SOURCES = --ignore ".venv/*" --ignore ".tools/*" --ignore "var/*" --ignore "tests/*" \
	--ignore "bench/*" --ignore "infra/*" --ignore "frontend/*" --ignore "test-artifacts/*"

demo: $(UV)  ## the API on http://127.0.0.1:$$PORT (default 8000), SQLite, demo data
	DEBUG=1 FIREBASE_AUTH_EMULATOR_HOST=127.0.0.1:9099 $(UV) run --frozen python manage.py demo

test: $(UV)  ## the whole suite, on PostgreSQL and Redis
	$(TEST_ENV) $(UV) run --frozen pytest $(PYTEST_ARGS)

test-fast: $(UV)  ## a developer's loop: the suite less its slow tests (subprocesses, browser, fuzzing)
	$(TEST_ENV) $(UV) run --frozen pytest -m "not slow" $(PYTEST_ARGS)

lint: $(UV)
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports
	DEBUG=1 $(UV) run --frozen mypy backend mobile_api moderation notifications open311 console

messages: $(UV)  ## extract every translatable string into locale/*/django.po, then compile the .mo files
	DEBUG=1 $(UV) run --frozen python manage.py makemessages -l vi -l en -l km --no-obsolete $(MESSAGE_SOURCES)
	for lang in vi en km; do \
		msgfmt --check -o locale/$$lang/LC_MESSAGES/django.mo locale/$$lang/LC_MESSAGES/django.po; done

fmt: $(UV)
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

.tools/bin/uv:
	python3 -m pip install --quiet --disable-pip-version-check --target .tools uv

vendor:  ## refresh the dashboard's vendored front-end libraries from the npm registry
	cd frontend && npm install --no-audit --no-fund
	mkdir -p backend/statistics/static/dashboard/vendor/leaflet
	cp frontend/node_modules/leaflet/dist/leaflet.js frontend/node_modules/leaflet/dist/leaflet.css \
		frontend/node_modules/leaflet/LICENSE backend/statistics/static/dashboard/vendor/leaflet/
	cp -r frontend/node_modules/leaflet/dist/images backend/statistics/static/dashboard/vendor/leaflet/
