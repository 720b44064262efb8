/* libofs-core: the exported benchmark API (ofs-core.h) over ofs-channel. */
#include "ofs-core.h"

#include <stdlib.h>
#include <string.h>

#include "ofs-channel.h"

_Static_assert(sizeof(ofs_core_frame_info) == 48, "ofs_core_frame_info size");
_Static_assert(sizeof(ofs_core_result_info) == 48, "ofs_core_result_info size");
_Static_assert(sizeof(ofs_core_counters) == 64, "ofs_core_counters size");

struct ofs_core_channel {
	struct ofs_channel shim;
	struct ofs_channel host;
	void *allocation; /* owned block (unaligned start), or NULL */
};

OFS_CORE_API uint32_t ofs_core_wire_version(void)
{
	return OFS_WIRE_VERSION;
}

OFS_CORE_API uint64_t ofs_core_channel_size(uint32_t max_width, uint32_t max_height)
{
	struct ofs_geometry geo;
	if (ofs_geometry_compute(&geo, 0, max_width, max_height, OFS_DEFAULT_FRAME_SLOTS, OFS_DEFAULT_RESULT_SLOTS,
				 OFS_DEFAULT_RESULT_SLOT_SIZE) != OFS_OK)
		return 0;
	return geo.total_size;
}

OFS_CORE_API int32_t ofs_core_channel_create(void *memory, uint64_t memory_size, uint64_t channel_id,
					     uint32_t max_width, uint32_t max_height, uint32_t queue_depth,
					     ofs_core_channel **out)
{
	if (!out)
		return OFS_E_ARG;
	*out = NULL;
	struct ofs_geometry geo;
	int rc = ofs_geometry_compute(&geo, channel_id, max_width, max_height, OFS_DEFAULT_FRAME_SLOTS,
				      OFS_DEFAULT_RESULT_SLOTS, OFS_DEFAULT_RESULT_SLOT_SIZE);
	if (rc != OFS_OK || queue_depth < 1 || queue_depth > 2)
		return OFS_E_ARG;
	if (geo.total_size > SIZE_MAX - OFS_WIRE_ALIGN)
		return OFS_E_ARG;

	struct ofs_core_channel *c = calloc(1, sizeof(*c));
	if (!c)
		return OFS_E_ARG;
	if (!memory) {
		c->allocation = calloc(1, (size_t)geo.total_size + OFS_WIRE_ALIGN);
		if (!c->allocation) {
			free(c);
			return OFS_E_ARG;
		}
		uintptr_t p = ((uintptr_t)c->allocation + OFS_WIRE_ALIGN - 1u) & ~(uintptr_t)(OFS_WIRE_ALIGN - 1u);
		memory = (void *)p;
		memory_size = geo.total_size;
	}
	rc = ofs_channel_init(&c->shim, memory, memory_size, &geo, 0, queue_depth);
	if (rc == OFS_OK)
		rc = ofs_channel_attach(&c->host, memory, memory_size);
	if (rc != OFS_OK) {
		free(c->allocation);
		free(c);
		return rc;
	}
	*out = c;
	return OFS_OK;
}

OFS_CORE_API void ofs_core_channel_destroy(ofs_core_channel *channel)
{
	if (!channel)
		return;
	free(channel->allocation);
	free(channel);
}

OFS_CORE_API void *ofs_core_channel_memory(ofs_core_channel *channel)
{
	return channel ? channel->shim.base : NULL;
}

OFS_CORE_API uint32_t ofs_core_result_buffer_size(const ofs_core_channel *channel)
{
	return channel ? ofs_result_capacity(&channel->shim) : 0;
}

OFS_CORE_API uint32_t ofs_core_frame_capacity(const ofs_core_channel *channel)
{
	return channel ? ofs_frame_capacity(&channel->shim) : 0;
}

OFS_CORE_API int32_t ofs_core_write_frame(ofs_core_channel *channel, const uint8_t *pixels, uint32_t row_pitch,
					  uint32_t pixel_format, uint32_t width, uint32_t height,
					  uint64_t timestamp_ns, uint64_t *frame_id)
{
	if (!channel || !pixels)
		return OFS_E_ARG;
	struct ofs_frame_info info = {.timestamp_ns = timestamp_ns, .source_width = width, .source_height = height};
	int rc = ofs_frame_layout(&info, pixel_format, width, height);
	if (rc != OFS_OK)
		return rc;
	if (row_pitch < info.stride)
		return OFS_E_ARG;
	if (info.data_size > ofs_frame_capacity(&channel->shim))
		return OFS_E_TOO_BIG;

	struct ofs_frame_writer w;
	uint32_t queue_depth = ofs_channel_header(&channel->shim)->queue_depth;
	rc = ofs_frame_begin(&channel->shim, queue_depth, &w);
	if (rc != OFS_OK)
		return rc;
	for (uint32_t y = 0; y < height; y++)
		memcpy(w.data + (size_t)y * info.stride, pixels + (size_t)y * row_pitch, info.stride);
	if (pixel_format == OFS_PIXEL_NV12) {
		const uint8_t *uv = pixels + (size_t)row_pitch * height;
		for (uint32_t y = 0; y < height / 2u; y++)
			memcpy(w.data + info.uv_offset + (size_t)y * info.uv_stride, uv + (size_t)y * row_pitch,
			       info.uv_stride);
	}
	rc = ofs_frame_commit(&channel->shim, &w, &info);
	if (rc == OFS_OK && frame_id)
		*frame_id = info.frame_id;
	return rc;
}

