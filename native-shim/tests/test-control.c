/* Control messages: encoding, header validation (magic, version, length),
 * payload decoders, and the stream reader. */
#include "ofs-control.h"
#include "test-util.h"

static void put_header(uint8_t *b, uint32_t magic, uint16_t version, uint16_t type, uint32_t length)
{
	struct ofs_control_header h = {magic, version, type, length, 9};
	memcpy(b, &h, sizeof(h));
}

static void test_header(void)
{
	uint8_t b[64];
	struct ofs_control_header h;
	put_header(b, OFS_CONTROL_MAGIC, 1, OFS_MSG_HELLO, 8);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_OK);
	CHECK_EQ(h.type, OFS_MSG_HELLO);
	CHECK_EQ(h.length, 8);
	CHECK_EQ(h.request_id, 9);
	CHECK_EQ(ofs_control_decode_header(b, 15, &h), OFS_CTL_NEED_MORE);
	put_header(b, 0x4353464Eu, 1, OFS_MSG_HELLO, 8);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_BAD_MAGIC);
	put_header(b, OFS_WIRE_MAGIC, 1, OFS_MSG_HELLO, 8); /* the channel magic is not the control magic */
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_BAD_MAGIC);
	put_header(b, OFS_CONTROL_MAGIC, 0, OFS_MSG_HELLO, 8);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_BAD_VERSION);
	put_header(b, OFS_CONTROL_MAGIC, 2, OFS_MSG_HELLO, 8);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_BAD_VERSION);
	put_header(b, OFS_CONTROL_MAGIC, 1, OFS_MSG_SETTINGS, OFS_CONTROL_MAX_PAYLOAD);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_OK);
	put_header(b, OFS_CONTROL_MAGIC, 1, OFS_MSG_SETTINGS, OFS_CONTROL_MAX_PAYLOAD + 1);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_BAD_LENGTH);
	put_header(b, OFS_CONTROL_MAGIC, 1, OFS_MSG_SETTINGS, 0xFFFFFFFFu);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_BAD_LENGTH);
	/* Unknown types pass the header check; the receiver decides. */
	put_header(b, OFS_CONTROL_MAGIC, 1, 77, 0);
	CHECK_EQ(ofs_control_decode_header(b, 16, &h), OFS_CTL_OK);
	CHECK(!ofs_control_type_known(77));
	CHECK(!ofs_control_type_known(0));
	CHECK(ofs_control_type_known(OFS_MSG_CHANNEL_OPENED));
}

