// The Flash tab: detect the chip, choose images at offsets (ESP layouts prefilled), flash with live bytes/s,
// the verify result, a guided manual boot on "wrong boot mode", the log, and the recent operations.
import {
  ActionIcon,
  Alert,
  Autocomplete,
  Badge,
  Button,
  Checkbox,
  Code,
  FileButton,
  Group,
  Paper,
  Progress,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconBolt, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlashChipInfo, FlashOperation } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useDetectChip, useFlashOperations, useFlashProgress, useStartFlash } from './flashQueries.js';
import { useSerialPorts } from './serialQueries.js';
import { usePackageList } from '../packages/packageQueries.js';

type Chip = 'auto' | 'esp32' | 'esp8266' | 'stm32';
type Reset = 'auto' | 'manual' | 'usb-jtag';

interface ImageRow {
  key: number;
  label: string;
  offset: string;
  /** Either a file (unsigned) or a package from the library (verified before it is written). */
  file: File | null;
  packageId: string | null;
}

/** The usual layouts: ESP-IDF/Arduino on ESP32 (bootloader, partition table, app), one image on ESP8266 and STM32. */
const layouts: Record<'esp32' | 'esp8266' | 'stm32', { label: string; offset: string }[]> = {
  esp32: [
    { label: 'bootloader', offset: '0x1000' },
    { label: 'partitionTable', offset: '0x8000' },
    { label: 'app', offset: '0x10000' },
  ],
  esp8266: [{ label: 'app', offset: '0x0' }],
  stm32: [{ label: 'app', offset: '0x08000000' }],
};

let nextKey = 1;
const rowsFor = (chip: Chip): ImageRow[] =>
  layouts[chip === 'auto' ? 'esp32' : chip].map((l) => ({
    key: nextKey++,
    label: l.label,
    offset: l.offset,
    file: null,
    packageId: null,
  }));

const parseOffset = (text: string): number | null => {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (/^\d+$/.test(t)) return Number(t);
  return null;
};

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const bootCodes = new Set(['FLASH_WRONG_BOOT_MODE', 'FLASH_NO_BOOTLOADER']);

