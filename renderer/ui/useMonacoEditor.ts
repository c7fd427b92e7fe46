// The life of one Monaco editor in a React component: Monaco loaded on first use, one editor and model per document,
// outside value changes pushed in, edits reported out, theme following the colour scheme.
import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type * as Monaco from 'monaco-editor';

export type MonacoModule = typeof Monaco;

export interface MonacoEditorOptions {
  /** Loads Monaco with the feature's language settings: a module-level function that caches its promise. */
  load: () => Promise<MonacoModule>;
  /** Identifies the document: a new uri makes a new model and editor. */
  uri: string;
  language: string;
  value: string;
  onChange: (value: string) => void;
  readOnly?: boolean;
  /** Runs before the model is made, e.g. to give the language a schema for this uri. */
  beforeCreate?: (monaco: MonacoModule) => void;
}

export interface MonacoEditorState {
  /** The element the editor fills. */
  host: RefObject<HTMLDivElement | null>;
  /** Monaco, once loaded. */
  monaco: MonacoModule | undefined;
  loadError: unknown;
  /** The editor while one is mounted. */
  editor: RefObject<Monaco.editor.IStandaloneCodeEditor | undefined>;
}

export function useMonacoEditor({
  load,
  uri,
  language,
  value,
  onChange,
  readOnly = false,
  beforeCreate,
}: MonacoEditorOptions): MonacoEditorState {
  const host = useRef<HTMLDivElement>(null);
  const [monaco, setMonaco] = useState<MonacoModule>();
  const [loadError, setLoadError] = useState<unknown>();
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor>(undefined);
  const onChangeRef = useRef(onChange);
  const beforeCreateRef = useRef(beforeCreate);
  useEffect(() => {
    onChangeRef.current = onChange;
    beforeCreateRef.current = beforeCreate;
  });
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    load().then(setMonaco, setLoadError);
  }, [load]);

  useEffect(() => {
    if (!monaco || !host.current) return;
    beforeCreateRef.current?.(monaco);
    const model = monaco.editor.createModel(value, language, monaco.Uri.parse(uri));
    const instance = monaco.editor.create(host.current, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      tabSize: 2,
      readOnly,
    });
    editor.current = instance;
    const subscription = instance.onDidChangeModelContent(() => onChangeRef.current(instance.getValue()));
    return () => {
      subscription.dispose();
      instance.dispose();
      model.dispose();
      editor.current = undefined;
    };
    // One editor per document; later value changes come from the editor itself or from the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [monaco, uri]);

  useEffect(() => {
    const instance = editor.current;
    if (instance && instance.getValue() !== value) instance.setValue(value);
  }, [value]);

  useEffect(() => {
    editor.current?.updateOptions({ readOnly });
  }, [readOnly]);

  useEffect(() => {
    monaco?.editor.setTheme(scheme === 'dark' ? 'vs-dark' : 'vs');
  }, [monaco, scheme]);

  return { host, monaco, loadError, editor };
}
