/**
 * Register and PDU arrays carved from shared slabs. A typed array longer than 64 bytes gets its own off-heap
 * backing store in V8 (an allocation and a sweep per array: about 0.3-0.5 us each on the 2-core box, against 0.03 us
 * for a view on a slab); a read of 55 registers makes two of them (the device's registers, the response PDU) on
 * every request of a long in-process run.
 *
 * Contract: each array returned is zero-filled, has exactly the length asked, and is the caller's own (no other
 * array shares its bytes, nothing writes them later). Its `buffer` is shared with other arrays: code that wraps the
 * memory must use `byteOffset` and `byteLength` (as `Buffer.from(a.buffer, a.byteOffset, a.byteLength)` does).
 * Arrays of at most 64 bytes (V8 keeps them on its heap) or above 1 KiB are allocated as usual. A slab is released
 * when no array carved from it is referenced any more, so memory stays bounded by what callers keep.
 */
const SLAB_BYTES = 16384;
const ON_HEAP_BYTES = 64;
const MAX_CARVED_BYTES = 1024;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** Offset of `bytes` fresh bytes in the current slab (8-byte aligned), starting a new slab when it is full. */
function carve(bytes: number): number {
  const need = (bytes + 7) & ~7;
  if (used + need > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  used += need;
  return at;
}

/** A zero-filled `Uint8Array` of `length` bytes (see the module contract). */
export function slabBytes(length: number): Uint8Array {
  if (length <= ON_HEAP_BYTES || length > MAX_CARVED_BYTES) return new Uint8Array(length);
  const at = carve(length); // first: it may start a new slab
  return new Uint8Array(slab, at, length);
}

/** A zero-filled `Uint16Array` of `length` registers (see the module contract). */
export function slabWords(length: number): Uint16Array {
  if (2 * length <= ON_HEAP_BYTES || 2 * length > MAX_CARVED_BYTES) return new Uint16Array(length);
  const at = carve(2 * length); // first: it may start a new slab
  return new Uint16Array(slab, at, length);
}
