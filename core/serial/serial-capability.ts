// The serial capability: port list and watcher, terminal sessions, AT console, scripts and virtual modules.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DomainError } from '../domain-error.js';
import type { Capability } from '../capability.js';
import { serialRoutes, type SerialPortInfo, type VirtualModule } from '../contract/serial.js';
import { AtRunner } from './at/at-runner.js';
import { BringUpAlreadyRunning, BringUpFlow } from './bring-up-flow.js';
import { createBringUpPlatform, reachableAddresses, type BringUpPlatformDeps } from './bring-up-platform.js';
import { createAtScriptStore, runAtScript, atScriptMigrations } from './at/at-scripts.js';
import { atCommandInfos } from './at/command-library.js';
import { createPtyPair, socatAvailable, type PtyPair } from './module-sim/pty-pair.js';
import { runModuleOnSerial, type RunningSerialModule } from './module-sim/serial-module.js';
import { listSystemSerialPorts, watchPortList, type ListSerialPorts } from './port-list.js';
import { PortBusyError, PortRegistry } from './port-registry.js';
import { HexInputError, encodeSend } from './send-encoding.js';
import { openSerialLine, type OpenSerialLine } from './serial-line.js';
import { TerminalSession } from './terminal-session.js';

export interface SerialCapabilityOptions {
  listPorts?: ListSerialPorts;
  openLine?: OpenSerialLine;
  pollMs?: number;
  /** Device registry and products for the bring-up flow; without them its routes answer 503. */
  bringUp?: Pick<BringUpPlatformDeps, 'devices' | 'product'>;
}

export interface SerialCapability extends Capability {
  /** The one place ports are owned; a flasher calls `takeOver` here. */
  readonly registry: PortRegistry;
}

interface VirtualModuleRun {
  info: VirtualModule;
  pty: PtyPair;
  module: RunningSerialModule;
}

const newId = (): string => randomBytes(6).toString('hex');

