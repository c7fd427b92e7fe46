// Files out of the workbench: a file route fetched with the API token, and any bytes handed to the browser as a
// download (the desktop app's window allows it too).
import { ApiClientError, type ApiConnection } from './client.js';

/** `attachment; filename="x.csv"` (or RFC 5987 `filename*=`) → `x.csv`. */
export function fileNameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const extended = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() || fallback;
}

/** Hands bytes to the browser as a download named `fileName`. */
export function saveFile(fileName: string, data: Blob): void {
  const objectUrl = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = objectUrl;
  link.download = fileName;
  link.click();
  // The download has started from the object URL by then; freeing it at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
}

/** Saves text as a file; `type` is its media type. */
export function saveText(fileName: string, text: string, type = 'text/plain'): void {
  saveFile(fileName, new Blob([text], { type }));
}

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Fetches a file route with the API token: the bytes and the name the core gives them. `fallbackName` is used when
 * the Content-Disposition header is missing or not exposed to a cross-origin page. A refusal throws the core's
 * `{code, message}` as an ApiClientError.
 */
export async function fetchFile(
  connection: ApiConnection,
  url: string,
  fallbackName: string,
  fetchFn: FetchFn = (input, init) => fetch(input, init),
): Promise<{ blob: Blob; fileName: string }> {
  const response = await fetchFn(url, {
    headers: { Authorization: `Bearer ${connection.token}` },
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiClientError({
      code: body.code ?? `HTTP_${response.status}`,
      message: body.message ?? response.statusText,
      status: response.status,
    });
  }
  const fileName = fileNameFromDisposition(response.headers.get('content-disposition'), fallbackName);
  return { blob: await response.blob(), fileName };
}

/** Fetches a file route with the API token and saves it under the core's name; resolves to that name. */
export async function downloadFromApi(connection: ApiConnection, url: string, fallbackName: string): Promise<string> {
  const { blob, fileName } = await fetchFile(connection, url, fallbackName);
  saveFile(fileName, blob);
  return fileName;
}
