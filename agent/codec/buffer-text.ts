/**
 * Text in and out of Buffers on the codec's hot path without the argument checks of
 * Buffer#toString and Buffer#write: those check their arguments and then call these same
 * methods, which every Node the agent supports has on Buffer.prototype (undocumented, so the
 * documented methods stand in if they are ever missing). Per Record that saves about as much
 * CPU as the decoding itself takes without TurboFan (the router profile).
 */
interface RawTextMethods {
  latin1Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number): number;
}

const proto = Buffer.prototype as unknown as Partial<RawTextMethods>;
const RAW = typeof proto.latin1Slice === 'function' && typeof proto.utf8Write === 'function';

/** buf[from, to) as Latin-1 text (for bytes known to be ASCII: that text). */
export function latin1At(buf: Buffer, from: number, to: number): string {
  return RAW ? (buf as unknown as RawTextMethods).latin1Slice(from, to) : buf.toString('latin1', from, to);
}

/** Writes `text` as UTF-8 at `offset` (the caller made room: 3 bytes per UTF-16 unit); returns the bytes written. */
export function writeUtf8(buf: Buffer, text: string, offset: number): number {
  return RAW ? (buf as unknown as RawTextMethods).utf8Write(text, offset) : buf.write(text, offset, 'utf8');
}