export function FlashPanel() {
  const { t } = useTranslation();
  const ports = useSerialPorts();
  const detect = useDetectChip();
  const start = useStartFlash();
  const operations = useFlashOperations();
  const [port, setPort] = useState('');
  const [chip, setChip] = useState<Chip>('auto');
  const [baud, setBaud] = useState('460800');
  const [reset, setReset] = useState<Reset>('auto');
  const [rows, setRows] = useState<ImageRow[]>(() => rowsFor('auto'));
  const [verify, setVerify] = useState(true);
  const [eraseAll, setEraseAll] = useState(false);
  const [hardReset, setHardReset] = useState(true);
  const [allowUnsigned, setAllowUnsigned] = useState(false);
  const library = usePackageList();
  const packages = library.data?.packages ?? [];
  const [operationId, setOperationId] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const progress = useFlashProgress(operationId);
  const current = operations.data?.operations.find((o) => o.id === operationId);

  const connect = () => ({
    port: port.trim(),
    chip,
    baudRate: chip === 'stm32' ? 115200 : Number(baud),
    reset,
    parity: 'even' as const,
  });

  const chooseChip = (value: Chip) => {
    setChip(value);
    setRows(rowsFor(value));
  };

  const flash = async (override?: { reset: Reset }) => {
    setFormError(undefined);
    const chosen = rows.filter((r) => r.file !== null || r.packageId !== null);
    for (const r of chosen) {
      if (parseOffset(r.offset) === null) {
        setFormError(t('serial.flash.badOffset', { offset: r.offset }));
        return;
      }
    }
    if (chosen.length === 0 && !eraseAll) {
      setFormError(t('serial.flash.nothingToDo'));
      return;
    }
    const images = await Promise.all(
      chosen.map(async (r) =>
        r.packageId !== null
          ? { offset: parseOffset(r.offset) ?? 0, packageId: r.packageId }
          : {
              offset: parseOffset(r.offset) ?? 0,
              name: r.file!.name,
              format: /\.(hex|ihex)$/i.test(r.file!.name) ? ('hex' as const) : ('bin' as const),
              base64: await toBase64(r.file!),
            },
      ),
    );
    start.mutate(
      { ...connect(), ...(override ?? {}), images, verify, eraseAll, hardReset, allowUnsigned },
      { onSuccess: (op) => setOperationId(op.id) },
    );
  };

  const last = progress.last;
  const running = start.isPending || (current?.status ?? last?.status) === 'running';
  const share = last && last.total > 0 ? (100 * last.written) / last.total : 0;
  const failed = current?.status === 'failed' ? current.error : undefined;
  const hasFiles = rows.some((r) => r.file !== null);

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, md: 4 }}>
            <Autocomplete
              label={t('serial.flash.port')}
              data-testid="flash-port"
              placeholder="/dev/ttyUSB0"
              data={(ports.data?.ports ?? []).map((p) => p.path)}
              value={port}
              onChange={setPort}
            />
            <Select
              label={t('serial.flash.chip')}
              value={chip}
              onChange={(v) => chooseChip(v ?? 'auto')}
              allowDeselect={false}
              data={[
                { value: 'auto', label: t('serial.flash.chipAuto') },
                { value: 'esp32', label: 'ESP32' },
                { value: 'esp8266', label: 'ESP8266' },
                { value: 'stm32', label: 'STM32 (UART bootloader)' },
              ]}
            />
            <Select
              label={t('serial.flash.baud')}
              data-testid="flash-baud"
              value={chip === 'stm32' ? '115200' : baud}
              disabled={chip === 'stm32'}
              onChange={(v) => setBaud(v ?? '460800')}
              allowDeselect={false}
              data={['115200', '230400', '460800', '921600']}
            />
            <Select
              label={t('serial.flash.reset')}
              value={reset}
              onChange={(v) => setReset(v ?? 'auto')}
              allowDeselect={false}
              data={[
                { value: 'auto', label: t('serial.flash.resetAuto') },
                { value: 'manual', label: t('serial.flash.resetManual') },
                { value: 'usb-jtag', label: t('serial.flash.resetUsbJtag') },
              ]}
            />
          </SimpleGrid>
          {reset === 'manual' && (
            <Text size="sm" c="dimmed">
              {chip === 'stm32' ? t('serial.flash.manualStm32') : t('serial.flash.manualEsp')}
            </Text>
          )}
          <Group>
            <Button
              variant="light"
              leftSection={<IconSearch size={16} />}
              disabled={port.trim() === '' || running}
              loading={detect.isPending}
              onClick={() => detect.mutate(connect())}
            >
              {t('serial.flash.detect')}
            </Button>
          </Group>
          {detect.data && <ChipCard info={detect.data} />}
          {detect.error && <Alert color="red">{describeApiError(detect.error).message}</Alert>}
        </Stack>
      </Paper>

      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4}>{t('serial.flash.images')}</Title>
            <Button
              size="xs"
              variant="subtle"
              leftSection={<IconPlus size={14} />}
              onClick={() =>
                setRows((r) => [...r, { key: nextKey++, label: 'image', offset: '0x0', file: null, packageId: null }])
              }
            >
              {t('serial.flash.addImage')}
            </Button>
          </Group>
          {rows.map((row) => (
            <Stack key={row.key} gap={2} data-testid="flash-image-row">
              <Group align="end" wrap="nowrap">
                <Text size="sm" w={150}>
                  {t(`serial.flash.part.${row.label}`)}
                </Text>
                <TextInput
                  label={t('serial.flash.offset')}
                  w={140}
                  ff="monospace"
                  value={row.offset}
                  onChange={(e) => {
                    const offset = e.currentTarget.value;
                    setRows((rs) => rs.map((r) => (r.key === row.key ? { ...r, offset } : r)));
                  }}
                />
                <FileButton
                  accept=".bin,.hex,.ihex,application/octet-stream"
                  onChange={(file) =>
                    setRows((rs) => rs.map((r) => (r.key === row.key ? { ...r, file, packageId: null } : r)))
                  }
                >
                  {(props) => (
                    <Button
                      variant="default"
                      {...props}
                      aria-label={t('serial.flash.chooseFileFor', { part: t(`serial.flash.part.${row.label}`) })}
                    >
                      {t('serial.flash.chooseFile')}
                    </Button>
                  )}
                </FileButton>
                <Select
                  style={{ flex: 1 }}
                  placeholder={t('serial.flash.fromLibrary')}
                  aria-label={t('serial.flash.fromLibraryFor', { part: t(`serial.flash.part.${row.label}`) })}
                  data={packages.map((p) => ({ value: p.id, label: `${p.name} · ${p.version}` }))}
                  value={row.packageId}
                  clearable
                  searchable
                  nothingFoundMessage={t('serial.flash.noPackages')}
                  onChange={(packageId) =>
                    setRows((rs) =>
                      rs.map((r) => (r.key === row.key ? { ...r, packageId, file: packageId ? null : r.file } : r)),
                    )
                  }
                />
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={t('serial.flash.removeImage')}
                  onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
              <Text size="xs" ff="monospace" pl={166} c={row.file ? 'orange.8' : 'dimmed'} truncate>
                {row.file
                  ? `${row.file.name} (${row.file.size.toLocaleString()} B) · ${t('serial.flash.unsignedTag')}`
                  : row.packageId
                    ? t('serial.flash.signedTag')
                    : t('serial.flash.noFile')}
              </Text>
            </Stack>
          ))}
          <Group>
            <Checkbox
              label={t('serial.flash.verify')}
              checked={verify}
              onChange={(e) => setVerify(e.currentTarget.checked)}
            />
            <Checkbox
              label={t('serial.flash.eraseAll')}
              checked={eraseAll}
              onChange={(e) => setEraseAll(e.currentTarget.checked)}
            />
            <Checkbox
              label={t('serial.flash.hardReset')}
              checked={hardReset}
              onChange={(e) => setHardReset(e.currentTarget.checked)}
            />
          </Group>
          {hasFiles && (
            <Alert color="yellow" p="xs" data-testid="flash-unsigned">
              <Checkbox
                label={t('serial.flash.allowUnsigned')}
                checked={allowUnsigned}
                onChange={(e) => setAllowUnsigned(e.currentTarget.checked)}
              />
            </Alert>
          )}
          {formError && <Alert color="yellow">{formError}</Alert>}
          {start.error && <Alert color="red">{describeApiError(start.error).message}</Alert>}
          <Group>
            <Button
              leftSection={<IconBolt size={16} />}
              disabled={port.trim() === '' || (hasFiles && !allowUnsigned)}
              loading={running}
              onClick={() => void flash()}
            >
              {t('serial.flash.start')}
            </Button>
          </Group>
        </Stack>
      </Paper>

      {operationId && (
        <Paper withBorder p="md" data-testid="flash-progress">
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600}>
                {current?.status === 'failed'
                  ? t('serial.flash.phase.failed')
                  : last
                    ? t(`serial.flash.phase.${last.phase}`)
                    : t('serial.flash.phase.connect')}
              </Text>
              <Text size="sm" ff="monospace">
                {last && !failed
                  ? `${last.written.toLocaleString()} / ${last.total.toLocaleString()} B · ${(last.bytesPerSecond / 1024).toFixed(1)} KiB/s`
                  : ''}
              </Text>
            </Group>
            <Progress value={current?.status === 'ok' ? 100 : share} animated={running} />
            {current?.status === 'ok' && (
              <Alert color="green" title={t('serial.flash.doneTitle')}>
                {current.verified ? t('serial.flash.verifiedOk') : t('serial.flash.notVerified')}{' '}
                {t('serial.flash.took', { seconds: ((current.durationMs ?? 0) / 1000).toFixed(1) })}
              </Alert>
            )}
            {failed && (
              <Alert
                color="red"
                title={t(`serial.flash.error.${failed.code}`, { defaultValue: t('serial.flash.error.other') })}
              >
                <Stack gap="xs">
                  {bootCodes.has(failed.code) && (
                    <>
                      <Text size="sm">
                        {chip === 'stm32' ? t('serial.flash.manualStm32') : t('serial.flash.manualEsp')}
                      </Text>
                      <Group>
                        <Button
                          size="xs"
                          onClick={() => {
                            setReset('manual');
                            void flash({ reset: 'manual' });
                          }}
                        >
                          {t('serial.flash.retryManual')}
                        </Button>
                      </Group>
                    </>
                  )}
                  <Text
                    size={bootCodes.has(failed.code) ? 'xs' : 'sm'}
                    c={bootCodes.has(failed.code) ? 'dimmed' : undefined}
                  >
                    {failed.message}
                  </Text>
                </Stack>
              </Alert>
            )}
            <FlashLog lines={current && current.status !== 'running' ? current.log : progress.lines} />
          </Stack>
        </Paper>
      )}

      <Paper withBorder p="md">
        <Title order={4} mb="sm">
          {t('serial.flash.recent')}
        </Title>
        <OperationsTable operations={operations.data?.operations ?? []} />
      </Paper>
    </Stack>
  );
}

