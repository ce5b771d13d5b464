/*
 * teller/cosignature.h: witnesses' cosignatures of an election log's tree
 * heads, in the format of C2SP tlog-cosignature (cosignature/v1, Ed25519);
 * doc/witness.md says where teller follows it and where it differs.
 *
 * A witness is an observer with its own Ed25519 key and a name (a
 * schema-less URL such as "witness.example.org/teller").  It cosigns a
 * tree head only once it has checked that the tree extends the last one it
 * cosigned.  What it signs is not teller's tree head envelope but the
 * tree's C2SP checkpoint, three lines that say which log, how many
 * entries and which root:
 *
 *   teller/v1/<authority key id, hex>/<election id>
 *   <size, decimal>
 *   <root, standard base64>
 *
 * and the signed message is
 *
 *   "cosignature/v1\n" "time <timestamp>\n" <the checkpoint>
 *
 * The cosignature itself is the C2SP timestamped_signature with its key
 * ID in front, as a signed note carries it:
 *
 *   key ID (4 bytes) || timestamp (8 bytes, big-endian) || Ed25519 (64)
 *
 * where key ID = SHA-256(name || "\n" || 0x04 || public key)[:4].  In
 * teller's JSON a cosignature is {"witness": NAME, "signature": BASE64}
 * of those 76 bytes; "— NAME BASE64" is the same cosignature as a C2SP
 * note signature line.
 *
 * A manifest may name the witnesses of its election and how many of them
 * must cosign (tl_witness_list_parse reads that part of it).
 *
 * Ownership: a struct tl_witness_list is released with
 * tl_witness_list_free; strings through char ** are the caller's to free.
 */
#ifndef TELLER_COSIGNATURE_H
#define TELLER_COSIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teller/crypto.h"
#include "teller/error.h"

#define TL_COSIGNER_NAME_MAX 200   /* bytes of a witness's name */
#define TL_MAX_WITNESSES 16        /* witnesses a manifest may name */
#define TL_COSIGNATURE_KEY_ID_LEN 4
#define TL_COSIGNATURE_LEN (4 + 8 + TL_ED25519_SIG_LEN)  /* 76 bytes */
#define TL_COSIGNATURE_B64_LEN 104 /* its base64, without NUL */
/* The checkpoint's first line: "teller/v1/" KEYID "/" ELECTION. */
#define TL_CHECKPOINT_ORIGIN_MAX (10 + TL_KEYID_LEN + 1 + 64)

/* One witness a manifest names. */
struct tl_witness {
	char *name;
	struct tl_key *key;
	char public_key[TL_PUBLIC_B64_LEN + 1];
	uint8_t key_id[TL_COSIGNATURE_KEY_ID_LEN];
};

/* The witnesses a manifest names, in its order, and the quorum: how many
 * distinct ones must cosign a tree head (0 when it names none). */
struct tl_witness_list {
	size_t n;
	struct tl_witness *witnesses;
	unsigned quorum;
};

/* One witness's cosignature of a checkpoint. */
struct tl_cosignature {
	char witness[TL_COSIGNER_NAME_MAX + 1];
	uint8_t key_id[TL_COSIGNATURE_KEY_ID_LEN];
	uint64_t timestamp;                /* Unix seconds, < 2^63 */
	uint8_t sig[TL_ED25519_SIG_LEN];
};

/* Whether name is a witness's name teller accepts: 1 to
 * TL_COSIGNER_NAME_MAX bytes of printable ASCII (0x21 to 0x7e) but '+'. */
int tl_cosigner_name_valid(const char *name);

/* The C2SP key ID of a witness: SHA-256(name || "\n" || 0x04 || key)[:4]. */
void tl_cosigner_key_id(const char *name,
    const uint8_t key[TL_ED25519_PUBLIC_LEN],
    uint8_t out[TL_COSIGNATURE_KEY_ID_LEN]);

/* The checkpoint origin of an election's log: "teller/v1/" followed by
 * the authority's key id (hex), "/" and the election id. */
void tl_checkpoint_origin(const char *authority_key_id, const char *election,
    char out[TL_CHECKPOINT_ORIGIN_MAX + 1]);

/* The checkpoint (origin, size and root, each line ending with "\n"):
 * *out NUL-terminated, caller frees. */
int tl_checkpoint_body(const char *origin, uint64_t size,
    const uint8_t root[TL_SHA256_LEN], char **out, size_t *len);

/* The cosignature/v1 message over a checkpoint body (*out, caller
 * frees): "cosignature/v1\ntime T\n" and the body. */
int tl_cosignature_message(const char *body, size_t body_len,
    uint64_t timestamp, char **out, size_t *len);

/* Cosigns the checkpoint (origin, size, root) at timestamp with the
 * witness's private key. */
int tl_cosignature_sign(const struct tl_key *key, const char *name,
    const char *origin, uint64_t size, const uint8_t root[TL_SHA256_LEN],
    uint64_t timestamp, struct tl_cosignature *out, struct tl_error *err);

/* TL_OK if c is witness's cosignature of the checkpoint (origin, size,
 * root): the name and the key ID are the witness's and the signature
 * verifies; TL_ESIGNATURE saying what is wrong otherwise. */
int tl_cosignature_verify(const struct tl_cosignature *c,
    const struct tl_witness *witness, const char *origin, uint64_t size,
    const uint8_t root[TL_SHA256_LEN], struct tl_error *err);

/* Checks n cosignatures of the checkpoint (origin, size, root), each
 * against the witness of its name in list: *valid gets the number that
 * verify.  TL_OK if all do; otherwise the error of the first that does
 * not (TL_EVERIFY for a witness the list does not name). */
int tl_cosignatures_verify(const struct tl_cosignature *cosignatures,
    size_t n, const struct tl_witness_list *list, const char *origin,
    uint64_t size, const uint8_t root[TL_SHA256_LEN], unsigned *valid,
    struct tl_error *err);

/* The 76 bytes of a cosignature as base64 (out gets
 * TL_COSIGNATURE_B64_LEN characters and a NUL), and back: the base64 must
 * be canonical and decode to 76 bytes whose timestamp is below 2^63. */
int tl_cosignature_encode(const struct tl_cosignature *c,
    char out[TL_COSIGNATURE_B64_LEN + 1]);
int tl_cosignature_decode(const char *witness, const char *b64,
    struct tl_cosignature *out, struct tl_error *err);

/* A cosignature as JSON, {"witness": NAME, "signature": BASE64} (a new
 * reference, NULL when out of memory), and back (TL_EINPUT naming what
 * is wrong; `where` prefixes the message). */
json_t *tl_cosignature_to_json(const struct tl_cosignature *c);
int tl_cosignature_from_json(json_t *obj, const char *where,
    struct tl_cosignature *out, struct tl_error *err);

/*
 * The witnesses of a manifest: `witnesses`, an array of 1 to
 * TL_MAX_WITNESSES objects {"name", "public_key"} (names valid and
 * distinct, public keys the base64 of Ed25519 keys, distinct), and
 * `quorum`, an integer 1 to their number (NULL: all of them).  Both NULL:
 * an empty list.  TL_EMANIFEST naming the field otherwise.
 */
int tl_witness_list_parse(json_t *witnesses, json_t *quorum,
    struct tl_witness_list *out, struct tl_error *err);

/* The witness of that name, or NULL. */
const struct tl_witness *tl_witness_list_find(
    const struct tl_witness_list *list, const char *name);

void tl_witness_list_free(struct tl_witness_list *list);

#endif
