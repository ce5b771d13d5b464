#!/bin/sh
# The trustees' commands from the command line: teller trustee keygen
# writes a key file of mode 0600 with an Ed25519 identity key and an X25519
# sealing key, prints their public keys (plain and --json), and refuses to
# overwrite a file, to write a key to standard output, or to run without
# -o.
. "$(dirname "$0")/lib.sh"

cd "$T"

teller trustee keygen -o t1.pem >out.txt
[ "$(stat -c %a t1.pem)" = 600 ] || fail "the key file is not mode 0600"
[ "$(grep -c -- '-----BEGIN PRIVATE KEY-----' t1.pem)" = 2 ] ||
	fail "the key file does not hold two PEM keys"
identity=$(sed -n 's/^identity_key: //p' out.txt)
sealing=$(sed -n 's/^sealing_key: //p' out.txt)
keyid=$(sed -n 's/^identity_key_id: //p' out.txt)
# OpenSSL reads the two keys back: an Ed25519 one, then an X25519 one,
# whose public keys are the ones printed.
"$PYTHON3" - "$identity" "$sealing" "$keyid" <<'PY' || fail "the printed keys do not match the file"
import base64, hashlib, re, subprocess, sys
identity, sealing, keyid = sys.argv[1:]
blocks = re.findall(r"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----\n",
                    open("t1.pem").read(), re.S)
assert len(blocks) == 2, blocks
def public(pem):
    der = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"],
                         input=pem.encode(), capture_output=True, check=True).stdout
    text = subprocess.run(["openssl", "pkey", "-noout", "-text"],
                          input=pem.encode(), capture_output=True, check=True).stdout
    return der[-32:], text.decode().split()[0]
raw, kind = public(blocks[0])
assert kind == "ED25519", kind
assert base64.b64encode(raw).decode() == identity
assert hashlib.sha256(raw).hexdigest() == keyid
raw, kind = public(blocks[1])
assert kind == "X25519", kind
assert base64.b64encode(raw).decode() == sealing
PY
pass "keygen writes both keys and prints their public halves"

teller trustee keygen -o t2.pem --json >out.json
"$PYTHON3" -c '
import json, sys
d = json.load(open("out.json"))
assert set(d) == {"key_file", "identity_key", "sealing_key", "identity_key_id"}, d
assert d["key_file"] == "t2.pem"
assert len(d["identity_key"]) == 44 and len(d["sealing_key"]) == 44
' || fail "keygen --json"
[ "$(sed -n 's/^identity_key: //p' out.txt)" != "$("$PYTHON3" -c 'import json; print(json.load(open("out.json"))["identity_key"])')" ] ||
	fail "two keygens made the same key"
pass "keygen --json"

before=$(sha256sum t1.pem)
expect_status 2 teller trustee keygen -o t1.pem
expect_stderr "t1.pem"
[ "$(sha256sum t1.pem)" = "$before" ] || fail "an existing key file was changed"
expect_status 2 teller trustee keygen
expect_stderr "-o FILE"
expect_status 2 teller trustee keygen -o -
expect_stderr "standard output"
expect_status 2 teller trustee keygen -o t3.pem extra
[ ! -e t3.pem ] || fail "a refused keygen wrote a file"
teller trustee keygen --help >help.txt
grep -q "^Usage: teller \[--db PATH\] trustee keygen -o FILE" help.txt ||
	fail "trustee keygen --help"
pass "keygen refusals"