static void test_encode_decode(void)
{
	uint8_t b[512];
	struct ofs_msg_hello hello = {.pid = 4242, .wire_version = OFS_WIRE_VERSION};
	size_t n = ofs_control_encode(b, sizeof(b), OFS_MSG_HELLO, 3, &hello, sizeof(hello), NULL, 0);
	CHECK_EQ(n, 24);
	struct ofs_control_header h;
	CHECK_EQ(ofs_control_decode_header(b, n, &h), OFS_CTL_OK);
	CHECK_EQ(h.magic, OFS_CONTROL_MAGIC);
	CHECK_EQ(h.version, OFS_CONTROL_VERSION);
	CHECK_EQ(h.length, 8);
	CHECK_EQ(h.request_id, 3);
	struct ofs_msg_hello got;
	CHECK_EQ(ofs_control_decode_hello(b + 16, h.length, &got), OFS_CTL_OK);
	CHECK_EQ(got.pid, 4242);
	CHECK_EQ(ofs_control_decode_hello(b + 16, 7, &got), OFS_CTL_BAD_PAYLOAD);
	CHECK_EQ(ofs_control_decode_hello(b + 16, 9, &got), OFS_CTL_BAD_PAYLOAD);

	/* Little-endian on the wire. */
	CHECK_EQ(b[0], 'O');
	CHECK_EQ(b[1], 'F');
	CHECK_EQ(b[2], 'S');
	CHECK_EQ(b[3], 'C');

	/* SETTINGS: channel ref + JSON. */
	struct ofs_msg_channel_ref ref = {.channel_id = 0x1122334455667788ull};
	const char *json = "{\"mode\":\"diagnostic\"}";
	n = ofs_control_encode(b, sizeof(b), OFS_MSG_SETTINGS, 0, &ref, sizeof(ref), json, strlen(json));
	CHECK_EQ(n, 16 + 8 + strlen(json));
	CHECK_EQ(ofs_control_decode_header(b, n, &h), OFS_CTL_OK);
	struct ofs_msg_channel_ref r2;
	const char *text;
	uint32_t text_len;
	CHECK_EQ(ofs_control_decode_settings(b + 16, h.length, &r2, &text, &text_len), OFS_CTL_OK);
	CHECK_EQ(r2.channel_id, ref.channel_id);
	CHECK_EQ(text_len, strlen(json));
	CHECK(memcmp(text, json, text_len) == 0);
	CHECK_EQ(ofs_control_decode_settings(b + 16, 7, &r2, &text, &text_len), OFS_CTL_BAD_PAYLOAD);
	CHECK_EQ(ofs_control_decode_channel_ref(b + 16, 8, &r2), OFS_CTL_OK);
	CHECK_EQ(ofs_control_decode_channel_ref(b + 16, 16, &r2), OFS_CTL_BAD_PAYLOAD);

	/* ERROR: code + text. */
	struct ofs_msg_error e = {.code = OFS_ERR_VERSION_MISMATCH};
	n = ofs_control_encode(b, sizeof(b), OFS_MSG_ERROR, 0, &e, sizeof(e), "version", 7);
	CHECK_EQ(ofs_control_decode_header(b, n, &h), OFS_CTL_OK);
	struct ofs_msg_error e2;
	CHECK_EQ(ofs_control_decode_error(b + 16, h.length, &e2, &text, &text_len), OFS_CTL_OK);
	CHECK_EQ(e2.code, 101);
	CHECK_EQ(text_len, 7);
	CHECK_EQ(ofs_control_decode_error(b + 16, 4, &e2, &text, &text_len), OFS_CTL_BAD_PAYLOAD);

	/* OPEN_CHANNEL: exact size, names NUL-terminated inside their fields. */
	struct ofs_msg_open_channel oc;
	memset(&oc, 0, sizeof(oc));
	oc.channel_id = 5;
	oc.size = 1 << 20;
	strcpy(oc.shm_name, "/obs-faceswap-1-5");
	n = ofs_control_encode(b, sizeof(b), OFS_MSG_OPEN_CHANNEL, 1, &oc, sizeof(oc), NULL, 0);
	CHECK_EQ(n, 16 + 272);
	struct ofs_msg_open_channel oc2;
	CHECK_EQ(ofs_control_decode_open_channel(b + 16, 272, &oc2), OFS_CTL_OK);
	CHECK(strcmp(oc2.shm_name, "/obs-faceswap-1-5") == 0);
	CHECK_EQ(oc2.size, 1 << 20);
	CHECK_EQ(ofs_control_decode_open_channel(b + 16, 271, &oc2), OFS_CTL_BAD_PAYLOAD);
	memset(oc.shm_name, 'x', sizeof(oc.shm_name));
	n = ofs_control_encode(b, sizeof(b), OFS_MSG_OPEN_CHANNEL, 1, &oc, sizeof(oc), NULL, 0);
	CHECK_EQ(ofs_control_decode_open_channel(b + 16, 272, &oc2), OFS_CTL_BAD_PAYLOAD);
	memset(&oc, 0, sizeof(oc));
	n = ofs_control_encode(b, sizeof(b), OFS_MSG_OPEN_CHANNEL, 1, &oc, sizeof(oc), NULL, 0);
	CHECK_EQ(ofs_control_decode_open_channel(b + 16, 272, &oc2), OFS_CTL_BAD_PAYLOAD); /* empty name */

	/* Limits of encode. */
	CHECK_EQ(ofs_control_encode(b, 23, OFS_MSG_HELLO, 0, &hello, sizeof(hello), NULL, 0), 0);
	uint8_t *big = malloc(OFS_CONTROL_MAX_MESSAGE + 16);
	uint8_t *payload = calloc(1, OFS_CONTROL_MAX_PAYLOAD + 1);
	CHECK_EQ(ofs_control_encode(big, OFS_CONTROL_MAX_MESSAGE + 16, OFS_MSG_STATS_REPLY, 0, payload,
				    OFS_CONTROL_MAX_PAYLOAD, NULL, 0),
		 OFS_CONTROL_MAX_MESSAGE);
	CHECK_EQ(ofs_control_encode(big, OFS_CONTROL_MAX_MESSAGE + 16, OFS_MSG_STATS_REPLY, 0, payload,
				    OFS_CONTROL_MAX_PAYLOAD + 1, NULL, 0),
		 0);
	CHECK_EQ(ofs_control_encode(big, OFS_CONTROL_MAX_MESSAGE + 16, OFS_MSG_SETTINGS, 0, payload, 8, payload,
				    OFS_CONTROL_MAX_PAYLOAD - 7),
		 0);
	CHECK_EQ(ofs_control_encode(big, OFS_CONTROL_MAX_MESSAGE + 16, OFS_MSG_SETTINGS, 0, NULL, 8, NULL, 0), 0);
	free(payload);
	free(big);
}

