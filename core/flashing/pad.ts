// Flash is written in 32-bit words: both esptool-js and the STM32 bootloader pad an image's tail with 0xFF.
export function padTo4(data: Uint8Array): Uint8Array {
  if (data.length % 4 === 0) return data;
  const out = new Uint8Array(data.length + (4 - (data.length % 4))).fill(0xff);
  out.set(data);
  return out;
}