export function createSerialCapability(options: SerialCapabilityOptions = {}): SerialCapability {
  const registry = new PortRegistry();
  const sessions = new Map<string, { session: TerminalSession; runner: AtRunner }>();
  const virtualModules = new Map<string, VirtualModuleRun>();
  const flows = new Map<string, BringUpFlow>();
  let stopWatcher: (() => void) | undefined;
  let closeBringUp: (() => void) | undefined;

  return {
    name: 'serial',
    migrations: atScriptMigrations,
    registry,
    start({ routes, bus, clock, dataDir, db, logger, ports }) {
      const openLine = options.openLine ?? openSerialLine;
      const scripts = createAtScriptStore(db, clock);

      const withVirtual = (ports: SerialPortInfo[]): SerialPortInfo[] => {
        const all = [...ports, ...[...virtualModules.values()].map((v) => ({ path: v.info.path, virtual: true }))];
        return all.map((p) => {
          const owner = registry.ownerOf(p.path);
          return owner ? { ...p, owner: owner.name } : p;
        });
      };
      const publishPorts = (): void => bus.publish('serial', { at: clock.now(), kind: 'ports' });
      let watcher: ReturnType<typeof watchPortList> | undefined;
      // Polling starts when someone first looks at the ports, so a headless core does not spawn udevadm forever.
      const ensureWatcher = (): ReturnType<typeof watchPortList> => {
        if (!watcher) {
          watcher = watchPortList(
            options.listPorts ?? listSystemSerialPorts,
            clock,
            publishPorts,
            options.pollMs ?? 2000,
          );
          const w = watcher;
          stopWatcher = () => w.stop();
        }
        return watcher;
      };

      const sessionOf = (id: string) => {
        const found = sessions.get(id);
        if (!found) throw new DomainError('SESSION_NOT_FOUND', `no serial session ${id}`, 'id');
        return found;
      };

      routes.add(serialRoutes.listSerialPorts, async () => {
        const listing = await ensureWatcher().refresh();
        return { ports: withVirtual(listing.ports), ...(listing.listError ? { listError: listing.listError } : {}) };
      });

      routes.add(serialRoutes.listSerialSessions, () => ({
        sessions: [...sessions.values()].map((s) => s.session.describe()),
      }));

      routes.add(serialRoutes.openSerialSession, async ({ body }) => {
        const id = newId();
        const session = new TerminalSession(id, body, { bus, clock, registry, openLine, dataDir });
        try {
          await session.open();
        } catch (error) {
          if (error instanceof PortBusyError) throw new DomainError('PORT_BUSY', error.message, 'path');
          throw new DomainError(
            'PORT_OPEN_FAILED',
            `cannot open ${body.path}: ${error instanceof Error ? error.message : String(error)}`,
            'path',
          );
        }
        sessions.set(id, { session, runner: new AtRunner(session, clock) });
        logger.info(`serial session ${id} opened ${body.path} at ${body.baudRate} baud`);
        publishPorts();
        return session.describe();
      });

      routes.add(serialRoutes.closeSerialSession, async ({ params }) => {
        const { session } = sessionOf(params.id);
        sessions.delete(params.id);
        flows.get(params.id)?.cancel();
        flows.delete(params.id);
        await session.close('closed by the user');
        publishPorts();
        return { closed: true as const };
      });

      routes.add(serialRoutes.sendSerial, async ({ params, body }) => {
        const { session } = sessionOf(params.id);
        let bytes: Uint8Array;
        try {
          bytes = encodeSend(body);
        } catch (error) {
          if (error instanceof HexInputError) throw new DomainError('BAD_HEX', error.message, 'body.hex');
          throw error;
        }
        try {
          await session.write(bytes, body.mode === 'text' ? body.text : body.hex);
        } catch (error) {
          throw new DomainError('SESSION_NOT_OPEN', error instanceof Error ? error.message : String(error));
        }
        return { bytes: bytes.length };
      });

      routes.add(serialRoutes.setSerialSignals, async ({ params, body }) => {
        const { session } = sessionOf(params.id);
        await session.setSignals(body);
        return session.describe();
      });

      routes.add(serialRoutes.serialOutput, ({ params }) => {
        const { chunks, droppedBytes } = sessionOf(params.id).session.output();
        return {
          droppedBytes,
          chunks: chunks.map((c) => ({
            at: c.at,
            direction: c.direction,
            base64: Buffer.from(c.bytes).toString('base64'),
          })),
        };
      });

      routes.add(serialRoutes.serialHistory, ({ params }) => ({
        lines: [...sessionOf(params.id).session.sentHistory()],
      }));

      routes.add(serialRoutes.serialLog, ({ params }) => ({
        contentType: 'text/plain; charset=utf-8',
        fileName: `serial-${params.id}.log`,
        bytes: new Uint8Array(sessionOf(params.id).session.renderLog()),
      }));

      routes.add(serialRoutes.runAtCommand, async ({ params, body }) => {
        const { runner } = sessionOf(params.id);
        try {
          return await runner.run(body.command, body.timeoutMs);
        } catch (error) {
          throw new DomainError('SESSION_NOT_OPEN', error instanceof Error ? error.message : String(error));
        }
      });

      routes.add(serialRoutes.atLibrary, () => ({ commands: atCommandInfos() }));
      routes.add(serialRoutes.listAtScripts, () => ({ scripts: scripts.list() }));
      routes.add(serialRoutes.saveAtScript, ({ params, body }) => scripts.save(params.scriptId, body.name, body.steps));
      routes.add(serialRoutes.deleteAtScript, ({ params }) => {
        if (!scripts.remove(params.scriptId)) {
          throw new DomainError('SCRIPT_NOT_FOUND', `no AT script ${params.scriptId}`, 'scriptId');
        }
        return { deleted: true as const };
      });
      routes.add(serialRoutes.runAtScript, async ({ params }) => {
        const { runner } = sessionOf(params.id);
        const script = scripts.get(params.scriptId);
        if (!script) throw new DomainError('SCRIPT_NOT_FOUND', `no AT script ${params.scriptId}`, 'scriptId');
        try {
          return await runAtScript(runner, clock, script.steps);
        } catch (error) {
          throw new DomainError('SESSION_NOT_OPEN', error instanceof Error ? error.message : String(error));
        }
      });

      const coapListener = (): { port: number; address: string } | undefined => {
        const udp = ports.udp('coap');
        return udp ? { port: udp.port, address: udp.socket.address().address } : undefined;
      };
      const bringUpDeps = options.bringUp;
      const platform = bringUpDeps && createBringUpPlatform({ ...bringUpDeps, bus, clock, coapListener });
      closeBringUp = () => platform?.close();
      const flowOf = (sessionId: string): BringUpFlow => {
        const { runner } = sessionOf(sessionId);
        if (!platform) throw new DomainError('BRING_UP_UNAVAILABLE', 'the bring-up needs the device registry');
        let flow = flows.get(sessionId);
        if (!flow) {
          flow = new BringUpFlow(sessionId, {
            runner,
            platform,
            clock,
            onChange: (state) => {
              const done = state.steps.filter((s) => s.state === 'ok').length;
              const failedStep = state.steps.find((s) => s.state === 'failed');
              bus.publish('task', {
                at: clock.now(),
                taskId: `bring-up-${sessionId}`,
                kind: 'serial.bring-up',
                status: state.running ? 'running' : failedStep ? 'failed' : 'done',
                progress: done / state.steps.length,
                message: failedStep?.message ?? state.steps.find((s) => s.state === 'running')?.id ?? '',
              });
            },
          });
          flows.set(sessionId, flow);
        }
        return flow;
      };

      routes.add(serialRoutes.bringUpAddresses, () => {
        const listener = coapListener();
        return {
          addresses: reachableAddresses(listener?.address),
          ...(listener ? { coapPort: listener.port, bindAddress: listener.address } : {}),
        };
      });
      routes.add(serialRoutes.getBringUp, ({ params }) => flowOf(params.id).snapshot());
      routes.add(serialRoutes.runBringUp, ({ params, body }) => {
        const flow = flowOf(params.id);
        const problem = platform?.productProblem(body.productId);
        if (problem) {
          throw new DomainError(problem.code, problem.message, 'body.productId');
        }
        try {
          flow.run(body).then(
            (state) => {
              const failedStep = state.steps.find((s) => s.state === 'failed');
              logger.info(
                failedStep
                  ? `bring-up on session ${params.id} stopped at "${failedStep.id}": ${failedStep.message ?? ''}`
                  : `bring-up on session ${params.id} finished`,
              );
            },
            (error: unknown) => logger.error({ err: error }, `bring-up on session ${params.id} failed`),
          );
        } catch (error) {
          if (error instanceof BringUpAlreadyRunning) throw new DomainError('BRING_UP_RUNNING', error.message);
          throw error;
        }
        return flow.snapshot();
      });
      routes.add(serialRoutes.cancelBringUp, ({ params }) => {
        const flow = flowOf(params.id);
        flow.cancel();
        return flow.snapshot();
      });

      const socatReason = 'socat is not installed (apt-get install socat); virtual modules need it for a pty pair';
      routes.add(serialRoutes.listVirtualModules, () => {
        const available = socatAvailable();
        return {
          modules: [...virtualModules.values()].map((v) => v.info),
          available,
          ...(available ? {} : { reason: socatReason }),
        };
      });

      routes.add(serialRoutes.startVirtualModule, async ({ body }) => {
        if (!socatAvailable()) throw new DomainError('SOCAT_MISSING', socatReason);
        const id = newId();
        const pty = await createPtyPair(join(dataDir, 'serial-virtual', id));
        try {
          const module = await runModuleOnSerial(
            pty.devicePath,
            { clock, ...(body.imei ? { imei: body.imei } : {}) },
            openLine,
          );
          const info = { id, path: pty.hostPath, imei: module.emulator.imei };
          virtualModules.set(id, { info, pty, module });
          logger.info(`virtual NB-IoT module ${info.imei} on ${info.path}`);
          publishPorts();
          return info;
        } catch (error) {
          await pty.close();
          throw error;
        }
      });

      routes.add(serialRoutes.stopVirtualModule, async ({ params }) => {
        const run = virtualModules.get(params.moduleId);
        if (!run) throw new DomainError('MODULE_NOT_FOUND', `no virtual module ${params.moduleId}`, 'moduleId');
        virtualModules.delete(params.moduleId);
        await run.module.stop();
        await run.pty.close();
        publishPorts();
        return { stopped: true as const };
      });
    },
    async stop() {
      stopWatcher?.();
      for (const flow of flows.values()) flow.cancel();
      flows.clear();
      closeBringUp?.();
      for (const [id, { session }] of sessions) {
        sessions.delete(id);
        await session.close('the workbench stopped');
      }
      for (const [id, run] of virtualModules) {
        virtualModules.delete(id);
        await run.module.stop().catch(() => undefined);
        await run.pty.close();
      }
    },
  };
}
