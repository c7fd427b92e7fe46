// Files that must be real files on disk (worker scripts, native modules) live beside the Electron archive.

/** Worker threads and native modules cannot load from inside an asar archive; electron-builder.yml unpacks them. */
export function unpackedFromAsar(url: URL): URL {
  if (url.protocol !== 'file:' || !url.pathname.includes('/app.asar/')) return url;
  return new URL(url.href.replace('/app.asar/', '/app.asar.unpacked/'));
}
