#!/usr/bin/env bash
# The whole suite. PostgreSQL tests run when TANDEM_TEST_POSTGRES_URL is set; under CI=true an
# unreachable server fails the run (see tests/conftest.py). Browser tests skip, saying so, without chromium.
set -uo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${TANDEM_TEST_POSTGRES_URL:-}" ]]; then
  echo "make test: TANDEM_TEST_POSTGRES_URL is not set: PostgreSQL store tests will be skipped" \
       "(set it to e.g. postgresql://postgres@127.0.0.1:5432/test)"
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "make test: /usr/bin/chromium is absent: the browser tests will be skipped (apt-get install chromium)"
fi
.venv/bin/pytest -n 2 --dist loadgroup "$@"
rc=$?
# pytest's 5 means no test ran: that is a failure for us, not a pass.
exit $rc
