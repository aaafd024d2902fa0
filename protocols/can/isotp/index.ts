/** ISO-TP (ISO 15765-2) over a `CanBus`: PCI codec and a full-duplex link with flow control and timeouts. */
export { IsoTpLink, IsoTpError } from './isotp-link';
export type { IsoTpOptions, IsoTpStats } from './isotp-link';
export { FlowStatus, ISOTP_MAX_LENGTH, decodePdu, flowControl, msToStMin, segment, stMinToMs } from './pci';
export type { IsoTpPdu } from './pci';
