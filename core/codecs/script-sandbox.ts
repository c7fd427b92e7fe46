// Runs user codec scripts (decode/encode entry points) in a QuickJS WASM sandbox with time and memory limits.
import {
  newQuickJSWASMModule,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';
import { HARDENING_PRELUDE } from './script-hardening.js';

export interface SandboxLimits {
  /** Wall-clock budget of one call, ms. */
  timeoutMs: number;
  /** Wall-clock budget of loading (and, when hardened, freezing) the script before its first call, ms. */
  loadTimeoutMs: number;
  memoryBytes: number;
  stackBytes: number;
  /** Longest string decode may return, in characters. */
  maxOutputChars: number;
  /** Longest byte array encode may return. */
  maxOutputBytes: number;
  /**
   * 'fresh' evaluates the script in a new context for every call; 'hardened' evaluates it once, freezes what it
   * can reach and restores the global bindings after each call (see ScriptCodec). Both keep frames apart.
   */
  isolation: 'fresh' | 'hardened';
}

export const defaultSandboxLimits: SandboxLimits = {
  timeoutMs: 500,
  loadTimeoutMs: 2000,
  memoryBytes: 16 * 1024 * 1024,
  stackBytes: 64 * 1024,
  maxOutputChars: 256 * 1024,
  maxOutputBytes: 64 * 1024,
  isolation: 'hardened',
};

export type ScriptErrorCode =
  | 'SCRIPT_TIMEOUT'
  | 'SCRIPT_OUT_OF_MEMORY'
  | 'SCRIPT_THREW'
  | 'SCRIPT_MISSING_ENTRY'
  | 'SCRIPT_BAD_RETURN'
  | 'SCRIPT_OUTPUT_TOO_LARGE'
  | 'SCRIPT_SYNTAX'
  | 'SCRIPT_KILLED';

export interface ScriptError {
  code: ScriptErrorCode;
  message: string;
}

interface LoadedScript {
  context: QuickJSContext;
  hardened: boolean;
  decode?: QuickJSHandle;
  encode?: QuickJSHandle;
  reset?: QuickJSHandle;
}

export type ScriptCallResult<T> = { ok: true; value: T } | { ok: false; error: ScriptError };

let sharedModule: Promise<QuickJSWASMModule> | undefined;

/** One WASM module for the whole process; runtimes and contexts are cheap next to it. */
export function quickJsModule(): Promise<QuickJSWASMModule> {
  sharedModule ??= newQuickJSWASMModule();
  return sharedModule;
}

const MAX_SCRIPT_CHARS = 1024 * 1024;
/** How far past the memory limit the shared WASM heap may grow during one call before the call is stopped. */
const HEAP_GROWTH_FACTOR = 4;

/**
 * A loaded script. In 'hardened' isolation (the default) the script is evaluated once per runtime; everything it
 * can reach from the global object (its own objects, functions and every built-in with its prototype) is then
 * frozen, and after each frame the global bindings are put back as they were after loading, so a frame cannot
 * leave state in globals or prototypes for the next one. A script whose objects cannot be frozen (typed arrays)
 * falls back to 'fresh', which evaluates the script again in a new context for every frame. The runtime is
 * replaced after any failure, since an interrupted or out-of-memory runtime is not trusted again.
 */
export class ScriptCodec {
  private runtime: QuickJSRuntime | undefined;
  private heapExceeded = false;
  private loaded: LoadedScript | undefined;
  /** Set when hardening is impossible for this script; later frames use fresh contexts. */
  private hardeningRefused = false;

  constructor(
    private readonly module: QuickJSWASMModule,
    readonly source: string,
    private readonly limits: SandboxLimits = defaultSandboxLimits,
  ) {}

  static async load(source: string, limits: SandboxLimits = defaultSandboxLimits): Promise<ScriptCodec> {
    return new ScriptCodec(await quickJsModule(), source, limits);
  }

  /** The isolation frames actually get: 'hardened' unless the script could not be frozen. */
  get isolation(): SandboxLimits['isolation'] {
    return this.limits.isolation === 'hardened' && !this.hardeningRefused ? 'hardened' : 'fresh';
  }

  /** Loads the script once to find syntax errors and a missing decode(). */
  check(): ScriptCallResult<true> {
    return this.call('decode', undefined, () => ({ ok: true, value: true }));
  }

  decode(payload: Uint8Array | readonly number[], topic = ''): ScriptCallResult<string> {
    const args = JSON.stringify([Array.from(payload), topic]);
    return this.call('decode', args, (context, handle) => {
      if (context.typeof(handle) !== 'string') {
        return fail('SCRIPT_BAD_RETURN', `decode returned ${describe(context, handle)}, expected a JSON string`);
      }
      const text = context.getString(handle);
      if (text.length > this.limits.maxOutputChars) {
        return fail(
          'SCRIPT_OUTPUT_TOO_LARGE',
          `decode returned ${text.length} characters (limit ${this.limits.maxOutputChars})`,
        );
      }
      return { ok: true, value: text };
    });
  }

  encode(json: string): ScriptCallResult<Uint8Array> {
    return this.call('encode', JSON.stringify([json]), (context, handle) =>
      readByteArray(context, handle, this.limits),
    );
  }

  dispose(): void {
    this.disposeLoaded();
    this.runtime?.dispose();
    this.runtime = undefined;
  }

  private disposeLoaded(): void {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    for (const handle of [loaded.decode, loaded.encode, loaded.reset]) handle?.dispose();
    loaded.context.dispose();
  }

  private freshRuntime(): QuickJSRuntime {
    if (this.runtime) return this.runtime;
    const runtime = this.module.newRuntime();
    runtime.setMemoryLimit(this.limits.memoryBytes);
    runtime.setMaxStackSize(this.limits.stackBytes);
    this.runtime = runtime;
    return runtime;
  }

  /** Evaluates the script in a new context and, in hardened isolation, freezes what it can reach. */
  private loadScript(runtime: QuickJSRuntime, deadline: number): LoadedScript | ScriptCallResult<never> {
    const context = runtime.newContext();
    let done = false;
    try {
      const harden = this.isolation === 'hardened' ? context.evalCode(HARDENING_PRELUDE, 'harden.js') : undefined;
      if (harden?.error) return this.failure(context, harden.error, deadline, 'preparing the sandbox');
      const hardenFn = harden?.value;
      try {
        const evaluated = context.evalCode(this.source, 'codec.js');
        if (evaluated.error) return this.failure(context, evaluated.error, deadline, 'loading the script');
        evaluated.value.dispose();
        const decodeFn = context.getProp(context.global, 'decode');
        const encodeFn = context.getProp(context.global, 'encode');
        const loaded: LoadedScript = { context, hardened: false };
        if (!hardenFn) {
          decodeFn.dispose();
          encodeFn.dispose();
          done = true;
          return loaded;
        }
        const hardened = context.callFunction(hardenFn, context.undefined, decodeFn, encodeFn);
        decodeFn.dispose();
        encodeFn.dispose();
        if (hardened.error) return this.failure(context, hardened.error, deadline, 'freezing the script');
        const calls = hardened.value;
        try {
          if (context.typeof(calls) !== 'object') {
            // Something reachable could not be frozen: this script gets a fresh context per frame instead.
            this.hardeningRefused = true;
            done = true;
            return loaded;
          }
          const pick = (name: string): QuickJSHandle | undefined => {
            const handle = context.getProp(calls, name);
            if (context.typeof(handle) === 'function') return handle;
            handle.dispose();
            return undefined;
          };
          loaded.decode = pick('decode');
          loaded.encode = pick('encode');
          loaded.reset = pick('reset');
          loaded.hardened = true;
          done = true;
          return loaded;
        } finally {
          calls.dispose();
        }
      } finally {
        hardenFn?.dispose();
      }
    } finally {
      if (!done) context.dispose();
    }
  }

  private call<T>(
    entry: 'decode' | 'encode',
    args: string | undefined,
    read: (context: QuickJSContext, handle: QuickJSHandle) => ScriptCallResult<T>,
  ): ScriptCallResult<T> {
    if (this.source.length > MAX_SCRIPT_CHARS) {
      return fail('SCRIPT_SYNTAX', `the script is ${this.source.length} characters; the limit is 1 MB`);
    }
    const runtime = this.freshRuntime();
    // Loading has its own, larger budget: freezing the script's globals is slow on a busy machine.
    let deadline = Date.now() + (this.loaded ? this.limits.timeoutMs : this.limits.loadTimeoutMs);
    const pastDeadline = () => Date.now() > deadline;
    // QuickJS's own limit does not count every allocation (large strings escape it in this build), so the
    // interrupt handler also stops a call whose WASM heap grew far past the limit.
    // Typed structurally: the Node lib has no WebAssembly.Memory declaration.
    const memory = this.module.getWasmMemory() as unknown as { buffer: ArrayBufferLike };
    const heapAtStart = memory.buffer.byteLength;
    this.heapExceeded = false;
    runtime.setInterruptHandler(() => {
      if (memory.buffer.byteLength - heapAtStart > this.limits.memoryBytes * HEAP_GROWTH_FACTOR) {
        this.heapExceeded = true;
        return true;
      }
      return pastDeadline();
    });
    let healthy = false;
    let loaded = this.loaded;
    this.loaded = undefined;
    try {
      if (!loaded) {
        const fresh = this.loadScript(runtime, deadline);
        if ('ok' in fresh) return fresh;
        loaded = fresh;
        deadline = Date.now() + this.limits.timeoutMs;
      }
      const { context } = loaded;
      const entryFn = loaded.hardened ? loaded[entry] : undefined;
      let entryType: string;
      if (loaded.hardened) {
        entryType = entryFn ? 'function' : 'undefined';
      } else {
        const kind = context.evalCode(`typeof ${entry}`);
        entryType = kind.error ? 'undefined' : context.getString(kind.value);
        (kind.error ?? kind.value).dispose();
      }
      if (entryType !== 'function') {
        healthy = true;
        return fail('SCRIPT_MISSING_ENTRY', `the script defines no function ${entry}(…)`);
      }
      if (args === undefined) {
        healthy = true;
        return read(context, context.true);
      }
      const result = entryFn
        ? context.newString(args).consume((argsHandle) => context.callFunction(entryFn, context.undefined, argsHandle))
        : context.evalCode(`${entry}.apply(undefined, ${args})`, 'call.js');
      if (result.error) return this.failure(context, result.error, deadline, `${entry}()`);
      try {
        const read_ = read(context, result.value);
        healthy = true;
        return read_;
      } finally {
        result.value.dispose();
      }
    } catch (error) {
      // Allocation failures can surface as host exceptions from the WASM boundary.
      const message = error instanceof Error ? error.message : String(error);
      return fail(/memory/i.test(message) ? 'SCRIPT_OUT_OF_MEMORY' : 'SCRIPT_THREW', message);
    } finally {
      if (loaded) {
        if (healthy && loaded.hardened && this.restoreGlobals(loaded)) {
          this.loaded = loaded;
        } else {
          this.loaded = loaded;
          try {
            this.disposeLoaded();
          } catch {
            healthy = false;
          }
        }
      }
      if (!healthy) this.dispose();
    }
  }

  /** Puts the global bindings back as they were after loading; false when the frame left something it cannot undo. */
  private restoreGlobals(loaded: LoadedScript): boolean {
    const { context, reset } = loaded;
    if (!reset) return false;
    const result = context.callFunction(reset, context.undefined);
    if (result.error) {
      result.error.dispose();
      return false;
    }
    const clean = context.typeof(result.value) === 'boolean' && context.dump(result.value) === true;
    result.value.dispose();
    return clean;
  }

  private failure(
    context: QuickJSContext,
    errorHandle: QuickJSHandle,
    deadline: number,
    where: string,
  ): ScriptCallResult<never> {
    let dumped: unknown;
    try {
      dumped = context.dump(errorHandle);
    } catch {
      dumped = undefined;
    } finally {
      errorHandle.dispose();
    }
    const error = dumped as { name?: unknown; message?: unknown } | undefined;
    const name = typeof error?.name === 'string' ? error.name : '';
    const message = typeof error?.message === 'string' ? error.message : String(dumped);
    if (this.heapExceeded || /out of memory/i.test(message) || dumped === null) {
      return fail(
        'SCRIPT_OUT_OF_MEMORY',
        `${where} exceeded the ${Math.round(this.limits.memoryBytes / 1048576)} MB memory limit`,
      );
    }
    if (/interrupted/i.test(message) && (name === 'InternalError' || Date.now() > deadline)) {
      const limitMs = where.endsWith('()') ? this.limits.timeoutMs : this.limits.loadTimeoutMs;
      return fail('SCRIPT_TIMEOUT', `${where} ran past the ${limitMs} ms limit and was stopped`);
    }
    if (name === 'RangeError' && /stack/i.test(message)) {
      return fail('SCRIPT_THREW', `${where}: stack overflow (${message})`);
    }
    if (name === 'SyntaxError') return fail('SCRIPT_SYNTAX', `${where}: ${name}: ${message}`);
    return fail('SCRIPT_THREW', `${where} threw ${name ? `${name}: ` : ''}${message}`);
  }
}

function fail(code: ScriptErrorCode, message: string): { ok: false; error: ScriptError } {
  return { ok: false, error: { code, message } };
}

function describe(context: QuickJSContext, handle: QuickJSHandle): string {
  const type = context.typeof(handle);
  if (type !== 'object') return type;
  const isArray = context.evalCode('Array.isArray');
  if (isArray.error) {
    isArray.error.dispose();
    return 'an object';
  }
  const answer = context.callFunction(isArray.value, context.undefined, handle);
  isArray.value.dispose();
  if (answer.error) {
    answer.error.dispose();
    return 'an object';
  }
  const array = context.dump(answer.value) === true;
  answer.value.dispose();
  return array ? 'an array' : 'an object';
}

function readByteArray(
  context: QuickJSContext,
  handle: QuickJSHandle,
  limits: SandboxLimits,
): ScriptCallResult<Uint8Array> {
  if (context.typeof(handle) !== 'object' || describe(context, handle) !== 'an array') {
    return fail(
      'SCRIPT_BAD_RETURN',
      `encode returned ${describe(context, handle)}, expected an array of bytes (0..255)`,
    );
  }
  const lengthHandle = context.getProp(handle, 'length');
  const length = context.getNumber(lengthHandle);
  lengthHandle.dispose();
  if (length > limits.maxOutputBytes) {
    return fail('SCRIPT_OUTPUT_TOO_LARGE', `encode returned ${length} bytes (limit ${limits.maxOutputBytes})`);
  }
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const item = context.getProp(handle, i);
    const value = context.typeof(item) === 'number' ? context.getNumber(item) : Number.NaN;
    item.dispose();
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      return fail('SCRIPT_BAD_RETURN', `encode returned a non-byte at index ${i} (expected an integer 0..255)`);
    }
    bytes[i] = value;
  }
  return { ok: true, value: bytes };
}
