// A value shown as monospace text with a button that copies it.
import { ActionIcon, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

export interface CopyableValueProps {
  value: string;
  /** What the value is, for screen readers and the tooltip ("MQTT URL"). */
  label?: string;
  size?: 'xs' | 'sm' | 'md';
}

export function CopyableValue({ value, label, size = 'sm' }: CopyableValueProps) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="nowrap" miw={0}>
      <Text ff="monospace" size={size} style={{ overflowWrap: 'anywhere' }} data-testid="copyable-value">
        {value}
      </Text>
      <CopyButton value={value} timeout={1500}>
        {({ copied, copy }) => {
          const text = copied ? t('common.copied') : label ? t('common.copyWhat', { what: label }) : t('common.copy');
          return (
            <Tooltip label={text} withArrow position="right">
              <ActionIcon color={copied ? 'teal' : 'gray'} size="sm" onClick={copy} aria-label={text}>
                {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              </ActionIcon>
            </Tooltip>
          );
        }}
      </CopyButton>
    </Group>
  );
}
