// "Add as codec sample": the selected frame's codec input becomes a sample of the device's codec, with the
// current decode as the expected output, so a later codec version is checked against what this device sent.
import { Alert, Anchor, Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { TrafficFrameDetail } from '../../../core/contract/index.js';
import { useAddSample } from '../codecs/codecQueries.js';

type DecodedFrame = TrafficFrameDetail & {
  codec: NonNullable<TrafficFrameDetail['codec']> & {
    message: NonNullable<NonNullable<TrafficFrameDetail['codec']>['message']>;
  };
};

function isDecoded(frame: TrafficFrameDetail | undefined): frame is DecodedFrame {
  return frame?.codec?.status === 'decoded' && frame.codec.message !== undefined;
}

function AddSampleModal({ frame, onClose }: { frame: DecodedFrame; onClose: () => void }) {
  const { t } = useTranslation();
  const { codec } = frame;
  const [name, setName] = useState(() =>
    t('traffic.sample.defaultName', { seq: frame.seq, device: frame.deviceId ?? '?' }),
  );
  const add = useAddSample(codec.productId);
  const codecPage = `/products/${encodeURIComponent(codec.productId)}/codec`;

  return (
    <Modal opened onClose={onClose} title={t('traffic.sample.title')} size="lg">
      {add.isSuccess ? (
        <Stack>
          <Alert color="green" variant="light" data-testid="codec-sample-added">
            {t('traffic.sample.added', { name: add.data.name })}
          </Alert>
          <Group justify="flex-end">
            <Anchor component={Link} to={codecPage} data-testid="open-codec-page">
              {t('traffic.sample.openCodec')}
            </Anchor>
            <Button variant="default" onClick={onClose}>
              {t('traffic.sample.close')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate({
              direction: 'uplink',
              name: name.trim(),
              hex: codec.payloadHex,
              ...(codec.topic ? { topic: codec.topic } : {}),
              expected: codec.message,
            });
          }}
        >
          <Stack gap="sm">
            <Text size="sm">
              {t('traffic.sample.explain', { version: codec.version, product: codec.productName ?? codec.productId })}
            </Text>
            <TextInput
              label={t('traffic.sample.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={128}
              required
              data-autofocus
            />
            <Text size="xs" fw={600}>
              {t('traffic.sample.input')}
            </Text>
            <Code block>{codec.payloadHex}</Code>
            <Text size="xs" fw={600}>
              {t('traffic.sample.expected')}
            </Text>
            <Code block style={{ maxHeight: 200, overflow: 'auto' }}>
              {JSON.stringify(codec.message, null, 2)}
            </Code>
            {add.isError ? (
              <Alert color="red" variant="light">
                {add.error.message}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('traffic.sample.cancel')}
              </Button>
              <Button type="submit" loading={add.isPending} disabled={!name.trim()}>
                {t('traffic.sample.confirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** The button of the details pane for frames the device's codec decodes; disabled while decoding or on an error. */
export function AddCodecSampleButton({ frame }: { frame: TrafficFrameDetail | undefined }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!frame?.codec) return null;
  const reason =
    frame.codec.status === 'pending'
      ? t('traffic.sample.pending')
      : frame.codec.status === 'error'
        ? t('traffic.sample.decodeFailed')
        : undefined;
  return (
    <>
      <Button
        size="compact-xs"
        variant="subtle"
        leftSection={<IconFlask size={12} />}
        disabled={!isDecoded(frame)}
        title={reason}
        onClick={() => setOpen(true)}
      >
        {t('traffic.sample.button')}
      </Button>
      {open && isDecoded(frame) ? <AddSampleModal frame={frame} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
