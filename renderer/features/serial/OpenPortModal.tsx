// Open a port: path (free entry for any device), baud (common list or any number), framing, flow control, options.
import { Alert, Autocomplete, Button, Checkbox, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { commonBaudRates } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useOpenSession } from './serialQueries.js';

type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
type Flow = 'none' | 'rtscts' | 'xonxoff';

interface OpenPortProps {
  path: string | undefined;
  onClose: () => void;
  onOpened: (id: string) => void;
}

export function OpenPortModal(props: OpenPortProps) {
  const { t } = useTranslation();
  return (
    <Modal opened={props.path !== undefined} onClose={props.onClose} title={t('serial.open.title')}>
      {/* Remounted per opening, so every dialog starts fresh without resetting state in an effect. */}
      {props.path !== undefined && <OpenPortForm key={props.path} {...props} initialPath={props.path} />}
    </Modal>
  );
}

function OpenPortForm(props: OpenPortProps & { initialPath: string }) {
  const { t } = useTranslation();
  const open = useOpenSession();
  const [path, setPath] = useState(props.initialPath);
  const [baud, setBaud] = useState('115200');
  const [dataBits, setDataBits] = useState('8');
  const [parity, setParity] = useState<Parity>('none');
  const [stopBits, setStopBits] = useState('1');
  const [flow, setFlow] = useState<Flow>('none');
  const [reconnect, setReconnect] = useState(true);
  const [logToFile, setLogToFile] = useState(false);

  const baudNumber = Number(baud);
  const baudError = !Number.isInteger(baudNumber) || baudNumber < 50 ? t('serial.open.baudInvalid') : undefined;

  const submit = () => {
    if (baudError || path.trim() === '') return;
    open.mutate(
      {
        path: path.trim(),
        baudRate: baudNumber,
        dataBits: Number(dataBits) as 5 | 6 | 7 | 8,
        parity,
        stopBits: Number(stopBits) as 1 | 1.5 | 2,
        flowControl: flow,
        reconnect,
        logToFile,
      },
      { onSuccess: (session) => props.onOpened(session.id) },
    );
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <TextInput
          label={t('serial.open.path')}
          placeholder="/dev/ttyUSB0"
          value={path}
          onChange={(e) => setPath(e.currentTarget.value)}
          required
          data-autofocus
        />
        <Autocomplete
          label={t('serial.open.baud')}
          description={t('serial.open.baudHint')}
          data={commonBaudRates.map(String)}
          value={baud}
          onChange={setBaud}
          error={baudError}
        />
        <Group grow>
          <Select
            label={t('serial.open.dataBits')}
            data={['5', '6', '7', '8']}
            value={dataBits}
            onChange={(v) => setDataBits(v ?? '8')}
            allowDeselect={false}
          />
          <Select
            label={t('serial.open.parity')}
            data={(['none', 'even', 'odd', 'mark', 'space'] as const).map((v) => ({
              value: v,
              label: t(`serial.open.parities.${v}`),
            }))}
            value={parity}
            onChange={(v) => setParity(v ?? 'none')}
            allowDeselect={false}
          />
          <Select
            label={t('serial.open.stopBits')}
            data={['1', '1.5', '2']}
            value={stopBits}
            onChange={(v) => setStopBits(v ?? '1')}
            allowDeselect={false}
          />
        </Group>
        <Select
          label={t('serial.open.flow')}
          data={(['none', 'rtscts', 'xonxoff'] as const).map((v) => ({
            value: v,
            label: t(`serial.open.flows.${v}`),
          }))}
          value={flow}
          onChange={(v) => setFlow(v ?? 'none')}
          allowDeselect={false}
        />
        <Checkbox
          label={t('serial.open.reconnect')}
          checked={reconnect}
          onChange={(e) => setReconnect(e.currentTarget.checked)}
        />
        <Checkbox
          label={t('serial.open.logToFile')}
          checked={logToFile}
          onChange={(e) => setLogToFile(e.currentTarget.checked)}
        />
        {open.isError && (
          <Alert color="red" variant="light" role="alert">
            {describeApiError(open.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('serial.open.cancel')}
          </Button>
          <Button type="submit" loading={open.isPending} disabled={path.trim() === '' || baudError !== undefined}>
            {t('serial.open.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
