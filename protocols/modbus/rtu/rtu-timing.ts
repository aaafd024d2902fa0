/**
 * Modbus RTU timing (Modbus over Serial Line v1.02, 2.5.1.1; PROTOCOLS.md). A character is 11 bits in the standard
 * (start, 8 data, parity or a second stop bit, stop); "no parity, one stop bit" lines use 10.
 */

/** Bits per character on the line: 1 start + 8 data + parity + stop bits. */
export function bitsPerChar(parity: 'none' | 'even' | 'odd' = 'even', stopBits: 1 | 2 = 1): number {
  return 1 + 8 + (parity === 'none' ? 0 : 1) + stopBits;
}

/** Inter-frame silence t3.5 in ms: 3.5 characters of 11 bits up to 19200 baud, fixed 1.75 ms above. */
export function t35Ms(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : (3.5 * 11 * 1000) / baudRate;
}

/** Longest silence allowed inside a frame, t1.5 in ms: 1.5 characters up to 19200 baud, fixed 0.75 ms above. */
export function t15Ms(baudRate: number): number {
  return baudRate > 19200 ? 0.75 : (1.5 * 11 * 1000) / baudRate;
}

/** Time `bytes` characters take on the wire, in ms. */
export function wireTimeMs(bytes: number, baudRate: number, bits = 11): number {
  return (bytes * bits * 1000) / baudRate;
}
