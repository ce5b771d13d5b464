#!/usr/bin/env python3
"""refcount.py: a second implementation of teller's counts, for checking.

Written from the documents alone -- doc/record-format.md (section 8: the
count's input, the tie-break seed, the result document and its canonical
bytes), doc/methods.md (the counting rules, the options, BLT files) and
doc/result-format.md (every member of every report) -- and reading no C
source.  It is meant to be read beside them: each function names the
section it follows.  Readable rather than fast; Python 3 standard library
only, but for a sealed election's record (record-format.md 5.16 and
section 13), whose ballots it opens with Debian's python3-cryptography
(X25519, HKDF-Expand, AES-GCM, Ed25519).

Usage:
  refcount.py blt FILE.blt --method M [--seats N] [--seed TEXT]
      the report of `teller count FILE.blt ... --format json`, in
      canonical form (result-format.md section 12)
  refcount.py record FILE.jsonl
      recompute the result document from an exported record and compare
      it, byte for byte, with the payload of every result in the record
      (open or secret: in a secret election the ballot key stands in for
      the voter, record-format.md 8.1 and 8.2; a sealed election's
      ballots are opened first with the trustees' published keys, 5.16)
  refcount.py corpus TELLER DIR [DIR...]
      for every BLT case of each DIR (a cases.json, or every *.blt file of
      the folder), compare `TELLER count --format json` with this count
  refcount.py random TELLER DIR N SEED
      make N random small BLT files in DIR (from the text SEED) and compare
      `TELLER count --format json` with this count for every method

Exit status 0 when everything agrees, 1 when something differs, 2 on bad
usage or input.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys

METHODS = ("plurality", "approval", "referendum", "irv", "stv-scottish",
           "stv-meek", "schulze")


class CannotCount(Exception):
    """methods.md, "When a method cannot count its input"."""


# --- record-format.md 8.4: canonical bytes -------------------------------

def canonical(value):
    """The canonical serialisation of a JSON value, as a str."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        names = sorted(value, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(canonical_string(k) + ":" + canonical(value[k])
                              for k in names) + "}"
    raise ValueError("no canonical form for %r" % (value,))


def canonical_string(s):
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f",
             "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def canonical_bytes(value):
    return canonical(value).encode("utf-8")


# --- result-format.md section 1: amounts --------------------------------

def amount(x, places):
    """An amount of x units of 10^-places."""
    if places == 0:
        return x
    sign = "-" if x < 0 else ""
    whole, frac = divmod(abs(x), 10 ** places)
    return "%s%d.%0*d" % (sign, whole, places, frac)


# --- result-format.md section 2: a count's input ------------------------

class Candidate:
    def __init__(self, cid, name, withdrawn=False):
        self.id = cid
        self.name = name
        self.withdrawn = withdrawn


class Ballot:
    """A weight (units of 10^-w) and entries: (candidate index, equal to
    the previous entry)."""

    def __init__(self, weight, entries):
        self.weight = weight
        self.entries = entries


class CountInput:
    def __init__(self, method, seats, candidates, ballots, places=0,
                 options=None, eligible=0, seed=None):
        self.method = method
        self.seats = seats
        self.candidates = candidates
        self.ballots = ballots
        self.w = places
        self.options = options or {}
        self.eligible = eligible
        self.seed = seed

    def standing(self, i):
        return not self.candidates[i].withdrawn


# --- methods.md, "Drawing lots" -----------------------------------------

def lot_order(seed, n):
    """The lot order: a permutation of candidate indices 0..n-1."""
    order = list(range(n))
    if seed is None:
        return order
    stream = bytearray()
    counter = 0
    used = 0

    def draw():
        nonlocal counter, used
        while len(stream) - used < 4:
            stream.extend(hashlib.sha256(seed + b"teller-lot-order" +
                                         counter.to_bytes(8, "big")).digest())
            counter += 1
        x = int.from_bytes(stream[used:used + 4], "big")
        used += 4
        return x

    for i in range(n - 1, 0, -1):
        limit = 2 ** 32 - (2 ** 32 % (i + 1))
        x = draw()
        while x >= limit:
            x = draw()
        j = x % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


class Lot:
    def __init__(self, inp):
        self.order = lot_order(inp.seed, len(inp.candidates))
        self.rank = {c: k for k, c in enumerate(self.order)}

    def sort(self, cands):
        return sorted(cands, key=lambda c: self.rank[c])


# --- result-format.md sections 3 and 4: every report --------------------

def count(inp):
    """The report of a count (result-format.md), as a dict."""
    if inp.seats < 1:
        raise CannotCount("no seats to fill")
    # methods.md, "When a method cannot count its input": the sum of the
    # weights (of the positive ones, which bounds every vote total) must
    # be a signed 64-bit integer of units of 10^-w.
    if sum(b.weight for b in inp.ballots if b.weight > 0) >= 2 ** 63 or \
            sum(b.weight for b in inp.ballots) < -2 ** 63:
        raise CannotCount("the weights add up to 2^63 units or more")
    report = {
        "method": inp.method,
        "seats": inp.seats,
        "candidates": [],
        "ballots": len(inp.ballots),
        "weight": amount(sum(b.weight for b in inp.ballots), inp.w),
        "blank": sum(1 for b in inp.ballots if not b.entries),
    }
    for c in inp.candidates:
        item = {"id": c.id, "name": c.name}
        if c.withdrawn:
            item["withdrawn"] = True
        report["candidates"].append(item)

    valid = [b for b in inp.ballots if b.weight > 0 and
             any(inp.standing(c) for c, _ in b.entries)]
    weight = sum(b.weight for b in valid)
    q = inp.options.get("quorum", 0)
    b_min = inp.options.get("quorum_ballots", 0)
    met = 100 * weight >= q * inp.eligible and len(valid) >= b_min
    if inp.method == "referendum" or "quorum" in inp.options or \
            "quorum_ballots" in inp.options:
        quorum = {"percent": q, "eligible_weight": amount(inp.eligible, inp.w),
                  "participating_weight": amount(weight, inp.w), "met": met}
        if "quorum_ballots" in inp.options:
            quorum["min_ballots"] = b_min
            quorum["participating_ballots"] = len(valid)
        report["quorum"] = quorum

    if inp.method == "referendum":
        referendum(inp, report, met)
        return report
    if weight == 0 or not met:
        report["outcome"] = "no-valid-votes" if weight == 0 else "no-quorum"
        report.update(rounds=[], elected=[], winners=[], ties=[])
        return report
    report["elected"] = []
    report["winners"] = []
    report["ties"] = []
    {"plurality": marks, "approval": marks, "irv": irv,
     "stv-scottish": scottish, "stv-meek": meek,
     "schulze": schulze}[inp.method](inp, report)
    return report