function FlashLog({ lines }: { lines: string[] }) {
  const viewport = useRef<HTMLDivElement>(null);
  // Follow the newest line, as a terminal does.
  useEffect(() => {
    viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [lines]);
  return (
    <ScrollArea h={160} type="auto" viewportRef={viewport}>
      <Code block data-testid="flash-log">
        {lines.join('\n') || ' '}
      </Code>
    </ScrollArea>
  );
}

function ChipCard({ info }: { info: FlashChipInfo }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="sm" bg="var(--mantine-color-default-hover)" data-testid="flash-chip">
      <Group gap="lg">
        <Badge size="lg">{info.chip.toUpperCase()}</Badge>
        <Text size="sm">{info.description}</Text>
        {info.mac && (
          <Text size="sm">
            {t('serial.flash.mac')}: <Code>{info.mac}</Code>
          </Text>
        )}
        {info.flashSize && (
          <Text size="sm">
            {t('serial.flash.flashSize')}: {info.flashSize}
          </Text>
        )}
        {info.flashId && (
          <Text size="sm">
            {t('serial.flash.flashId')}: <Code>{info.flashId}</Code>
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {info.details.join(' · ')}
      </Text>
    </Paper>
  );
}

function OperationsTable({ operations }: { operations: FlashOperation[] }) {
  const { t } = useTranslation();
  if (operations.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('serial.flash.noOperations')}
      </Text>
    );
  return (
    <Table striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('serial.flash.when')}</Table.Th>
          <Table.Th>{t('serial.flash.port')}</Table.Th>
          <Table.Th>{t('serial.flash.chip')}</Table.Th>
          <Table.Th>{t('serial.flash.imagesColumn')}</Table.Th>
          <Table.Th>{t('serial.flash.signatureColumn')}</Table.Th>
          <Table.Th>{t('serial.flash.result')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {operations.slice(0, 10).map((op) => (
          <Table.Tr key={op.id}>
            <Table.Td>{new Date(op.startedAt).toLocaleString()}</Table.Td>
            <Table.Td ff="monospace">{op.port.split('/').pop()}</Table.Td>
            <Table.Td>{op.chipDescription ?? op.chip}</Table.Td>
            <Table.Td ff="monospace">{op.images.map((i) => `0x${i.offset.toString(16)}`).join(' ')}</Table.Td>
            <Table.Td>
              {op.images.map((i) => (
                <Text key={i.offset} size="xs" c={i.signedBy ? undefined : 'dimmed'}>
                  {i.signedBy
                    ? t('serial.flash.signedBy', { version: i.packageVersion, key: i.signedBy.slice(0, 16) })
                    : t('serial.flash.unsignedTag')}
                </Text>
              ))}
            </Table.Td>
            <Table.Td>
              <Badge color={op.status === 'ok' ? 'green' : op.status === 'failed' ? 'red' : 'blue'} variant="light">
                {t(`serial.flash.status.${op.status}`)}
              </Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
