// `iotwb package software|firmware`: build upgrade packages offline.
import type { CliCommand } from '../../cli.js';
import { softwareBuildSchema } from '../../contract/packages.js';
import { buildFirmwarePackage, buildSoftwarePackage, PackageBuildError } from './package-builder.js';

export const packageCommand: CliCommand = {
  summary: 'Build a software (UpgradeDesc.json) or firmware (.bin in .zip) upgrade package',
  usage: `iotwb package software --file F --version V --device-type T --manufacturer M --model X --protocol CoAP|LWM2M|MQTT
                      [--shard 500] [--check-code ABCD] [--platform linux] [--source-versions 'V1.*;V2.0']
                      [--description D] [--date yyyy-MM-dd] [--out FILE.zip] [--json]
       iotwb package firmware --file F.bin [--out FILE.zip] [--json]`,
  options: {
    file: { type: 'string' },
    version: { type: 'string' },
    'device-type': { type: 'string' },
    manufacturer: { type: 'string' },
    model: { type: 'string' },
    protocol: { type: 'string' },
    shard: { type: 'string' },
    'check-code': { type: 'string' },
    platform: { type: 'string' },
    'source-versions': { type: 'string' },
    description: { type: 'string' },
    date: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    const kind = positionals[0];
    const str = (name: string): string | undefined => {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    };
    if ((kind !== 'software' && kind !== 'firmware') || positionals.length !== 1) {
      io.err('iotwb package: say software or firmware');
      return 2;
    }
    if (!str('file')) {
      io.err('iotwb package: --file is needed');
      return 2;
    }
    try {
      let result;
      if (kind === 'firmware') {
        result = await buildFirmwarePackage(str('file')!, str('out'));
      } else {
        const shard = str('shard');
        const parsed = softwareBuildSchema.safeParse({
          filePath: str('file'),
          version: str('version') ?? '',
          deviceType: str('device-type') ?? '',
          manufacturerName: str('manufacturer') ?? '',
          model: str('model') ?? '',
          protocolType: str('protocol'),
          deviceShard: shard === undefined ? undefined : Number(shard),
          versionCheckCode: str('check-code'),
          platform: str('platform'),
          supportSourceVersionList: str('source-versions'),
          description: str('description'),
          date: str('date'),
          outputPath: str('out'),
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          io.err(`iotwb package: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
          return 1;
        }
        result = await buildSoftwarePackage(parsed.data);
      }
      if (values.json === true) io.out(JSON.stringify({ ok: true, ...result }));
      else io.out(`Wrote ${result.outputPath} (${result.entries.join(', ')})`);
      return 0;
    } catch (error) {
      if (error instanceof PackageBuildError) {
        io.err(`iotwb package: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
