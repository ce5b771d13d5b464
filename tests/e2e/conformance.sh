#!/bin/sh
# conformance.sh: every case of the shared conformance corpus
# (../shared/testdata/cases.json: official results and reference counts)
# counted with `teller count`; each case must elect the expected winners,
# in the expected order where the case says "ordered".  One order is not
# compared: that of candidates elected at the same stage with equal votes,
# which the rules do not order (teller lists them in the order their
# surpluses are transferred; droop lists them in reverse ballot order); the
# test says so for each case where this applies.  The corpus is found
# through $TELLER_TESTDATA (.ci/run sets it); without it the test says that
# it skipped (exit 77).
. "$(dirname "$0")/lib.sh"

data=${TELLER_TESTDATA:-}
if [ -z "$data" ] && [ -d "${TELLER_SRCDIR:-.}/../shared/testdata" ]; then
	data=$(cd "$TELLER_SRCDIR/../shared/testdata" && pwd)
fi
if [ -z "$data" ] || [ ! -f "$data/cases.json" ]; then
	echo "SKIP: the conformance corpus is absent (set TELLER_TESTDATA to" \
	    "the folder of cases.json); no case was run"
	exit 77
fi

"$PYTHON3" - "$TELLER" "$data" "$T" <<'EOF'
import json, os, re, subprocess, sys

teller, data, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
cases = json.load(open(os.path.join(data, "cases.json")))

def fold(name):
    return re.sub(r"\s+", " ", name).strip()

def open_ties(report, names):
    """Key of each winner: candidates elected in the same round with the
    same votes share one (their order is not defined by the rules)."""
    key = {}
    for r in report.get("rounds", []):
        for c in r.get("elected", []):
            key[fold(names[c])] = (r["round"], str(r.get("votes", {}).get(c)))
    return key

def same_order(got, want, key):
    """Equal, or equal once the members of each open tie are compared as
    a set.  Returns (ok, note)."""
    if got == want:
        return True, ""
    if sorted(got) != sorted(want):
        return False, ""
    for i in range(len(got)):
        if got[i] != want[i] and key.get(got[i]) != key.get(want[i]):
            return False, ""
    return True, " [order not compared within a tie the rules leave open: "\
        "%s elected at the same stage with equal votes]" % \
        ", ".join(g for g, w in zip(got, want) if g != w)

passed = failed = 0
for case in cases:
    path = os.path.join(data, case["file"])
    label = "%s %s %d seat(s)" % (case["file"], case["method"], case["seats"])
    run = subprocess.run([teller, "count", path, "--method", case["method"],
                          "--seats", str(case["seats"]), "--format", "json"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print("FAIL %s: teller exited %d: %s" % (label, run.returncode,
              run.stderr.strip()))
        failed += 1
        continue
    report = json.loads(run.stdout)
    names = {c["id"]: c["name"] for c in report["candidates"]}
    if case["method"] == "schulze":
        got = [fold(names[i]) for i in report["ranking"]]
    else:
        got = [fold(n) for n in report["winners"]]
    want = [fold(n) for n in case["winners"]]
    note = ""
    if case["ordered"] and case["method"] != "schulze":
        ok, note = same_order(got, want, open_ties(report, names))
    elif case["ordered"]:
        ok = got == want
        if case["file"].endswith("schulze_wikipedia_45.blt"):
            # The pairwise counts testdata/README.md gives for this example
            # (and their complements to 45).
            given = {"AB": 20, "AC": 26, "AD": 30, "AE": 22, "BC": 16,
                     "BD": 33, "BE": 18, "CD": 17, "CE": 24, "DE": 14}
            ids = {v: k for k, v in names.items()}
            for pair, n in given.items():
                x, y = ids[pair[0]], ids[pair[1]]
                if report["d"][x][y] != n or report["d"][y][x] != 45 - n:
                    ok = False
                    note += " [d[%s][%s] = %s, expected %d]" % (pair[0],
                        pair[1], report["d"][x][y], n)
            if ok:
                note += " [d matches the 10 pairs of testdata/README.md]"
    else:
        ok = sorted(got) == sorted(want)
    print("%s %s (%s): expected %s, got %s%s" % ("ok  " if ok else "FAIL",
          label, "ordered" if case["ordered"] else "as a set", want, got,
          note))
    if ok:
        passed += 1
    else:
        failed += 1
print("conformance: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
