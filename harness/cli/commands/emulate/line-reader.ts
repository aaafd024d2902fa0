import { StringDecoder } from 'node:string_decoder';

/**
 * Lines from a stream that is not a terminal (a piped script), with a bound on memory: a line longer than
 * `maxLength` is cut there and its real length reported, the rest of it skipped up to the next newline. CR LF and
 * LF both end lines; a last line without a newline is given at the end of the stream.
 */
export function readBoundedLines(
  input: NodeJS.ReadableStream,
  maxLength: number,
  onLine: (line: string, length: number) => void,
  onEnd: () => void = () => undefined,
): { close(): void } {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  let dropped = 0;
  const take = (text: string): void => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      emit(text.slice(start, nl));
      start = nl + 1;
    }
    const tail = text.slice(start);
    const room = maxLength + 1 - buf.length;
    if (tail.length > room) {
      dropped += tail.length - Math.max(room, 0);
      buf += tail.slice(0, Math.max(room, 0));
    } else buf += tail;
  };
  const emit = (piece: string): void => {
    let line = buf + piece;
    let length = line.length + dropped;
    if (line.length > maxLength + 1) line = line.slice(0, maxLength + 1);
    if (line.endsWith('\r') && length <= maxLength + 1) {
      line = line.slice(0, -1);
      length--;
    }
    buf = '';
    dropped = 0;
    onLine(line, length);
  };
  const onData = (chunk: Buffer | string): void => take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  const finish = (): void => {
    take(decoder.end());
    if (buf.length > 0 || dropped > 0) emit('');
    onEnd();
  };
  input.on('data', onData);
  input.once('end', finish);
  return {
    close() {
      input.off('data', onData);
      input.off('end', finish);
      input.pause();
    },
  };
}
