import { closeSync, openSync, readSync } from 'node:fs';

/** What an executable is, as far as LD_PRELOAD (and so libfaketime) is concerned. */
export type ExecutableKind =
  /** A Go program: it reads the clock through the vDSO or raw system calls, libfaketime never sees it. */
  | 'go'
  /** Statically linked (no program interpreter): the dynamic loader, and so LD_PRELOAD, never runs. */
  | 'static'
  /** Dynamically linked ELF: LD_PRELOAD applies. */
  | 'dynamic'
  /** A script (`#!`): the interpreter is named in `interpreter`. */
  | 'script'
  /** Not ELF and not a script (or unreadable): nothing known. */
  | 'unknown';

export interface ExecutableInfo {
  kind: ExecutableKind;
  /** For a script: the interpreter and its first argument (`/usr/bin/env`, `python3`). */
  interpreter?: string[];
}

const PT_INTERP = 3;
const GO_SECTIONS = new Set(['.go.buildinfo', '.note.go.buildid', '.gopclntab']);
/** Read at most this much of a file (section headers of large binaries sit at the end: read those separately). */
const HEAD_BYTES = 4096;

/**
 * Look at a file's first bytes and, for ELF, its program and section headers (32/64-bit, either byte order).
 * Never throws: an unreadable or malformed file is `unknown`.
 */
export function inspectExecutable(path: string): ExecutableInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { kind: 'unknown' };
  }
  try {
    const head = readAt(fd, 0, HEAD_BYTES);
    if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
      const line = head.toString('utf8').split('\n')[0]!.slice(2).trim();
      return { kind: 'script', interpreter: line.split(/\s+/).filter(Boolean).slice(0, 2) };
    }
    if (head.length < 0x34 || head.readUInt32BE(0) !== 0x7f454c46) return { kind: 'unknown' };
    return { kind: elfKind(fd, head) };
  } catch {
    return { kind: 'unknown' };
  } finally {
    closeSync(fd);
  }
}

function elfKind(fd: number, head: Buffer): ExecutableKind {
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const word = (b: Buffer, o: number): number => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(b, o));
  const phoff = word(head, is64 ? 0x20 : 0x1c);
  const shoff = word(head, is64 ? 0x28 : 0x20);
  const phentsize = u16(head, is64 ? 0x36 : 0x2a);
  const phnum = u16(head, is64 ? 0x38 : 0x2c);
  const shentsize = u16(head, is64 ? 0x3a : 0x2e);
  const shnum = u16(head, is64 ? 0x3c : 0x30);
  const shstrndx = u16(head, is64 ? 0x3e : 0x32);

  if (shoff > 0 && shnum > 0 && shstrndx < shnum) {
    const sh = readAt(fd, shoff, shentsize * shnum);
    const offOf = (i: number): number => word(sh, i * shentsize + (is64 ? 0x18 : 0x10));
    const sizeOf = (i: number): number => word(sh, i * shentsize + (is64 ? 0x20 : 0x14));
    const names = readAt(fd, offOf(shstrndx), Math.min(sizeOf(shstrndx), 1 << 20));
    for (let i = 0; i < shnum; i++) {
      const at = u32(sh, i * shentsize);
      const end = names.indexOf(0, at);
      if (GO_SECTIONS.has(names.toString('latin1', at, end < 0 ? undefined : end))) return 'go';
    }
  }
  const ph = readAt(fd, phoff, phentsize * phnum);
  for (let i = 0; i < phnum; i++) if (u32(ph, i * phentsize) === PT_INTERP) return 'dynamic';
  return 'static';
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}
