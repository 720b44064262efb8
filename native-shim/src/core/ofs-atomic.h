/*
 * Atomic access to fields of the shared-memory wire structs.
 *
 * wire.h declares every field as a plain fixed-width integer so that the
 * C# mirror and the layout test see ordinary types. The fields that are
 * shared between processes (slot state, generation, counters, frame_seq)
 * are accessed only through these helpers, which view them as C11 atomics
 * of the same size. That is valid because the atomic types below are
 * lock-free and have the size and alignment of the plain types (checked at
 * compile time): a lock-based atomic would not work across processes.
 */
#ifndef OFS_ATOMIC_H
#define OFS_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "atomic u32 size");
_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t), "atomic u64 size");
_Static_assert(_Alignof(_Atomic uint64_t) == 8, "atomic u64 alignment");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");

#define OFS_A32(p) ((_Atomic uint32_t *)(void *)(p))
#define OFS_A64(p) ((_Atomic uint64_t *)(void *)(p))

static inline uint32_t ofs_load_acquire_u32(uint32_t *p)
{
	return atomic_load_explicit(OFS_A32(p), memory_order_acquire);
}

static inline uint32_t ofs_load_relaxed_u32(uint32_t *p)
{
	return atomic_load_explicit(OFS_A32(p), memory_order_relaxed);
}

static inline void ofs_store_release_u32(uint32_t *p, uint32_t v)
{
	atomic_store_explicit(OFS_A32(p), v, memory_order_release);
}

static inline void ofs_store_relaxed_u32(uint32_t *p, uint32_t v)
{
	atomic_store_explicit(OFS_A32(p), v, memory_order_relaxed);
}

/* Sequentially consistent compare-and-swap of a slot state. */
static inline int ofs_cas_u32(uint32_t *p, uint32_t expected, uint32_t desired)
{
	return atomic_compare_exchange_strong(OFS_A32(p), &expected, desired);
}

static inline uint64_t ofs_load_relaxed_u64(uint64_t *p)
{
	return atomic_load_explicit(OFS_A64(p), memory_order_relaxed);
}

static inline void ofs_store_relaxed_u64(uint64_t *p, uint64_t v)
{
	atomic_store_explicit(OFS_A64(p), v, memory_order_relaxed);
}

#endif /* OFS_ATOMIC_H */
