#!/usr/bin/env python3
"""voting-page.py: the voting page in a real browser, end to end.

A real teller serve on a loopback port, a real SMTP server on loopback
(tests/smtp-sink.py), and headless Chromium driven through its DevTools
protocol (cdp.py), one browser profile per voter's device:

  1. 'teller invite' mails enrolment links; the test reads them from the
     messages.  Voters enrol in the browser: m1 makes a key and downloads
     its backup, m2 too, m3 loads a key file made by 'teller key
     generate' (after a file that is no key).  Refusals: a used link, an
     expired one, a garbled one, and, once the roll is frozen, enrolment
     closed.
  2. 'teller invite --voting-open' mails the voting links.  m1 votes with
     the keyboard alone in every kind of contest (choose up to k,
     approve, rank with reordering, rank with equal ranks, yes/no), on a
     phone-sized screen, with every control named for a screen reader;
     the receipt is checked in the page and downloaded; 'teller receipt
     verify' accepts it; and the ballot in the log is byte for byte the
     one 'teller ballot make' makes from m1's downloaded key, choices and
     sequence number.
  3. Refusals: a wrong key file, a voter not on the roll, a ballot the
     server refuses (revote policy "first"), a closed election; nothing
     is stored for any of them.
  4. 'teller remind' mails only the voters who have not voted; then
     tally, export, and 'teller verify' accepts the record.
  5. A secret election that names no trustees (so the authority is its
     only trustee): s1 loads a key file; the page obtains the
     credential (checks the class keys, blinds, has the request signed,
     unblinds and verifies, RFC 9474), seals for the authority and casts
     a ballot that names no voter; its receipt checks in the page and
     with 'teller receipt verify'; the ballot is the one 'teller ballot
     make --credential' makes from the credential file the page offers,
     up to the sealed member's fresh randomness; the
     same request again gets the same issuance, over a connection the
     server closes; 'teller remind' skips s1; a revote from the same
     browser reuses the credential (seq 2); another browser's request
     for s1 is refused with nothing stored; the record verifies.
  6. A sealed election (3 trustees, threshold 2): in the browser, the
     page's HPKE reproduces RFC 9180 A.1.1 byte for byte and its sealing
     gives, from fixed randomness, the bytes tests/unit/check_seal.c
     holds the C code to; v1 obtains a credential, the page seals and
     casts, the log holds no choice, the ballot is 'teller ballot make
     --credential's up to the sealed member; a refused revote stores
     nothing; after the close two trustees unseal, the tally counts the
     page's ballot, verify and receipt verify accept.
  7. No page ever reports a Content-Security-Policy violation or a
     script error.

  voting-page.py --teller PATH --chromium PATH --smtp-python PATH
                 --srcdir DIR --dir DIR
"""
import argparse
import base64
import email
import email.policy
import glob
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

args = None
T = None  # the working directory


def ok(what):
    print("ok - " + what, flush=True)


def fail(what):
    print("FAIL: " + what, flush=True)
    sys.exit(1)


def check(condition, what):
    if not condition:
        fail(what)


def teller(*argv, status=0, env=None):
    e = dict(os.environ, TELLER_DB=os.path.join(T, "teller.db"))
    e.update(env or {})
    r = subprocess.run([args.teller] + list(argv), cwd=T, env=e,
                       capture_output=True, text=True)
    if r.returncode != status:
        fail("teller %s exited %d, expected %d\n--- stdout\n%s--- stderr\n%s"
             % (" ".join(argv), r.returncode, status, r.stdout, r.stderr))
    return r


def utc(offset):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() +
                                                            offset))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_file(path, proc, what):
    for _ in range(600):
        if os.path.exists(path):
            return
        if proc.poll() is not None:
            fail(what + " exited")
        time.sleep(0.05)
    fail(what + " did not start")


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


def stored():
    """Ballots, log entries and voters with a key: what a refusal must
    leave alone."""
    db = sqlite3.connect(os.path.join(T, "teller.db"))
    row = db.execute("SELECT (SELECT COUNT(*) FROM ballots), (SELECT COUNT(*) "
                     "FROM log), (SELECT COUNT(*) FROM tree_heads), "
                     "(SELECT COUNT(*) FROM voters WHERE public_key IS NOT "
                     "NULL)").fetchone()
    db.close()
    return row


class Mailbox:
    def __init__(self, directory):
        self.directory = directory
        self.seen = 0

    def new(self, count, timeout=20):
        """The next count messages: (to, subject, body) each."""
        deadline = time.time() + timeout
        while True:
            files = sorted(glob.glob(os.path.join(self.directory, "*.eml")),
                           key=lambda p: int(os.path.basename(p)[:-4]))
            if len(files) >= self.seen + count:
                break
            if time.time() > deadline:
                fail("expected %d new messages, have %d" % (
                    count, len(files) - self.seen))
            time.sleep(0.05)
        out = []
        for path in files[self.seen:self.seen + count]:
            with open(path, "rb") as f:
                m = email.message_from_binary_file(f,
                                                   policy=email.policy.default)
            body = m.get_body(("plain",)).get_content()
            out.append((m["To"].addresses[0].addr_spec, str(m["Subject"]),
                        body))
        self.seen += count
        if len(files) > self.seen:
            fail("more messages than expected: %d" % (len(files) - self.seen))
        return out


def link(body, kind):
    m = re.search(r"(http://\S+/%s/\S+)" % kind, body)
    check(m is not None, "a %s link in the message:\n%s" % (kind, body))
    return m.group(1)


def cast_and_download_receipt(page, browser):
    """Casts the reviewed ballot; the receipt, checked in the page, as
    downloaded."""
    page.press("#cast")
    page.view("receipt")
    check(page.eval("document.getElementById('receipt-checked') !== null"),
          "the receipt checks in the page: " + page.text())
    page.press("#download-receipt")
    return browser.wait_download()


def open_election(election, roll):
    """Imports the roll, opens the vote, writes ELECTION.signed.json."""
    teller("roll", "import", election, roll)
    teller("election", "open", election)
    teller("manifest", election, "--output", election + ".signed.json")


def log_entries(url, election, kind):
    """The lines of the entries of one kind in the election's log."""
    log = json.loads(get("%s/v1/elections/%s/log" % (url, election)))
    return [e["entry"] for e in log["entries"] if e["kind"] == kind]


