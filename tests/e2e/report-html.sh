#!/bin/sh
# report-html.sh: the HTML result pages, read by a real browser.  An
# election with a plurality contest (a tie broken by lot), Scottish STV
# (several rounds), Schulze, a referendum with a threshold and a quorum,
# an IRV count decided in one round, an approval contest below its quorum
# of ballots, and a contest nobody voted in; it is
# counted and certified, and `teller tally --format html` writes the
# whole election's page and each contest's.  Debian's headless chromium
# loads each page (no network, a fresh profile) and dumps its DOM, and
# the assertions are on that DOM: the header (election id and title,
# manifest hash, close time, certification state), what each method's
# section shows (the referendum's threshold, quorum and outcome and no
# "Elected"; a bar for every candidate of a one-round count, sized by its
# votes; a line per candidate across the rounds of a count of several),
# the ties as the text report words them, the turnout per constituency,
# and nothing loaded from outside the page.
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null 2>&1 ||
	fail "this test needs Debian's chromium (apt-get install chromium)"

cd "$T"
teller init >/dev/null
cat >manifest.json <<EOF
{"id": "club-2026", "title": "Club <board> & council 2026",
 "opens": "$(utc -3600)", "closes": "$(utc 86400)",
 "constituencies": [{"id": "members", "name": "Members"},
                    {"id": "council", "name": "Council"},
                    {"id": "guests", "name": "Guests"}],
 "contests": [
  {"id": "board", "title": "Board", "constituency": "members", "seats": 2,
   "method": "plurality", "candidates": [
     {"id": "ann", "name": "Ann Archer"}, {"id": "ben", "name": "Ben Baker"},
     {"id": "cat", "name": "Cat Cole"}, {"id": "dan", "name": "Dan Dale"}]},
  {"id": "chair", "title": "Chair", "constituency": "members", "seats": 2,
   "method": "stv-scottish", "candidates": [
     {"id": "ann", "name": "Ann Archer"}, {"id": "ben", "name": "Ben Baker"},
     {"id": "cat", "name": "Cat Cole"}, {"id": "dan", "name": "Dan Dale"}]},
  {"id": "rank", "title": "Ranking", "constituency": "members",
   "method": "schulze", "candidates": [
     {"id": "ann", "name": "Ann Archer"}, {"id": "ben", "name": "Ben Baker"},
     {"id": "cat", "name": "Cat Cole"}]},
  {"id": "budget", "title": "Adopt the budget", "constituency": "council",
   "method": "referendum",
   "options": {"threshold": "two-thirds", "quorum": 50}},
  {"id": "seat", "title": "Council seat", "constituency": "council",
   "method": "irv", "candidates": [{"id": "xi", "name": "Xi"},
                                   {"id": "yu", "name": "Yu"}]},
  {"id": "vice", "title": "Vice chair", "constituency": "council",
   "method": "approval", "options": {"quorum_ballots": 5},
   "candidates": [{"id": "xi", "name": "Xi"}, {"id": "yu", "name": "Yu"}]},
  {"id": "host", "title": "Host", "constituency": "guests",
   "method": "approval", "candidates": [{"id": "zo", "name": "Zo"}]}],
 "random_sources": [{"name": "draw"}]}
EOF
teller election create manifest.json >/dev/null
# voter constituency weight options...
cat >votes.txt <<'EOF'
m1 members 1 --vote board=ann,ben --vote chair=ann>ben>cat --vote rank=ann>ben>cat
m2 members 2 --vote board=cat --vote chair=cat>dan --vote rank=ann=ben>cat
m3 members 1 --vote board=dan --vote chair=ben>ann --vote rank=ben>ann>cat
m4 members 1 --vote board=cat --vote chair=dan>cat --blank rank
c1 council 1 --vote budget=yes --vote seat=xi --vote vice=xi
c2 council 1 --vote budget=no --vote seat=yu --vote vice=xi,yu
c3 council 1 --vote budget=yes --vote seat=xi --vote vice=yu
g1 guests 1 --blank-all
g2 guests 1 -
EOF
echo "voter_id,name,constituency,weight,public_key" >roll.csv
while read -r id constituency weight rest; do
	echo "$id,$id,$constituency,$weight,$(public_key "$id.pem")" >>roll.csv