def elect(inp, report, c):
    report["elected"].append(inp.candidates[c].id)
    report["winners"].append(inp.candidates[c].name)


def ids(inp, cands):
    return [inp.candidates[c].id for c in cands]


# --- result-format.md section 6: plurality and approval -----------------

def marks(inp, report):
    lot = Lot(inp)
    votes = {c: 0 for c in range(len(inp.candidates)) if inp.standing(c)}
    for b in inp.ballots:
        for c, _ in b.entries:
            if c in votes:
                votes[c] += b.weight
    standing = sorted(votes, key=lambda c: (-votes[c], c))
    seats_left = inp.seats
    i = 0
    while i < len(standing) and seats_left > 0:
        group = [c for c in standing[i:] if votes[c] == votes[standing[i]]]
        if len(group) <= seats_left:
            for c in group:
                elect(inp, report, c)
            seats_left -= len(group)
            i += len(group)
            continue
        in_lot_order = lot.sort(group)
        chosen = in_lot_order[:seats_left]
        for c in chosen:
            elect(inp, report, c)
        report["ties"].append({
            "candidates": ids(inp, sorted(group)),
            "question": "who fills the last seat(s)",
            "broken_by": "lot",
            "lot_order": ids(inp, in_lot_order),
            "chosen": ids(inp, chosen),
            "resolved": True,
            "seats": seats_left,
            "votes": amount(votes[group[0]], inp.w),
        })
        seats_left = 0
    report["rounds"] = [{
        "round": 1,
        "votes": {inp.candidates[c].id: amount(v, inp.w)
                  for c, v in votes.items()},
        "elected": list(report["elected"]),
    }]


# --- result-format.md section 7: referendum -----------------------------

def referendum(inp, report, quorum_met):
    totals = [0, 0, 0]
    for b in inp.ballots:
        if b.entries:
            totals[b.entries[0][0]] += b.weight
    yes, no, abstain = totals
    threshold = inp.options.get("threshold", "majority")
    if threshold == "majority":
        approved = yes > no
    else:
        approved = yes > 0 and 3 * yes >= 2 * (yes + no)
    if yes + no + abstain == 0:
        outcome = "no-valid-votes"
    elif not quorum_met:
        outcome = "no-quorum"
    else:
        outcome = "approved" if approved else "rejected"
    decided = outcome in ("approved", "rejected")
    report["rounds"] = [{"round": 1, "votes": {
        "yes": amount(yes, inp.w), "no": amount(no, inp.w),
        "abstain": amount(abstain, inp.w)}}]
    report["threshold"] = threshold
    report["outcome"] = outcome
    winner = ["yes" if approved else "no"] if decided else []
    report["elected"] = list(winner)
    report["winners"] = list(winner)


# --- methods.md "Common to every method": merged rankings ---------------

def merged_rankings(inp, allow_equal, scale):
    """The ranked ballots, withdrawn candidates removed, ballots with the
    same ranking merged: [(ranking, weight)], a ranking a tuple of ranks,
    a rank a tuple of candidates; in the order of first appearance;
    weights multiplied by scale."""
    if len(inp.ballots) >= 4294967295:
        raise CannotCount("too many ballots")
    merged = {}
    for b in inp.ballots:
        if b.weight < 0:
            raise CannotCount("a ballot of negative weight")
        seen = set()
        ranks = []
        for c, equal in b.entries:
            if c in seen:
                raise CannotCount("a candidate ranked twice")
            seen.add(c)
            if not equal:
                ranks.append([])
            if inp.standing(c):
                ranks[-1].append(c)
        ranking = tuple(tuple(r) for r in ranks if r)
        if not ranking or b.weight == 0:
            continue
        if not allow_equal and any(len(r) > 1 for r in ranking):
            raise CannotCount("%s needs a strict order of preference" %
                              inp.method)
        merged[ranking] = merged.get(ranking, 0) + b.weight * scale
    if sum(merged.values()) >= 2 ** 63:
        raise CannotCount("the papers' weights add up to 2^63 units or more")
    return list(merged.items())


# --- result-format.md sections 5, 8, 9: counts by stages ----------------

HOPEFUL, ELECTED, EXCLUDED, WITHDRAWN = "hopeful", "elected", "excluded", \
    "withdrawn"


class Stages:
    """The papers of a count by transfers (instant-runoff, Scottish STV):
    piles, the votes, the stages' history and the rounds."""

    def __init__(self, inp, papers, one, places):
        self.inp = inp
        self.one = one
        self.places = places
        n = len(inp.candidates)
        self.rankings = [[r[0] for r in ranking] for ranking, _ in papers]
        self.weight = [w for _, w in papers]
        self.total = sum(self.weight)
        self.state = [HOPEFUL if inp.standing(c) else WITHDRAWN
                      for c in range(n)]
        self.pos = [0] * len(papers)
        self.value = [one] * len(papers)
        self.pile = [[] for _ in range(n)]
        self.votes = [0] * n
        self.exhausted = 0
        self.prev = [0] * n
        self.prev_exhausted = 0
        self.history = []
        self.rounds = []
        for g in range(len(papers)):
            self.advance(g, one)
        self.record()

    def hopeful(self):
        return [c for c, s in enumerate(self.state) if s == HOPEFUL]

    def elected_count(self):
        return sum(1 for s in self.state if s == ELECTED)

    def credit(self, g, v):
        return self.weight[g] * v // self.one

    def advance(self, g, v):
        """Paper g goes on to its next hopeful candidate at value v."""
        ranking = self.rankings[g]
        k = self.pos[g]
        while k < len(ranking) and self.state[ranking[k]] != HOPEFUL:
            k += 1
        self.pos[g] = k
        self.value[g] = v
        if k == len(ranking):
            self.exhausted += self.credit(g, v)
        else:
            self.votes[ranking[k]] += self.credit(g, v)
            self.pile[ranking[k]].append(g)

    def transfer(self, c, surplus=None):
        """Candidate c's papers go on: at transfer values (a surplus) or
        at the values they have (an exclusion).  Returns the list of
        (value, transfer value) of a surplus."""
        pile, self.pile[c] = self.pile[c], []
        total = self.votes[c]
        self.votes[c] = total - surplus if surplus is not None else 0
        values = []
        new_value = {}
        for g in pile:
            v = self.value[g]
            if surplus is not None:
                if v not in new_value:
                    new_value[v] = v * surplus // total
                    values.append((v, new_value[v]))
                v = new_value[v]
            self.pos[g] += 1
            self.advance(g, v)
        return values

    def record(self):
        self.history.append(list(self.votes))

    def add_round(self, quota, action, elected):
        inp = self.inp
        transfers = {}
        for c, cand in enumerate(inp.candidates):
            if self.votes[c] != self.prev[c]:
                transfers[cand.id] = amount(self.votes[c] - self.prev[c],
                                            self.places)
        if self.rounds and self.exhausted != self.prev_exhausted:
            transfers["non-transferable"] = amount(
                self.exhausted - self.prev_exhausted, self.places)
        self.rounds.append({
            "round": len(self.rounds) + 1,
            "quota": amount(quota, self.places),
            "votes": {cand.id: amount(self.votes[c], self.places)
                      for c, cand in enumerate(inp.candidates)
                      if not cand.withdrawn},
            "transfers": transfers,
            "non_transferable": amount(self.exhausted, self.places),
            "lost": amount(self.total - sum(self.votes) - self.exhausted,
                           self.places),
            "action": action,
            "elected": ids(inp, elected),
        })
        self.prev = list(self.votes)
        self.prev_exhausted = self.exhausted

    def break_tie(self, lot, tied, lowest):
        """result-format.md section 5: by earlier stages, then lot.
        Returns (chosen, the tie object)."""
        inp = self.inp
        tied = sorted(tied)
        left = list(tied)
        for s in range(len(self.history), 0, -1):
            if len(left) == 1:
                break
            votes = self.history[s - 1]
            values = [votes[c] for c in left]
            if len(set(values)) == 1:
                continue
            best = min(values) if lowest else max(values)
            left = [c for c in left if votes[c] == best]
            if len(left) == 1:
                return left[0], {
                    "candidates": ids(inp, tied),
                    "broken_by": "earlier stage",
                    "stage": s,
                    "stage_votes": {inp.candidates[c].id:
                                    amount(votes[c], self.places)
                                    for c in tied},
                    "chosen": inp.candidates[left[0]].id,
                    "resolved": True,
                }
        in_lot_order = lot.sort(left)
        return in_lot_order[0], {
            "candidates": ids(inp, tied),
            "broken_by": "lot",
            "lot_order": ids(inp, in_lot_order),
            "chosen": inp.candidates[in_lot_order[0]].id,
            "resolved": True,
        }


