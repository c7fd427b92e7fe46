// Fetches a file route with the API token and hands it to the browser as a download named by the core.
import { ApiClientError, type ApiConnection } from '../../api/client.js';

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

/** `fallbackName` is used when the header is missing or not exposed to a cross-origin page. */
export async function downloadFromApi(connection: ApiConnection, url: string, fallbackName: string): Promise<string> {
  const response = await fetch(url, {
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
  const objectUrl = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = objectUrl;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
  return fileName;
}
