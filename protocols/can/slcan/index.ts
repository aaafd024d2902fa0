/** SLCAN (Lawicel ASCII): codec, streaming splitter, transports, and the adapter emulation. */
export * from './codec';
export * from './line-splitter';
export type { SerialTransport, SerialOpener, SerialOpenOptions } from './serial-transport';
export { createSerialPipe, MemorySerialEnd, type SerialPipe, type SerialManipulator } from './memory-serial';
export * from './adapter-engine';
export { SlcanAdapter, type SlcanPtyAdapterOptions } from './pty-adapter';
