// A dashed box a file is dropped on or picked into: what it takes in words, and a button that opens the picker.
import { Button, Group, Paper, Stack, Text, type MantineSpacing } from '@mantine/core';
import { IconFileZip, IconUpload } from '@tabler/icons-react';
import { useRef, useState, type DragEvent, type ReactNode } from 'react';

export interface FileDropzoneProps {
  /** Called with the dropped or picked file (the first one when several are dropped). */
  onFile: (file: File) => void;
  /** The first line: what to drop, or the file chosen. */
  title: ReactNode;
  hint: ReactNode;
  /** The picker button's text. */
  chooseLabel: string;
  /** The hidden file input's accessible name; the button's text when not given. */
  inputLabel?: string;
  /** `accept` of the file picker, e.g. ".zip,application/zip". */
  accept?: string;
  loading?: boolean;
  /** Shows the box's border red. */
  invalid?: boolean;
  /** `md` for a box of its own on a page, `sm` inside a form. */
  size?: 'md' | 'sm';
  p?: MantineSpacing;
  testId?: string;
  titleTestId?: string;
  inputTestId?: string;
}

export function FileDropzone({
  onFile,
  title,
  hint,
  chooseLabel,
  inputLabel,
  accept,
  loading = false,
  invalid = false,
  size = 'md',
  p = 'lg',
  testId,
  titleTestId,
  inputTestId,
}: FileDropzoneProps) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const take = (file: File | undefined) => {
    if (file) onFile(file);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    take(event.dataTransfer.files[0]);
  };
  return (
    <Paper
      withBorder
      p={p}
      radius="md"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      style={{
        borderStyle: 'dashed',
        borderColor: invalid ? 'var(--mantine-color-red-6)' : dragging ? 'var(--mantine-color-blue-5)' : undefined,
        background: dragging ? 'var(--mantine-color-blue-light)' : undefined,
      }}
      data-testid={testId}
    >
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" wrap="nowrap" miw={0}>
          <IconFileZip size={size === 'md' ? 28 : 26} stroke={1.5} aria-hidden style={{ flexShrink: 0 }} />
          <Stack gap={0} miw={0}>
            <Text
              size={size === 'md' ? undefined : 'sm'}
              fw={500}
              style={{ overflowWrap: 'anywhere' }}
              data-testid={titleTestId}
            >
              {title}
            </Text>
            <Text size={size === 'md' ? 'sm' : 'xs'} c="dimmed">
              {hint}
            </Text>
          </Stack>
        </Group>
        <Button
          variant="light"
          leftSection={<IconUpload size={16} />}
          style={{ flexShrink: 0 }}
          loading={loading}
          onClick={() => input.current?.click()}
        >
          {chooseLabel}
        </Button>
      </Group>
      <input
        ref={input}
        type="file"
        accept={accept}
        hidden
        aria-label={inputLabel ?? chooseLabel}
        data-testid={inputTestId}
        onChange={(e) => {
          take(e.currentTarget.files?.[0]);
          e.currentTarget.value = '';
        }}
      />
    </Paper>
  );
}