def note_tie(report, action, tie, question):
    tie["question"] = question
    report["ties"].append(tie)
    action["tie"] = tie


def irv(inp, report):
    """result-format.md section 8; methods.md "Instant-runoff"."""
    if inp.seats != 1:
        raise CannotCount("irv fills one seat")
    lot = Lot(inp)
    st = Stages(inp, merged_rankings(inp, False, 1), 1, inp.w)
    action = {"type": "first preferences"}
    while True:
        hopeful = st.hopeful()
        continuing = sum(st.votes[c] for c in hopeful)
        quota = continuing // 2 + 1
        top = max(hopeful, key=lambda c: (st.votes[c], -c))
        elected = []
        if st.votes[top] >= quota or len(hopeful) == 1:
            st.state[top] = ELECTED
            elect(inp, report, top)
            elected = [top]
        st.add_round(quota, action, elected)
        if elected:
            break
        fewest = min(st.votes[c] for c in hopeful)
        tied = [c for c in hopeful if st.votes[c] == fewest]
        tie = None
        low = tied[0]
        if len(tied) > 1:
            low, tie = st.break_tie(lot, tied, lowest=True)
        action = {"type": "exclusion", "candidate": inp.candidates[low].id,
                  "votes": amount(st.votes[low], inp.w)}
        if tie:
            note_tie(report, action, tie, "which candidate to exclude")
        st.state[low] = EXCLUDED
        st.transfer(low)
        st.record()
    report["rounds"] = st.rounds


