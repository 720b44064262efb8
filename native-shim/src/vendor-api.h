/* obs-websocket vendor "obs-faceswap" (requests GetStats, GetVersion),
 * registered through obs-websocket's proc handler (no header needed). */
#ifndef OFS_VENDOR_API_H
#define OFS_VENDOR_API_H

/* From obs_module_post_load. Harmless when obs-websocket is absent. */
void ofs_vendor_register(void);

#endif /* OFS_VENDOR_API_H */