done <votes.txt
teller roll import club-2026 roll.csv >/dev/null
teller election open club-2026 >/dev/null
teller manifest club-2026 --output signed.json
while read -r id constituency weight rest; do
	[ "$rest" = "-" ] && continue
	# shellcheck disable=SC2086 # the options are words
	teller ballot make --manifest signed.json --key "$id.pem" --voter "$id" \
		$rest --output "$id.ballot"
	teller ballot cast "$id.ballot" >/dev/null
done <votes.txt
teller election close club-2026 --random 42 --early --reason "test" >/dev/null
teller tally club-2026 >result.txt
teller tally club-2026 --format json >result.json
# Counted, not yet certified: the page says so.
teller election show club-2026 --json >show-counted.json
teller tally club-2026 --format html >counted.html
teller certify club-2026 >/dev/null
teller election show club-2026 --json >show.json
teller tally club-2026 --format html >all.html
for c in board chair rank budget seat vice host; do
	teller tally club-2026 --format html --contest "$c" >"$c.html"
done
pass "an election counted, certified, and its pages written"

"$PYTHON3" - "$CHROMIUM" "$T" <<'EOF'
import html.parser, json, os, re, subprocess, sys

chromium, tmp = sys.argv[1], sys.argv[2]
result = json.load(open("result.json"))
show = json.load(open("show.json"))
text_report = open("result.txt").read()
reports = {r["contest"]: r for r in result["contests"]}

