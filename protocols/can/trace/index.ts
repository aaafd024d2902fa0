/**
 * CAN traces: candump log and pcap (link type 227) files, recording a bus, replaying a trace onto a bus.
 *
 * ```ts
 * const writer = await openTraceWriter('run.pcap');      // or run.log
 * const rec = recordBus(bus, writer); ... rec.stop(); await writer.close();
 * const reader = await readTrace('run.log');             // for await (const f of reader) ...; reader.stats.bad
 * const replay = replayTrace(reader, bus, { speed: 1 }); await replay.done;
 * ```
 */
export { formatCandumpLine, parseCandumpLine } from './candump-format';
export type { CandumpParse } from './candump-format';
export { LINKTYPE_CAN_SOCKETCAN, pcapGlobalHeader, pcapRecord } from './pcap-format';
export { loadTrace, readCandumpStream, readPcapStream, readTrace } from './trace-reader';
export type { BadRecord, TraceReader, TraceReadOptions, TraceReadStats } from './trace-reader';
export { openTraceWriter, recordBus, traceFormatFor } from './trace-writer';
export type { Recording, TraceFormat, TraceWriter, TraceWriterOptions } from './trace-writer';
export { replayTrace } from './replay';
export type { Replay, ReplayOptions, ReplayResult } from './replay';
