// @vitest-environment jsdom
// Files out of the workbench: the name a download gets, a file route fetched with the token, and the save itself.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClientError } from '../../../../renderer/api/client.js';
import { fetchFile, fileNameFromDisposition, saveFile, saveText } from '../../../../renderer/api/download.js';

const connection = { apiUrl: 'http://127.0.0.1:40001', token: 't'.repeat(32) };

describe('download names', () => {
  it('prefers the UTF-8 name, then the plain one, then the fallback', () => {
    expect(
      fileNameFromDisposition(`attachment; filename="a_b.csv"; filename*=UTF-8''%E8%AE%BE%E5%A4%87.csv`, 'x'),
    ).toBe('设备.csv');
    expect(fileNameFromDisposition('attachment; filename="plain.csv"', 'x')).toBe('plain.csv');
    expect(fileNameFromDisposition(null, 'fallback.csv')).toBe('fallback.csv');
    expect(fileNameFromDisposition("attachment; filename*=UTF-8''%E0%A4%A", 'fb.csv')).toBe('fb.csv');
  });

  it('never throws on garbage headers', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        expect(typeof fileNameFromDisposition(header, 'f.csv')).toBe('string');
      }),
    );
  });
});

describe('fetching a file route', () => {
  it('sends the token, never cookies, and names the file as the core says', async () => {
    const fetchFn = vi.fn((_url: string, _init: RequestInit) =>
      Promise.resolve(
        new Response('a,b\n', {
          headers: { 'content-disposition': `attachment; filename="x.csv"; filename*=UTF-8''%E8%AE%BE%E5%A4%87.csv` },
        }),
      ),
    );
    const file = await fetchFile(connection, 'http://127.0.0.1:40001/api/x', 'fallback.csv', fetchFn);
    expect(file.fileName).toBe('设备.csv');
    expect(await file.blob.text()).toBe('a,b\n');
    const init = fetchFn.mock.calls[0]?.[1];
    expect(init?.headers).toEqual({ Authorization: `Bearer ${connection.token}` });
    expect(init?.credentials).toBe('omit');
  });

  it('falls back to the given name when the header is missing', async () => {
    const fetchFn = () => Promise.resolve(new Response('log'));
    expect((await fetchFile(connection, 'http://h/api/log', 'serial-s1.log', fetchFn)).fileName).toBe('serial-s1.log');
  });

  it("throws the core's code and message on a refusal, or the HTTP status when the body is not JSON", async () => {
    const refused = () =>
      Promise.resolve(
        new Response(JSON.stringify({ code: 'NOT_FOUND', message: 'no such device' }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        }),
      );
    await expect(fetchFile(connection, 'http://h/api/x', 'x', refused)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no such device',
      status: 404,
    });
    const broken = () => Promise.resolve(new Response('<html>', { status: 502, statusText: 'Bad Gateway' }));
    const error: unknown = await fetchFile(connection, 'http://h/api/x', 'x', broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error).toMatchObject({ code: 'HTTP_502', message: 'Bad Gateway', status: 502 });
  });
});

describe('saving', () => {
  const saved: { name: string; href: string }[] = [];
  beforeEach(() => {
    saved.length = 0;
    vi.useFakeTimers();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:1'), revokeObjectURL: vi.fn() }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('clicks a download link for the bytes and frees the object URL later', () => {
    saveFile('app_signed.zip', new Blob([new Uint8Array([1, 2])]));
    expect(saved).toEqual([{ name: 'app_signed.zip', href: 'blob:1' }]);
    expect(URL.revokeObjectURL).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10_000);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:1');
  });

  it('saves text with its media type', () => {
    saveText('codec.h', '#pragma once\n', 'text/x-c');
    const blob = vi.mocked(URL.createObjectURL).mock.calls[0]?.[0] as Blob;
    expect(blob.type).toBe('text/x-c');
    expect(saved[0]?.name).toBe('codec.h');
  });
});
