/**
 * 24-bit PCM WAV encoding and decoding (RIFF/WAVE, WAVE_FORMAT_PCM). Pure: samples in, bytes out.
 * No dither: renders must be bit-identical for the same inputs, and tests compare bytes.
 */

export function encodeWav24(channels: Float32Array[], sampleRate: number): Buffer {
  const n = channels[0]?.length ?? 0;
  const buf = Buffer.alloc(44 + n * channels.length * 3);
  wavHeader24(n, channels.length, sampleRate).copy(buf, 0);
  encodePcm24(channels, 0, n, buf, 44);
  return buf;
}

/** The 44-byte header of a 24-bit PCM WAV of `frames` frames. */
export function wavHeader24(frames: number, nch: number, sampleRate: number): Buffer {
  const dataBytes = frames * nch * 3;
  const buf = Buffer.alloc(44);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(nch, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * nch * 3, 28);
  buf.writeUInt16LE(nch * 3, 32);
  buf.writeUInt16LE(24, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  return buf;
}

/** Interleaved 24-bit PCM of channels[*][from, from + count) into buf at offset (clipped to -1..1, no dither). */
export function encodePcm24(channels: Float32Array[], from: number, count: number, buf: Buffer, offset: number): void {
  let o = offset;
  for (let i = from; i < from + count; i++) {
    for (const ch of channels) {
      const x = Math.max(-1, Math.min(1, ch[i]!));
      buf.writeIntLE(Math.round(x * 8388607), o, 3);
      o += 3;
    }
  }
}

/** Adds `frames` interleaved 24-bit frames of `nch` channels from buf into dst[*] at dstOffset (a mono source feeds both). */
export function addPcm24(buf: Buffer, frames: number, nch: number, dst: Float32Array[], dstOffset: number): void {
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < dst.length; c++) {
      const v = buf.readIntLE((i * nch + Math.min(c, nch - 1)) * 3, 3) / 8388608;
      dst[c]![dstOffset + i] = dst[c]![dstOffset + i]! + v;
    }
  }
}

export interface DecodedWav {
  sampleRate: number;
  channels: Float32Array[];
  bitsPerSample: number;
}

/** Decodes PCM WAV (16/24/32-bit integer or 32-bit float). Throws on anything else. */
export function decodeWav(buf: Buffer): DecodedWav {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let p = 12;
  let fmt: { format: number; nch: number; rate: number; bits: number } | null = null;
  while (p + 8 <= buf.length) {
    const id = buf.toString('ascii', p, p + 4);
    const size = buf.readUInt32LE(p + 4);
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(p + 8), nch: buf.readUInt16LE(p + 10), rate: buf.readUInt32LE(p + 12), bits: buf.readUInt16LE(p + 22) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      const bytes = fmt.bits / 8;
      const frames = Math.floor(Math.min(size, buf.length - p - 8) / (bytes * fmt.nch));
      const channels = Array.from({ length: fmt.nch }, () => new Float32Array(frames));
      let o = p + 8;
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.nch; c++) {
          let v: number;
          if (fmt.format === 3 && fmt.bits === 32) v = buf.readFloatLE(o);
          else if (fmt.bits === 16) v = buf.readInt16LE(o) / 32768;
          else if (fmt.bits === 24) v = buf.readIntLE(o, 3) / 8388608;
          else if (fmt.bits === 32) v = buf.readInt32LE(o) / 2147483648;
          else throw new Error(`unsupported ${fmt.bits}-bit WAV`);
          channels[c]![i] = v;
          o += bytes;
        }
      }
      return { sampleRate: fmt.rate, channels, bitsPerSample: fmt.bits };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/**
 * What the 44-byte header of a file encodeWav24 wrote says, checked against the file's size: the
 * frame count when the header is Segue's own and the file holds exactly that much audio, else why
 * not (a truncated, padded or foreign file). Reads nothing but the header.
 */
export function checkWav24(header: Uint8Array, fileBytes: number, channels = 2, sampleRate = 48000): { frames: number } | { problem: string } {
  const b = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  if (b.length < 44 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE' || b.toString('ascii', 36, 40) !== 'data') {
    return { problem: 'not a WAV file Segue wrote (the header is not RIFF/WAVE with its data chunk at byte 36)' };
  }
  if (b.readUInt16LE(20) !== 1 || b.readUInt16LE(22) !== channels || b.readUInt32LE(24) !== sampleRate || b.readUInt16LE(34) !== 24) {
    return { problem: `not ${channels}-channel 24-bit PCM at ${sampleRate} Hz` };
  }
  const dataBytes = b.readUInt32LE(40);
  if (fileBytes !== 44 + dataBytes) return { problem: `${fileBytes} bytes where its header promises ${44 + dataBytes} (truncated or overwritten)` };
  if (dataBytes % (channels * 3)) return { problem: 'its data is not a whole number of frames' };
  return { frames: dataBytes / (channels * 3) };
}