def testdata_file(name):
    """A file of the shared test data (TELLER_TESTDATA, else ../shared/
    testdata beside the source tree), or None when it is absent."""
    d = os.environ.get("TELLER_TESTDATA") or os.path.join(
        args.srcdir, "..", "shared", "testdata")
    path = os.path.join(d, name)
    return path if os.path.exists(path) else None


def c_vectors(path):
    """The hex strings 'static const char vec_NAME[] = "..." "...";' of a C
    test file, by name."""
    with open(path) as f:
        src = f.read()
    return {m.group(1): re.sub(r'[\s"]', "", m.group(2)) for m in re.finditer(
        r'static const char (vec_\w+)\[\] =\s*((?:"[0-9a-f]*"\s*)+);', src)}


def known_answers(device, url):
    """In the browser: the page's HPKE against RFC 9180 A.1.1 byte for
    byte, and its sealing (Shamir over GF(2^8), AES-256-GCM, HPKE, the
    bindings) against the known answer tests/unit/check_seal.c holds
    teller's C code to, from the same fixed randomness."""
    vectors = testdata_file("crypto/rfc9180-x25519-sha256-aes128gcm.json")
    with device("known-answers") as b:
        page = b.new_page()
        page.navigate(url + "/vote/club")
        page.wait_for("typeof Teller === 'object'")
        if vectors is None:
            if os.environ.get("TELLER_REQUIRE_BROWSER") == "1":
                fail("RFC 9180's vectors are absent (set TELLER_TESTDATA)")
            print("SKIP (part): RFC 9180's vectors are absent (set "
                  "TELLER_TESTDATA); the page's HPKE was not checked "
                  "against them", flush=True)
        else:
            with open(vectors) as f:
                v = json.load(f)
            got = page.eval("""(async v => {
  const H = Teller.hpke, h = Teller.hex, x = Teller.fromHex, out = {};
  const e = await H.deriveKeyPair(x(v.ikmE)), r = await H.deriveKeyPair(x(v.ikmR));
  Object.assign(out, {skEm: h(e.sk), pkEm: h(e.pk), skRm: h(r.sk), pkRm: h(r.pk)});
  const dkp = await H.labeledExtract(H.suiteKem, new Uint8Array(0), "dkp_prk", x(v.ikmE));
  out.dkp_prk_E = h(dkp);
  const en = await H.encap(x(v.pkRm), x(v.ikmE));
  Object.assign(out, {enc: h(en.enc), shared_secret: h(en.sharedSecret)});
  const ctx = await H.keySchedule(en.sharedSecret, x(v.info));
  Object.assign(out, {key_schedule_context: h(ctx.keyScheduleContext),
    secret: h(ctx.secret), key: h(ctx.key), base_nonce: h(ctx.baseNonce),
    exporter_secret: h(ctx.exporterSecret)});
  out.encryptions = [];
  for (const c of v.encryptions) {
    ctx.seq = c.sequence_number;
    out.encryptions.push(h(await H.contextSeal(ctx, x(c.aad), x(c.pt))));
  }
  out.exports = [];
  for (const c of v.exports)
    out.exports.push(h(await H.contextExport(ctx, x(c.exporter_context), c.L)));
  const single = await H.sealBase(x(v.pkRm), x(v.info), x(v.encryptions[0].aad),
    x(v.encryptions[0].pt), x(v.ikmE));
  out.single = h(single);
  return out;
})(%s)""" % json.dumps(v))
            want = {k: v[k] for k in ("skEm", "pkEm", "skRm", "pkRm", "enc",
                                      "shared_secret", "key_schedule_context",
                                      "secret", "key", "base_nonce",
                                      "exporter_secret")}
            want["dkp_prk_E"] = v["derived_values"]["dkp_prk_E"]
            want["encryptions"] = [c["ct"] for c in v["encryptions"]]
            want["exports"] = [c["exported_value"] for c in v["exports"]]
            want["single"] = v["enc"] + v["encryptions"][0]["ct"]
            for k in want:
                check(got.get(k) == want[k], "RFC 9180 %s: page %s, RFC %s"
                      % (k, got.get(k), want[k]))
            check(len(want["encryptions"]) == 7, "seven encryptions checked")
            ok("the page's HPKE is RFC 9180 A.1.1 byte for byte: "
               "DeriveKeyPair, Encap, the key schedule, %d encryptions "
               "(seq 0 to 256), the exports and SealBase" %
               len(want["encryptions"]))

        vec = c_vectors(os.path.join(args.srcdir, "tests/unit/check_seal.c"))
        check(len(vec) >= 13, "the vectors of check_seal.c: %s" % sorted(vec))
        got = page.eval("""(async v => {
  const x = Teller.fromHex, h = Teller.hex, keys = [];
  for (let i = 1; i <= 3; i++)
    keys.push((await Teller.hpke.deriveKeyPair(x(v["vec_trustee_ikm_" + i]))).pk);
  const rnd = {key: x(v.vec_content_key), nonce: x(v.vec_nonce),
    coefficients: x(v.vec_coefficients),
    ephemeral: [0x20, 0x21, 0x22].map(b => new Uint8Array(32).fill(b))};
  const s = await Teller.sealWith(rnd, keys, 2, {election: "isoc-2026",
    manifestHash: x(v.vec_manifest_hash),
    ballotKey: Uint8Array.from({length: 32}, (_, i) => i)},
    Teller.utf8('[{"contest":"chapters","marks":["okafor","chen"]}]'));
  return {selections: h(s.selections), sealed: s.shares.map(h),
    shares: Teller.shamirSplit(rnd.key, 2, 3, rnd.coefficients).map(h),
    product: Teller.gfMul(0x57, 0x83)};
})(%s)""" % json.dumps(vec))
        check(got["product"] == 0xc1, "{57} x {83} = {c1} in the page")
        check(got["selections"] == vec["vec_selections"],
              "sealed selections: page %s, C %s" % (got["selections"],
                                                    vec["vec_selections"]))
        for i in range(3):
            check(got["shares"][i] == vec["vec_share_%d" % (i + 1)],
                  "share %d: page %s" % (i + 1, got["shares"][i]))
            check(got["sealed"][i] == vec["vec_sealed_share_%d" % (i + 1)],
                  "sealed share %d: page %s, C %s" % (
                      i + 1, got["sealed"][i],
                      vec["vec_sealed_share_%d" % (i + 1)]))
    ok("the page's sealing, from check_seal.c's fixed K, nonce, "
       "coefficients and ephemeral keys, gives C's bytes: the sealed "
       "selections, the three shares and the three sealed shares")


