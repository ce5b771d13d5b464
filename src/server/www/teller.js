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
		const ordered = selections.map(sel => {
			const kind = Object.keys(sel)[1];
			return {contest: sel.contest, [kind]: sel[kind]};
		});
		return JSON.stringify({election: manifestId,
		    manifest: manifestHash, voter: voter, seq: seq,
		    selections: ordered});
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

	/* A secret ballot's payload text (5.15.5), as 'teller ballot make
	 * --credential' writes it. */
	function secretBallotPayload(manifestId, manifestHash, ballotKey,
	    credential, seq, selections) {
		const ordered = selections.map(sel => {
			const kind = Object.keys(sel)[1];
			return {contest: sel.contest, [kind]: sel[kind]};
		});
		return JSON.stringify({election: manifestId,
		    manifest: manifestHash, ballot_key: base64(ballotKey),
		    credential: {constituency: credential.constituency,
		    weight: credential.weight,
		    prefix: base64(credential.prefix),
		    signature: base64(credential.signature)},
		    seq: seq, selections: ordered});
	}

	async function signSecretBallot(ballotKey, opened, credential, seq,
	    selections) {
		const text = secretBallotPayload(opened.manifest.id, opened.hash,
		    ballotKey.rawPublic, credential, seq, selections);
		return signEnvelope(TYPE_BALLOT, utf8(text), ballotKey);
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
	    secretBallotPayload, signSecretBallot};
})();
