// Hex text <-> bytes for frames typed by people and stored with samples.
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** Accepts spaces, colons and a 0x prefix; undefined when the text is not whole bytes of hex. */
export function hexToBytes(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, 'hex'));
}
