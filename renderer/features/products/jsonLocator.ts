// Finds where a JSON path (`services[0].properties[2].max`) sits in JSON text, to mark the core's findings inline.

export interface TextSpan {
  start: number;
  end: number;
}

type Segment = string | number;

export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

/** A small JSON scanner that records the span of every value by path. Returns undefined for text that is not JSON. */
export function locateJsonPath(text: string, path: string): TextSpan | undefined {
  const target = parsePath(path);
  let i = 0;
  let found: TextSpan | undefined;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new Error('not JSON');
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const matches = (at: Segment[]) => at.length === target.length && at.every((s, k) => s === target[k]);
  const value = (at: Segment[], keySpan?: TextSpan): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          ws();
          if (text[i] !== '"') fail();
          const keyStart = i;
          const key = readString();
          const span = { start: keyStart, end: i };
          ws();
          if (text[i] !== ':') fail();
          i++;
          value([...at, key], span);
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail();
        }
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else {
        for (let index = 0; ; index++) {
          value([...at, index]);
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail();
        }
      }
    } else if (c === '"') readString();
    else {
      const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
      if (!m) fail();
      i += m![0].length;
    }
    // Scalars are marked on the value, containers on their key (or their opening bracket), which is easier to spot.
    if (!found && matches(at)) {
      const container = c === '{' || c === '[';
      found = container ? (keySpan ?? { start, end: start + 1 }) : { start, end: i };
    }
  };
  try {
    value([]);
  } catch {
    return undefined;
  }
  return found ?? closestParent(text, target);
}

/** A finding about a missing key (e.g. `enumList`) is shown on the object that lacks it. */
function closestParent(text: string, target: Segment[]): TextSpan | undefined {
  if (target.length === 0) return undefined;
  return locateJsonPath(text, formatSegments(target.slice(0, -1)));
}

function formatSegments(segments: Segment[]): string {
  return segments.map((s, k) => (typeof s === 'number' ? `[${s}]` : k === 0 ? s : `.${s}`)).join('');
}