def scottish(inp, report):
    """result-format.md section 9; methods.md "Scottish STV"."""
    places = 5
    if inp.w > places:
        raise CannotCount("weights have more than 5 decimal places")
    one = 10 ** places
    lot = Lot(inp)
    st = Stages(inp, merged_rankings(inp, False, 10 ** (places - inp.w)),
                one, places)
    quota = (st.total // (one * (inp.seats + 1)) + 1) * one  # rule 46
    pending = []  # elected, surplus not yet transferred

    def rule_52(elected):
        seats_left = inp.seats - st.elected_count()
        hopeful = st.hopeful()
        if seats_left == 0 or not hopeful or len(hopeful) > seats_left:
            return
        for c in hopeful:
            st.state[c] = ELECTED
            elect(inp, report, c)
            elected.append(c)
        report["last_vacancies"] = ("rule 52: the continuing candidates "
                                    "were as many as the seats left")

    def end_of_stage():
        elected = []
        if len(st.hopeful()) <= inp.seats - st.elected_count():
            rule_52(elected)
            return elected
        reached = [c for c in st.hopeful() if st.votes[c] >= quota]
        # Rule 47: most votes first; equal votes in rule 49's order.
        while reached:
            most = max(st.votes[c] for c in reached)
            tied = [c for c in reached if st.votes[c] == most]
            c = tied[0] if len(tied) == 1 else \
                st.break_tie(lot, tied, lowest=False)[0]
            reached.remove(c)
            st.state[c] = ELECTED
            elect(inp, report, c)
            elected.append(c)
            if st.votes[c] > quota:
                pending.append(c)
        rule_52(elected)
        return elected

    st.add_round(quota, {"type": "first preferences"}, end_of_stage())
    while st.elected_count() < inp.seats and st.hopeful():
        if pending:  # rules 48 and 49
            most = max(st.votes[c] for c in pending)
            tied = sorted(c for c in pending if st.votes[c] == most)
            c, tie = tied[0], None
            if len(tied) > 1:
                c, tie = st.break_tie(lot, tied, lowest=False)
            pending.remove(c)
            surplus = st.votes[c] - quota
            action = {"type": "surplus", "candidate": inp.candidates[c].id,
                      "surplus": amount(surplus, places),
                      "votes": amount(st.votes[c], places)}
            if tie:
                note_tie(report, action, tie,
                         "which surplus to transfer first (rule 49)")
            values = st.transfer(c, surplus)
            action["transfer_values"] = [
                {"value": amount(v, places), "transfer_value": amount(t, places)}
                for v, t in values]
        else:  # rules 50 and 51
            hopeful = st.hopeful()
            fewest = min(st.votes[c] for c in hopeful)
            tied = [c for c in hopeful if st.votes[c] == fewest]
            c, tie = tied[0], None
            if len(tied) > 1:
                c, tie = st.break_tie(lot, tied, lowest=True)
            action = {"type": "exclusion", "candidate": inp.candidates[c].id,
                      "votes": amount(st.votes[c], places)}
            if tie:
                note_tie(report, action, tie,
                         "which candidate to exclude (rule 51)")
            st.state[c] = EXCLUDED
            st.transfer(c)
        st.record()
        st.add_round(quota, action, end_of_stage())
    report["quota"] = amount(quota, places)
    report["places"] = places
    report["rounds"] = st.rounds


# --- result-format.md section 10; methods.md "Meek STV" -----------------

def ceil_div(a, b):
    """a / b rounded up, for a >= 0 and b > 0."""
    return -(-a // b)


def meek(inp, report):
    places, one, omega = 9, 10 ** 9, 1000
    if inp.w > places:
        raise CannotCount("weights have more than 9 decimal places")
    lot = Lot(inp)
    papers = merged_rankings(inp, False, 10 ** (places - inp.w))
    rankings = [[r[0] for r in ranking] for ranking, _ in papers]
    total_weight = sum(w for _, w in papers)
    n = len(inp.candidates)
    state = [HOPEFUL if inp.standing(c) else WITHDRAWN for c in range(n)]
    kf = [one if state[c] == HOPEFUL else 0 for c in range(n)]
    rounds = report["rounds"] = []

    def n_state(s):
        return sum(1 for x in state if x == s)

    def distribute():
        """B.2.a, by paths.  Returns the votes."""
        groups = {}
        for ranking, (_, weight) in zip(rankings, papers):
            path = []
            for c in ranking:
                if state[c] == ELECTED:
                    path.append(c)
                elif state[c] == HOPEFUL:
                    path.append(c)
                    break
            groups[tuple(path)] = groups.get(tuple(path), 0) + weight
        votes = [0] * n
        for path, weight in groups.items():
            w = one
            for c in path:
                if w == 0:
                    break
                if state[c] == HOPEFUL:
                    keep = w
                else:
                    keep = min(w, ceil_div(w * kf[c], one))
                votes[c] += keep * weight // one
                w -= keep
        return votes

    def add_round(quota, votes, surplus, iterations, action, elected):
        rounds.append({
            "round": len(rounds) + 1,
            "quota": amount(quota, places),
            "votes": {inp.candidates[c].id: amount(votes[c], places)
                      for c in range(n) if state[c] != WITHDRAWN},
            "keep_factors": {inp.candidates[c].id: amount(kf[c], places)
                             for c in range(n) if state[c] == ELECTED},
            "surplus": amount(surplus, places),
            "non_transferable": amount(total_weight - sum(votes), places),
            "iterations": iterations,
            "action": action,
            "elected": ids(inp, elected),
        })

    # B.1
    while n_state(HOPEFUL) > inp.seats - n_state(ELECTED) and \
            n_state(ELECTED) < inp.seats:
        iterations = 0
        last = None
        while True:  # B.2
            iterations += 1
            votes = distribute()
            quota = sum(votes) // (inp.seats + 1) + 1
            elected = [c for c in range(n)
                       if state[c] == HOPEFUL and votes[c] >= quota]
            for c in elected:
                state[c] = ELECTED
                elect(inp, report, c)
            surplus = max(0, sum(votes[c] - quota for c in range(n)
                                 if state[c] == ELECTED))
            if elected:
                add_round(quota, votes, surplus, iterations,
                          {"type": "elected"}, elected)
                break
            if surplus < omega or (last is not None and surplus >= last):
                hopeful = [c for c in range(n) if state[c] == HOPEFUL]
                fewest = min(votes[c] for c in hopeful)
                tied = [c for c in hopeful if votes[c] <= fewest + surplus]
                low = min(hopeful, key=lambda c: (votes[c], c))
                tie = None
                if len(tied) > 1:
                    in_lot_order = lot.sort(tied)
                    low = in_lot_order[0]
                    tie = {"candidates": ids(inp, tied), "broken_by": "lot",
                           "lot_order": ids(inp, in_lot_order),
                           "chosen": inp.candidates[low].id,
                           "resolved": True}
                action = {"type": "exclusion",
                          "candidate": inp.candidates[low].id,
                          "votes": amount(votes[low], places),
                          "why": "surplus below omega" if surplus < omega
                          else "surplus stopped falling"}
                if tie:
                    note_tie(report, action, tie,
                             "which candidate to defeat (B.3: votes within "
                             "the surplus of the lowest)")
                add_round(quota, votes, surplus, iterations, action, [])
                state[low] = EXCLUDED
                kf[low] = 0
                break
            last = surplus
            for c in range(n):  # B.2.f
                if state[c] == ELECTED and votes[c] != 0:
                    kf[c] = ceil_div(ceil_div(kf[c] * quota, one) * one,
                                     votes[c])
    # C
    if n_state(ELECTED) < inp.seats and n_state(HOPEFUL) > 0:
        votes = distribute()
        quota = sum(votes) // (inp.seats + 1) + 1
        elected = [c for c in range(n) if state[c] == HOPEFUL]
        for c in elected:
            state[c] = ELECTED
            elect(inp, report, c)
        add_round(quota, votes, 0, 1, {"type": "remaining elected"}, elected)
    report["places"] = places
    report["omega"] = "0.000001"


# --- result-format.md section 11; methods.md "Schulze" ------------------

def schulze(inp, report):
    lot = Lot(inp)
    papers = merged_rankings(inp, True, 1)
    cands = [c for c in range(len(inp.candidates)) if inp.standing(c)]
    d = {(x, y): 0 for x in cands for y in cands if x != y}
    for ranking, weight in papers:
        rank_of = {}
        for r, group in enumerate(ranking):
            for c in group:
                rank_of[c] = r
        for x in cands:
            for y in cands:
                if x == y or x not in rank_of:
                    continue
                if y not in rank_of or rank_of[x] < rank_of[y]:
                    d[x, y] += weight
    p = {}
    for x, y in d:
        p[x, y] = d[x, y] if d[x, y] > d[y, x] else 0
    for via in cands:
        for x in cands:
            for y in cands:
                if len({x, y, via}) == 3:
                    p[x, y] = max(p[x, y], min(p[x, via], p[via, y]))

    def beats(x, y):
        return p[x, y] > p[y, x]

    ranking = []
    left = list(cands)
    while left:
        unbeaten = [x for x in left
                    if not any(beats(y, x) for y in left if y != x)]
        chosen = unbeaten[0]
        if len(unbeaten) > 1:
            in_lot_order = lot.sort(unbeaten)
            chosen = in_lot_order[0]
            place = len(ranking) + 1
            report["ties"].append({
                "candidates": ids(inp, unbeaten), "broken_by": "lot",
                "lot_order": ids(inp, in_lot_order),
                "chosen": inp.candidates[chosen].id, "resolved": True,
                "question": "place %d of the ranking: no candidate not yet "
                            "placed beats them" % place,
                "place": place})
        ranking.append(chosen)
        left.remove(chosen)
    for c in ranking[:inp.seats]:
        elect(inp, report, c)

    def matrix(m):
        return {inp.candidates[x].id: {inp.candidates[y].id:
                                       amount(m[x, y], inp.w)
                                       for y in cands if y != x}
                for x in cands}

    report["d"] = matrix(d)
    report["p"] = matrix(p)
    report["ranking"] = ids(inp, ranking)
    report["rounds"] = [{
        "round": 1,
        "votes": {inp.candidates[x].id: sum(1 for y in cands
                                            if y != x and beats(x, y))
                  for x in cands},
        "elected": list(report["elected"]),
    }]


# --- methods.md, "BLT files" --------------------------------------------

class BadInput(Exception):
    pass


def read_blt(data, name="-"):
    """(seats, candidates, ballots, w, title) of a BLT file's bytes."""
    if len(data) > 256 * 1024 * 1024:
        raise BadInput("%s: larger than 256 MiB" % name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    blanks = b" \t\r\f\v"
    lines = [(i + 1, raw.strip(blanks))
             for i, raw in enumerate(data.split(b"\n"))]
    lines = [(no, text) for no, text in lines if text]
    at = 0

    def bad(no, why):
        raise BadInput("%s:%d: %s" % (name, no, why))

    def tokens(text):
        return text.replace(b"\t", b" ").replace(b"\r", b" ").replace(
            b"\f", b" ").replace(b"\v", b" ").split()

    def number(tok, low, high):
        if not tok.isdigit() or not low <= int(tok) <= high:
            return None
        return int(tok)

    if not lines:
        raise BadInput("%s: empty file" % name)
    no, text = lines[0]
    first = tokens(text)
    n = number(first[0], 1, 1000) if len(first) == 2 else None
    seats = number(first[1], 1, n) if n is not None else None
    if seats is None:
        bad(no, "the first line must be the number of candidates and seats")
    withdrawn = set()
    raw = []  # (line, whole, decimals digits, entries)
    at = 1
    while True:
        if at == len(lines):
            raise BadInput("%s: the file ends before the line 0" % name)
        no, text = lines[at]
        at += 1
        if text == b"0":
            break
        if text[:1] in (b"-", b"["):
            if raw:
                bad(no, "withdrawn candidates must come before the ballots")
            if text[:1] == b"[":
                toks = tokens(text[1:-1]) if text.endswith(b"]") else []
                if not toks or toks[0] != b"withdrawn":
                    bad(no, "only [withdrawn N ...] is read")
                toks = toks[1:]
            else:
                toks = tokens(text)
                if any(not t.startswith(b"-") for t in toks):
                    bad(no, "a withdrawn candidate is a negative number")
                toks = [t[1:] for t in toks]
            for t in toks:
                k = number(t, 1, n)
                if k is None:
                    bad(no, "not a candidate number")
                withdrawn.add(k - 1)
            continue
        toks = tokens(text)
        whole, _, frac = toks[0].partition(b".")
        if not whole.isdigit() or int(whole) > 10 ** 12 or \
                (b"." in toks[0] and not (frac.isdigit() and len(frac) <= 9)):
            bad(no, "a ballot must start with its weight")
        if toks[-1] != b"0" or b"0" in toks[1:-1]:
            bad(no, "a ballot must end with one 0")
        entries = []
        for tok in toks[1:-1]:
            for k, part in enumerate(tok.split(b"=")):
                c = number(part, 1, n)
                if c is None:
                    bad(no, "not a candidate number")
                if any(c - 1 == e for e, _ in entries):
                    bad(no, "a candidate ranked twice")
                entries.append((c - 1, k > 0))
        raw.append((whole, frac, entries))
        if int(whole + frac) == 0:
            bad(no, "a ballot of weight 0")
    names = []
    for _ in range(n):
        if at == len(lines):
            raise BadInput("%s: the file ends before the names" % name)
        names.append(text_line(lines[at]))
        at += 1
    title = text_line(lines[at]) if at < len(lines) else ""
    w = max([len(frac) for _, frac, _ in raw] + [0])
    for whole, frac, _ in raw:
        if int(whole + frac) * 10 ** (w - len(frac)) >= 2 ** 63:
            raise BadInput("%s: weight too large" % name)
    ballots = [Ballot(int(whole + frac) * 10 ** (w - len(frac)), entries)
               for whole, frac, entries in raw]
    candidates = [Candidate(str(i + 1), names[i], i in withdrawn)
                  for i in range(n)]
    return seats, candidates, ballots, w, title


def text_line(line):
    no, text = line
    if text.startswith(b'"'):
        if len(text) < 2 or not text.endswith(b'"') or b'"' in text[1:-1]:
            raise BadInput("line %d: a badly quoted text" % no)
        text = text[1:-1]
    return text.decode("utf-8")


def count_blt(path, method, seats=None, seed=None):
    """The report `teller count` gives (result-format.md section 12)."""
    with open(path, "rb") as f:
        file_seats, candidates, ballots, w, title = read_blt(f.read(), path)
    inp = CountInput(method, seats or file_seats, candidates, ballots, w,
                     seed=seed.encode("utf-8") if seed is not None else None)
    report = count(inp)
    report["title"] = title
    report["seed"] = seed
    return report


# --- record-format.md section 8: a record's result document -------------

TYPE = "application/vnd.teller.%s+json"


def read_record(path):
    """The record's entries: [(payload type, payload bytes)], without its
    tree head line and cosignature line (record-format.md section 2)."""
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if lines and lines[-1].startswith(b'{"cosignatures":'):
        lines.pop()
    entries = []
    for line in lines[:-1]:
        env = json.loads(line)
        entries.append((env["payloadType"],
                        base64.b64decode(env["payload"], validate=True),
                        env["signatures"], line))
    return entries


def has_nomination_stage(manifest):
    timetable = manifest.get("timetable", {})
    return "nominations" in timetable or "petitions" in timetable


def rfc3797_key(values):
    """record-format.md 8.3: the key string of RFC 3797 section 4."""
    key = ""
    for value in values:
        numbers = []
        for tok in value.replace("\t", " ").split(" "):
            if not tok:
                continue
            whole, _, frac = tok.partition(".")
            whole = whole.lstrip("0") or "0"
            frac = frac.rstrip("0")
            numbers.append((whole, frac))
        numbers.sort(key=lambda x: (len(x[0]), x[0], x[1]))
        key += "".join(w + ("." + f if f else "") + "." for w, f in numbers)
        key += "/"
    return key


def seed_of(manifest_hash, contest_id, values):
    data = b"teller-lot-v1\x00" + manifest_hash.encode() + b"\x00" + \
        contest_id.encode()
    for v in values:
        data += b"\x00" + v.encode("utf-8")
    return hashlib.sha256(data).digest()


# --- record-format.md section 13 and 5.16: opening sealed ballots --------

def crypto():
    """python3-cryptography's pieces, imported only for a sealed record."""
    from cryptography.exceptions import InvalidSignature, InvalidTag
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    return (InvalidSignature, InvalidTag, hashes, ed25519, x25519, AESGCM,
            HKDFExpand)


def pae(ptype, body):
    """Section 3: the bytes a signature covers."""
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def signed_by(ptype, payload, signatures, public_b64):
    """Section 3: the envelope's one signature is by this Ed25519 key."""
    InvalidSignature, _, _, ed25519, _, _, _ = crypto()
    raw = base64.b64decode(public_b64)
    if len(signatures) != 1 or \
            signatures[0]["keyid"] != hashlib.sha256(raw).hexdigest():
        return False
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(
            base64.b64decode(signatures[0]["sig"]), pae(ptype, payload))
        return True
    except InvalidSignature:
        return False


# 13.1: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
# AES-128-GCM; suite ids of RFC 9180 sections 4.1 and 5.1.
KEM_SUITE = b"KEM\x00\x20"
HPKE_SUITE = b"HPKE\x00\x20\x00\x01\x00\x01"


def labeled_extract(suite, salt, label, ikm):
    # HKDF-Extract(salt, IKM) is HMAC-SHA256(salt, IKM) (RFC 5869 2.2); an
    # empty salt is HashLen zeros, which HMAC treats as the empty key.
    return hmac.new(salt or bytes(32), b"HPKE-v1" + suite + label + ikm,
                    hashlib.sha256).digest()


def labeled_expand(suite, prk, label, info, length):
    _, _, hashes, _, _, _, HKDFExpand = crypto()
    return HKDFExpand(hashes.SHA256(), length,
                      length.to_bytes(2, "big") + b"HPKE-v1" + suite +
                      label + info).derive(prk)


def open_base(enc, sk, info, ct):
    """RFC 9180 6.1 OpenBase(enc, skR, info, aad = "", ct); None if it
    does not open."""
    _, InvalidTag, _, _, x25519, AESGCM, _ = crypto()
    key = x25519.X25519PrivateKey.from_private_bytes(sk)
    pk = key.public_key().public_bytes(*raw_format())
    try:
        dh = key.exchange(x25519.X25519PublicKey.from_public_bytes(enc))
    except ValueError:
        return None                     # a small-order enc (7.1.4)
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", enc + pk,
                            32)
    context = b"\x00" + \
        labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"") + \
        labeled_extract(HPKE_SUITE, b"", b"info_hash", info)
    secret = labeled_extract(HPKE_SUITE, shared, b"secret", b"")
    k = labeled_expand(HPKE_SUITE, secret, b"key", context, 16)
    nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)
    try:
        return AESGCM(k).decrypt(nonce, ct, b"")
    except InvalidTag:
        return None