def payload_of(line):
    return base64.b64decode(json.loads(line)["payload"]).decode()


def same_but_sealed(page_line, cli_line, ntrustees):
    """The page's sealed ballot and the CLI's for the same credential,
    seq and choices: the same payload bytes up to the sealed member
    (whose K, nonce and ephemeral keys are fresh for each ballot), that
    member written as teller writes it, for ntrustees, and sealed
    selections of the same (padded) length."""
    text, cli_text = payload_of(page_line), payload_of(cli_line)
    cut = text.index('"sealed":')
    check(cli_text[:cut] == text[:cut] and cli_text[cut:].startswith(
        '"sealed":'), "the page's ballot up to its sealed member is the "
          "CLI's:\npage: %s\ncli:  %s" % (text, cli_text))
    b64 = r'"[A-Za-z0-9+/=]+"'
    check(re.fullmatch(r'\{"selections":%s,"shares":\[%s\]\}\}' % (
        b64, ",".join([b64] * ntrustees)), text[cut + 9:]) is not None,
          "the sealed member written as teller writes it: " + text[cut:])
    lengths = [len(base64.b64decode(json.loads(t)["sealed"]["selections"]))
               for t in (text, cli_text)]
    check(lengths[0] == lengths[1], "padded alike: %s" % lengths)


def sealed_election(device, url, public_key, cast_and_download_receipt,
                    problem):
    """A sealed secret election with 3 trustees, threshold 2: the page
    obtains a credential, seals and casts; the log holds no choice; the
    ballot is 'teller ballot make --credential's but for the sealed
    member's randomness; a refused revote stores nothing; after the
    close t1 and t2 unseal; the tally counts the page's ballot; verify
    and receipt verify accept."""
    console = []
    people = [{"id": "ann", "name": "Ann Lee"}, {"id": "ben", "name": "Ben Ng"},
              {"id": "cy", "name": "Cy Ørsted"}]
    trustees = {}
    for tr in ("t1", "t2", "t3"):
        trustees[tr] = json.loads(teller("trustee", "keygen", "-o",
                                         tr + ".pem", "--json").stdout)
    vault = {"id": "vault", "title": "Sealed board", "secrecy": "secret",
             "revote": "first", "opens": utc(-3600), "closes": utc(86400),
             "constituencies": [{"id": "members", "name": "Members"}],
             "contests": [
                 {"id": "board", "title": "Board", "constituency": "members",
                  "method": "plurality", "candidates": people},
                 {"id": "chair", "title": "Chair", "constituency": "members",
                  "method": "irv", "candidates": people},
                 {"id": "budget", "title": "Approve the budget",
                  "constituency": "members", "method": "referendum"}],
             "trustees": [{"id": tr, "identity_key":
                           trustees[tr]["identity_key"], "sealing_key":
                           trustees[tr]["sealing_key"]}
                          for tr in ("t1", "t2", "t3")],
             "threshold": 2}
    with open(os.path.join(T, "vault.json"), "w") as f:
        json.dump(vault, f, ensure_ascii=False)
    teller("election", "create", "vault.json")
    with open(os.path.join(T, "vault-roll.csv"), "w") as f:
        f.write("voter_id,name,constituency,weight,public_key\n"
                "v1,Vi One,members,1,%s\n"
                "v2,Vi Two,members,1,%s\n" % (public_key("m3.pem"),
                                              public_key("s3.pem")))
    open_election("vault", "vault-roll.csv")

    def to_review(page, board):
        page.navigate(url + "/vote/vault#voter=v1")
        page.view("key")
        page.set_file("#key-file", os.path.join(T, "m3.pem"))
        page.press("#continue")
        page.view("ballot")
        check("2 of the election's 3 trustees" in page.text("#sealed-note"),
              "the page says the ballot is sealed: " + page.text())
        page.press("#c-board-" + board, " ")

    with device("v1") as b:
        page = b.new_page()
        to_review(page, "ann")
        rank_in_order(page, "chair", ("ben", "ann"))
        page.press("#c-budget-yes", " ")
        receipt, cred_file = cast_keeping_credential(page, b)
        console += b.console
    ballots = log_entries(url, "vault", "ballot")
    check(len(ballots) == 1, "one ballot in the sealed election's log")
    text = payload_of(ballots[0])
    payload = json.loads(text)
    check(list(payload) == ["election", "manifest", "ballot_key",
                            "credential", "seq", "sealed"],
          "a sealed ballot's members: %s" % list(payload))
    check(len(payload["sealed"]["shares"]) == 3 and all(
        len(base64.b64decode(s)) == 80 for s in payload["sealed"]["shares"]),
          "three 80-byte sealed shares")
    for word in ('"ann"', '"ben"', '"yes"', '"marks"', '"ranking"',
                 '"answer"', '"selections":['):
        check(word not in text, "the log shows %s: %s" % (word, text))
    ok("v1 obtained a credential in the page, sealed its choices for 3 "
       "trustees and cast; the log holds no choice")
    teller("receipt", "verify", receipt, "--server", url)
    ok("teller receipt verify accepts the sealed ballot's receipt")

    # The CLI's ballot from the page's credential file: the same bytes
    # up to the sealed member (whose K, nonce and ephemeral keys are
    # fresh for each ballot), and sealed selections of the same length.
    cli = teller("ballot", "make", "--manifest", "vault.signed.json",
                 "--credential", cred_file, "--vote", "board=ann",
                 "--vote", "chair=ben>ann", "--vote", "budget=yes").stdout
    same_but_sealed(ballots[0], cli, 3)
    ok("the page's sealed ballot is 'teller ballot make --credential's "
       "byte for byte up to the sealed member, padded to the same length")

    # A revote under revote "first" is refused; nothing is stored.
    with device("v1") as b:
        page = b.new_page()
        to_review(page, "ben")
        cast_refused_as_first(page)
        console += b.console
    ok("a sealed revote the server refuses is shown as refused, nothing "
       "stored")

    # v2 votes with the CLI; the vote closes; t1 and t2 unseal, t3 never.
    teller("credential", "request", "--manifest", "vault.signed.json",
           "--key", "s3.pem", "--voter", "v2", "--server", url, "-o",
           "v2.cred")
    teller("ballot", "make", "--manifest", "vault.signed.json",
           "--credential", "v2.cred", "--vote", "board=ben",
           "--vote", "chair=ann", "--vote", "budget=yes", "-o", "v2.ballot")
    teller("ballot", "cast", "v2.ballot", "--server", url, "-o",
           "v2.receipt")
    teller("election", "close", "vault", "--early", "--reason",
           "The browser test ends the vote early.")
    with device("v1") as b:
        page = b.new_page()
        page.navigate(url + "/vote/vault#voter=v1")
        check("closed at" in problem(page), "the closed sealed election")
        console += b.console
    teller("trustee", "unseal", "vault", "--key", "t1.pem")
    teller("trustee", "unseal", "vault", "--key", "t2.pem", "--server", url)
    result = json.loads(teller("tally", "vault", "--json").stdout)
    board, chair, budget = result["contests"]
    check(board["rounds"][-1]["votes"] == {"ann": 1, "ben": 1, "cy": 0},
          "board: %s" % board["rounds"][-1])
    check(chair["rounds"][0]["votes"] == {"ann": 1, "ben": 1, "cy": 0},
          "chair: %s" % chair["rounds"][0])
    check(budget["rounds"][-1]["votes"] == {"yes": 2, "no": 0, "abstain": 0},
          "budget: %s" % budget["rounds"][-1])
    check(result["spoiled"] == [], "spoiled: %s" % result["spoiled"])
    ok("t1 and t2 unsealed; the tally opened and counted the page's "
       "ballot (board ann, chair ben first, budget yes), none spoiled")
    with open(os.path.join(T, "vault-record.jsonl"), "w") as f:
        f.write(teller("export", "vault").stdout)
    report = json.loads(teller("verify", "vault-record.jsonl",
                               "--json").stdout)
    check(report["valid"] and report["unseal"]["opening"] == ["t1", "t2"]
          and report["unseal"]["spoiled"] == 0, "verify: %s" %
          report.get("unseal"))
    teller("receipt", "verify", receipt, "--record", "vault-record.jsonl")
    ok("teller verify opens and recounts the record; teller receipt verify "
       "accepts the page's receipt against it")

    # A trustee key no ballot can be sealed for (the X25519 point 0, whose
    # every DH is zero): teller refuses the manifest, so no signed manifest
    # carries one; the page's own check, which runs before it asks the
    # server for anything, still refuses such a manifest (given to it
    # directly here, as a forged one would be).
    broken = dict(vault, id="broken", revote="last")
    broken["trustees"] = [dict(vault["trustees"][0]), dict(
        vault["trustees"][1], sealing_key=base64.b64encode(
            bytes(32)).decode())]
    broken["threshold"] = 1
    with open(os.path.join(T, "broken.json"), "w") as f:
        json.dump(broken, f, ensure_ascii=False)
    before = stored()
    r = teller("election", "create", "broken.json", status=2)
    check("trustees[1].sealing_key: a point of small order" in r.stderr,
          "election create names the unusable key: " + r.stderr)
    check(stored() == before, "the refused manifest stores nothing")
    with device("v1-broken") as b:
        page = b.new_page()
        page.navigate(url + "/vote/vault#voter=v1")
        page.wait_for("typeof Teller === 'object'")
        got = page.eval("""(async m => {
  const say = p => p.then(() => "sealable", e => e.message);
  return {broken: await say(Teller.checkSealing(m)),
    vault: await say(Teller.checkSealing(%s))};
})(%s)""" % (json.dumps(vault), json.dumps(broken)))
        check(got["broken"] == "the sealing key of trustee t2 is not usable"
              and got["vault"] == "sealable", "the page's check: %s" % got)
        console += b.console
    ok("a trustee key no ballot can be sealed for is refused by election "
       "create, and by the page's own check before anything is sent")
    return console


