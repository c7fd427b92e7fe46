// supportSourceVersionList matching: items joined by ';', '*' any run of characters, '?' exactly one.

/** True when the list is empty (any source version) or one of its items matches the whole version. */
export function sourceVersionAllowed(list: string | undefined, version: string): boolean {
  if (list === undefined || list.trim() === '') return true;
  return list.split(';').some((item) => item.length > 0 && wildcardMatches(item, version));
}

/** Iterative glob match (no regex, no backtracking blow-up). */
export function wildcardMatches(pattern: string, text: string): boolean {
  const p = [...pattern];
  const t = [...text];
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
