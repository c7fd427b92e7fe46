// @vitest-environment jsdom
// The file dropzone: a dropped or picked file reaches its owner once, dragging over it shows, a refusal reddens it.
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { FileDropzone } from '../../../../renderer/ui/FileDropzone.js';
import { useJsdomMount } from '../jsdom-mount.js';

const mounted = useJsdomMount();

async function show(node: ReactNode): Promise<HTMLElement> {
  mounted.render(node);
  const find = () => mounted.container.querySelector<HTMLElement>('[data-testid="zone"]');
  await vi.waitFor(() => expect(find()).not.toBeNull(), { timeout: 3000 });
  return find()!;
}

function dragEvent(type: string, files: File[] = []): Event {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'dataTransfer', { value: { files } });
  return event;
}

const zone = (onFile: (file: File) => void, invalid = false) => (
  <FileDropzone
    onFile={onFile}
    title="Drop a package"
    hint="A .zip"
    chooseLabel="Choose file"
    accept=".zip"
    invalid={invalid}
    testId="zone"
    inputTestId="zone-input"
  />
);

describe('file dropzone', () => {
  it('hands the first dropped file over and ends the drag highlight', async () => {
    const onFile = vi.fn();
    const box = await show(zone(onFile));
    box.dispatchEvent(dragEvent('dragover'));
    await vi.waitFor(() => expect(box.style.background).toContain('blue-light'));
    const first = new File(['a'], 'first.zip');
    const drop = dragEvent('drop', [first, new File(['b'], 'second.zip')]);
    box.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(onFile).toHaveBeenCalledTimes(1);
    expect(onFile).toHaveBeenCalledWith(first);
    await vi.waitFor(() => expect(box.style.background).toBe(''));
  });

  it('hands a picked file over and clears the input so the same file can be picked again', async () => {
    const onFile = vi.fn();
    await show(zone(onFile));
    const input = mounted.container.querySelector<HTMLInputElement>('[data-testid="zone-input"]')!;
    expect(input.accept).toBe('.zip');
    expect(input.getAttribute('aria-label')).toBe('Choose file');
    const picked = new File(['a'], 'picked.zip');
    Object.defineProperty(input, 'files', { value: [picked], configurable: true });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    expect(onFile).toHaveBeenCalledWith(picked);
    expect(input.value).toBe('');
  });

  it('ignores a drop without files and shows a refusal in red', async () => {
    const onFile = vi.fn();
    const box = await show(zone(onFile, true));
    box.dispatchEvent(dragEvent('drop'));
    expect(onFile).not.toHaveBeenCalled();
    expect(box.style.borderColor).toContain('red');
    expect(mounted.container.textContent).toContain('Drop a package');
  });
});
