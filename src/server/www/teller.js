/*
 * teller.js: what the voting page needs of teller's formats, in plain
 * JavaScript over the browser's WebCrypto (no other code):
 *
 *   - base64 (canonical, as doc/record-format.md section 1 requires),
 *     base64url and hex;
 *   - DSSE envelopes: PAE, Ed25519 signatures, key ids, and the one
 *     canonical line teller logs (section 2);
 *   - the ballot payload, byte for byte as 'teller ballot make' writes it
 *     (compact JSON, members in its order, contests in the manifest's
 *     order, a blank contest as an empty list and a blank referendum
 *     left out), and the checks of a ballot against the manifest that
 *     tl_ballot_parse makes (section 5.3);
 *   - RFC 9162 inclusion proofs (doc/formats.md's algorithm);
 *   - a secret election's credential (RFC 9474 blind RSA on BigInt, with
 *     WebCrypto's SHA-384 and RSA-PSS) and secret ballot (5.15);
 *   - a sealed election's sealing (5.15.6 and section 13: HPKE of RFC
 *     9180 over WebCrypto's X25519, HMAC and AES-GCM; Shamir's sharing
 *     over GF(2^8));
 *   - Ed25519 keys as PKCS#8 PEM, the form 'teller key generate' writes.
 *
 * Nothing here touches the page; vote.js does.  Functions that compute
 * hashes or signatures return promises.
 */
"use strict";

