// @vitest-environment jsdom
// One Monaco editor's life in React, against a stand-in Monaco: one editor per document, values in and out,
// read-only and theme passed on, everything disposed, a failed load shown.
import { describe, expect, it, vi } from 'vitest';
import { useMonacoEditor, type MonacoModule } from '../../../../renderer/ui/useMonacoEditor.js';
import { useJsdomMount } from '../jsdom-mount.js';

interface FakeEditor {
  uri: string;
  language: string;
  value: string;
  options: Record<string, unknown>;
  disposed: boolean;
  type: (text: string) => void;
}

function fakeMonaco() {
  const editors: FakeEditor[] = [];
  const themes: string[] = [];
  const calls: string[] = [];
  const monaco = {
    Uri: { parse: (uri: string) => uri },
    editor: {
      setTheme: (theme: string) => themes.push(theme),
      createModel: (value: string, language: string, uri: string) => {
        calls.push(`model ${uri}`);
        return { value, language, uri, dispose: vi.fn() };
      },
      create: (_host: HTMLElement, options: { model: { value: string; language: string; uri: string } }) => {
        const listeners: (() => void)[] = [];
        const editor: FakeEditor = {
          uri: options.model.uri,
          language: options.model.language,
          value: options.model.value,
          options: { ...options },
          disposed: false,
          type: (text) => {
            editor.value = text;
            for (const l of listeners) l();
          },
        };
        editors.push(editor);
        return {
          getValue: () => editor.value,
          setValue: (text: string) => (editor.value = text),
          updateOptions: (o: Record<string, unknown>) => Object.assign(editor.options, o),
          onDidChangeModelContent: (l: () => void) => {
            listeners.push(l);
            return { dispose: () => listeners.splice(listeners.indexOf(l), 1) };
          },
          dispose: () => (editor.disposed = true),
        };
      },
    },
  };
  return { monaco: monaco as unknown as MonacoModule, editors, themes, calls };
}

interface Props {
  load: () => Promise<MonacoModule>;
  uri: string;
  value: string;
  onChange: (value: string) => void;
  readOnly?: boolean;
  beforeCreate?: (monaco: MonacoModule) => void;
}

function Editor(props: Props) {
  const { host, monaco, loadError } = useMonacoEditor({ ...props, language: 'json' });
  if (loadError) return <p data-testid="load-error">{loadError instanceof Error ? loadError.message : 'failed'}</p>;
  return <div ref={host} data-testid={monaco ? 'ready' : 'loading'} />;
}

const mounted = useJsdomMount();
const render = (props: Props) => mounted.render(<Editor {...props} />);

describe('a Monaco editor in React', () => {
  it('makes one editor for the document, after the language setup, and reports edits', async () => {
    const fake = fakeMonaco();
    const load = () => Promise.resolve(fake.monaco);
    const onChange = vi.fn();
    render({ load, uri: 'inmemory://a.json', value: '{}', onChange, beforeCreate: () => fake.calls.push('setup') });
    await vi.waitFor(() => expect(fake.editors).toHaveLength(1));
    expect(fake.calls).toEqual(['setup', 'model inmemory://a.json']);
    expect(fake.editors[0]).toMatchObject({ uri: 'inmemory://a.json', language: 'json', value: '{}' });
    expect(fake.editors[0]?.options).toMatchObject({ readOnly: false, automaticLayout: true });
    expect(fake.themes).toEqual(['vs']);
    fake.editors[0]?.type('{"a":1}');
    expect(onChange).toHaveBeenCalledWith('{"a":1}');
    mounted.unmount();
    expect(fake.editors[0]?.disposed).toBe(true);
  });

  it('pushes an outside value in, follows read-only, and makes a new editor for a new document', async () => {
    const fake = fakeMonaco();
    const load = () => Promise.resolve(fake.monaco);
    const onChange = vi.fn();
    render({ load, uri: 'inmemory://a.json', value: '{}', onChange });
    await vi.waitFor(() => expect(fake.editors).toHaveLength(1));
    render({ load, uri: 'inmemory://a.json', value: '[1]', onChange, readOnly: true });
    await vi.waitFor(() => expect(fake.editors[0]?.value).toBe('[1]'));
    expect(fake.editors[0]?.options.readOnly).toBe(true);
    expect(onChange).not.toHaveBeenCalled();
    render({ load, uri: 'inmemory://b.json', value: '[2]', onChange });
    await vi.waitFor(() => expect(fake.editors).toHaveLength(2));
    expect(fake.editors[0]?.disposed).toBe(true);
    expect(fake.editors[1]).toMatchObject({ uri: 'inmemory://b.json', value: '[2]', disposed: false });
    mounted.unmount();
  });

  it('shows a failed load', async () => {
    render({ load: () => Promise.reject(new Error('chunk missing')), uri: 'x', value: '', onChange: vi.fn() });
    await vi.waitFor(() =>
      expect(mounted.container.querySelector('[data-testid="load-error"]')?.textContent).toContain('chunk missing'),
    );
    mounted.unmount();
  });
});
