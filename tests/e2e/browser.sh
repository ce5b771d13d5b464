#!/bin/sh
# The voting page in a real browser (tests/browser/voting-page.py):
# enrolment by e-mailed links, voting in every kind of contest with the
# keyboard alone, receipts checked in the browser and by teller, the same
# ballot bytes as 'teller ballot make', and every refusal.
#
# It needs Debian's chromium and python3-aiosmtpd.  Without them the test
# is skipped (exit 77), saying so, unless TELLER_REQUIRE_BROWSER=1 (as
# .ci/run sets): then it fails.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?TELLER_SRCDIR must be set (make check sets it)}"

missing() {
	if [ "${TELLER_REQUIRE_BROWSER:-0}" = 1 ]; then
		fail "$1, and TELLER_REQUIRE_BROWSER=1 requires this test"
	fi
	echo "SKIP: $1 (install it to run the voting page's browser test)"
	exit 77
}

chromium=${TELLER_CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in /usr/bin/chromium chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			chromium=$(command -v "$c")
			break
		fi
	done
fi
[ -n "$chromium" ] || missing "chromium is not installed"
smtp_python=$(smtp_python) || missing "no python3 with aiosmtpd (Debian's python3-aiosmtpd)"
command -v openssl >/dev/null || missing "openssl is not installed"

"$smtp_python" "$TELLER_SRCDIR/tests/browser/voting-page.py" \
	--teller "$TELLER" --chromium "$chromium" --smtp-python "$smtp_python" \
	--srcdir "$TELLER_SRCDIR" --dir "$T" || {
	for f in "$T"/server.log "$T"/smtp.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }
	done
	fail "the voting page's browser test failed"
}
