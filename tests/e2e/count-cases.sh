#!/bin/sh
# count-cases.sh: the hand-worked counts of tests/data: each NAME.json
# names a BLT file, a method (and seed), and the figures worked out by hand
# for every round; `teller count --format json` must give exactly those
# (every field the case states, in every round it lists, and the number of
# rounds), the winners in order, and the ties and how they were broken;
# and counting again must give the same bytes.
. "$(dirname "$0")/lib.sh"

"$PYTHON3" - "$TELLER" "$TELLER_TEST_DATA" <<'PY'
import glob, json, os, subprocess, sys

teller, data = sys.argv[1], sys.argv[2]
failed = passed = 0

def contains(got, want, where, errors):
    """Every key of want is in got with the same value (recursively for
    objects; lists and scalars compare whole)."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k, v in want.items():
            if k not in got:
                errors.append("%s.%s: missing" % (where, k))
            else:
                contains(got[k], v, "%s.%s" % (where, k), errors)
    elif got != want:
        errors.append("%s: expected %r, got %r" % (where, want, got))

for path in sorted(glob.glob(os.path.join(data, "*.json"))):
    case = json.load(open(path))
    args = [teller, "count", os.path.join(data, case["file"]), "--method",
            case["method"], "--format", "json"]
    if "seats" in case:
        args += ["--seats", str(case["seats"])]
    if "seed" in case:
        args += ["--seed", case["seed"]]
    run = subprocess.run(args, capture_output=True, text=True)
    name = os.path.basename(path)
    errors = []
    again = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        errors.append("teller exited %d: %s" % (run.returncode, run.stderr))
    elif again.stdout != run.stdout:
        errors.append("a second count gave different bytes")
    else:
        report = json.loads(run.stdout)
        contains(report["winners"], case["winners"], "winners", errors)
        if "rounds" in case:
            if len(report["rounds"]) != len(case["rounds"]):
                errors.append("%d rounds, expected %d" %
                              (len(report["rounds"]), len(case["rounds"])))
            for i, want in enumerate(case["rounds"][:len(report["rounds"])]):
                contains(report["rounds"][i], want, "rounds[%d]" % i, errors)
        for key in ("ranking", "d", "p"):
            if key in case:
                contains(report[key], case[key], key, errors)
        if len(report["ties"]) != len(case["ties"]):
            errors.append("%d ties, expected %d" % (len(report["ties"]),
                          len(case["ties"])))
        for i, want in enumerate(case["ties"][:len(report["ties"])]):
            contains(report["ties"][i], want, "ties[%d]" % i, errors)
    if errors:
        failed += 1
        print("FAIL %s\n  %s" % (name, "\n  ".join(errors)))
    else:
        passed += 1
        print("ok   %s (%s, %s)" % (name, case["method"], case["file"]))
print("hand-worked counts: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or passed == 0 else 0)
PY