def dump_dom(page):
    """The DOM of page as chromium builds it (headless, no network)."""
    run = subprocess.run([chromium, "--headless", "--no-sandbox",
                          "--disable-gpu", "--no-first-run",
                          "--disable-background-networking",
                          "--disable-component-update", "--disable-sync",
                          "--user-data-dir=" + os.path.join(tmp, "profile"),
                          "--dump-dom", "file://" + os.path.abspath(page)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, (page, run.returncode, run.stderr[-2000:])
    assert "<body" in run.stdout, (page, run.stdout[:500])
    return run.stdout

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []
    def text(self):
        return "".join(c if isinstance(c, str) else c.text()
                       for c in self.children)
    def classes(self):
        return self.attrs.get("class", "").split()
    def all(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.all()
    def find(self, tag=None, cls=None, **attrs):
        return [n for n in self.all() if (tag is None or n.tag == tag) and
                (cls is None or cls in n.classes()) and
                all(n.attrs.get(k.replace("_", "-")) == v
                    for k, v in attrs.items())]
    def one(self, tag=None, cls=None, **attrs):
        found = self.find(tag, cls, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col",
        "embed", "source", "track", "wbr"}

class Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.at = Node("#document", [], None)
    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node
    def handle_startendtag(self, tag, attrs):
        self.at.children.append(Node(tag, attrs, self.at))
    def handle_endtag(self, tag):
        at = self.at
        while at is not None and at.tag != tag:
            at = at.parent
        assert at is not None, "unmatched </%s>" % tag
        self.at = at.parent
    def handle_data(self, data):
        self.at.children.append(data)

def parse(page):
    b = Builder()
    b.feed(dump_dom(page))
    return b.root

def words(s):
    return " ".join(s.split())

def check_header(doc, page, show=show):
    header = doc.one("header", id="election")
    assert words(header.one("h1").text()) == "Club <board> & council 2026", page
    assert header.one("dd", id="election-id").text() == "club-2026", page
    assert header.one("dd", id="manifest-hash").text() == result["manifest"]
    assert header.one("dd", id="closed").text() == show["closed_at"], page
    cert = header.one("dd", id="certification").text()
    if show["state"] == "certified":
        want = "certified at %s; not final yet" % show["certified_at"]
    else:
        want = "not certified yet (%s)" % show["state"]
    assert cert == want, (page, cert, want)

def check_self_contained(doc, page):
    for n in doc.all():
        assert n.tag not in ("script", "link", "iframe", "img", "object"), \
            (page, n.tag)
        assert "src" not in n.attrs, (page, n.tag, n.attrs)
        href = n.attrs.get("href")
        assert href is None or href.startswith("#"), (page, href)
        assert "url(" not in n.attrs.get("style", ""), page
    for style in doc.find("style"):
        assert "url(" not in style.text() and "@import" not in style.text()

def text_ties(contest):
    """The tie lines of the text report's section of a contest."""
    section = text_report.split("\nContest %s: " % contest, 1)[1]
    section = section.split("\nContest ", 1)[0].split("\nTurnout", 1)[0]
    return [l.strip() for l in section.splitlines()
            if l.strip().startswith("Tie between")]

def check_ties(section, contest):
    got = [words(li.text()) for li in section.find("li", cls="tie")]
    want = [t + "." for t in text_ties(contest)]
    assert got == want, (contest, got, want)
    assert len(got) == len(reports[contest].get("ties", [])), contest
    for li, tie in zip(got, reports[contest].get("ties", [])):
        if tie.get("broken_by") == "lot":
            assert "lot order" in li, li
        chosen = tie["chosen"] if isinstance(tie["chosen"], list) \
            else [tie["chosen"]]
        names = {c["id"]: c["name"] for c in reports[contest]["candidates"]}
        assert li.endswith("chosen: %s." % ", ".join(names[c] for c in chosen)), li

def check_bars(section, contest):
    """A one-round count: one bar per candidate, in order of votes, each
    as long as its votes allow (the longest for the most)."""
    report = reports[contest]
    votes = report["rounds"][0]["votes"]
    svg = section.one("svg", cls="bars")
    bars = svg.find("rect", cls="bar")
    assert sorted(b.attrs["data-candidate"] for b in bars) == sorted(votes), \
        (contest, [b.attrs for b in bars])
    top = max(int(v) for v in votes.values())
    widths = {}
    for b in bars:
        cand, width = b.attrs["data-candidate"], int(b.attrs["width"])
        assert b.attrs["data-votes"] == str(votes[cand]), (contest, b.attrs)
        widths[cand] = width
        if int(votes[cand]) == 0:
            assert width == 0, (contest, cand, width)
        else:
            assert width > 0, (contest, cand, width)
    longest = max(widths.values())
    for cand, v in votes.items():
        assert (widths[cand] == longest) == (int(v) == top), (contest, widths)
    order = [int(votes[b.attrs["data-candidate"]]) for b in bars]
    if report["method"] != "referendum":
        assert order == sorted(order, reverse=True), (contest, order)
    else:
        assert [b.attrs["data-candidate"] for b in bars] == \
            ["yes", "no", "abstain"], contest
    assert not section.find("svg", cls="lines"), contest
    return widths

def check_section(section, contest):
    report = reports[contest]
    names = {c["id"]: c["name"] for c in report["candidates"]}
    assert section.attrs["data-method"] == report["method"], contest
    assert words(section.one("h2").text()) == report["title"], contest
    h3 = [words(h.text()) for h in section.find("h3")]
    outcome = section.find("p", cls="outcome")
    if report["method"] == "referendum":
        # The threshold, the quorum and the outcome; not the plurality
        # explanation, and no "Elected".
        assert "Elected" not in h3, (contest, h3)
        assert not section.find("ol", cls="elected"), contest
        assert "Each mark gives" not in section.text(), contest
        assert words(section.one("p", cls="threshold").text()).startswith(
            "Threshold: two thirds"), contest
        q = report["quorum"]
        assert words(section.one("p", cls="quorum").text()) == \
            "Quorum: %d%% of eligible weight %s; participating %s (met)." % (
            q["percent"], q["eligible_weight"], q["participating_weight"]), \
            contest
        assert len(outcome) == 1, contest
        assert outcome[0].attrs["data-outcome"] == report["outcome"], contest
        assert words(outcome[0].text()) == "Outcome: %s." % report["outcome"]
        check_bars(section, contest)
        return
    if report.get("outcome") == "no-quorum":
        # Below its quorum of ballots: the quorum and why no one is
        # elected, no count drawn.
        q = report["quorum"]
        assert words(section.one("p", cls="quorum").text()) == \
            "Quorum: at least %d valid ballots; valid ballots %d (not met)." \
            % (q["min_ballots"], q["participating_ballots"]), contest
        assert len(outcome) == 1, contest
        assert outcome[0].attrs["data-outcome"] == "no-quorum"
        assert words(outcome[0].text()) == \
            "The quorum is not met: no one is elected.", contest
        assert not section.find("svg"), contest
        assert not section.find("ol", cls="elected"), contest
        return
    if report.get("outcome") == "no-valid-votes":
        assert len(outcome) == 1, contest
        assert outcome[0].attrs["data-outcome"] == "no-valid-votes"
        assert words(outcome[0].text()) == \
            "No valid votes: no one is elected.", contest
        assert not section.find("svg"), contest
        assert not section.find("ol", cls="elected"), contest
        return
    assert not outcome, contest
    elected = [words(li.text()) for li in
               section.one("ol", cls="elected").find("li")]
    assert elected == report["winners"], (contest, elected)
    check_ties(section, contest)
    if report["method"] == "schulze":
        ranking = [words(li.text()) for li in
                   section.one("ol", cls="ranking").find("li")]
        assert ranking == [names[c] for c in report["ranking"]], contest
        for which in ("d", "p"):
            table = section.one("table", data_matrix=which)
            rows = table.find("tr")[1:]
            assert len(rows) == len(report["ranking"]), contest
        return
    if len(report["rounds"]) == 1:
        check_bars(section, contest)
        table = section.one("table", cls="votes")
        cells = {words(tr.find("td")[0].text()): words(tr.find("td")[1].text())
                 for tr in table.find("tr")[1:]}
        assert cells == {names[c]: str(v) for c, v in
                         report["rounds"][0]["votes"].items()}, contest
        return
    # Several rounds: a table column and a chart point per round, a line
    # per candidate.
    svg = section.one("svg", cls="lines")
    lines = svg.find("polyline", cls="line")
    assert sorted(l.attrs["data-candidate"] for l in lines) == \
        sorted(names), contest
    for l in lines:
        assert len(l.attrs["points"].split()) == len(report["rounds"]), contest
    header = section.one("table", cls="rounds").find("tr")[0]
    assert len(header.find("th")) == 1 + len(report["rounds"]), contest
    assert not section.find("svg", cls="bars"), contest

# The whole election on one page: every contest, then the turnout.
doc = parse("all.html")
check_header(doc, "all.html")
check_self_contained(doc, "all.html")
sections = doc.find("section", cls="contest")
assert [s.attrs["id"] for s in sections] == \
    ["contest-" + r["contest"] for r in result["contests"]], \
    [s.attrs.get("id") for s in sections]
for section in sections:
    check_section(section, section.attrs["id"][len("contest-"):])
rows = doc.one("table", id="turnout-table").find("tr")[1:]
assert [r.attrs["data-constituency"] for r in rows] == \
    [t["constituency"] for t in result["turnout"]]
for row, t in zip(rows, result["turnout"]):
    cells = [words(td.text()) for td in row.find("td")]
    assert cells[0] == t["name"] and cells[1] == str(t["eligible"]) and \
        cells[2] == str(t["voted"]) and cells[4] == \
        str(t["eligible_weight"]) and cells[5] == str(t["voted_weight"]), \
        (cells, t)
assert [words(a.text()) for a in doc.one("nav").find("a")] == \
    [r["title"] for r in result["contests"]] + ["Turnout"]
print("ok - the whole election's page")

# Each contest's own page: the same header and that contest alone.
for contest in reports:
    page = contest + ".html"
    doc = parse(page)
    check_header(doc, page)
    check_self_contained(doc, page)
    section = doc.one("section", cls="contest")
    assert section.attrs["id"] == "contest-" + contest, page
    check_section(section, contest)
    assert not doc.find("table", id="turnout-table"), page
print("ok - each contest's page")

# Before the certification, the header says the election is not certified.
counted = json.load(open("show-counted.json"))
assert counted["state"] != "certified" and show["state"] == "certified", \
    (counted["state"], show["state"])
check_header(parse("counted.html"), "counted.html", counted)
print("ok - the page of a counted election not certified yet")

# The cases the pages once got wrong are in this election.
assert reports["budget"]["method"] == "referendum"
assert len(reports["seat"]["rounds"]) == 1 and reports["seat"]["method"] == "irv"
assert len(reports["board"]["rounds"]) == 1 and reports["board"]["ties"]
assert len(reports["chair"]["rounds"]) > 1 and reports["chair"]["ties"]
assert reports["rank"]["ties"] and reports["host"]["outcome"] == "no-valid-votes"
assert reports["vice"]["outcome"] == "no-quorum" and \
    reports["vice"]["quorum"]["participating_ballots"] == 3
EOF
pass "the pages' DOM in chromium"

# A count of a BLT file has a page too, headed with its title alone.
printf '2 1\n1 1 0\n2 2 0\n0\n"Al"\n"Bo"\n"A BLT count"\n' >count.blt
teller count count.blt --method plurality --format html >count.html
grep -q "<h1>A BLT count</h1>" count.html || fail "BLT page title"
if grep -q 'id="election-id"' count.html; then fail "BLT page has an election"; fi
grep -q '<rect class="bar" data-candidate="2" data-votes="2"' count.html ||
	fail "BLT page bar chart"
pass "a BLT count's page"
