// SLIP framing (RFC 1055) as the ESP ROM loader uses it: 0xC0 delimits, 0xDB escapes.
const END = 0xc0;
const ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;

export function slipEncode(frame: Uint8Array): Uint8Array {
  const out: number[] = [END];
  for (const b of frame) {
    if (b === END) out.push(ESC, ESC_END);
    else if (b === ESC) out.push(ESC, ESC_ESC);
    else out.push(b);
  }
  out.push(END);
  return Uint8Array.from(out);
}

/** Reassembles frames from a byte stream; bytes outside frames (boot logs, noise) are dropped. */
export class SlipDecoder {
  private frame: number[] | null = null;
  private escaping = false;
  /** Frames with a bad escape sequence, for diagnostics. */
  badFrames = 0;

  push(bytes: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const b of bytes) {
      if (this.frame === null) {
        if (b === END) this.frame = [];
        continue;
      }
      if (this.escaping) {
        this.escaping = false;
        if (b === ESC_END) this.frame.push(END);
        else if (b === ESC_ESC) this.frame.push(ESC);
        else {
          this.badFrames++;
          this.frame = b === END ? [] : null;
        }
        continue;
      }
      if (b === ESC) this.escaping = true;
      else if (b === END) {
        // An END right after the opening one is the start of the frame, not an empty frame.
        if (this.frame.length > 0) {
          frames.push(Uint8Array.from(this.frame));
          this.frame = null;
        }
      } else this.frame.push(b);
    }
    return frames;
  }
}
