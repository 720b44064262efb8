/*
 * ofs-core: control-endpoint messages (docs/frame-channel.md, "Control
 * endpoint"): encoding, header validation, a stream reader that frames
 * messages, and payload decoders that check lengths and NUL termination.
 * No I/O here; the caller moves bytes (ofs-platform).
 */
#ifndef OFS_CONTROL_H
#define OFS_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "obs-faceswap/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OFS_CONTROL_HEADER_SIZE 16u
#define OFS_CONTROL_MAX_MESSAGE (OFS_CONTROL_HEADER_SIZE + OFS_CONTROL_MAX_PAYLOAD)

/* Error codes carried by OFS_MSG_ERROR: enum ofs_control_error in wire.h. */

enum ofs_control_status {
	OFS_CTL_OK = 0,
	OFS_CTL_NEED_MORE = 1,    /* not a whole message yet */
	OFS_CTL_BAD_MAGIC = -1,   /* close the connection */
	OFS_CTL_BAD_VERSION = -2, /* close the connection */
	OFS_CTL_BAD_LENGTH = -3,  /* header length over the limit: close */
	OFS_CTL_BAD_PAYLOAD = -4, /* payload of a known type malformed */
	OFS_CTL_NO_SPACE = -5,    /* encode: buffer too small or payload over the limit */
};

/* 1 if `type` is one of enum ofs_control_type. */
int ofs_control_type_known(uint32_t type);

/* Decodes and validates a header from `len` bytes (magic, version,
 * length <= OFS_CONTROL_MAX_PAYLOAD). Any type value is accepted here:
 * unknown types are the receiver's decision (the host answers 102). */
int ofs_control_decode_header(const uint8_t *buf, size_t len, struct ofs_control_header *out);

/* Writes a header and a payload made of two parts (either may be empty)
 * into `buf`. Returns the message size, or 0 when it does not fit `cap`
 * or the payload is over OFS_CONTROL_MAX_PAYLOAD. */
size_t ofs_control_encode(uint8_t *buf, size_t cap, uint16_t type, uint32_t request_id, const void *part1,
			  size_t len1, const void *part2, size_t len2);

/* Payload decoders: exact or minimum lengths per type. */
int ofs_control_decode_hello(const uint8_t *payload, uint32_t len, struct ofs_msg_hello *out);
int ofs_control_decode_channel_ref(const uint8_t *payload, uint32_t len, struct ofs_msg_channel_ref *out);
/* OPEN_CHANNEL: exact size, both names NUL-terminated within their field. */
int ofs_control_decode_open_channel(const uint8_t *payload, uint32_t len, struct ofs_msg_open_channel *out);
/* ERROR: struct then optional UTF-8 text (not NUL-terminated on the wire). */
int ofs_control_decode_error(const uint8_t *payload, uint32_t len, struct ofs_msg_error *out, const char **text,
			     uint32_t *text_len);
/* SETTINGS: channel ref then JSON text. */
int ofs_control_decode_settings(const uint8_t *payload, uint32_t len, struct ofs_msg_channel_ref *out,
				const char **json, uint32_t *json_len);

/*
 * Frames messages out of a byte stream. Usage:
 *   space = ofs_control_reader_space(r, &dst);  read up to `space` bytes to dst;
 *   ofs_control_reader_commit(r, n);
 *   while ((rc = ofs_control_reader_next(r, &hdr, &payload)) == OFS_CTL_OK) handle;
 *   rc < 0: malformed header, close the connection.
 * `buf` must hold OFS_CONTROL_MAX_MESSAGE bytes (allocate the struct).
 */
struct ofs_control_reader {
	uint32_t start; /* first unconsumed byte */
	uint32_t len;   /* bytes held */
	uint8_t buf[OFS_CONTROL_MAX_MESSAGE];
};

void ofs_control_reader_reset(struct ofs_control_reader *r);
size_t ofs_control_reader_space(struct ofs_control_reader *r, uint8_t **dst);
void ofs_control_reader_commit(struct ofs_control_reader *r, size_t n);
/* Returns OFS_CTL_OK with the next message (payload valid until the next
 * call), OFS_CTL_NEED_MORE, or a negative header error. */
int ofs_control_reader_next(struct ofs_control_reader *r, struct ofs_control_header *hdr, const uint8_t **payload);

#ifdef __cplusplus
}
#endif

#endif /* OFS_CONTROL_H */