def raw_format():
    from cryptography.hazmat.primitives import serialization
    return (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def x25519_public(sk):
    _, _, _, _, x25519, _, _ = crypto()
    return x25519.X25519PrivateKey.from_private_bytes(sk).public_key(
        ).public_bytes(*raw_format())


def gf_mul(a, b):
    """13.3: GF(2^8) modulo x^8 + x^4 + x^3 + x + 1."""
    p = 0
    while b:
        if b & 1:
            p ^= a
        a = (a << 1) ^ (0x11b if a & 0x80 else 0)
        b >>= 1
    return p


def gf_inv(a):
    r = 1
    for _ in range(254):
        r = gf_mul(r, a)
    return r


def recover(shares):
    """13.3: K from {index: share} by Lagrange interpolation at 0."""
    key = bytearray(32)
    for xa, sa in shares.items():
        coef = 1
        for xb in shares:
            if xb != xa:
                coef = gf_mul(coef, gf_mul(xb, gf_inv(xa ^ xb)))
        for j in range(32):
            key[j] ^= gf_mul(sa[j], coef)
    return bytes(key)


def binding(label, election, manifest_hash, ballot_key):
    """13.2."""
    return label + b"\x00" + election.encode() + b"\x00" + \
        bytes.fromhex(manifest_hash) + ballot_key


def valid_selections(definition, constituency, selections):
    """5.3 and 5.15.5: what a ballot of the class could carry; None, or
    what is wrong (in this program's words, which may differ from
    teller's: 5.16 step 5)."""
    if not isinstance(selections, list):
        return "not an array of selections"
    contests = {c["id"]: c for c in definition["contests"]}
    seen = set()
    for sel in selections:
        if not isinstance(sel, dict) or "contest" not in sel or \
                sel["contest"] not in contests or sel["contest"] in seen:
            return "an unknown or repeated contest"
        c = contests[sel["contest"]]
        seen.add(c["id"])
        if c["constituency"] != constituency:
            return "contest %s is not of the ballot's constituency" % c["id"]
        kinds = [k for k in ("marks", "ranking", "answer") if k in sel]
        if len(kinds) != 1 or set(sel) != {"contest", kinds[0]}:
            return "contest %s: not one selection" % c["id"]
        if c["method"] == "referendum":
            if kinds != ["answer"] or sel["answer"] not in ("yes", "no",
                                                            "abstain"):
                return "contest %s: not an answer" % c["id"]
            continue
        ids = {x["id"] for x in c["candidates"]}
        if c["method"] in ("plurality", "approval"):
            if kinds != ["marks"]:
                return "contest %s: not marks" % c["id"]
            names = sel["marks"]
            if c["method"] == "plurality" and len(names) > c.get("seats", 1):
                return "contest %s: too many marks" % c["id"]
        else:
            if kinds != ["ranking"] or not all(
                    isinstance(g, list) and g for g in sel["ranking"]):
                return "contest %s: not a ranking" % c["id"]
            if c["method"] != "schulze" and any(len(g) > 1
                                                for g in sel["ranking"]):
                return "contest %s: equal ranks" % c["id"]
            names = [n for g in sel["ranking"] for n in g]
        if not all(n in ids for n in names) or len(set(names)) != len(names):
            return "contest %s: an unknown or repeated candidate" % c["id"]
    return None


def opening_keys(definition, manifest_hash, entries, close_index):
    """5.16, check 17: the opening trustees' private keys, {index: key},
    from the unseal statements accepted after the close and before the
    result; None when fewer than the threshold were."""
    close_line = entries[close_index][3]
    close_hash = hashlib.sha256(close_line).hexdigest()
    close_time = json.loads(entries[close_index][1])["time"]
    trustees = definition["trustees"]
    accepted = {}
    for ptype, payload, sigs, _ in entries[close_index + 1:]:
        if ptype == TYPE % "result":
            break
        if ptype != TYPE % "unseal":
            continue
        u = json.loads(payload)
        index = [t["id"] for t in trustees].index(u["trustee"]) + 1 \
            if u.get("trustee") in [t["id"] for t in trustees] else None
        if index is None or index in accepted:
            continue
        t = trustees[index - 1]
        sk = base64.b64decode(u["private_key"])
        # 13.6: its signature, its key the trustee's, after the close
        # (times in the one RFC 3339 form compare as text).
        if u["election"] == definition["id"] and \
                u["manifest"] == manifest_hash and \
                signed_by(ptype, payload, sigs, t["identity_key"]) and \
                len(sk) == 32 and \
                x25519_public(sk) == base64.b64decode(t["sealing_key"]) and \
                u["close"] == close_hash and u["time"] >= close_time:
            accepted[index] = sk
    k = definition["threshold"]
    if len(accepted) < k:
        return None
    return {i: accepted[i] for i in sorted(accepted)[:k]}


def open_ballot(ballot, definition, manifest_hash, keys):
    """5.16 steps 1 to 5: (selections, None) or (None, reason)."""
    _, InvalidTag, _, _, _, AESGCM, _ = crypto()
    ballot_key = base64.b64decode(ballot["ballot_key"])
    sealed = ballot["sealed"]
    shares = {}
    for i, sk in keys.items():
        raw = base64.b64decode(sealed["shares"][i - 1])
        info = binding(b"teller/v1/share", definition["id"], manifest_hash,
                       ballot_key) + bytes([i])
        share = open_base(raw[:32], sk, info, raw[32:])
        if share is None:
            return None, "share of trustee %s does not open" % \
                definition["trustees"][i - 1]["id"]
        shares[i] = share
    key = recover(shares)
    raw = base64.b64decode(sealed["selections"])
    try:
        plain = AESGCM(key).decrypt(
            raw[:12], raw[12:], binding(b"teller/v1/selections",
                                        definition["id"], manifest_hash,
                                        ballot_key))
    except InvalidTag:
        return None, "selections do not open"
    text, _, padding = plain.partition(b"\x00")
    if padding.strip(b"\x00"):
        return None, "padding is not zero"
    try:
        selections = json.loads(text)
    except ValueError as e:
        return None, "selections are not valid: %s" % e
    wrong = valid_selections(definition, ballot["credential"]["constituency"],
                             selections)
    if wrong is not None:
        return None, "selections are not valid: %s" % wrong
    return selections, None


def result_document(entries):
    """(the result document, [result payloads]) of a record's entries, or
    (None, []) when it has no close statement."""
    initial = json.loads(entries[0][1])
    definition, definition_bytes = initial, entries[0][1]
    roll = json.loads(entries[1][1])
    ballots, close, results, close_index = [], None, [], None
    for n, (ptype, payload, _, _) in enumerate(entries[2:], 2):
        if ptype == TYPE % "manifest" and has_nomination_stage(initial) and \
                definition is initial:
            definition, definition_bytes = json.loads(payload), payload
        elif ptype == TYPE % "ballot" and close is None:
            ballots.append(json.loads(payload))
        elif ptype == TYPE % "close" and close is None:
            close, close_index = json.loads(payload), n
        elif ptype == TYPE % "result":
            results.append(payload)
    if close is None:
        return None, results
    manifest_hash = hashlib.sha256(definition_bytes).hexdigest()
    voters = {v["id"]: v for v in roll["voters"]}
    secret = initial.get("secrecy", "open") == "secret"
    # 5.16: a sealed election's ballots, opened (every one, superseded
    # ones too); a spoiled one counts in no contest.
    sealed = secret and bool(definition.get("trustees"))
    spoiled = {}
    if sealed:
        keys = opening_keys(definition, manifest_hash, entries, close_index)
        if keys is None:
            return None, results
        for n, b in enumerate(ballots):
            b["selections"], reason = open_ballot(b, definition,
                                                  manifest_hash, keys)
            if reason is not None:
                spoiled[n] = reason

    def who(ballot):
        """(who cast it, their constituency, their weight): the voter of
        an open election's ballot (5.3, the roll's constituency and
        weight); in a secret election (5.15.5, 8.1) the ballot key,
        which stands in for the voter, with its credential's class."""
        if secret:
            cred = ballot["credential"]
            return ballot["ballot_key"], cred["constituency"], cred["weight"]
        voter = voters[ballot["voter"]]
        return voter["id"], voter["constituency"], voter["weight"]

    # 8.1: the revote rule; 8.2: the voters who voted (the ballot keys,
    # in a secret election), in the order of each one's first ballot.
    counted, order, which = {}, [], {}
    for n, b in enumerate(ballots):
        vid = who(b)
        if vid not in counted:
            order.append(vid)
            counted[vid], which[vid] = b, n
        elif definition.get("revote", "last") == "last":
            counted[vid], which[vid] = b, n
    random_values = [r["value"] for r in close["random"]]
    sources = definition.get("random_sources", [])
    seed_values = random_values
    if sources and sources[0].get("form", "text") == "rfc3797":
        seed_values = [rfc3797_key(random_values)]

    reports = []
    for contest in definition["contests"]:
        method = contest["method"]
        if method == "referendum":
            candidates = [Candidate(a, a) for a in ("yes", "no", "abstain")]
        else:
            candidates = [Candidate(c["id"], c["name"])
                          for c in contest["candidates"]]
        index = {c.id: i for i, c in enumerate(candidates)}
        count_ballots = []
        for vid in order:
            _, constituency, weight = vid
            if constituency != contest["constituency"] or \
                    which[vid] in spoiled:
                continue
            entries_ = []
            for sel in counted[vid]["selections"]:
                if sel["contest"] != contest["id"]:
                    continue
                if "marks" in sel:
                    entries_ = [(index[c], k > 0)
                                for k, c in enumerate(sel["marks"])]
                elif "ranking" in sel:
                    entries_ = [(index[c], k > 0) for rank in sel["ranking"]
                                for k, c in enumerate(rank)]
                else:
                    entries_ = [(index[sel["answer"]], False)]
            count_ballots.append(Ballot(weight, entries_))
        eligible = sum(v["weight"] for v in roll["voters"]
                       if v["constituency"] == contest["constituency"])
        inp = CountInput(method, contest.get("seats", 1), candidates,
                         count_ballots, 0, contest.get("options", {}),
                         eligible,
                         seed_of(manifest_hash, contest["id"], seed_values))
        report = count(inp)
        report["contest"] = contest["id"]
        report["title"] = contest["title"]
        report["constituency"] = contest["constituency"]
        reports.append(report)

    turnout = []
    for con in definition["constituencies"]:
        members = [v for v in roll["voters"] if v["constituency"] == con["id"]]
        voted = [weight for _, constituency, weight in order
                 if constituency == con["id"]]
        turnout.append({
            "constituency": con["id"], "name": con.get("name", con["id"]),
            "eligible": len(members),
            "eligible_weight": sum(v["weight"] for v in members),
            "voted": len(voted),
            "voted_weight": sum(voted)})
    doc = {"election": definition["id"], "manifest": manifest_hash,
           "random": random_values, "contests": reports,
           "turnout": turnout}
    if sealed:
        # 5.16: the counted ballots that are spoiled, in the order of
        # their ballot keys' first ballots.
        doc["spoiled"] = [{"ballot_key": vid[0],
                           "reason": spoiled[which[vid]]}
                          for vid in order if which[vid] in spoiled]
    return doc, results


def first_difference(a, b):
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return "at byte %d: ...%r... against ...%r..." % (
        i, a[max(0, i - 60):i + 60], b[max(0, i - 60):i + 60])


def check_record(path):
    doc, results = result_document(read_record(path))
    if doc is None:
        print("ok - %s: no close statement, nothing to recount" % path)
        return True
    mine = canonical_bytes(doc)
    if not results:
        print("ok - %s: closed, no result yet; recounted %d contest(s)" %
              (path, len(doc["contests"])))
        return True
    ok = True
    for k, payload in enumerate(results):
        if payload == mine:
            print("ok - %s: result %d, %d bytes, the same" %
                  (path, k + 1, len(mine)))
        else:
            ok = False
            print("FAIL %s: result %d differs %s" %
                  (path, k + 1, first_difference(payload, mine)))
    return ok


# --- comparing with teller count -----------------------------------------

def teller_count(teller, path, method, seats=None, seed=None):
    args = [teller, "count", path, "--method", method, "--format", "json"]
    if seats is not None:
        args += ["--seats", str(seats)]
    if seed is not None:
        args += ["--seed", seed]
    run = subprocess.run(args, capture_output=True)
    if run.returncode != 0:
        return None, run.returncode, run.stderr.decode(errors="replace")
    return json.loads(run.stdout), 0, ""


def compare_count(teller, path, method, seats=None, seed=None):
    """Whether `teller count` and this count agree (both refusing counts
    as agreeing).  Prints one line."""
    label = "%s %s%s%s" % (os.path.basename(path), method,
                           " seats %d" % seats if seats else "",
                           " seed %r" % seed if seed is not None else "")
    theirs, status, stderr = teller_count(teller, path, method, seats, seed)
    try:
        mine = count_blt(path, method, seats, seed)
    except (CannotCount, BadInput) as e:
        if theirs is None and status == 2:
            print("ok - %s: both refuse (%s)" % (label, e))
            return True
        print("FAIL %s: teller counts it, refcount cannot: %s" % (label, e))
        return False
    if theirs is None:
        print("FAIL %s: teller exited %d: %s" % (label, status,
                                                 stderr.strip()))
        return False
    a, b = canonical_bytes(theirs), canonical_bytes(mine)
    if a == b:
        print("ok - %s: %d bytes, the same" % (label, len(a)))
        return True
    print("FAIL %s: reports differ %s" % (label, first_difference(a, b)))
    return False


def cases_of(folder):
    """(path, method, seats) of a corpus folder: its cases.json, or every
    BLT file with every method (irv with one seat)."""
    listing = os.path.join(folder, "cases.json")
    if os.path.exists(listing):
        with open(listing) as f:
            return [(os.path.join(folder, c["file"]), c["method"], c["seats"],
                     None) for c in json.load(f)]
    cases = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".blt"):
            continue
        path = os.path.join(folder, name)
        for method in METHODS:
            if method == "referendum":
                continue
            for seed in (None, "refcount"):
                cases.append((path, method, 1 if method == "irv" else None,
                              seed))
    return cases


