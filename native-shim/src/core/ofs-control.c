/* ofs-core: control-endpoint message codec. See ofs-control.h. */
#include "ofs-control.h"

#include <string.h>

_Static_assert(sizeof(struct ofs_control_header) == OFS_CONTROL_HEADER_SIZE, "control header size");

int ofs_control_type_known(uint32_t type)
{
	return type >= OFS_MSG_HELLO && type <= OFS_MSG_CHANNEL_OPENED;
}

int ofs_control_decode_header(const uint8_t *buf, size_t len, struct ofs_control_header *out)
{
	if (!buf || !out || len < OFS_CONTROL_HEADER_SIZE)
		return OFS_CTL_NEED_MORE;
	struct ofs_control_header h;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != OFS_CONTROL_MAGIC)
		return OFS_CTL_BAD_MAGIC;
	if (h.version != OFS_CONTROL_VERSION)
		return OFS_CTL_BAD_VERSION;
	if (h.length > OFS_CONTROL_MAX_PAYLOAD)
		return OFS_CTL_BAD_LENGTH;
	*out = h;
	return OFS_CTL_OK;
}

size_t ofs_control_encode(uint8_t *buf, size_t cap, uint16_t type, uint32_t request_id, const void *part1,
			  size_t len1, const void *part2, size_t len2)
{
	if (!buf || (len1 && !part1) || (len2 && !part2))
		return 0;
	if (len1 > OFS_CONTROL_MAX_PAYLOAD || len2 > OFS_CONTROL_MAX_PAYLOAD - len1)
		return 0;
	const size_t total = OFS_CONTROL_HEADER_SIZE + len1 + len2;
	if (total > cap)
		return 0;
	struct ofs_control_header h = {
		.magic = OFS_CONTROL_MAGIC,
		.version = OFS_CONTROL_VERSION,
		.type = type,
		.length = (uint32_t)(len1 + len2),
		.request_id = request_id,
	};
	memcpy(buf, &h, sizeof(h));
	if (len1)
		memcpy(buf + OFS_CONTROL_HEADER_SIZE, part1, len1);
	if (len2)
		memcpy(buf + OFS_CONTROL_HEADER_SIZE + len1, part2, len2);
	return total;
}

int ofs_control_decode_hello(const uint8_t *payload, uint32_t len, struct ofs_msg_hello *out)
{
	if (!out || (len && !payload) || len != sizeof(*out))
		return OFS_CTL_BAD_PAYLOAD;
	memcpy(out, payload, sizeof(*out));
	return OFS_CTL_OK;
}

int ofs_control_decode_channel_ref(const uint8_t *payload, uint32_t len, struct ofs_msg_channel_ref *out)
{
	if (!out || (len && !payload) || len != sizeof(*out))
		return OFS_CTL_BAD_PAYLOAD;
	memcpy(out, payload, sizeof(*out));
	return OFS_CTL_OK;
}

static int nul_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int ofs_control_decode_open_channel(const uint8_t *payload, uint32_t len, struct ofs_msg_open_channel *out)
{
	if (!out || (len && !payload) || len != sizeof(*out))
		return OFS_CTL_BAD_PAYLOAD;
	memcpy(out, payload, sizeof(*out));
	if (!nul_terminated(out->shm_name, sizeof(out->shm_name)) ||
	    !nul_terminated(out->wake_name, sizeof(out->wake_name)) || out->shm_name[0] == '\0')
		return OFS_CTL_BAD_PAYLOAD;
	return OFS_CTL_OK;
}

int ofs_control_decode_error(const uint8_t *payload, uint32_t len, struct ofs_msg_error *out, const char **text,
			     uint32_t *text_len)
{
	if (!out || !text || !text_len || (len && !payload) || len < sizeof(*out))
		return OFS_CTL_BAD_PAYLOAD;
	memcpy(out, payload, sizeof(*out));
	*text = (const char *)payload + sizeof(*out);
	*text_len = len - (uint32_t)sizeof(*out);
	return OFS_CTL_OK;
}

int ofs_control_decode_settings(const uint8_t *payload, uint32_t len, struct ofs_msg_channel_ref *out,
				const char **json, uint32_t *json_len)
{
	if (!out || !json || !json_len || (len && !payload) || len < sizeof(*out))
		return OFS_CTL_BAD_PAYLOAD;
	memcpy(out, payload, sizeof(*out));
	*json = (const char *)payload + sizeof(*out);
	*json_len = len - (uint32_t)sizeof(*out);
	return OFS_CTL_OK;
}

void ofs_control_reader_reset(struct ofs_control_reader *r)
{
	if (r) {
		r->start = 0;
		r->len = 0;
	}
}

size_t ofs_control_reader_space(struct ofs_control_reader *r, uint8_t **dst)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	*dst = r->buf + r->len;
	return sizeof(r->buf) - r->len;
}

void ofs_control_reader_commit(struct ofs_control_reader *r, size_t n)
{
	size_t space = sizeof(r->buf) - r->len;
	r->len += (uint32_t)(n < space ? n : space);
}

int ofs_control_reader_next(struct ofs_control_reader *r, struct ofs_control_header *hdr, const uint8_t **payload)
{
	const uint32_t avail = r->len - r->start;
	if (avail < OFS_CONTROL_HEADER_SIZE)
		return OFS_CTL_NEED_MORE;
	int rc = ofs_control_decode_header(r->buf + r->start, avail, hdr);
	if (rc != OFS_CTL_OK)
		return rc;
	/* length <= OFS_CONTROL_MAX_PAYLOAD, so a whole message always fits buf. */
	if ((uint64_t)avail < (uint64_t)OFS_CONTROL_HEADER_SIZE + hdr->length)
		return OFS_CTL_NEED_MORE;
	*payload = r->buf + r->start + OFS_CONTROL_HEADER_SIZE;
	r->start += OFS_CONTROL_HEADER_SIZE + hdr->length;
	return OFS_CTL_OK;
}