static void test_reader(void)
{
	struct ofs_control_reader *r = malloc(sizeof(*r));
	ofs_control_reader_reset(r);
	/* Three messages, fed one byte at a time. */
	uint8_t stream[256];
	size_t len = 0;
	struct ofs_msg_hello hello = {.pid = 1, .wire_version = 1};
	struct ofs_msg_channel_ref ref = {.channel_id = 77};
	len += ofs_control_encode(stream + len, sizeof(stream) - len, OFS_MSG_HELLO_ACK, 1, &hello, sizeof(hello),
				  NULL, 0);
	len += ofs_control_encode(stream + len, sizeof(stream) - len, OFS_MSG_CHANNEL_OPENED, 0, &ref, sizeof(ref),
				  NULL, 0);
	len += ofs_control_encode(stream + len, sizeof(stream) - len, OFS_MSG_STATS_REPLY, 0, NULL, 0, NULL, 0);
	int got = 0;
	uint16_t types[3] = {0};
	for (size_t i = 0; i < len; i++) {
		uint8_t *dst;
		CHECK(ofs_control_reader_space(r, &dst) >= 1);
		*dst = stream[i];
		ofs_control_reader_commit(r, 1);
		struct ofs_control_header h;
		const uint8_t *payload;
		int rc;
		while ((rc = ofs_control_reader_next(r, &h, &payload)) == OFS_CTL_OK) {
			if (got < 3)
				types[got] = h.type;
			got++;
			if (h.type == OFS_MSG_CHANNEL_OPENED) {
				struct ofs_msg_channel_ref rr;
				CHECK_EQ(ofs_control_decode_channel_ref(payload, h.length, &rr), OFS_CTL_OK);
				CHECK_EQ(rr.channel_id, 77);
			}
		}
		CHECK_EQ(rc, OFS_CTL_NEED_MORE);
	}
	CHECK_EQ(got, 3);
	CHECK_EQ(types[0], OFS_MSG_HELLO_ACK);
	CHECK_EQ(types[1], OFS_MSG_CHANNEL_OPENED);
	CHECK_EQ(types[2], OFS_MSG_STATS_REPLY);

	/* A message of the largest size fits the reader whole. */
	ofs_control_reader_reset(r);
	uint8_t *dst;
	size_t space = ofs_control_reader_space(r, &dst);
	CHECK_EQ(space, OFS_CONTROL_MAX_MESSAGE);
	put_header(dst, OFS_CONTROL_MAGIC, 1, OFS_MSG_STATS_REPLY, OFS_CONTROL_MAX_PAYLOAD);
	memset(dst + 16, 'z', OFS_CONTROL_MAX_PAYLOAD);
	ofs_control_reader_commit(r, OFS_CONTROL_MAX_MESSAGE - 1);
	struct ofs_control_header h;
	const uint8_t *payload;
	CHECK_EQ(ofs_control_reader_next(r, &h, &payload), OFS_CTL_NEED_MORE);
	ofs_control_reader_commit(r, 1);
	CHECK_EQ(ofs_control_reader_next(r, &h, &payload), OFS_CTL_OK);
	CHECK_EQ(h.length, OFS_CONTROL_MAX_PAYLOAD);
	CHECK_EQ(payload[OFS_CONTROL_MAX_PAYLOAD - 1], 'z');
	CHECK_EQ(ofs_control_reader_next(r, &h, &payload), OFS_CTL_NEED_MORE);

	/* Garbage after a good message: the good one first, then the error. */
	ofs_control_reader_reset(r);
	space = ofs_control_reader_space(r, &dst);
	size_t n = ofs_control_encode(dst, space, OFS_MSG_HELLO_ACK, 1, &hello, sizeof(hello), NULL, 0);
	memset(dst + n, 0x41, 16);
	ofs_control_reader_commit(r, n + 16);
	CHECK_EQ(ofs_control_reader_next(r, &h, &payload), OFS_CTL_OK);
	CHECK_EQ(ofs_control_reader_next(r, &h, &payload), OFS_CTL_BAD_MAGIC);

	/* An oversized length is refused before any payload arrives. */
	ofs_control_reader_reset(r);
	ofs_control_reader_space(r, &dst);
	put_header(dst, OFS_CONTROL_MAGIC, 1, OFS_MSG_SETTINGS, OFS_CONTROL_MAX_PAYLOAD + 1);
	ofs_control_reader_commit(r, 16);
	CHECK_EQ(ofs_control_reader_next(r, &h, &payload), OFS_CTL_BAD_LENGTH);

	/* A commit larger than the space is clamped. */
	ofs_control_reader_reset(r);
	ofs_control_reader_commit(r, (size_t)-1);
	CHECK_EQ(r->len, OFS_CONTROL_MAX_MESSAGE);
	free(r);
}

int main(void)
{
	test_header();
	test_encode_decode();
	test_reader();
	return test_finish("test-control");
}
