// Hand-written stand-in for the parts of `electron` the shell uses; the real binary cannot run on build machines.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export interface FakeMessageEvent {
  data: unknown;
  ports: FakeMessagePort[];
}

export class FakeMessagePort extends EventEmitter {
  other: FakeMessagePort | undefined;
  started = false;
  closed = false;
  readonly sent: unknown[] = [];
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
  postMessage(message: unknown): void {
    this.sent.push(message);
    const peer = this.other;
    if (!this.closed && peer) queueMicrotask(() => peer.emit('message', { data: message, ports: [] }));
  }
}

export class FakeMessageChannelMain {
  static last: FakeMessageChannelMain | undefined;
  readonly port1 = new FakeMessagePort();
  readonly port2 = new FakeMessagePort();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
    FakeMessageChannelMain.last = this;
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly parentMessages: { message: unknown; transfer: FakeMessagePort[] }[] = [];
  readonly kill = vi.fn(() => {
    queueMicrotask(() => this.emit('exit', 9));
    return true;
  });
  pid = 4242;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: unknown,
  ) {
    super();
  }
  postMessage(message: unknown, transfer: FakeMessagePort[] = []): void {
    this.parentMessages.push({ message, transfer });
  }
  /** The MessagePort the host handed to the child, i.e. the child's end of the channel. */
  get childPort(): FakeMessagePort {
    const port = this.parentMessages[0]?.transfer[0];
    if (!port) throw new Error('no port was transferred to the fake child');
    return port;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  readonly isMinimized = vi.fn(() => false);
  readonly loadURL = vi.fn((_url: string) => Promise.resolve());
  readonly webContents = new EventEmitter();
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
}

/**
 * safeStorage with a keychain of its own: what one instance wraps, another cannot unwrap (another account or
 * machine). Starts unavailable, like a Linux session without a secret store.
 */
export class FakeKeychain {
  available = false;
  backend = 'basic_text';
  failEncrypt = false;
  private secret = randomBytes(32);
  readonly isEncryptionAvailable = vi.fn(() => this.available);
  readonly getSelectedStorageBackend = vi.fn(() => this.backend);
  readonly encryptString = vi.fn((plainText: string): Buffer => {
    if (!this.available || this.failEncrypt) throw new Error('Encryption is not available.');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.secret, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body]);
  });
  readonly decryptString = vi.fn((encrypted: Buffer): string => {
    if (!this.available) throw new Error('Decryption is not available.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.secret, encrypted.subarray(3, 15));
      decipher.setAuthTag(encrypted.subarray(15, 31));
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  });

  /** A keychain with a real secret store (gnome-libsecret). */
  static unlocked(): FakeKeychain {
    const keychain = new FakeKeychain();
    keychain.available = true;
    keychain.backend = 'gnome_libsecret';
    return keychain;
  }

  /** Back to an unavailable keychain that has forgotten everything it wrapped. */
  reset(): void {
    this.available = false;
    this.backend = 'basic_text';
    this.failEncrypt = false;
    this.secret = randomBytes(32);
  }
}

function createFakeSession() {
  return Object.assign(new EventEmitter(), {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
  });
}

function createFakeApp() {
  return Object.assign(new EventEmitter(), {
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
    exit: vi.fn(),
    enableSandbox: vi.fn(),
    setPath: vi.fn(),
    getPath: vi.fn((name: string) => `/fake/${name}`),
    getAppPath: vi.fn(() => '/fake/app'),
    getVersion: vi.fn(() => '0.1.0'),
    whenReady: vi.fn(() => Promise.resolve()),
    isPackaged: false,
  });
}

export function createFakeElectron() {
  const forked: FakeUtilityProcess[] = [];
  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  return {
    forked,
    ipcHandlers,
    app: createFakeApp(),
    BrowserWindow: FakeBrowserWindow,
    MessageChannelMain: FakeMessageChannelMain,
    utilityProcess: {
      fork: vi.fn((modulePath: string, args: string[] = [], options?: unknown) => {
        const child = new FakeUtilityProcess(modulePath, args, options);
        forked.push(child);
        return child;
      }),
    },
    ipcMain: {
      handle: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) => {
        ipcHandlers.set(channel, listener);
      }),
      removeHandler: vi.fn((channel: string) => ipcHandlers.delete(channel)),
    },
    ipcRenderer: { invoke: vi.fn(), send: vi.fn(), on: vi.fn() },
    contextBridge: { exposeInMainWorld: vi.fn() },
    shell: { openExternal: vi.fn(() => Promise.resolve()), openPath: vi.fn(() => Promise.resolve('')) },
    dialog: { showErrorBox: vi.fn(), showMessageBox: vi.fn(() => Promise.resolve({ response: 0 })) },
    Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })), setApplicationMenu: vi.fn() },
    session: { defaultSession: createFakeSession() },
    safeStorage: new FakeKeychain(),
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

/** One fake per test file: `vi.mock('electron', () => import('./fake-electron.js').then((m) => m.electron))`. */
export const electron: FakeElectron = createFakeElectron();

/** Back to a just-launched state, for tests that load main.ts more than once (the mock object outlives vi.resetModules). */
export function resetFakeElectron(fake: FakeElectron): void {
  vi.clearAllMocks();
  fake.app.removeAllListeners();
  fake.session.defaultSession.removeAllListeners();
  fake.forked.length = 0;
  fake.ipcHandlers.clear();
  fake.BrowserWindow.instances = [];
  fake.safeStorage.reset();
}