OFS_CORE_API int32_t ofs_core_host_take_frame(ofs_core_channel *channel, uint8_t *dst, uint64_t dst_size,
					      ofs_core_frame_info *info)
{
	if (!channel || !dst || !info)
		return OFS_E_ARG;
	struct ofs_frame_info f;
	int rc = ofs_host_frame_take(&channel->host, dst, dst_size, &f);
	if (rc != OFS_OK)
		return rc;
	info->frame_id = f.frame_id;
	info->timestamp_ns = f.timestamp_ns;
	info->pixel_format = f.pixel_format;
	info->width = f.width;
	info->height = f.height;
	info->stride = f.stride;
	info->uv_offset = f.uv_offset;
	info->uv_stride = f.uv_stride;
	info->data_size = f.data_size;
	info->reserved = 0;
	return OFS_OK;
}

OFS_CORE_API int32_t ofs_core_host_publish_result(ofs_core_channel *channel, const ofs_core_frame_info *frame,
						  const uint8_t *patch, uint32_t patch_width, uint32_t patch_height,
						  uint32_t patch_stride, float x, float y, uint64_t pipeline_ns)
{
	if (!channel || !frame)
		return OFS_E_ARG;
	uint32_t items = 0, data_size = 0, row = 0;
	if (patch) {
		if (patch_width < 1 || patch_height < 1 || patch_width > OFS_MAX_PATCH_SIDE ||
		    patch_height > OFS_MAX_PATCH_SIDE || patch_stride < patch_width * 4u)
			return OFS_E_ARG;
		items = 1;
		row = patch_width * 4u;
		data_size = OFS_ITEM_SIZE + row * patch_height;
	}
	if (data_size > ofs_result_capacity(&channel->host))
		return OFS_E_TOO_BIG;

	struct ofs_result_writer w;
	int rc = ofs_host_result_begin(&channel->host, &w);
	if (rc != OFS_OK)
		return rc;
	if (patch) {
		struct ofs_result_item item;
		memset(&item, 0, sizeof(item));
		item.kind = OFS_ITEM_PATCH;
		item.score = 1.0f;
		item.box[0] = x;
		item.box[1] = y;
		item.box[2] = (float)patch_width;
		item.box[3] = (float)patch_height;
		item.affine[0] = 1.0f;
		item.affine[2] = x;
		item.affine[4] = 1.0f;
		item.affine[5] = y;
		item.patch_offset = OFS_ITEM_SIZE;
		item.patch_width = patch_width;
		item.patch_height = patch_height;
		item.patch_stride = row;
		item.patch_format = OFS_PATCH_BGRA;
		item.opacity = 1.0f;
		memcpy(w.data, &item, sizeof(item));
		for (uint32_t r = 0; r < patch_height; r++)
			memcpy(w.data + OFS_ITEM_SIZE + (size_t)r * row, patch + (size_t)r * patch_stride, row);
	}
	struct ofs_result_slot fields;
	memset(&fields, 0, sizeof(fields));
	fields.frame_id = frame->frame_id;
	fields.timestamp_ns = frame->timestamp_ns;
	fields.frame_width = frame->width;
	fields.frame_height = frame->height;
	fields.item_count = items;
	fields.data_size = data_size;
	fields.pipeline_ns = pipeline_ns;
	fields.status = OFS_RESULT_OK;
	ofs_host_result_commit(&channel->host, &w, &fields);
	return OFS_OK;
}

OFS_CORE_API int32_t ofs_core_read_result(ofs_core_channel *channel, uint8_t *buffer, uint64_t buffer_size,
					  ofs_core_result_info *info)
{
	if (!channel || !buffer || !info)
		return OFS_E_ARG;
	uint32_t cap = buffer_size > UINT32_MAX ? UINT32_MAX : (uint32_t)buffer_size;
	struct ofs_result r;
	int rc = ofs_result_read(&channel->shim, buffer, cap, &r);
	if (rc != OFS_OK)
		return rc;
	info->frame_id = r.header.frame_id;
	info->timestamp_ns = r.header.timestamp_ns;
	info->pipeline_ns = r.header.pipeline_ns;
	info->frame_width = r.header.frame_width;
	info->frame_height = r.header.frame_height;
	info->item_count = r.header.item_count;
	info->data_size = r.payload_size;
	info->status = r.header.status;
	info->reserved = 0;
	return OFS_OK;
}

OFS_CORE_API void ofs_core_get_counters(const ofs_core_channel *channel, ofs_core_counters *out)
{
	if (!channel || !out)
		return;
	out->frames_written = atomic_load(&channel->shim.frames_written);
	out->frames_dropped = atomic_load(&channel->shim.frames_dropped);
	out->frames_skipped = atomic_load(&channel->shim.frames_skipped);
	out->results_consumed = atomic_load(&channel->shim.results_consumed);
	out->results_rejected = atomic_load(&channel->shim.results_rejected);
	out->frames_read = atomic_load(&channel->host.host_frames_read);
	out->results_written = atomic_load(&channel->host.host_results_written);
	out->results_dropped = atomic_load(&channel->host.host_results_dropped);
}

OFS_CORE_API const char *ofs_core_status_name(int32_t status)
{
	return ofs_status_name(status);
}
