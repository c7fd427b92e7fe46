// CoRE link format (RFC 6690, content format 40): registration bodies and discover answers. Pure, never throws.
import { parsed, parseError, type Parsed } from '../parse-result.js';

export interface Link {
  uri: string;
  attributes: Record<string, string>;
}

const MAX_LINKS = 10_000;

/** `</1/0>,</3/0>;ver=1.1,</>;rt="oma.lwm2m"`; quoted values may hold commas and semicolons. */
export function parseLinkFormat(text: string): Parsed<Link[]> {
  const links: Link[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  skipSpace();
  if (at === text.length) return parsed(links);
  while (at < text.length) {
    skipSpace();
    if (text[at] !== '<') return parseError('LINK_EXPECTED', `expected '<' at character ${at}`);
    const close = text.indexOf('>', at + 1);
    if (close < 0) return parseError('LINK_UNTERMINATED', `'<' at character ${at} has no closing '>'`);
    const link: Link = { uri: text.slice(at + 1, close), attributes: {} };
    at = close + 1;
    while (at < text.length && text[at] === ';') {
      at++;
      const nameStart = at;
      while (at < text.length && /[A-Za-z0-9!#$&+\-.^_`|~*]/.test(text[at]!)) at++;
      const name = text.slice(nameStart, at);
      if (!name) return parseError('LINK_BAD_ATTRIBUTE', `attribute name expected at character ${nameStart}`);
      let value = '';
      if (text[at] === '=') {
        at++;
        if (text[at] === '"') {
          const end = text.indexOf('"', at + 1);
          if (end < 0) return parseError('LINK_UNTERMINATED', `quoted value at character ${at} is not closed`);
          value = text.slice(at + 1, end);
          at = end + 1;
        } else {
          const start = at;
          while (at < text.length && text[at] !== ',' && text[at] !== ';') at++;
          value = text.slice(start, at).trim();
        }
      }
      link.attributes[name] = value;
    }
    links.push(link);
    if (links.length > MAX_LINKS) return parseError('LINK_TOO_MANY', `more than ${MAX_LINKS} links`);
    skipSpace();
    if (at === text.length) break;
    if (text[at] !== ',') return parseError('LINK_EXPECTED', `expected ',' or ';' at character ${at}`);
    at++;
  }
  return parsed(links);
}

export function formatLinkFormat(links: Link[]): string {
  return links
    .map(
      (l) =>
        `<${l.uri}>` +
        Object.entries(l.attributes)
          .map(([k, v]) => (v === '' ? `;${k}` : /^[A-Za-z0-9.\-_]+$/.test(v) ? `;${k}=${v}` : `;${k}="${v}"`))
          .join(''),
    )
    .join(',');
}

export interface RegisteredObjects {
  /** Alternate root path (`</lwm2m>;rt="oma.lwm2m"`), `/` by default. */
  rootPath: string;
  objects: { objectId: number; instanceId?: number }[];
}

/** The objects and instances a registration lists; links that are not object paths are ignored. */
export function registeredObjects(links: Link[]): RegisteredObjects {
  const root = links.find((l) => l.attributes.rt === 'oma.lwm2m')?.uri ?? '/';
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const objects: RegisteredObjects['objects'] = [];
  for (const l of links) {
    if (!l.uri.startsWith(prefix)) continue;
    const ids = l.uri.slice(prefix.length).split('/');
    if (ids.length < 1 || ids.length > 2 || !ids.every((s) => /^\d{1,5}$/.test(s) && Number(s) <= 65535)) continue;
    const [objectId, instanceId] = ids.map(Number);
    objects.push(instanceId === undefined ? { objectId: objectId! } : { objectId: objectId!, instanceId });
  }
  return { rootPath: root, objects };
}
