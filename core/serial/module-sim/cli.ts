// `iotwb module-sim --serial PATH [--imei N]`: a simulated NB-IoT module answering AT commands on a serial device.
import type { CliCommand } from '../../cli.js';
import { systemClock } from '../../clock.js';
import { DEFAULT_IMEI } from './module-emulator.js';
import { runModuleOnSerial } from './serial-module.js';

export const moduleSimCommand: CliCommand = {
  summary: 'Simulate an NB-IoT module (AT commands) on a serial device',
  usage: `iotwb module-sim --serial PATH [--imei N] [--baud N]
  --serial PATH   serial device to answer on (a USB adapter, or one end of a socat pty pair)
  --imei N        15-digit IMEI the module reports (default ${DEFAULT_IMEI})
  --baud N        baud rate (default 9600)
It registers over LwM2M/CoAP (endpoint = IMEI) with the server AT+NCDP names, after AT+NRB or AT+CFUN=1;
AT+NMGS becomes a notify on /19/0/0 and writes on /19/1/0 arrive as +NNMI.
Stops on Ctrl+C or when the device goes away.`,
  options: {
    serial: { type: 'string' },
    imei: { type: 'string' },
    baud: { type: 'string' },
  },
  async run({ values }, io) {
    const path = values.serial;
    if (typeof path !== 'string' || path === '') {
      io.err('module-sim: --serial PATH is required');
      return 2;
    }
    const imei = typeof values.imei === 'string' ? values.imei : DEFAULT_IMEI;
    if (!/^\d{15}$/.test(imei)) {
      io.err(`module-sim: --imei must be 15 digits, got "${imei}"`);
      return 2;
    }
    const baudRate = typeof values.baud === 'string' ? Number(values.baud) : 9600;
    if (!Number.isInteger(baudRate) || baudRate <= 0) {
      io.err(`module-sim: --baud must be a positive whole number, got "${String(values.baud)}"`);
      return 2;
    }
    let running;
    try {
      running = await runModuleOnSerial(path, { imei, clock: systemClock, baudRate });
    } catch (error) {
      io.err(`module-sim: cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    io.out(`module-sim: NB-IoT module ${imei} answering on ${path} at ${baudRate} baud`);
    const stopped = new Promise<void>((resolve) => {
      const stop = () => void running.stop().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await Promise.race([stopped, running.closed]);
    io.out('module-sim: stopped');
    return 0;
  },
};
