// PCP checksum: the MSB-first CCITT (0x1021) table driven the reflected way, init 0, no final xor.
// Deliberately not a textbook CRC variant (neither XMODEM nor KERMIT): this is what devices compute.

const table = buildTable();

function buildTable(): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    t[i] = crc & 0xffff;
  }
  return t;
}

/** Checksum of a whole PCP frame, computed with the checksum field (bytes 4–5) taken as zero. */
export function pcpChecksum(frame: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < frame.length; i++) {
    const b = i === 4 || i === 5 ? 0 : frame[i]!;
    crc = (crc >> 8) ^ table[(crc ^ b) & 0xff]!;
  }
  return crc;
}
