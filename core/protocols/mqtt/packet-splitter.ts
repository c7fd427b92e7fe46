// Splits an MQTT byte stream into whole control packets (fixed header + remaining length), for per-packet frame events.
// A hand-rolled splitter rather than mqtt-packet's parser: the parser yields decoded objects, not the exact bytes.

export type SplitError = { code: 'MQTT_BAD_LENGTH' | 'MQTT_PACKET_TOO_LARGE'; message: string };

export interface PacketSplitter {
  /** Feeds bytes; returns the packets completed by them, or an error after which the stream is unusable. */
  push(chunk: Buffer): { packets: Buffer[]; error?: SplitError };
}

export function createPacketSplitter(maxPacketBytes: number): PacketSplitter {
  // Chunks are only joined once a whole packet is there, so a slow drip of bytes costs linear, not quadratic, time.
  let chunks: Buffer[] = [];
  let length = 0;
  let need = 0;
  let failed: SplitError | undefined;
  return {
    push(chunk) {
      if (failed) return { packets: [], error: failed };
      chunks.push(chunk);
      length += chunk.length;
      if (length < need) return { packets: [] };
      const buffered = chunks.length === 1 ? chunk : Buffer.concat(chunks, length);
      const packets: Buffer[] = [];
      let offset = 0;
      need = 0;
      for (;;) {
        if (buffered.length - offset < 2) break;
        let remaining = 0;
        let multiplier = 1;
        let i = offset + 1;
        let complete = false;
        for (let n = 0; n < 4 && i < buffered.length; n++, i++) {
          const byte = buffered[i] ?? 0;
          remaining += (byte & 0x7f) * multiplier;
          multiplier *= 128;
          if ((byte & 0x80) === 0) {
            complete = true;
            i++;
            break;
          }
          if (n === 3) {
            failed = { code: 'MQTT_BAD_LENGTH', message: 'the remaining length field is longer than 4 bytes' };
            return { packets, error: failed };
          }
        }
        if (!complete) break;
        const total = i - offset + remaining;
        if (total > maxPacketBytes) {
          failed = {
            code: 'MQTT_PACKET_TOO_LARGE',
            message: `an MQTT packet of ${total} bytes exceeds the limit of ${maxPacketBytes}`,
          };
          return { packets, error: failed };
        }
        if (buffered.length - offset < total) {
          need = total;
          break;
        }
        packets.push(buffered.subarray(offset, offset + total));
        offset += total;
      }
      const rest = buffered.subarray(offset);
      chunks = rest.length ? [rest] : [];
      length = rest.length;
      return { packets };
    },
  };
}
