#!/bin/sh
# The documents: every doc/*.md that the manual page or the README names
# exists and is in TELLER_DOCS (what make install puts in $(docdir)), and
# every doc/*.md of the source is in it, so that an installed teller has
# every document its manual page sends the reader to.
. "$(dirname "$0")/lib.sh"
: "${TELLER_SRCDIR:?}" "${TELLER_DOCS:?TELLER_DOCS must list the installed documents (make check sets it)}"

cd "$TELLER_SRCDIR"
installed=" $(echo $TELLER_DOCS) "
named=$(sed 's/\\-/-/g' doc/teller.1 README.md | grep -o 'doc/[a-z0-9-]*\.md' | sort -u)
[ -n "$named" ] || fail "the manual page names no document at all"
for d in $named; do
	[ -s "$d" ] || fail "$d is named in the manual page or README but does not exist"
	case $installed in *" $d "*) ;; *) fail "$d is named but not in TELLER_DOCS (Makefile.am)";; esac
done
pass "$(echo $named | wc -w) documents named, each installed"
for d in doc/*.md; do
	case $installed in *" $d "*) ;; *) fail "$d is not in TELLER_DOCS (Makefile.am)";; esac
done
pass "every doc/*.md is installed"
grep -q 'installed in' doc/teller.1 || fail "the manual page does not say where the documents are installed"
pass "the manual page says where they are"
