// Hex + ASCII bytes of the selected frame; the selected field's bytes are highlighted, a click on a byte selects its field.
import { Box } from '@mantine/core';
import { useTranslation } from 'react-i18next';

interface HexViewProps {
  bytes: Uint8Array;
  highlight: [number, number] | undefined;
  onByteClick: (offset: number) => void;
}

const PER_ROW = 16;
/** Large frames show their first bytes only; the copy buttons still give all of them. */
const MAX_BYTES = 64 * 1024;

export function HexView({ bytes, highlight, onByteClick }: HexViewProps) {
  const { t } = useTranslation();
  const shown = bytes.subarray(0, MAX_BYTES);
  const rows: number[] = [];
  for (let i = 0; i < shown.length; i += PER_ROW) rows.push(i);
  const lit = (i: number) => highlight !== undefined && i >= highlight[0] && i < highlight[1];
  const cell = (i: number, text: string, kind: 'hex' | 'ascii') => (
    <span
      key={`${kind}${i}`}
      data-testid={kind === 'hex' ? 'hex-byte' : undefined}
      data-offset={i}
      data-highlighted={lit(i) || undefined}
      onClick={() => onByteClick(i)}
      style={{
        cursor: 'pointer',
        background: lit(i) ? 'var(--mantine-color-yellow-filled)' : undefined,
        color: lit(i) ? 'var(--mantine-color-black)' : undefined,
      }}
    >
      {text}
    </span>
  );
  return (
    <Box
      data-testid="hex-view"
      aria-label={t('traffic.bytesLabel')}
      style={{
        fontFamily: 'var(--mantine-font-family-monospace)',
        fontSize: 'var(--mantine-font-size-xs)',
        lineHeight: '18px',
        whiteSpace: 'pre',
      }}
    >
      {rows.map((start) => {
        const slice = Array.from(shown.subarray(start, start + PER_ROW));
        return (
          <div key={start}>
            <span style={{ color: 'var(--mantine-color-dimmed)' }}>{start.toString(16).padStart(4, '0')} </span>
            {slice.map((b, j) => cell(start + j, b.toString(16).padStart(2, '0') + ' ', 'hex'))}
            {' '.repeat((PER_ROW - slice.length) * 3 + 1)}
            {slice.map((b, j) => cell(start + j, b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.', 'ascii'))}
          </div>
        );
      })}
      {bytes.length > MAX_BYTES ? <div>{t('traffic.bytesTruncated', { count: bytes.length - MAX_BYTES })}</div> : null}
    </Box>
  );
}