def random_blt(rng, path):
    """A small random BLT file, made to meet ties, exhausted papers,
    withdrawn candidates, decimal weights and equal ranks often."""
    n = rng.randint(2, 6)
    seats = rng.randint(1, n)
    lines = ["%d %d" % (n, seats)]
    if rng.random() < 0.25:
        lines.append("-%d" % rng.randint(1, n))
    places = rng.choice([0, 0, 0, 1, 2, 5, 9])
    for _ in range(rng.randint(0, 14)):
        weight = rng.randint(1, 4) * 10 ** places + \
            (rng.randint(0, 10 ** places - 1) if places else 0)
        text = str(weight) if not places else "%d.%0*d" % (
            weight // 10 ** places, places, weight % 10 ** places)
        ranked = rng.sample(range(1, n + 1), rng.randint(0, n))
        tokens = []
        for c in ranked:
            if tokens and rng.random() < 0.1:
                tokens[-1] += "=%d" % c
            else:
                tokens.append(str(c))
        lines.append(" ".join([text] + tokens + ["0"]))
    lines.append("0")
    lines += ['"C%d"' % (i + 1) for i in range(n)]
    lines.append('"random"')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) >= 4 and argv[1] == "blt":
        opts = dict(zip(argv[3::2], argv[4::2]))
        try:
            report = count_blt(argv[2], opts["--method"],
                               int(opts["--seats"]) if "--seats" in opts
                               else None, opts.get("--seed"))
        except (CannotCount, BadInput) as e:
            print("refcount: %s" % e, file=sys.stderr)
            return 2
        sys.stdout.buffer.write(canonical_bytes(report) + b"\n")
        return 0
    if len(argv) >= 3 and argv[1] == "record":
        return 0 if all([check_record(p) for p in argv[2:]]) else 1
    if len(argv) >= 4 and argv[1] == "corpus":
        teller, ok, n = argv[2], True, 0
        for folder in argv[3:]:
            for path, method, seats, seed in cases_of(folder):
                ok = compare_count(teller, path, method, seats, seed) and ok
                n += 1
        print("%d count(s) compared" % n)
        return 0 if ok else 1
    if len(argv) == 6 and argv[1] == "random":
        # random TELLER DIR N SEED: N random BLT files, every method.
        teller, folder, n, seed = argv[2], argv[3], int(argv[4]), argv[5]
        rng = random.Random(seed)
        ok = True
        for k in range(n):
            path = os.path.join(folder, "random-%d.blt" % k)
            random_blt(rng, path)
            for method in METHODS:
                if method == "referendum":
                    continue
                ok = compare_count(teller, path, method,
                                   1 if method == "irv" else None,
                                   rng.choice([None, "s%d" % k])) and ok
        return 0 if ok else 1
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