const Teller = (() => {
	const encoder = new TextEncoder();
	const ED25519 = {name: "Ed25519"};
	const TYPE_BALLOT = "application/vnd.teller.ballot+json";
	const TYPE_ENROLMENT = "application/vnd.teller.enrolment+json";
	const TYPE_MANIFEST = "application/vnd.teller.manifest+json";
	const TYPE_RECEIPT = "application/vnd.teller.receipt+json";
	const TYPE_TREE_HEAD = "application/vnd.teller.tree-head+json";

	function utf8(text) {
		return encoder.encode(text);
	}

	function fromUtf8(bytes) {
		return new TextDecoder("utf-8", {fatal: true}).decode(bytes);
	}

	function concat(...parts) {
		const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
		let at = 0;
		for (const p of parts) {
			out.set(p, at);
			at += p.length;
		}
		return out;
	}

	function base64(bytes) {
		let s = "";
		for (let i = 0; i < bytes.length; i += 0x8000)
			s += String.fromCharCode.apply(null,
			    bytes.subarray(i, i + 0x8000));
		return btoa(s);
	}

	/* Only the canonical encoding of some bytes (no white space, padding
	 * as an encoder writes it, unused bits zero); throws otherwise. */
	function fromBase64(text) {
		if (typeof text !== "string" ||
		    !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text))
			throw new Error("not base64");
		const s = atob(text);
		const out = new Uint8Array(s.length);
		for (let i = 0; i < s.length; i++)
			out[i] = s.charCodeAt(i);
		if (base64(out) !== text)
			throw new Error("not canonical base64");
		return out;
	}

	function base64url(bytes) {
		return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_")
		    .replace(/=+$/, "");
	}

	function hex(bytes) {
		return Array.from(bytes, b => b.toString(16).padStart(2, "0"))
		    .join("");
	}

	function fromHex(text) {
		if (typeof text !== "string" || !/^([0-9a-f]{2})*$/.test(text))
			throw new Error("not hex");
		const out = new Uint8Array(text.length / 2);
		for (let i = 0; i < out.length; i++)
			out[i] = parseInt(text.substr(2 * i, 2), 16);
		return out;
	}

	function equalBytes(a, b) {
		if (a.length !== b.length)
			return false;
		let d = 0;
		for (let i = 0; i < a.length; i++)
			d |= a[i] ^ b[i];
		return d === 0;
	}

	async function sha256(bytes) {
		return new Uint8Array(await crypto.subtle.digest("SHA-256",
		    bytes));
	}

	/* DSSE: PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body)
	 * SP body, lengths in bytes as ASCII decimal. */
	function pae(type, body) {
		const t = utf8(type);
		return concat(utf8("DSSEv1 " + t.length + " "), t,
		    utf8(" " + body.length + " "), body);
	}

	async function keyId(rawPublic) {
		return hex(await sha256(rawPublic));
	}

	/* The canonical line of an envelope with one signature. */
	function envelopeLine(type, payload, keyid, sig) {
		return '{"payloadType":"' + type + '","payload":"' +
		    base64(payload) + '","signatures":[{"keyid":"' + keyid +
		    '","sig":"' + base64(sig) + '"}]}';
	}

	/* Signs payload (bytes) as a DSSE envelope of type; its line. */
	async function signEnvelope(type, payload, key) {
		const sig = new Uint8Array(await crypto.subtle.sign(ED25519,
		    key.privateKey, pae(type, payload)));
		return envelopeLine(type, payload, await keyId(key.rawPublic),
		    sig);
	}

	/* An envelope (parsed JSON) of the given type, with a signature by
	 * rawPublic: its payload bytes.  Throws saying what is wrong. */
	async function openEnvelope(env, type, rawPublic) {
		if (env === null || typeof env !== "object" ||
		    env.payloadType !== type || !Array.isArray(env.signatures))
			throw new Error("not a " + type + " envelope");
		const payload = fromBase64(env.payload);
		const id = await keyId(rawPublic);
		const pub = await crypto.subtle.importKey("raw", rawPublic,
		    ED25519, false, ["verify"]);
		for (const s of env.signatures) {
			if (s === null || s.keyid !== id)
				continue;
			if (await crypto.subtle.verify(ED25519, pub,
			    fromBase64(s.sig), pae(type, payload)))
				return payload;
		}
		throw new Error("no valid signature by key " + id);
	}

	/* The signed manifest: its payload checked under the authority key it
	 * names, and its hash (hex).  A voter compares the key id with the
	 * one the administrators sent. */
	async function openManifest(env) {
		const payload = fromBase64(env.payload);
		const manifest = JSON.parse(fromUtf8(payload));
		const authority = fromBase64(manifest.authority_key);
		if (authority.length !== 32)
			throw new Error("no authority key");
		await openEnvelope(env, TYPE_MANIFEST, authority);
		return {manifest, authority,
		    authorityKeyId: await keyId(authority),
		    hash: hex(await sha256(payload))};
	}

	const METHOD_KIND = {
		plurality: "marks", approval: "marks", referendum: "answer",
		irv: "ranking", "stv-scottish": "ranking",
		"stv-meek": "ranking", schulze: "ranking",
	};

	function methodKind(method) {
		return METHOD_KIND[method];
	}

	function allowsEqualRanks(method) {
		return method === "schulze";
	}

	/*
	 * Checks selections against the manifest and the voter's
	 * constituency as tl_ballot_parse and tl_ballot_check_constituency
	 * do; throws with a message naming the contest.
	 */
	function checkSelections(manifest, constituency, selections) {
		const seen = new Set();
		for (const sel of selections) {
			const c = manifest.contests.find(x => x.id === sel.contest);
			if (c === undefined)
				throw new Error("\"" + sel.contest +
				    "\" is not a contest of election " + manifest.id);
			if (seen.has(c.id))
				throw new Error("contest " + c.id +
				    ": the ballot has two selections for it");
			seen.add(c.id);
			if (c.constituency !== constituency)
				throw new Error("contest " + c.id + " is not voted " +
				    "in by constituency " + constituency);
			const ids = new Set((c.candidates || []).map(x => x.id));
			const kind = methodKind(c.method);
			const keys = Object.keys(sel);
			if (keys.length !== 2 || keys[0] !== "contest" ||
			    keys[1] !== kind)
				throw new Error("contest " + c.id + ": a " + c.method +
				    " selection is \"" + kind + "\"");
			const marked = new Set();
			const mark = id => {
				if (!ids.has(id))
					throw new Error("contest " + c.id + ": \"" + id +
					    "\" is not one of its candidates");
				if (marked.has(id))
					throw new Error("contest " + c.id +
					    ": candidate " + id +
					    " is marked more than once");
				marked.add(id);
			};
			if (kind === "marks") {
				const max = c.method === "plurality" ?
				    (c.seats || 1) : ids.size;
				if (sel.marks.length > max)
					throw new Error("contest " + c.id + ": " +
					    sel.marks.length + " marks, but a " +
					    c.method + " ballot may mark at most " +
					    max);
				sel.marks.forEach(mark);
			} else if (kind === "ranking") {
				for (const group of sel.ranking) {
					if (!Array.isArray(group) || group.length === 0)
						throw new Error("contest " + c.id +
						    ": an empty rank");
					if (group.length > 1 &&
					    !allowsEqualRanks(c.method))
						throw new Error("contest " + c.id +
						    ": " + c.method +
						    " does not allow equal ranks");
					group.forEach(mark);
				}
			} else if (!["yes", "no", "abstain"].includes(sel.answer))
				throw new Error("contest " + c.id +
				    ": the answer is yes, no or abstain");
		}
	}

	/* The ballot payload's text: what 'teller ballot make' writes for the
	 * same voter, seq and selections in the same order. */
	function ballotPayload(manifestId, manifestHash, voter, seq,
	    selections) {
		return JSON.stringify({election: manifestId,
		    manifest: manifestHash, voter: voter, seq: seq,
		    selections: orderedSelections(selections)});
	}

	async function signBallot(key, opened, voter, seq, selections) {
		const text = ballotPayload(opened.manifest.id, opened.hash, voter,
		    seq, selections);
		return signEnvelope(TYPE_BALLOT, utf8(text), key);
	}

	async function signEnrolment(key, election, voter, token) {
		const text = JSON.stringify({election: election, voter: voter,
		    token: token, public_key: base64(key.rawPublic)});
		return signEnvelope(TYPE_ENROLMENT, utf8(text), key);
	}

	async function nodeHash(left, right) {
		return sha256(concat(Uint8Array.of(1), left, right));
	}

	/* RFC 9162 section 2.1.3.2, as doc/formats.md states it. */
	async function verifyInclusion(leaf, index, size, path, root) {
		if (!(index < size))
			return false;
		let fn = index, sn = size - 1, x = leaf;
		for (const p of path) {
			if (sn === 0)
				return false;
			if (fn % 2 === 1 || fn === sn) {
				x = await nodeHash(p, x);
				if (fn % 2 === 0)
					while (fn % 2 === 0 && fn !== 0) {
						fn = Math.floor(fn / 2);
						sn = Math.floor(sn / 2);
					}
			} else
				x = await nodeHash(x, p);
			fn = Math.floor(fn / 2);
			sn = Math.floor(sn / 2);
		}
		return sn === 0 && equalBytes(x, root);
	}

	/*
	 * Checks a receipt (its text, as the server sent it) for the ballot
	 * line cast, under the authority key: the receipt's and its tree
	 * head's signatures, the ballot's hash and leaf hash, and the
	 * inclusion proof against the tree head's root.  Returns
	 * {index, size, ballotHash}; throws saying what fails.
	 */
	async function checkReceipt(receiptText, ballotLine, opened) {
		const env = JSON.parse(receiptText);
		const r = JSON.parse(fromUtf8(await openEnvelope(env, TYPE_RECEIPT,
		    opened.authority)));
		const ballot = utf8(ballotLine);
		const ballotHash = hex(await sha256(ballot));
		const leaf = await sha256(concat(Uint8Array.of(0), ballot));
		if (r.election !== opened.manifest.id)
			throw new Error("the receipt is for election " + r.election);
		if (r.ballot !== ballotHash)
			throw new Error("the receipt names another ballot");
		if (r.leaf_hash !== hex(leaf))
			throw new Error("the receipt's leaf hash is not the ballot's");
		const head = JSON.parse(fromUtf8(await openEnvelope(r.tree_head,
		    TYPE_TREE_HEAD, opened.authority)));
		if (head.election !== opened.manifest.id)
			throw new Error("the tree head is of another election");
		const path = r.inclusion_proof.map(fromHex);
		if (!await verifyInclusion(leaf, r.leaf_index, head.size, path,
		    fromHex(head.root)))
			throw new Error("the inclusion proof does not hold");
		return {index: r.leaf_index, size: head.size, ballotHash};
	}

	/* The DER inside a PEM block of the given label. */
	function fromPem(text, label) {
		const m = new RegExp("-----BEGIN " + label + "-----([A-Za-z0-9+/=\\s]+)-----END " +
		    label + "-----").exec(text);
		if (m === null)
			throw new Error("no " + label + " block");
		return fromBase64(m[1].replace(/\s+/g, ""));
	}

	function toPem(der, label) {
		const b = base64(der).replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
		return "-----BEGIN " + label + "-----\n" + b + "\n-----END " +
		    label + "-----\n";
	}

	/* A key {privateKey, rawPublic} from PKCS#8 DER; the private key
	 * kept is not extractable. */
	async function importPkcs8(der) {
		const probe = await crypto.subtle.importKey("pkcs8", der, ED25519,
		    true, ["sign"]);
		const jwk = await crypto.subtle.exportKey("jwk", probe);
		const rawPublic = fromBase64(jwk.x.replace(/-/g, "+")
		    .replace(/_/g, "/") + "=");
		const privateKey = await crypto.subtle.importKey("pkcs8", der,
		    ED25519, false, ["sign"]);
		if (rawPublic.length !== 32)
			throw new Error("not an Ed25519 key");
		return {privateKey, rawPublic};
	}

	async function importPem(text) {
		return importPkcs8(fromPem(text, "PRIVATE KEY"));
	}

	/* A new key, and its PKCS#8 PEM for the voter's backup. */
	async function generateKey() {
		const pair = await crypto.subtle.generateKey(ED25519, true,
		    ["sign", "verify"]);
		const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8",
		    pair.privateKey));
		const key = await importPkcs8(der);
		const raw = new Uint8Array(await crypto.subtle.exportKey("raw",
		    pair.publicKey));
		if (!equalBytes(raw, key.rawPublic))
			throw new Error("the key does not round-trip");
		return {key, pem: toPem(der, "PRIVATE KEY")};
	}

	/* --- RFC 9474 blind RSA, the voter's side (secret elections) --------
	 *
	 * RSABSSA-SHA384-PSS-Randomized, as doc/record-format.md 5.15.2 uses
	 * it: the prepared message is a 32-byte random prefix and the
	 * credential message; Blind (RFC 9474 4.2) encodes it with
	 * EMSA-PSS-ENCODE (RFC 8017 9.1.1: SHA-384, MGF1-SHA-384, a 48-byte
	 * salt, emBits = modBits - 1) and blinds it with a random r, on
	 * BigInt; Finalize (4.4) unblinds the authority's blind signature and
	 * keeps it only if WebCrypto's RSA-PSS verifies it.  WebCrypto has no
	 * raw RSA operation, so r^e mod n and r^-1 mod n are computed here;
	 * neither uses a secret of the authority. */

	const TYPE_CREDENTIAL_KEYS =
	    "application/vnd.teller.credential-keys+json";
	const TYPE_CREDENTIAL_REQUEST =
	    "application/vnd.teller.credential-request+json";
	const TYPE_CREDENTIAL = "application/vnd.teller.credential+json";
	const PSS = {name: "RSA-PSS", hash: "SHA-384"};
	const SHA384_LEN = 48;
	const PREFIX_LEN = 32;

	async function sha384(bytes) {
		return new Uint8Array(await crypto.subtle.digest("SHA-384",
		    bytes));
	}

	function randomBytes(n) {
		return crypto.getRandomValues(new Uint8Array(n));
	}

	/* RFC 8017 4.2, OS2IP and I2OSP. */
	function toBigInt(bytes) {
		return bytes.length === 0 ? 0n : BigInt("0x" + hex(bytes));
	}

	function fromBigInt(x, len) {
		const h = x.toString(16).padStart(2 * len, "0");
		if (h.length !== 2 * len)
			throw new Error("integer too large");
		return fromHex(h);
	}

	function modPow(base, exp, n) {
		let result = 1n, b = base % n;
		for (let e = exp; e > 0n; e >>= 1n) {
			if (e & 1n)
				result = result * b % n;
			b = b * b % n;
		}
		return result;
	}

	/* x^-1 mod n, or null when they are not coprime. */
	function modInverse(x, n) {
		let [r0, r1, t0, t1] = [n, x % n, 0n, 1n];
		while (r1 !== 0n) {
			const q = r0 / r1;
			[r0, r1] = [r1, r0 - q * r1];
			[t0, t1] = [t1, t0 - q * t1];
		}
		if (r0 !== 1n)
			return null;
		return t0 < 0n ? t0 + n : t0;
	}

	/* RFC 8017 B.2.1, MGF1 with SHA-384. */
	async function mgf1(seed, len) {
		const parts = [];
		for (let i = 0, have = 0; have < len; i++) {
			const c = Uint8Array.of(i >>> 24, (i >>> 16) & 255,
			    (i >>> 8) & 255, i & 255);
			const h = await sha384(concat(seed, c));
			parts.push(h);
			have += h.length;
		}
		return concat(...parts).subarray(0, len);
	}

	/* RFC 8017 9.1.1, EMSA-PSS-ENCODE(M, emBits), sLen = hLen = 48. */
	async function emsaPssEncode(msg, emBits) {
		const emLen = Math.ceil(emBits / 8);
		if (emLen < 2 * SHA384_LEN + 2)
			throw new Error("the class key is too short");
		const mHash = await sha384(msg);
		const salt = randomBytes(SHA384_LEN);
		const h = await sha384(concat(new Uint8Array(8), mHash, salt));
		const db = concat(new Uint8Array(emLen - 2 * SHA384_LEN - 2),
		    Uint8Array.of(1), salt);
		const mask = await mgf1(h, emLen - SHA384_LEN - 1);
		for (let i = 0; i < db.length; i++)
			db[i] ^= mask[i];
		db[0] &= 0xff >> (8 * emLen - emBits);
		return concat(db, h, Uint8Array.of(0xbc));
	}

	/* A class key (its SubjectPublicKeyInfo DER): {key (WebCrypto, for
	 * verifying), n, e, k (bytes), bits}. */
	async function importClassKey(der) {
		const key = await crypto.subtle.importKey("spki", der, PSS, true,
		    ["verify"]);
		const jwk = await crypto.subtle.exportKey("jwk", key);
		const b64 = s => fromBase64(s.replace(/-/g, "+")
		    .replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
		const n = toBigInt(b64(jwk.n)), e = toBigInt(b64(jwk.e));
		const bits = n.toString(2).length;
		return {key, n, e, bits, k: Math.ceil(bits / 8)};
	}

	/* "teller-credential-v1" 0 ELECTION 0 MANIFEST 0 CONSTITUENCY 0 WEIGHT
	 * 0 BALLOT_KEY (5.15.2). */
	function credentialMessage(election, manifest, constituency, weight,
	    ballotKey) {
		const z = Uint8Array.of(0);
		return concat(utf8("teller-credential-v1"), z, utf8(election), z,
		    utf8(manifest), z, utf8(constituency), z,
		    utf8(String(weight)), z, ballotKey);
	}

	/* RFC 9474 4.1 and 4.2: {prefix, blinded, inv} for the prepared
	 * message prefix || msg under the class key pk. */
	async function blind(pk, msg) {
		const prefix = randomBytes(PREFIX_LEN);
		const em = await emsaPssEncode(concat(prefix, msg), pk.bits - 1);
		const m = toBigInt(em);
		if (modInverse(m, pk.n) === null)
			throw new Error("the message is not coprime to the key");
		let r, inv = null;
		do {
			r = toBigInt(randomBytes(pk.k)) >> BigInt(8 * pk.k - pk.bits);
			if (r > 0n && r < pk.n)
				inv = modInverse(r, pk.n);
		} while (inv === null);
		const z = m * modPow(r, pk.e, pk.n) % pk.n;
		return {prefix, blinded: fromBigInt(z, pk.k),
		    inv: fromBigInt(inv, pk.k)};
	}

	/* RFC 9474 4.4: the signature from the blind signature, verified
	 * under the class key over the prepared message; throws if it is not
	 * a credential. */
	async function finalize(pk, prefix, msg, blindSig, inv) {
		if (blindSig.length !== pk.k)
			throw new Error("the blind signature is not " + pk.k +
			    " bytes");
		const s = toBigInt(blindSig) * toBigInt(inv) % pk.n;
		const sig = fromBigInt(s, pk.k);
		if (!await crypto.subtle.verify({name: "RSA-PSS",
		    saltLength: SHA384_LEN}, pk.key, sig, concat(prefix, msg)))
			throw new Error("the authority's blind signature does not " +
			    "give a valid credential");
		return sig;
	}

	/* The signed credential keys statement (parsed envelope): its
	 * classes, checked under the authority key of the manifest and for
	 * its election and definition. */
	async function openCredentialKeys(env, opened) {
		const keys = JSON.parse(fromUtf8(await openEnvelope(env,
		    TYPE_CREDENTIAL_KEYS, opened.authority)));
		if (keys.election !== opened.manifest.id ||
		    keys.manifest !== opened.hash || !Array.isArray(keys.classes))
			throw new Error("the credential keys are not this " +
			    "election's");
		return keys.classes;
	}

	/* The credential request's line (5.15.3), signed with the roll key. */
	async function signCredentialRequest(rollKey, opened, voter,
	    constituency, weight, blinded) {
		const text = JSON.stringify({election: opened.manifest.id,
		    manifest: opened.hash, voter: voter,
		    constituency: constituency, weight: weight,
		    blinded_message: base64(blinded)});
		return signEnvelope(TYPE_CREDENTIAL_REQUEST, utf8(text), rollKey);
	}

	/* The authority's issuance (its text) answering requestLine: the
	 * blind signature.  Throws saying what is wrong. */
	async function openIssuance(text, requestLine, opened) {
		const env = JSON.parse(text);
		const iss = JSON.parse(fromUtf8(await openEnvelope(env,
		    TYPE_CREDENTIAL, opened.authority)));
		if (iss.election !== opened.manifest.id ||
		    iss.request !== hex(await sha256(utf8(requestLine))))
			throw new Error("the credential issuance answers another " +
			    "request");
		return fromBase64(iss.blind_signature);
	}

	/* Selections in the order of their members that teller writes. */
	function orderedSelections(selections) {
		return selections.map(sel => {
			const kind = Object.keys(sel)[1];
			return {contest: sel.contest, [kind]: sel[kind]};
		});
	}

	/* A secret ballot's payload text (5.15.5), as 'teller ballot make
	 * --credential' writes it; with sealedMember (a sealed election,
	 * 5.15.6), that member in the place of the selections. */
	function secretBallotPayload(manifestId, manifestHash, ballotKey,
	    credential, seq, selections, sealedMember) {
		const payload = {election: manifestId,
		    manifest: manifestHash, ballot_key: base64(ballotKey),
		    credential: {constituency: credential.constituency,
		    weight: credential.weight,
		    prefix: base64(credential.prefix),
		    signature: base64(credential.signature)}, seq: seq};
		if (sealedMember)
			payload.sealed = sealedMember;
		else
			payload.selections = orderedSelections(selections);
		return JSON.stringify(payload);
	}

	/* The secret ballot's line, its selections sealed in a sealed
	 * election (rnd: sealRandomness's when not given). */
	async function signSecretBallot(ballotKey, opened, credential, seq,
	    selections, rnd) {
		const member = sealed(opened.manifest) ? await sealedMember(
		    opened.manifest, opened.hash, ballotKey.rawPublic,
		    credential.constituency, JSON.stringify(orderedSelections(
		    selections)), rnd) : null;
		const text = secretBallotPayload(opened.manifest.id, opened.hash,
		    ballotKey.rawPublic, credential, seq, selections, member);
		return signEnvelope(TYPE_BALLOT, utf8(text), ballotKey);
	}

	/* --- sealing (a sealed election: doc/record-format.md 5.15.6, 13) -----
	 *
	 * A secret election whose manifest names trustees takes its ballots'
	 * selections sealed: AES-256-GCM under a fresh content key K, K split
	 * by Shamir's secret sharing over GF(2^8), and share i sealed to
	 * trustee i's X25519 key with HPKE (RFC 9180: base mode,
	 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM).  WebCrypto
	 * gives X25519, HMAC-SHA-256 and AES-GCM; HPKE's labeled HKDF, its
	 * key schedule and the field arithmetic are written here, one
	 * function per step the RFC and the record format name.  The random
	 * values of one sealing (K, the nonce, the coefficients, each share's
	 * ephemeral key) are drawn in one place, sealRandomness, and handed
	 * to sealWith, which is deterministic: so that tests can give it
	 * known values and compare its bytes with teller's C code. */

	const X25519 = {name: "X25519"};
	/* PKCS#8 of an X25519 private key (RFC 8410): this prefix, then the
	 * 32 bytes. */
	const X25519_PKCS8_PREFIX = fromHex("302e020100300506032b656e04220420");
	const HPKE_NH = 32, HPKE_NK = 16, HPKE_NN = 12;
	/* suite_id of RFC 9180 sections 4.1 and 5.1. */
	const SUITE_KEM = concat(utf8("KEM"), Uint8Array.of(0x00, 0x20));
	const SUITE_HPKE = concat(utf8("HPKE"), Uint8Array.of(0x00, 0x20,
	    0x00, 0x01, 0x00, 0x01));
	const SEAL_KEY_LEN = 32, SEAL_NONCE_LEN = 12;

	/* I2OSP(x, n) for the small integers HPKE encodes. */
	function i2osp(x, n) {
		const out = new Uint8Array(n);
		for (let i = n - 1; i >= 0 && x > 0; i--) {
			out[i] = x % 256;
			x = Math.floor(x / 256);
		}
		return out;
	}

	async function hmacSha256(key, data) {
		/* WebCrypto takes no empty HMAC key; HMAC pads a key with
		 * zeros to the block size, so 32 zeros are the same key. */
		const k = await crypto.subtle.importKey("raw", key.length > 0 ?
		    key : new Uint8Array(HPKE_NH), {name: "HMAC",
		    hash: "SHA-256"}, false, ["sign"]);
		return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
	}

	/* RFC 5869 HKDF-Extract and HKDF-Expand with SHA-256. */
	function hkdfExtract(salt, ikm) {
		return hmacSha256(salt, ikm);
	}

	async function hkdfExpand(prk, info, L) {
		const parts = [];
		let t = new Uint8Array(0);
		for (let i = 1, have = 0; have < L; i++) {
			t = await hmacSha256(prk, concat(t, info, Uint8Array.of(i)));
			parts.push(t);
			have += t.length;
		}
		return concat(...parts).slice(0, L);
	}

	/* RFC 9180 section 4: LabeledExtract and LabeledExpand. */
	function labeledExtract(suite, salt, label, ikm) {
		return hkdfExtract(salt, concat(utf8("HPKE-v1"), suite,
		    utf8(label), ikm));
	}

	function labeledExpand(suite, prk, label, info, L) {
		return hkdfExpand(prk, concat(i2osp(L, 2), utf8("HPKE-v1"), suite,
		    utf8(label), info), L);
	}

	function x25519Private(sk, extractable) {
		return crypto.subtle.importKey("pkcs8", concat(
		    X25519_PKCS8_PREFIX, sk), X25519, extractable,
		    ["deriveBits"]);
	}

	function fromBase64url(s) {
		return fromBase64(s.replace(/-/g, "+").replace(/_/g, "/") +
		    "===".slice((s.length + 3) % 4));
	}

	/* The X25519 public key of a private key (RFC 7748 section 6.1). */
	async function x25519Public(sk) {
		const jwk = await crypto.subtle.exportKey("jwk",
		    await x25519Private(sk, true));
		return fromBase64url(jwk.x);
	}

	/* DH(sk, pk); WebCrypto refuses an all-zero result (RFC 9180
	 * 7.1.4's check). */
	async function x25519(sk, pk) {
		const pub = await crypto.subtle.importKey("raw", pk, X25519, false,
		    []);
		return new Uint8Array(await crypto.subtle.deriveBits({name:
		    "X25519", public: pub}, await x25519Private(sk, false), 256));
	}

	/* Section 7.1.3: DeriveKeyPair(ikm) for X25519: {sk, pk}, sk as the
	 * expansion gives it (X25519 clamps when it uses it). */
	async function deriveKeyPair(ikm) {
		const prk = await labeledExtract(SUITE_KEM, new Uint8Array(0),
		    "dkp_prk", ikm);
		const sk = await labeledExpand(SUITE_KEM, prk, "sk",
		    new Uint8Array(0), 32);
		return {sk, pk: await x25519Public(sk)};
	}

	/* Section 4.1: Encap(pkR) with the ephemeral key pair
	 * DeriveKeyPair(ikmE): {sharedSecret, enc}. */
	async function encap(pkR, ikmE) {
		const e = await deriveKeyPair(ikmE);
		const dh = await x25519(e.sk, pkR);
		const prk = await labeledExtract(SUITE_KEM, new Uint8Array(0),
		    "eae_prk", dh);
		const sharedSecret = await labeledExpand(SUITE_KEM, prk,
		    "shared_secret", concat(e.pk, pkR), 32);
		return {sharedSecret, enc: e.pk};
	}

	/* Section 5.1: KeySchedule(mode_base, shared_secret, info, "", ""):
	 * {key, baseNonce, exporterSecret, seq: 0}, and for tests the
	 * keyScheduleContext and the secret. */
	async function keySchedule(sharedSecret, info) {
		const none = new Uint8Array(0);
		const pskIdHash = await labeledExtract(SUITE_HPKE, none,
		    "psk_id_hash", none);
		const infoHash = await labeledExtract(SUITE_HPKE, none,
		    "info_hash", info);
		const context = concat(Uint8Array.of(0x00), pskIdHash, infoHash);
		const secret = await labeledExtract(SUITE_HPKE, sharedSecret,
		    "secret", none);
		return {key: await labeledExpand(SUITE_HPKE, secret, "key",
		    context, HPKE_NK),
		    baseNonce: await labeledExpand(SUITE_HPKE, secret,
		    "base_nonce", context, HPKE_NN),
		    exporterSecret: await labeledExpand(SUITE_HPKE, secret, "exp",
		    context, HPKE_NH),
		    seq: 0, keyScheduleContext: context, secret};
	}

	async function aesGcmSeal(key, nonce, aad, pt) {
		const k = await crypto.subtle.importKey("raw", key, "AES-GCM",
		    false, ["encrypt"]);
		return new Uint8Array(await crypto.subtle.encrypt({name: "AES-GCM",
		    iv: nonce, additionalData: aad, tagLength: 128}, k, pt));
	}

	/* Section 5.2: ContextS.Seal(aad, pt), the nonce base_nonce XOR
	 * I2OSP(seq, Nn); then IncrementSeq. */
	async function contextSeal(ctx, aad, pt) {
		const nonce = i2osp(ctx.seq, HPKE_NN);
		for (let i = 0; i < HPKE_NN; i++)
			nonce[i] ^= ctx.baseNonce[i];
		const ct = await aesGcmSeal(ctx.key, nonce, aad, pt);
		ctx.seq++;
		return ct;
	}

	/* Section 5.3: Context.Export(exporter_context, L). */
	function contextExport(ctx, exporterContext, L) {
		return labeledExpand(SUITE_HPKE, ctx.exporterSecret, "sec",
		    exporterContext, L);
	}

	/* Sections 5.1.1 and 6.1: SealBase(pkR, info, aad, pt) with the
	 * ephemeral key DeriveKeyPair(ikmE): enc || ct. */
	async function sealBase(pkR, info, aad, pt, ikmE) {
		const {sharedSecret, enc} = await encap(pkR, ikmE);
		const ctx = await keySchedule(sharedSecret, info);
		return concat(enc, await contextSeal(ctx, aad, pt));
	}

	/* GF(2^8) as in AES (FIPS 197 section 4), modulo 0x11b, without
	 * tables or branches on the bytes (record-format 13.3). */
	function gfMul(a, b) {
		let p = 0;
		for (let i = 0; i < 8; i++) {
			p ^= a & -((b >> i) & 1);
			a = ((a << 1) ^ (0x11b & -((a >> 7) & 1))) & 0xff;
		}
		return p;
	}

	/* 13.3: the shares of K (32 bytes) for trustees 1..n with threshold
	 * k, the coefficients c_m[j] = R[32 (m - 1) + j]. */
	function shamirSplit(secret, k, n, coefficients) {
		const shares = [];
		for (let i = 1; i <= n; i++) {
			const s = new Uint8Array(SEAL_KEY_LEN);
			for (let j = 0; j < SEAL_KEY_LEN; j++) {
				let y = secret[j], xp = 1;
				for (let m = 1; m < k; m++) {
					xp = gfMul(xp, i);
					y ^= gfMul(coefficients[SEAL_KEY_LEN * (m - 1) + j],
					    xp);
				}
				s[j] = y;
			}
			shares.push(s);
		}
		return shares;
	}

	/* 13.2: label || 0x00 || E || 0x00 || M || B. */
	function sealBinding(label, b) {
		const z = Uint8Array.of(0);
		return concat(utf8(label), z, utf8(b.election), z, b.manifestHash,
		    b.ballotKey);
	}

	/* A sealed election: secret, with trustees. */
	function sealed(manifest) {
		return manifest.secrecy === "secret" &&
		    Array.isArray(manifest.trustees) &&
		    manifest.trustees.length > 0;
	}

	/* The trustees' sealing keys and the threshold, checked. */
	function sealingKeys(manifest) {
		const keys = manifest.trustees.map(tr => fromBase64(
		    tr.sealing_key));
		const k = manifest.threshold;
		if (keys.length > 15 || keys.some(x => x.length !== 32) ||
		    !Number.isInteger(k) || k < 1 || k > keys.length)
			throw new Error("the election's trustees cannot be sealed " +
			    "for");
		return {keys, k};
	}

	/* What one sealing draws: K, the nonce, 32 (k - 1) coefficient
	 * bytes and each share's ephemeral key's ikm (RFC 9180's
	 * GenerateKeyPair is DeriveKeyPair of random bytes). */
	function sealRandomness(n, k) {
		return {key: randomBytes(SEAL_KEY_LEN),
		    nonce: randomBytes(SEAL_NONCE_LEN),
		    coefficients: randomBytes(SEAL_KEY_LEN * (k - 1)),
		    ephemeral: Array.from({length: n}, () => randomBytes(32))};
	}

	/* 13.4: pt sealed with the given randomness for the trustees' keys
	 * with threshold k, bound to b ({election, manifestHash (32 bytes),
	 * ballotKey (32 bytes)}): {selections, shares} as bytes. */
	async function sealWith(rnd, keys, k, b, pt) {
		const selections = concat(rnd.nonce, await aesGcmSeal(rnd.key,
		    rnd.nonce, sealBinding("teller/v1/selections", b), pt));
		const split = shamirSplit(rnd.key, k, keys.length,
		    rnd.coefficients);
		const shares = [];
		for (let i = 1; i <= keys.length; i++)
			shares.push(await sealBase(keys[i - 1], concat(
			    sealBinding("teller/v1/share", b), Uint8Array.of(i)),
			    new Uint8Array(0), split[i - 1], rnd.ephemeral[i - 1]));
		return {selections, shares};
	}

	/* 5.15.6: the length teller pads a constituency's selections text
	 * to: compact JSON in which every contest of the constituency lists
	 * every candidate, ranks each alone, or abstains
	 * (tl_ballot_padded_length). */
	function paddedLength(manifest, constituency) {
		let len = 2, n = 0;
		for (const c of manifest.contests) {
			if (c.constituency !== constituency)
				continue;
			len += n++ > 0 ? 1 : 0;
			len += '{"contest":"",'.length + utf8(c.id).length + 1;
			const cands = c.candidates || [];
			const ids = cands.map(x => utf8(x.id).length);
			const kind = methodKind(c.method);
			if (kind === "marks")
				len += '"marks":[]'.length + ids.reduce((s, l, j) =>
				    s + (j > 0 ? 1 : 0) + l + 2, 0);
			else if (kind === "ranking")
				len += '"ranking":[]'.length + ids.reduce((s, l, j) =>
				    s + (j > 0 ? 1 : 0) + l + 4, 0);
			else
				len += '"answer":"abstain"'.length;
		}
		return len;
	}

	/* The "sealed" member of a sealed ballot: the selections text
	 * padded with 0x00 bytes to the constituency's length, sealed with
	 * rnd (sealRandomness's, or a test's). */
	async function sealedMember(manifest, manifestHash, ballotKey,
	    constituency, text, rnd) {
		const {keys, k} = sealingKeys(manifest);
		const bytes = utf8(text);
		const pt = new Uint8Array(Math.max(bytes.length,
		    paddedLength(manifest, constituency)));
		pt.set(bytes);
		const s = await sealWith(rnd || sealRandomness(keys.length, k),
		    keys, k, {election: manifest.id,
		    manifestHash: fromHex(manifestHash), ballotKey}, pt);
		return {selections: base64(s.selections),
		    shares: s.shares.map(base64)};
	}

	/* Throws, saying why, unless a ballot can be sealed for the
	 * manifest's trustees: their number, the threshold, and each key a
	 * usable X25519 public key (a DH with it is not all zeros). */
	async function checkSealing(manifest) {
		const {keys} = sealingKeys(manifest);
		const probe = randomBytes(32);
		for (let i = 0; i < keys.length; i++)
			await x25519(probe, keys[i]).catch(() => {
				throw new Error("the sealing key of trustee " +
				    manifest.trustees[i].id + " is not usable");
			});
	}

	/* Whether this browser has X25519 in WebCrypto (a sealed election
	 * needs it). */
	async function canSeal() {
		try {
			await crypto.subtle.generateKey(X25519, false,
			    ["deriveBits"]);
			return true;
		} catch (e) {
			return false;
		}
	}

	/* Whether this browser has what the page needs. */
	async function supported() {
		if (!window.isSecureContext || !window.crypto ||
		    !crypto.subtle || !window.indexedDB)
			return false;
		try {
			await crypto.subtle.generateKey(ED25519, false,
			    ["sign", "verify"]);
			return true;
		} catch (e) {
			return false;
		}
	}

	return {base64, fromBase64, base64url, hex, fromHex, sha256, utf8,
	    fromUtf8, keyId, pae, openEnvelope, openManifest, methodKind,
	    allowsEqualRanks, checkSelections, ballotPayload, signBallot,
	    signEnrolment, verifyInclusion, checkReceipt, importPem,
	    generateKey, supported, importClassKey, credentialMessage, blind,
	    finalize, openCredentialKeys, signCredentialRequest, openIssuance,
	    secretBallotPayload, signSecretBallot, sealed, canSeal,
	    paddedLength, sealedMember, checkSealing,
	    /* the pieces of sealing, for known-answer tests */
	    hpke: {labeledExtract, labeledExpand, deriveKeyPair, encap,
	    keySchedule, contextSeal, contextExport, sealBase,
	    suiteKem: SUITE_KEM, suiteHpke: SUITE_HPKE},
	    gfMul, shamirSplit, sealWith, sealRandomness};
})();
