/*
 * vote.js: the voting page of teller serve.  Two addresses, one page:
 *
 *   …/enrol/ELECTION#token=T   make (or load) the voter's key, register its
 *                              public key with a signature that proves
 *                              possession, keep the private key in this
 *                              browser (IndexedDB, not extractable), and
 *                              offer a backup (PKCS#8 PEM, as 'teller key
 *                              generate' writes);
 *   …/vote/ELECTION#voter=V    check the signed manifest, find the voter's
 *                              key (this browser's, or a key file), show
 *                              the contests of the voter's constituency,
 *                              sign the ballot, cast it, check the receipt
 *                              here, and offer it for download.
 *
 * The part after '#' never reaches the server.  Every word shown comes
 * from text.json (one file to translate).  Requests go to this origin
 * only; the private key is never sent.
 */
"use strict";

(() => {
	let words = {};
	const page = {prefix: "", mode: "", election: ""};

	/* --- text and the page's frame --------------------------------------- */

	function t(key, values) {
		let s = Object.prototype.hasOwnProperty.call(words, key) ?
		    words[key] : key;
		for (const [k, v] of Object.entries(values || {}))
			s = s.split("{" + k + "}").join(String(v));
		return s;
	}

	function $(id) {
		return document.getElementById(id);
	}

	/* An element: attrs are properties, except "data-*", "aria-*" and
	 * "for", which are attributes; children are nodes or text. */
	function el(tag, attrs, ...children) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null)
				continue;
			if (k.startsWith("data-") || k.startsWith("aria-") ||
			    k === "for" || k === "role")
				e.setAttribute(k, v);
			else
				e[k] = v;
		}
		for (const c of children)
			if (c !== null && c !== undefined)
				e.append(c);
		return e;
	}

	function say(message) {
		$("status").textContent = message || "";
	}

	function warn(message) {
		$("alert").textContent = message || "";
		if (message)
			$("alert").focus();
	}

	/* Shows a view: its heading (focused, for screen readers and the
	 * keyboard) and its content. */
	function show(view, heading, ...nodes) {
		document.body.dataset.view = view;
		$("heading").textContent = heading;
		$("view").replaceChildren(...nodes);
		warn("");
		$("heading").focus();
	}

	/* A view that ends here, with what went wrong. */
	function stop(message) {
		document.body.dataset.view = "stopped";
		$("view").replaceChildren(el("p", {className: "problem",
		    role: "alert", textContent: message}));
		say("");
		$("heading").focus();
	}

	function busy(button, on) {
		button.disabled = on;
		say(on ? t("working") : "");
	}

	function setTitle(title) {
		$("election-title").textContent = title;
		document.title = t("page_title", {title});
	}

	/* --- the server ------------------------------------------------------- */

	class Refused extends Error {
		constructor(status, code, message) {
			super(message);
			this.status = status;
			this.code = code;
		}
	}

	/* A request to this origin's API: {status, text, json}. */
	async function api(method, path, body) {
		let r;
		try {
			r = await fetch(page.prefix + path, {method, body,
			    credentials: "omit", cache: "no-store",
			    headers: body !== undefined ?
			    {"Content-Type": "application/json"} : {}});
		} catch (e) {
			throw new Refused(0, "network", t("server_unreachable",
			    {detail: e.message}));
		}
		const text = await r.text();
		let json = null;
		try {
			json = JSON.parse(text);
		} catch (e) {
			json = null;
		}
		return {status: r.status, ok: r.ok, text, json};
	}

	function refusal(r) {
		const code = r.json && r.json.error ? r.json.error : "http_" +
		    r.status;
		const message = r.json && r.json.message ? r.json.message :
		    r.text.slice(0, 200);
		return new Refused(r.status, code, message);
	}

	function electionPath(rest) {
		return "/v1/elections/" + encodeURIComponent(page.election) +
		    (rest || "");
	}

	/* --- keys kept in this browser --------------------------------------- */

	/* Keys, and a secret election's credentials, by election and voter,
	 * so that voters who share a browser keep theirs apart.  Version 2
	 * added the credentials. */
	function database() {
		return new Promise((resolve, reject) => {
			const open = indexedDB.open("teller", 2);
			open.onupgradeneeded = () => {
				const db = open.result;
				if (!db.objectStoreNames.contains("keys"))
					db.createObjectStore("keys", {keyPath:
					    ["election", "voter"]})
					    .createIndex("by_election", "election");
				if (!db.objectStoreNames.contains("credentials"))
					db.createObjectStore("credentials", {keyPath:
					    ["election", "voter"]});
			};
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
	}

	/* One request on a store: put(record), get(key) or delete(key). */
	async function onStore(store, method, arg) {
		const db = await database();
		try {
			return await new Promise((resolve, reject) => {
				const tx = db.transaction(store, method === "get" ?
				    "readonly" : "readwrite");
				const req = tx.objectStore(store)[method](arg);
				tx.oncomplete = () => resolve(req.result);
				tx.onerror = () => reject(tx.error);
			});
		} finally {
			db.close();
		}
	}

	const keepKey = record => onStore("keys", "put", record);
	const putRecord = (store, record) => onStore(store, "put", record);
	const getRecord = (store, key) => onStore(store, "get", key);
	const deleteRecord = (store, key) => onStore(store, "delete", key);

	/* The key this browser keeps for the voter of the election (for the
	 * only voter it keeps one for, when voter is not given). */
	async function keptKey(election, voter) {
		const db = await database();
		const records = await new Promise((resolve, reject) => {
			const get = db.transaction("keys").objectStore("keys")
			    .index("by_election").getAll(election);
			get.onsuccess = () => resolve(get.result);
			get.onerror = () => reject(get.error);
		});
		db.close();
		const mine = records.filter(r => !voter || r.voter === voter);
		return mine.length === 1 ? mine[0] : null;
	}

	function download(name, content, type) {
		const url = URL.createObjectURL(new Blob([content], {type}));
		const a = el("a", {href: url, download: name});
		document.body.append(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(url), 60000);
	}

	function localTime(iso) {
		const d = new Date(iso);
		return isNaN(d) ? iso : d.toLocaleString(words.lang, {
		    dateStyle: "full", timeStyle: "short", timeZone: "UTC"}) +
		    " UTC";
	}

	/* --- enrolment --------------------------------------------------------- */

	function enrolmentProblem(e) {
		switch (e.code) {
		case "not_found":
			return t("enrol_link_invalid");
		case "expired":
			return t("enrol_link_expired");
		case "conflict":
			return t("enrol_link_used");
		case "wrong_state":
			return t("enrol_closed");
		case "rate_limited":
			return t("enrol_rate_limited");
		default:
			return e.message;
		}
	}

	async function enrol() {
		const token = new URLSearchParams(location.hash.slice(1))
		    .get("token");

		show("loading", t("enrol_heading"));
		if (!token)
			return stop(t("enrol_missing_token"));
		say(t("loading"));
		const r = await api("POST", electionPath("/enrol/check"),
		    JSON.stringify({token}));
		if (!r.ok)
			return stop(enrolmentProblem(refusal(r)));
		const who = r.json;
		setTitle(who.title);

		const make = el("button", {type: "button", id: "make-key",
		    textContent: t("enrol_make_button")});
		const file = el("input", {type: "file", id: "key-file",
		    accept: ".pem,application/x-pem-file,text/plain"});
		const load = el("button", {type: "button", id: "load-key",
		    textContent: t("enrol_load_button")});
		show("enrol", t("enrol_heading"),
		    el("p", {}, t("enrol_who", {name: who.name, voter: who.voter,
		    title: who.title})),
		    el("p", {}, t("enrol_expires", {expires:
		    localTime(who.expires)})),
		    el("section", {"aria-labelledby": "make-h"},
		    el("h2", {id: "make-h", textContent:
		    t("enrol_make_heading")}),
		    el("p", {}, t("enrol_make_help")), make),
		    el("section", {"aria-labelledby": "load-h"},
		    el("h2", {id: "load-h", textContent:
		    t("enrol_load_heading")}),
		    el("p", {id: "load-help"}, t("enrol_load_help")),
		    el("label", {for: "key-file"}, t("key_file_label")),
		    file, load));
		file.setAttribute("aria-describedby", "load-help");
		say("");

		make.addEventListener("click", async () => {
			busy(make, true);
			try {
				const made = await Teller.generateKey();
				await register(who, token, made.key, made.pem);
			} catch (e) {
				warn(t("error_generic", {detail: e.message}));
			}
			busy(make, false);
		});
		load.addEventListener("click", async () => {
			if (file.files.length === 0)
				return warn(t("need_key_file"));
			busy(load, true);
			let key;
			try {
				key = await Teller.importPem(
				    await file.files[0].text());
			} catch (e) {
				busy(load, false);
				return warn(t("wrong_key_file"));
			}
			try {
				await register(who, token, key, null);
			} catch (e) {
				warn(t("error_generic", {detail: e.message}));
			}
			busy(load, false);
		});
	}

	/* Registers the key; only once the server has taken it is it kept
	 * (and the token dropped from the address). */
	async function register(who, token, key, pem) {
		const line = await Teller.signEnrolment(key, page.election,
		    who.voter, token);
		const r = await api("POST", electionPath("/enrol"), line);
		if (!r.ok)
			return warn(t("enrol_refused", {message:
			    enrolmentProblem(refusal(r))}));
		history.replaceState(null, "", location.pathname);
		let kept = null;
		try {
			await keepKey({election: page.election, voter: who.voter,
			    privateKey: key.privateKey, rawPublic: key.rawPublic,
			    saved: new Date().toISOString()});
		} catch (e) {
			kept = e.message || String(e);
		}
		const nodes = [el("p", {}, t("enrol_done", {voter: who.voter}))];
		if (kept !== null)
			nodes.push(el("p", {className: "problem", role: "alert"},
			    t("enrol_stored_nowhere", {detail: kept})));
		if (pem !== null) {
			const name = "teller-" + page.election + "-" + who.voter +
			    ".pem";
			const button = el("button", {type: "button",
			    id: "download-key", textContent: t("backup_button")});
			button.addEventListener("click", () => {
				download(name, pem, "application/x-pem-file");
				say(t("backup_done", {file: name}));
			});
			nodes.push(el("p", {}, t("backup_help")), button);
		}
		nodes.push(el("p", {}, t("enrol_next")));
		show("enrolled", t("enrol_done_heading"), ...nodes);
	}

	/* --- voting ------------------------------------------------------------ */

	async function vote() {
		show("loading", t("vote_heading"));
		say(t("loading"));
		const r = await api("GET", electionPath());
		if (r.status === 404)
			return stop(t("no_election", {election: page.election}));
		if (!r.ok)
			return stop(t("server_error", {message: refusal(r).message}));
		const e = r.json;
		setTitle(e.title);
		if (e.state === "draft" || e.state === "published" ||
		    !e.signed_manifest)
			return stop(t("not_open_yet", {title: e.title}));
		let opened;
		try {
			opened = await Teller.openManifest(e.signed_manifest);
			if (opened.hash !== e.manifest_hash)
				throw new Error("its hash is not the election's");
		} catch (err) {
			return stop(t("manifest_bad", {detail: err.message}));
		}
		$("authority").replaceChildren(
		    el("span", {id: "authority-key-id"}, t("authority_key",
		    {key_id: opened.authorityKeyId})),
		    el("span", {className: "help"}, t("authority_help")));
		const now = Date.now();
		if (e.state !== "open" || now >= Date.parse(e.closes))
			return stop(t("closed", {title: e.title, closes:
			    localTime(e.closes)}));
		if (now < Date.parse(e.opens))
			return stop(t("opens_at", {title: e.title, opens:
			    localTime(e.opens)}));
		const record = await keptKey(page.election,
		    new URLSearchParams(location.hash.slice(1)).get("voter"))
		    .catch(() => null);
		if (record)
			return enter(opened, e, {privateKey: record.privateKey,
			    rawPublic: record.rawPublic}, record.voter, true);
		askForKey(opened, e);
	}

	/* No key in this browser: a key file and the voter's id. */
	function askForKey(opened, e) {
		const voter = el("input", {type: "text", id: "voter-id",
		    autocomplete: "username", spellcheck: false,
		    value: new URLSearchParams(location.hash.slice(1))
		    .get("voter") || ""});
		const file = el("input", {type: "file", id: "key-file",
		    accept: ".pem,application/x-pem-file,text/plain"});
		const go = el("button", {type: "button", id: "continue",
		    textContent: t("load_key_button")});
		show("key", t("your_key_heading"),
		    el("p", {id: "key-help"}, t("load_key_help")),
		    el("label", {for: "voter-id"}, t("voter_id_label")), voter,
		    el("label", {for: "key-file"}, t("key_file_label")), file,
		    go);
		file.setAttribute("aria-describedby", "key-help");
		say("");
		go.addEventListener("click", async () => {
			if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(voter.value.trim()))
				return warn(t("need_voter_id"));
			if (file.files.length === 0)
				return warn(t("need_key_file"));
			busy(go, true);
			let key;
			try {
				key = await Teller.importPem(
				    await file.files[0].text());
			} catch (err) {
				busy(go, false);
				return warn(t("wrong_key_file"));
			}
			await enter(opened, e, key, voter.value.trim(), false);
			busy(go, false);
		});
	}

	/* The voter's entry on the roll must hold this key. */
	async function enter(opened, e, key, voter, fromBrowser) {
		const r = await api("GET", electionPath("/voters/" +
		    encodeURIComponent(voter)));
		const problem = !r.ok ? (r.status === 404 ?
		    t("no_voter", {voter}) : refusal(r).message) :
		    r.json.public_key !== Teller.base64(key.rawPublic) ?
		    t("wrong_key", {voter}) : null;
		if (problem !== null)
			return fromBrowser ? stop(problem) : warn(problem);
		await ballotForm(opened, e, key, r.json, fromBrowser);
	}

	/* --- a secret election: the anonymous credential ------------------------
	 *
	 * The ballot of a secret election carries no voter id: a one-time
	 * ballot key made here signs it, and a credential (the authority's
	 * blind signature over that key, RFC 9474) proves that a voter of its
	 * class may vote.  This browser keeps the credential file, in the form
	 * 'teller credential request' writes (so that 'teller ballot make
	 * --credential' reads the download too), and keeps it before the
	 * request is sent: a lost answer is asked for again with the very same
	 * request, which gets the same answer.  The server closes the
	 * connection that carried the request, so the ballot goes over another
	 * one. */

	async function classKey(opened, voter) {
		const r = await api("GET", electionPath("/credential-keys"));
		if (!r.ok)
			throw refusal(r);
		const classes = await Teller.openCredentialKeys(r.json, opened);
		const cls = classes.find(c => c.constituency ===
		    voter.constituency && c.weight === voter.weight);
		if (cls === undefined)
			throw new Error(t("credential_no_class", {voter:
			    voter.voter}));
		return Teller.importClassKey(Teller.fromBase64(cls.public_key));
	}

	/* The voter's credential: {file, ballotKey, seq}, obtained now if
	 * this browser has none.  Throws a Refused when the server refuses. */
	async function credential(opened, key, voter) {
		const id = {election: page.election, voter: voter.voter};
		const kept = await getRecord("credentials", [id.election,
		    id.voter]);
		let file = kept ? JSON.parse(kept.file) : null;
		const seq = kept ? kept.seq : 0;
		if (file !== null && file.signature) {
			if (file.manifest !== opened.hash)
				throw new Error(t("credential_stale"));
			return {file, seq,
			    ballotKey: await Teller.importPem(file.ballot_key)};
		}
		const pk = await classKey(opened, voter);
		if (file === null) {
			say(t("credential_making"));
			const made = await Teller.generateKey();
			const b = await Teller.blind(pk, Teller.credentialMessage(
			    opened.manifest.id, opened.hash, voter.constituency,
			    voter.weight, made.key.rawPublic));
			file = {election: opened.manifest.id, manifest: opened.hash,
			    voter: voter.voter, constituency: voter.constituency,
			    weight: voter.weight, ballot_key: made.pem,
			    prefix: Teller.base64(b.prefix),
			    request: await Teller.signCredentialRequest(key, opened,
			    voter.voter, voter.constituency, voter.weight, b.blinded),
			    inv: Teller.base64(b.inv)};
			await putRecord("credentials", {...id,
			    file: JSON.stringify(file, null, 2), seq: 0});
		}
		say(t("credential_asking"));
		const r = await api("POST", electionPath("/credentials"),
		    file.request);
		if (r.status !== 200 && r.status !== 201) {
			/* Refused: this request will never be answered. */
			if (r.status >= 400 && r.status < 500)
				await deleteRecord("credentials", [id.election,
				    id.voter]);
			throw refusal(r);
		}
		const ballotKey = await Teller.importPem(file.ballot_key);
		const blindSig = await Teller.openIssuance(r.text.trim(),
		    file.request, opened);
		const sig = await Teller.finalize(pk, Teller.fromBase64(
		    file.prefix), Teller.credentialMessage(opened.manifest.id,
		    opened.hash, file.constituency, file.weight,
		    ballotKey.rawPublic), blindSig, Teller.fromBase64(file.inv));
		delete file.inv;
		file.signature = Teller.base64(sig);
		await putRecord("credentials", {...id,
		    file: JSON.stringify(file, null, 2), seq});
		return {file, seq, ballotKey};
	}

	/* --- the ballot --------------------------------------------------------- */

	/* One contest's control, and how to read the voter's selection from
	 * it.  A contest left untouched is blank, as one left unmarked on a
	 * paper ballot: an empty list, or for a referendum (which has no
	 * empty answer) no selection (null); 'teller ballot make --blank'
	 * writes the same. */
	function contestControl(c) {
		const kind = Teller.methodKind(c.method);
		const help = kind === "marks" ? (c.method === "approval" ?
		    t("method_approval") : (c.seats || 1) === 1 ?
		    t("method_plurality_one") :
		    t("method_plurality_many", {seats: c.seats})) :
		    kind === "answer" ? t("method_referendum") :
		    Teller.allowsEqualRanks(c.method) ? t("method_ranked_equal") :
		    t("method_ranked");
		const helpId = "help-" + c.id;
		const box = el("fieldset", {id: "contest-" + c.id,
		    className: "contest", "data-contest": c.id,
		    "aria-describedby": helpId},
		    el("legend", {}, c.title),
		    el("p", {id: helpId, className: "help"}, help));
		if (kind === "marks")
			return marksControl(c, box);
		if (kind === "answer")
			return answerControl(c, box);
		return rankingControl(c, box);
	}

	function marksControl(c, box) {
		const max = c.method === "plurality" ? (c.seats || 1) :
		    c.candidates.length;
		const count = el("p", {className: "count", "aria-live": "polite"});
		const inputs = c.candidates.map(cand => {
			const input = el("input", {type: "checkbox",
			    id: "c-" + c.id + "-" + cand.id, value: cand.id});
			box.append(el("div", {className: "choice"}, input,
			    el("label", {for: input.id}, cand.name)));
			return input;
		});
		const update = () => {
			const n = inputs.filter(i => i.checked).length;
			count.textContent = c.method === "plurality" ?
			    t("chosen_count", {count: n, max}) : "";
		};
		inputs.forEach(i => i.addEventListener("change", update));
		box.append(count);
		update();
		return {box, contest: c, read: () => {
			const marks = inputs.filter(i => i.checked)
			    .map(i => i.value);
			if (marks.length > max)
				throw new Error(t("too_many", {title: c.title,
				    count: marks.length, max}));
			return {contest: c.id, marks};
		}, describe: sel => sel.marks.length === 0 ? t("review_blank") :
		    sel.marks.map(id => c.candidates.find(x => x.id === id)
		    .name).join(", ")};
	}

	function answerControl(c, box) {
		const name = "answer-" + c.id;
		const options = [["none", t("answer_none")],
		    ["yes", t("answer_yes")], ["no", t("answer_no")],
		    ["abstain", t("answer_abstain")]];
		const inputs = options.map(([value, label]) => {
			const input = el("input", {type: "radio", name, value,
			    id: "c-" + c.id + "-" + value,
			    checked: value === "none"});
			box.append(el("div", {className: "choice"}, input,
			    el("label", {for: input.id}, label)));
			return input;
		});
		return {box, contest: c, read: () => {
			const v = inputs.find(i => i.checked).value;
			return v === "none" ? null : {contest: c.id, answer: v};
		}, describe: sel => t("answer_" + sel.answer)};
	}

	/*
	 * A ranking, operable from the keyboard: candidates are added in
	 * order, moved up or down, removed, and (where the method allows)
	 * made to share the rank above.  Focus stays on the control used;
	 * each change is announced.
	 */
	function rankingControl(c, box) {
		const ranked = [];       /* [{id, equal}] in order */
		const equalOk = Teller.allowsEqualRanks(c.method);
		const list = el("ol", {className: "ranking",
		    "aria-labelledby": "rank-h-" + c.id});
		const rest = el("ul", {className: "unranked",
		    "aria-labelledby": "unrank-h-" + c.id});
		const nameOf = id => c.candidates.find(x => x.id === id).name;
		const rankOf = i => {
			let rank = 0;
			for (let k = 0; k <= i; k++)
				if (k === 0 || !ranked[k].equal)
					rank++;
			return rank;
		};
		const button = (action, id, label, text) => el("button", {
		    type: "button", "data-action": action, "data-candidate": id,
		    "aria-label": label, textContent: text});

		function render(focus) {
			list.replaceChildren(...ranked.map((item, i) => {
				const name = nameOf(item.id);
				const li = el("li", {"data-candidate": item.id},
				    el("span", {className: "rank"},
				    t("rank_n", {rank: rankOf(i)})),
				    el("span", {className: "name"}, name),
				    button("up", item.id, t("move_up", {name}), "↑"),
				    button("down", item.id, t("move_down", {name}),
				    "↓"),
				    button("remove", item.id, t("remove", {name}),
				    "✕"));
				if (equalOk && i > 0) {
					const eq = el("input", {type: "checkbox",
					    id: "eq-" + c.id + "-" + item.id,
					    checked: item.equal,
					    "data-action": "equal",
					    "data-candidate": item.id});
					li.append(el("span", {className: "equal"}, eq,
					    el("label", {for: eq.id},
					    t("equal_above", {name}))));
				}
				return li;
			}));
			if (ranked.length === 0)
				list.append(el("li", {className: "empty"},
				    t("ranking_empty")));
			rest.replaceChildren(...c.candidates
			    .filter(x => !ranked.some(r => r.id === x.id))
			    .map(x => el("li", {"data-candidate": x.id},
			    el("span", {className: "name"}, x.name),
			    button("add", x.id, t("add_to_ranking",
			    {name: x.name}), "+"))));
			if (focus) {
				const target = box.querySelector(focus) ||
				    box.querySelector(".unranked button") ||
				    box.querySelector(".ranking button");
				if (target)
					target.focus();
			}
		}

		box.addEventListener("click", ev => act(ev.target));
		box.addEventListener("change", ev => {
			if (ev.target.dataset.action === "equal")
				act(ev.target);
		});

		function act(target) {
			const action = target.dataset ? target.dataset.action : null;
			const id = target.dataset ? target.dataset.candidate : null;
			if (!action || !id || (action === "equal" &&
			    target.type !== "checkbox"))
				return;
			const i = ranked.findIndex(r => r.id === id);
			const name = nameOf(id);
			let focus = null, news = null;
			if (action === "add" && i < 0) {
				ranked.push({id, equal: false});
				news = t("announce_added", {name,
				    rank: rankOf(ranked.length - 1)});
				focus = '.unranked button';
			} else if (action === "up" && i > 0) {
				[ranked[i - 1], ranked[i]] = [ranked[i], ranked[i - 1]];
				ranked[0].equal = false;
				news = t("announce_moved", {name, rank: rankOf(i - 1)});
				focus = 'li[data-candidate="' + id +
				    '"] button[data-action="up"]';
			} else if (action === "down" && i >= 0 &&
			    i < ranked.length - 1) {
				[ranked[i + 1], ranked[i]] = [ranked[i], ranked[i + 1]];
				ranked[0].equal = false;
				news = t("announce_moved", {name, rank: rankOf(i + 1)});
				focus = 'li[data-candidate="' + id +
				    '"] button[data-action="down"]';
			} else if (action === "remove" && i >= 0) {
				ranked.splice(i, 1);
				if (ranked.length > 0)
					ranked[0].equal = false;
				news = t("announce_removed", {name});
				focus = '.ranking button[data-action="remove"]';
			} else if (action === "equal" && i > 0) {
				ranked[i].equal = target.checked;
				news = t(target.checked ? "announce_equal_on" :
				    "announce_equal_off", {name, rank: rankOf(i)});
				focus = "#eq-" + CSS.escape(c.id) + "-" + CSS.escape(id);
			} else
				return;
			render(focus);
			say(news);
		}

		box.append(el("h3", {id: "rank-h-" + c.id},
		    t("ranking_label")), list,
		    el("h3", {id: "unrank-h-" + c.id}, t("unranked_label")), rest);
		render(null);
		return {box, contest: c, read: () => {
			const ranking = [];
			ranked.forEach((r, i) => {
				if (i > 0 && r.equal)
					ranking[ranking.length - 1].push(r.id);
				else
					ranking.push([r.id]);
			});
			return {contest: c.id, ranking};
		}, describe: sel => sel.ranking.length === 0 ? t("review_blank") :
		    sel.ranking.map((g, i) => (i + 1) + ". " +
		    g.map(nameOf).join(" = ")).join("; ")};
	}

	/* A sealed election needs X25519 here and trustee keys it can
	 * seal for: checked before anything is asked of the server. */
	async function ballotForm(opened, e, key, voter, fromBrowser) {
		const m = opened.manifest;
		if (Teller.sealed(m)) {
			if (!await Teller.canSeal())
				return stop(t("no_seal_support"));
			try {
				await Teller.checkSealing(m);
			} catch (err) {
				return stop(t("seal_impossible", {detail:
				    err.message}));
			}
		}
		const contests = m.contests.filter(c =>
		    c.constituency === voter.constituency);
		if (contests.length === 0)
			return stop(t("no_contests", {voter: voter.voter}));
		const controls = contests.map(contestControl);
		const review = el("button", {type: "button", id: "review",
		    textContent: t("review_button")});
		const nodes = [el("p", {}, t(fromBrowser ? "key_in_browser" :
		    "key_from_file", {voter: voter.voter})),
		    el("p", {}, t("window", {closes: localTime(e.closes)}))];
		if (secret(opened))
			nodes.push(el("p", {className: "note", id: "secret-note"},
			    t("secret_note")));
		if (Teller.sealed(m))
			nodes.push(el("p", {className: "note", id: "sealed-note"},
			    t("sealed_note", {k: m.threshold,
			    n: m.trustees.length})));
		else if (voter.ballots > 0)
			nodes.push(el("p", {className: "note"},
			    t("voted_before", {count: voter.ballots}) + " " +
			    t(m.revote === "first" ? "voted_before_first" :
			    "voted_before_last")));
		nodes.push(el("p", {}, t("ballot_help")),
		    ...controls.map(x => x.box), review);
		show("ballot", t("ballot_heading"), ...nodes);
		say("");
		review.addEventListener("click", () => {
			let selections;
			try {
				selections = controls.map(x => x.read())
				    .filter(x => x !== null);
				Teller.checkSelections(m, voter.constituency,
				    selections);
			} catch (err) {
				return warn(t("invalid_choice",
				    {message: err.message}));
			}
			reviewBallot(opened, key, voter, controls, selections);
		});
	}

	function reviewBallot(opened, key, voter, controls, selections) {
		const rows = controls.map(x => {
			const sel = selections.find(s => s.contest === x.contest.id);
			return el("li", {}, el("strong", {}, x.contest.title + ": "),
			    sel ? x.describe(sel) : t("review_blank"));
		});
		const cast = el("button", {type: "button", id: "cast",
		    textContent: t("cast_button")});
		const change = el("button", {type: "button", id: "change",
		    className: "secondary", textContent: t("change_button")});
		const heading = $("heading").textContent;
		const kept = Array.from($("view").childNodes);
		show("review", t("review_heading"), el("ul", {id: "summary"},
		    ...rows), cast, change);
		change.addEventListener("click", () => {
			show("ballot", heading, ...kept);
		});
		cast.addEventListener("click", async () => {
			busy(cast, true);
			change.disabled = true;
			say(t("casting"));
			try {
				await castBallot(opened, key, voter, selections);
			} catch (err) {
				warn(t("error_generic", {detail: err.message}));
			}
			busy(cast, false);
			change.disabled = false;
		});
	}

	function ballotProblem(e) {
		switch (e.code) {
		case "duplicate_ballot":
			return t("refused_duplicate");
		case "duplicate_credential":
			return t("credential_duplicate");
		case "outside_voting_window":
		case "wrong_state":
			return t("refused_closed");
		default:
			return e.message;
		}
	}

	function secret(opened) {
		return opened.manifest.secrecy === "secret";
	}

	/* An open ballot names the voter and is signed with their key; a
	 * secret one carries the credential and is signed with its ballot
	 * key.  {line, seq, name (of the receipt's file), cred}. */
	async function signedBallot(opened, key, voter, selections) {
		if (!secret(opened)) {
			const seq = voter.last_seq + 1;
			return {seq, line: await Teller.signBallot(key, opened,
			    voter.voter, seq, selections), name: "receipt-" +
			    page.election + "-" + voter.voter + "-" + seq + ".json"};
		}
		const cred = await credential(opened, key, voter);
		const seq = cred.seq + 1;
		const f = cred.file;
		if (Teller.sealed(opened.manifest))
			say(t("sealing"));
		return {seq, cred, name: "receipt-" + page.election + "-" + seq +
		    ".json", line: await Teller.signSecretBallot(cred.ballotKey,
		    opened, {constituency: f.constituency, weight: f.weight,
		    prefix: Teller.fromBase64(f.prefix),
		    signature: Teller.fromBase64(f.signature)}, seq, selections)};
	}

	async function castBallot(opened, key, voter, selections) {
		let made;
		try {
			made = await signedBallot(opened, key, voter, selections);
		} catch (err) {
			if (!(err instanceof Refused))
				throw err;
			return warn(t("credential_refused", {message:
			    ballotProblem(err)}));
		}
		const {seq, line, name, cred} = made;
		say(t("casting"));
		const r = await api("POST", electionPath("/ballots"), line);
		if (r.status !== 201)
			return warn(t("refused", {message:
			    ballotProblem(refusal(r))}));
		if (cred)
			await putRecord("credentials", {election: page.election,
			    voter: voter.voter, file: JSON.stringify(cred.file, null,
			    2), seq});
		const receipt = r.text.trim();
		const nodes = [];
		try {
			const ok = await Teller.checkReceipt(receipt, line, opened);
			nodes.push(el("p", {id: "receipt-checked"},
			    t("receipt_checked", {index: ok.index, size: ok.size})),
			    el("p", {className: "hash"}, t("receipt_ballot_hash",
			    {hash: ok.ballotHash})));
		} catch (err) {
			nodes.push(el("p", {id: "receipt-bad", className: "problem",
			    role: "alert"}, t("receipt_bad", {detail:
			    err.message})));
		}
		const button = el("button", {type: "button",
		    id: "download-receipt", textContent: t("receipt_button")});
		button.addEventListener("click", () => {
			download(name, receipt + "\n", "application/json");
			say(t("receipt_done", {file: name}));
		});
		nodes.push(el("p", {}, t("receipt_help")), button);
		if (cred) {
			const file = "teller-" + page.election + "-" + voter.voter +
			    ".cred";
			const keep = el("button", {type: "button",
			    id: "download-credential", className: "secondary",
			    textContent: t("credential_button")});
			keep.addEventListener("click", () => {
				download(file, JSON.stringify(cred.file, null, 2) +
				    "\n", "application/json");
				say(t("credential_done", {file}));
			});
			nodes.push(el("p", {}, t("credential_help")), keep);
		}
		show("receipt", t("receipt_heading"), ...nodes);
	}

	/* --- start ---------------------------------------------------------------- */

	async function start() {
		const m = /^(.*)\/(vote|enrol)\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/
		    .exec(location.pathname);
		const r = await fetch((m ? m[1] : "") + "/static/text.json",
		    {credentials: "omit"});
		words = await r.json();
		document.documentElement.lang = words.lang;
		document.documentElement.dir = words.dir;
		if (m === null) {
			show("loading", "teller");
			return stop(t("bad_address"));
		}
		page.prefix = m[1];
		page.mode = m[2];
		page.election = m[3];
		document.title = t("page_title", {title: page.election});
		if (!window.isSecureContext) {
			show("loading", "teller");
			return stop(t("insecure_context"));
		}
		if (!await Teller.supported()) {
			show("loading", "teller");
			return stop(t("no_script_support"));
		}
		try {
			await (page.mode === "enrol" ? enrol() : vote());
		} catch (e) {
			stop(e instanceof Refused ? e.message :
			    t("error_generic", {detail: e.message}));
		}
	}

	document.addEventListener("DOMContentLoaded", start);
})();