def rank_in_order(page, contest, candidates):
    """Adds the candidates to the contest's ranking, in order."""
    for cand in candidates:
        page.press('#contest-%s button[data-action="add"]'
                   '[data-candidate="%s"]' % (contest, cand), "Enter")


def cast_keeping_credential(page, browser):
    """Reviews and casts the ballot of a secret election; the receipt and
    the credential file the page offers, as downloaded."""
    page.press("#review")
    page.view("review")
    receipt = cast_and_download_receipt(page, browser)
    page.press("#download-credential")
    cred_file = browser.wait_download()
    os.chmod(cred_file, 0o600)
    return receipt, cred_file


def cast_refused_as_first(page):
    """Reviews and casts a ballot the server refuses (revote policy
    "first"): the page says so, and nothing is stored."""
    page.press("#review")
    page.view("review")
    before = stored()
    page.press("#cast")
    page.wait_for("document.getElementById('alert').textContent"
                  ".includes('Your ballot was refused')")
    check("first ballot is the one that counts" in page.text("#alert"),
          page.text("#alert"))
    check(stored() == before, "nothing stored for a refused ballot")


def main():
    global args, T
    p = argparse.ArgumentParser()
    for name in ("teller", "chromium", "smtp-python", "srcdir", "dir"):
        p.add_argument("--" + name, required=True)
    args = p.parse_args()
    T = args.dir
    procs = []
    try:
        run(procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def run(procs):
    # --- the election, the SMTP server, teller serve -----------------------
    teller("init")
    manifest = {
        "id": "club", "title": "Club board — 2026", "revote": "first",
        "opens": utc(-3600), "closes": utc(86400),
        "constituencies": [{"id": "members", "name": "Members"},
                           {"id": "guests", "name": "Guests"}],
        "contests": [
            {"id": "board", "title": "Board", "constituency": "members",
             "seats": 2, "method": "plurality",
             "candidates": [{"id": "ann", "name": "Ann Lee"},
                            {"id": "ben", "name": "Ben Ng"},
                            {"id": "cy", "name": "Cy Ørsted"}]},
            {"id": "approve", "title": "Auditors", "constituency": "members",
             "method": "approval",
             "candidates": [{"id": "ann", "name": "Ann Lee"},
                            {"id": "ben", "name": "Ben Ng"},
                            {"id": "cy", "name": "Cy Ørsted"},
                            {"id": "dee", "name": "Dee Roy"}]},
            {"id": "chair", "title": "Chair", "constituency": "members",
             "method": "irv",
             "candidates": [{"id": "ann", "name": "Ann Lee"},
                            {"id": "ben", "name": "Ben Ng"},
                            {"id": "cy", "name": "Cy Ørsted"}]},
            {"id": "prefs", "title": "Venue", "constituency": "members",
             "method": "schulze",
             "candidates": [{"id": "ann", "name": "Lisbon"},
                            {"id": "ben", "name": "Nairobi"},
                            {"id": "cy", "name": "Osaka"},
                            {"id": "dee", "name": "Quito"}]},
            {"id": "budget", "title": "Approve the budget",
             "constituency": "members", "method": "referendum"},
            {"id": "guest", "title": "Guest seat", "constituency": "guests",
             "method": "plurality",
             "candidates": [{"id": "gil", "name": "Gil"},
                            {"id": "hal", "name": "Hal"}]}]}
    with open(os.path.join(T, "club.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False)
    teller("election", "create", "club.json")
    teller("key", "generate", "m3.pem")
    m4_pub = teller("key", "generate", "m4.pem").stdout.split()[1]
    g1_pub = teller("key", "generate", "g1.pem").stdout.split()[1]
    teller("key", "generate", "stranger.pem")
    with open(os.path.join(T, "roll.csv"), "w") as f:
        f.write("voter_id,name,constituency,weight,public_key,email\n"
                "m1,Ann Member,members,1,,m1@example.org\n"
                "m2,Ben Member,members,2,,m2@example.org\n"
                "m3,Cy Member,members,1,,m3@example.org\n"
                "m4,Dee Member,members,1,%s,m4@example.org\n"
                "g1,Gil Guest,guests,1,%s,g1@example.org\n" % (m4_pub, g1_pub))
    teller("roll", "import", "club", "roll.csv")

    mails = os.path.join(T, "mail")
    os.mkdir(mails)
    sink = subprocess.Popen([args.smtp_python,
                             os.path.join(args.srcdir, "tests/smtp-sink.py"),
                             "--dir", mails, "--port-file",
                             os.path.join(T, "smtp.port")],
                            stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(T, "smtp.log"), "w"))
    procs.append(sink)
    wait_file(os.path.join(T, "smtp.port"), sink, "the SMTP server")
    with open(os.path.join(T, "smtp.port")) as f:
        smtp = "smtp://127.0.0.1:%s" % f.read().strip()
    box = Mailbox(mails)

    port = free_port()
    url = "http://127.0.0.1:%d" % port
    server = subprocess.Popen([args.teller, "serve", "--listen",
                               "127.0.0.1:%d" % port],
                              env=dict(os.environ, TELLER_DB=os.path.join(
                                  T, "teller.db")),
                              stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(T, "server.log"), "w"))
    procs.append(server)
    for _ in range(300):
        try:
            get(url + "/healthz")
            break
        except OSError:
            if server.poll() is not None:
                fail("teller serve exited")
            time.sleep(0.1)
    ok("teller serve on %s, SMTP on %s" % (url, smtp))
    mail_opts = ["--url", url, "--smtp", smtp, "--from",
                 "elections@example.org"]

    # --- 1. enrolment ---------------------------------------------------
    teller("invite", "club", *mail_opts)
    links = {}
    for to, subject, body in box.new(3):
        check(subject == "Club board — 2026: make your voting key",
              "subject: " + subject)
        links[to.split("@")[0]] = link(body, "enrol")
    check(sorted(links) == ["m1", "m2", "m3"], "invited: %s" % sorted(links))
    ok("enrolment links mailed to m1, m2, m3 (not to m4, g1: they have keys)")
    # m2's second link is made two hours ago, valid for one: expired; it
    # replaces the first.  A third replaces neither (the second is dead).
    replaced_link = links["m2"]
    two_hours_ago = str(int(time.time()) - 7200)
    teller("invite", "club", "--voter", "m2", "--valid-for", "1h",
           *mail_opts, env={"TELLER_NOW": two_hours_ago})
    (to, subject, body), = box.new(1)
    expired_link = link(body, "enrol")
    teller("invite", "club", "--voter", "m2", *mail_opts)
    (to, subject, body), = box.new(1)
    links["m2"] = link(body, "enrol")
    check(len({replaced_link, expired_link, links["m2"]}) == 3,
          "three different links for m2")

    downloads = os.path.join(T, "downloads")
    console = []

    def device(name):
        return Browser(args.chromium, os.path.join(T, "profile-" + name),
                       os.path.join(downloads, name),
                       os.path.join(T, "chromium-%s.log" % name))

    def problem(page):
        page.wait_for("document.body.dataset.view === 'stopped'")
        return page.text("#view")

    with device("m1") as b:
        page = b.new_page()
        page.navigate(links["m1"])
        page.view("enrol")
        check("You are enrolling as Ann Member (voter m1)" in page.text(),
              "the enrolment page names the voter")
        check(page.unnamed_controls() == [], "every control has a name")
        before = stored()
        page.press("#make-key")
        page.view("enrolled")
        check(stored()[3] == before[3] + 1, "m1's key is stored")
        check("#token=" not in page.eval("location.href"),
              "the token leaves the address bar")
        page.press("#download-key")
        m1_key = b.wait_download()
        with open(m1_key) as f:
            pem = f.read()
        check(pem.startswith("-----BEGIN PRIVATE KEY-----\n"), "a PEM backup")
        os.chmod(m1_key, 0o600)
        console += b.console
    ok("m1 made a key in the browser, registered it, downloaded the backup")

    # The key m1 registered is the backup's public key.
    pub = subprocess.run(["openssl", "pkey", "-in", m1_key, "-pubout",
                          "-outform", "DER"], capture_output=True).stdout
    db = sqlite3.connect(os.path.join(T, "teller.db"))
    m1_roll_key = db.execute("SELECT public_key FROM voters WHERE id = "
                             "'m1'").fetchone()[0]
    db.close()
    check(base64.b64encode(pub[-32:]).decode() == m1_roll_key,
          "the roll has the backup's public key")
    ok("openssl reads the backup: its public key is m1's on the roll")

    with device("m1-again") as b:
        page = b.new_page()
        before = stored()
        page.navigate(links["m1"])
        text = problem(page)
        check("already been used" in text, "used link: " + text)
        page.navigate(expired_link)
        text = problem(page)
        check("has expired" in text, "expired link: " + text)
        page.navigate(replaced_link)
        text = problem(page)
        check("replaced by a newer one" in text, "replaced link: " + text)
        page.navigate(links["m2"].replace("#token=", "#token=x"))
        text = problem(page)
        check("not valid" in text, "garbled link: " + text)
        page.navigate(url + "/enrol/club")
        text = problem(page)
        check("incomplete" in text, "no token: " + text)
        check(stored() == before, "nothing stored for the refused links")
        console += b.console
    ok("used, expired, replaced, garbled and cut links refused with their "
       "messages")

    with device("m2") as b:
        page = b.new_page()
        page.navigate(links["m2"])
        page.view("enrol")
        page.press("#make-key")
        page.view("enrolled")
        console += b.console
    with device("m3") as b:
        page = b.new_page()
        page.navigate(links["m3"])
        page.view("enrol")
        before = stored()
        with open(os.path.join(T, "notakey.pem"), "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                    "-----END PRIVATE KEY-----\n")
        page.set_file("#key-file", os.path.join(T, "notakey.pem"))
        page.press("#load-key")
        page.wait_for("document.getElementById('alert').textContent"
                      ".includes('not a private voting key')")
        check(stored() == before, "nothing stored for a wrong key file")
        page.set_file("#key-file", os.path.join(T, "m3.pem"))
        page.press("#load-key")
        page.view("enrolled")
        check(page.eval("document.getElementById('download-key')") is None,
              "no backup offered for a loaded file")
        console += b.console
    db = sqlite3.connect(os.path.join(T, "teller.db"))
    keys = dict(db.execute("SELECT id, public_key FROM voters"))
    db.close()
    m3_der = subprocess.run(["openssl", "pkey", "-in", os.path.join(
        T, "m3.pem"), "-pubout", "-outform", "DER"],
        capture_output=True).stdout
    check(keys["m3"] == base64.b64encode(m3_der[-32:]).decode(),
          "m3's roll key is the key file's")
    ok("m2 made a key; m3 loaded a key file after a wrong one was refused")
    roll = {v["voter"]: v for v in json.loads(teller("roll", "list", "club",
                                                     "--json").stdout)}
    check([roll[v]["enrolment"] for v in ("m1", "m2", "m3", "m4", "g1")] ==
          ["enrolled", "enrolled", "enrolled", "imported", "imported"],
          "roll list: %s" % roll)
    check(roll["m1"]["email"] == "m1@example.org" and
          roll["m1"]["last_notice"]["kind"] == "enrolment", "roll list m1")
    ok("teller roll list shows who enrolled")

    # --- the roll freezes; voting opens ------------------------------------
    teller("election", "open", "club")
    with device("late") as b:
        page = b.new_page()
        page.navigate(expired_link)
        text = problem(page)
        check("Enrolment in this election has closed" in text,
              "enrolment closed: " + text)
        console += b.console
    ok("enrolment closed once the roll froze")
    teller("manifest", "club", "--output", "club.signed.json")
    teller("invite", "club", "--voting-open", *mail_opts)
    voting = {}
    for to, subject, body in box.new(5):
        check(subject == "Club board — 2026: voting is open", subject)
        voting[to.split("@")[0]] = link(body, "vote")
    check(sorted(voting) == ["g1", "m1", "m2", "m3", "m4"], str(voting))
    ok("voting links mailed to every voter")

    # --- 2. m1 votes with the keyboard alone, on a phone's screen -----------
    with device("m1") as b:
        page = b.new_page()
        page.phone()
        page.navigate(voting["m1"])
        page.view("ballot")
        text = page.text()
        check("Guest seat" not in text, "only m1's constituency's contests")
        check("Authority key id" in text, "the authority key id is shown")
        check(page.unnamed_controls() == [], "every control has a name: %s"
              % page.unnamed_controls())
        for box_id in ("#c-board-ann", "#c-board-ben", "#c-approve-ann",
                       "#c-approve-cy", "#c-approve-dee"):
            page.press(box_id, " ")
        check("2 of at most 2 chosen" in page.text("#contest-board"),
              "the count of choices")

        def rank(contest, action, cand, key="Enter"):
            sel = ('#contest-%s button[data-action="%s"]'
                   '[data-candidate="%s"]' % (contest, action, cand))
            page.press(sel, key)

        for cand in ("ben", "ann", "cy"):
            rank("chair", "add", cand)
        rank("chair", "up", "cy")          # ben, cy, ann
        check(page.eval("document.activeElement.dataset.candidate") == "cy",
              "focus stays on the moved candidate")
        check("Osaka" not in page.text("#contest-chair .ranking"), "chair")
        order = page.eval("Array.from(document.querySelectorAll("
                          "'#contest-chair .ranking li')).map(li => "
                          "li.dataset.candidate).join(',')")
        check(order == "ben,cy,ann", "ranking order %s" % order)
        check("Cy Ørsted is now at rank 2" in page.text("#status"),
              "the move is announced")
        for cand in ("ann", "cy", "ben"):
            rank("prefs", "add", cand)
        rank("prefs", "down", "cy")        # ann, ben, cy
        page.press("#eq-prefs-ben", " ")   # ann = ben, cy
        check(page.eval("document.querySelector('#contest-prefs .ranking "
                        "li[data-candidate=\"ben\"] .rank').textContent")
              == "Rank 1", "equal ranks share a number")
        page.press("#c-budget-yes", " ")
        check(page.eval("document.documentElement.scrollWidth <= "
                        "window.innerWidth"), "fits a 360-pixel screen")
        if os.environ.get("TELLER_SCREENSHOTS"):
            page.screenshot(os.path.join(os.environ["TELLER_SCREENSHOTS"],
                                         "ballot-phone.png"))
        page.press("#review")
        page.view("review")
        if os.environ.get("TELLER_SCREENSHOTS"):
            page.screenshot(os.path.join(os.environ["TELLER_SCREENSHOTS"],
                                         "review-phone.png"))
        summary = page.text("#summary")
        for expect in ("Board: Ann Lee, Ben Ng",
                       "Auditors: Ann Lee, Cy Ørsted, Dee Roy",
                       "Chair: 1. Ben Ng; 2. Cy Ørsted; 3. Ann Lee",
                       "Venue: 1. Lisbon = Nairobi; 2. Osaka",
                       "Approve the budget: Yes"):
            check(expect in summary, "summary lacks %r:\n%s" % (expect,
                                                                 summary))
        receipt = cast_and_download_receipt(page, b)
        console += b.console
    ok("m1 voted by keyboard in every kind of contest; receipt checked "
       "in the browser")
    teller("receipt", "verify", receipt, "--server", url)
    ok("teller receipt verify accepts the downloaded receipt")

    log = json.loads(get(url + "/v1/elections/club/log"))
    entries = [e["entry"] for e in log["entries"] if e["kind"] == "ballot"]
    check(len(entries) == 1, "one ballot in the log")
    cli = teller("ballot", "make", "--manifest", "club.signed.json",
                 "--key", m1_key, "--voter", "m1", "--seq", "1",
                 "--vote", "board=ann,ben", "--vote", "approve=ann,cy,dee",
                 "--vote", "chair=ben>cy>ann", "--vote", "prefs=ann=ben>cy",
                 "--vote", "budget=yes").stdout
    check(cli == entries[0] + "\n", "the page's ballot is byte for byte "
          "the CLI's:\npage: %s\ncli:  %s" % (entries[0], cli))
    ok("the page's ballot is byte for byte 'teller ballot make's")

    # --- 3. refusals --------------------------------------------------------
    with device("m4") as b:
        page = b.new_page()
        page.navigate(voting["m4"])
        page.view("key")
        check(page.eval("document.getElementById('voter-id').value") == "m4",
              "the voter id comes from the link")
        before = stored()
        page.set_file("#key-file", os.path.join(T, "m3.pem"))
        page.press("#continue")
        page.wait_for("document.getElementById('alert').textContent"
                      ".includes('not the key on the voter roll for voter "
                      "m4')")
        page.set_file("#key-file", os.path.join(T, "notakey.pem"))
        page.press("#continue")
        page.wait_for("document.getElementById('alert').textContent"
                      ".includes('not a private voting key')")
        page.eval("document.getElementById('voter-id').value = 'nobody'")
        page.set_file("#key-file", os.path.join(T, "m4.pem"))
        page.press("#continue")
        page.wait_for("document.getElementById('alert').textContent"
                      ".includes('no voter “nobody”')")
        check(stored() == before, "nothing stored for wrong keys")
        page.eval("document.getElementById('voter-id').value = 'm4'")
        page.press("#continue")
        page.view("ballot")
        page.press("#c-budget-no", " ")
        page.press("#review")
        page.view("review")
        summary = page.text("#summary")
        check("Board: Blank" in summary and "Venue: Blank" in summary and
              "Approve the budget: No" in summary, summary)
        page.press("#cast")
        page.view("receipt")
        console += b.console
    ok("wrong key file, another voter's key, unknown voter refused; m4 "
       "voted with the right file")
    log = json.loads(get(url + "/v1/elections/club/log"))
    entries = [e["entry"] for e in log["entries"] if e["kind"] == "ballot"]
    cli = teller("ballot", "make", "--manifest", "club.signed.json",
                 "--key", "m4.pem", "--voter", "m4", "--vote", "budget=no",
                 "--blank-all").stdout
    check(cli == entries[1] + "\n", "a ballot with blank contests, byte for "
          "byte the CLI's --blank-all:\npage: %s\ncli:  %s" % (entries[1],
                                                           cli))
    ok("m4's ballot with four blank contests is byte for byte 'teller "
       "ballot make --blank-all's")

    with device("m1") as b:
        page = b.new_page()
        # A browser that keeps m1's key does not use it for m4's link.
        page.navigate(voting["m4"])
        page.view("key")
        page.navigate(voting["m1"])
        page.view("ballot")
        check("Your first ballot is the one that counts" in page.text(),
              "the page says the first ballot counts")
        page.press("#c-budget-no", " ")
        cast_refused_as_first(page)
        console += b.console
    ok("a ballot the server refuses is shown as refused, nothing stored")

    # --- 4. reminders, the close, the record --------------------------------
    teller("remind", "club", *mail_opts)
    reminded = sorted(to.split("@")[0] for to, s, b_ in box.new(3))
    check(reminded == ["g1", "m2", "m3"], "reminded: %s" % reminded)
    ok("reminders went to g1, m2, m3 only (m1 and m4 voted)")

    teller("election", "close", "club", "--early", "--reason",
           "The browser test ends the vote early.")
    with device("m2") as b:
        page = b.new_page()
        page.navigate(voting["m2"])
        text = problem(page)
        check("closed at" in text, "closed election: " + text)
        console += b.console
    ok("a closed election says so")
    teller("tally", "club")
    record = teller("export", "club").stdout
    with open(os.path.join(T, "record.jsonl"), "w") as f:
        f.write(record)
    teller("verify", "record.jsonl")
    ok("teller verify accepts the record")

    # --- 5. a secret election: the page obtains the credential -------------
    sec = {"id": "sec", "title": "Secret board", "secrecy": "secret",
           "revote": "last", "opens": utc(-3600), "closes": utc(86400),
           "constituencies": [{"id": "members", "name": "Members"}],
           "contests": [
               {"id": "board", "title": "Board", "constituency": "members",
                "method": "plurality",
                "candidates": [{"id": "ann", "name": "Ann Lee"},
                               {"id": "ben", "name": "Ben Ng"}]},
               {"id": "chair", "title": "Chair", "constituency": "members",
                "method": "irv",
                "candidates": [{"id": "ann", "name": "Ann Lee"},
                               {"id": "ben", "name": "Ben Ng"},
                               {"id": "cy", "name": "Cy Ørsted"}]}]}
    with open(os.path.join(T, "sec.json"), "w") as f:
        json.dump(sec, f, ensure_ascii=False)
    teller("election", "create", "sec.json")

    def public_key(pem):
        der = subprocess.run(["openssl", "pkey", "-in", os.path.join(T, pem),
                              "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout
        return base64.b64encode(der[-32:]).decode()

    with open(os.path.join(T, "sec-roll.csv"), "w") as f:
        f.write("voter_id,name,constituency,weight,public_key,email\n")
        f.write("s1,Sam One,members,1,%s,s1@example.org\n" %
                public_key("m3.pem"))
        f.write("s2,Sam Two,members,1,%s,s2@example.org\n" %
                public_key("m4.pem"))
        for i in range(3, 6):
            teller("key", "generate", "s%d.pem" % i)
            f.write("s%d,Sam %d,members,1,%s,s%d@example.org\n" % (
                i, i, public_key("s%d.pem" % i), i))
    open_election("sec", "sec-roll.csv")

    def sec_log(kind):
        return log_entries(url, "sec", kind)

    def sec_vote(page, key_file, voter, board=None):
        """To the ballot with the key file; with board, on to the review
        of a ballot that marks that candidate alone."""
        page.navigate(url + "/vote/sec#voter=" + voter)
        page.view("key")
        page.set_file("#key-file", os.path.join(T, key_file))
        page.press("#continue")
        page.view("ballot")
        if board is not None:
            page.press("#c-board-" + board, " ")
            page.press("#review")
            page.view("review")

    with device("s1") as b:
        page = b.new_page()
        sec_vote(page, "m3.pem", "s1")
        check("your ballot will not carry your name" in page.text(
            "#secret-note"), "the page says the election is secret")
        page.press("#c-board-ann", " ")
        rank_in_order(page, "chair", ("ben", "ann"))
        sec_receipt, cred_file = cast_keeping_credential(page, b)
        console += b.console
    check([len(sec_log(k)) for k in ("credential-request", "credential",
                                      "ballot")] == [1, 1, 1],
          "one request, its issuance and one ballot logged")
    ballot = sec_log("ballot")[0]
    payload = json.loads(base64.b64decode(json.loads(ballot)["payload"]))
    check("voter" not in payload and payload["seq"] == 1,
          "the secret ballot names no voter: %s" % payload)
    check("selections" not in payload and
          len(payload["sealed"]["shares"]) == 1, "a secret election that "
          "names no trustees is sealed, for the authority: %s" % payload)
    ok("s1 obtained a credential in the page and cast a secret ballot; "
       "the receipt checked in the browser")
    teller("receipt", "verify", sec_receipt, "--server", url)
    ok("teller receipt verify accepts the secret ballot's receipt")
    reminded = teller("remind", "sec", "--url", url, "--print").stdout
    check("s1@example.org" not in reminded and all(
        "s%d@example.org" % i in reminded for i in range(2, 6)),
          "a secret election's reminders: %s" % reminded)
    ok("teller remind skips s1, who obtained a credential")

    cli = teller("ballot", "make", "--manifest", "sec.signed.json",
                 "--credential", cred_file, "--vote", "board=ann",
                 "--vote", "chair=ben>ann").stdout
    same_but_sealed(ballot, cli, 1)
    ok("the page's secret ballot, sealed for the authority (the only "
       "trustee of an election that names none), is 'teller ballot make "
       "--credential's, from the credential file the page made, up to the "
       "sealed member")

    # The request again (a lost answer): the same issuance, and the server
    # closes the connection, so the ballot goes over another one.
    with open(cred_file) as f:
        request = json.load(f)["request"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/v1/elections/sec/credentials", body=request,
                 headers={"Content-Type": "application/json"})
    answer = conn.getresponse()
    body = answer.read().decode()
    conn.close()
    check(answer.status == 200 and body.strip() == sec_log("credential")[0],
          "the same request again: %d %s" % (answer.status, body))
    check((answer.getheader("Connection") or "").lower() == "close",
          "a credential's answer closes its connection: %s" %
          answer.getheaders())
    ok("the same request gets the same issuance; its connection is closed")

    # A revote from the browser that keeps the credential: seq 2, no new
    # request.  From another browser: s1 has a credential; refused.
    with device("s1") as b:
        page = b.new_page()
        sec_vote(page, "m3.pem", "s1", board="ben")
        page.press("#cast")
        page.view("receipt")
        console += b.console
    check(len(sec_log("credential-request")) == 1, "no new request")
    payload = json.loads(base64.b64decode(json.loads(
        sec_log("ballot")[1])["payload"]))
    check(payload["seq"] == 2 and payload["ballot_key"] == json.loads(
        base64.b64decode(json.loads(ballot)["payload"]))["ballot_key"],
          "the revote: the same ballot key, seq 2")
    with device("s1-other") as b:
        page = b.new_page()
        sec_vote(page, "m3.pem", "s1", board="ben")
        before = stored()
        page.press("#cast")
        page.wait_for("document.getElementById('alert').textContent"
                      ".includes('already obtained a credential')")
        check(stored() == before, "nothing stored for a refused request")
        console += b.console
    ok("a revote with the kept credential; another browser's request for "
       "s1 refused, nothing stored")
    teller("election", "close", "sec", "--early", "--reason",
           "The browser test ends the vote early.")
    result = json.loads(teller("tally", "sec", "--json").stdout)
    check(result["contests"][0]["rounds"][-1]["votes"] == {"ann": 0,
                                                           "ben": 1},
          "s1's last ballot (board=ben), opened with the authority's "
          "key, counts: %s" % result["contests"][0]["rounds"][-1])
    with open(os.path.join(T, "sec-record.jsonl"), "w") as f:
        f.write(teller("export", "sec").stdout)
    report = json.loads(teller("verify", "sec-record.jsonl",
                               "--json").stdout)
    check(report["valid"] and report["unseal"]["opening"] == ["authority"],
          "verify: %s" % report.get("unseal"))
    ok("the authority unsealed at the close; the tally counts s1's last "
       "ballot; teller verify opens and accepts the secret election's "
       "record")

    # --- 6. a sealed election: the page seals for the trustees --------------
    known_answers(device, url)
    console += sealed_election(device, url, public_key, cast_and_download_receipt,
                               problem)

    # --- 7. the console -----------------------------------------------------
    # (Chromium logs each 4xx answer as "Failed to load resource": the
    # refusals above are meant.)
    bad = [c for c in console if (c[0] in ("error", "exception") and
                                  not c[1].startswith("Failed to load "
                                                      "resource")) or
           "Content Security Policy" in c[1]]
    check(bad == [], "console errors or CSP violations: %s" % bad)
    ok("no script error and no Content-Security-Policy violation")


if __name__ == "__main__":
    main()
