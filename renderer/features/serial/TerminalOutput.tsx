// Virtualised terminal output: fixed-height rows, only the visible ones rendered; autoscroll follows new lines.
import { Box, Text } from '@mantine/core';
import { useLayoutEffect, useRef, useState } from 'react';
import { formatClock, lineHex, lineText, type TerminalLine } from './terminalLines.js';

const ROW = 20;

export function TerminalOutput(props: {
  lines: readonly TerminalLine[];
  version: number;
  timestamps: boolean;
  hex: boolean;
  autoscroll: boolean;
  height: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const total = props.lines.length;

  useLayoutEffect(() => {
    const el = box.current;
    if (el && props.autoscroll) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  }, [props.version, props.autoscroll, total]);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - 10);
  const last = Math.min(total, first + Math.ceil(props.height / ROW) + 20);
  const visible = props.lines.slice(first, last);

  return (
    <Box
      ref={box}
      role="log"
      aria-label={props.label}
      aria-live="off"
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      style={{
        height: props.height,
        overflowY: 'auto',
        fontFamily: 'var(--mantine-font-family-monospace)',
        fontSize: 13,
        background: 'var(--mantine-color-default-hover)',
        borderRadius: 4,
        position: 'relative',
      }}
    >
      <div style={{ height: total * ROW, position: 'relative' }}>
        {visible.map((line, i) => (
          <div
            key={line.id}
            data-testid="terminal-line"
            style={{
              position: 'absolute',
              top: (first + i) * ROW,
              height: ROW,
              left: 0,
              right: 0,
              whiteSpace: 'pre',
              padding: '0 8px',
              lineHeight: `${ROW}px`,
              color: line.direction === 'out' ? 'var(--mantine-color-blue-text)' : undefined,
            }}
          >
            {props.timestamps && (
              <Text span c="dimmed" inherit>
                {formatClock(line.at)} {line.direction === 'out' ? '→' : '←'}{' '}
              </Text>
            )}
            {props.hex ? lineHex(line.bytes) : lineText(line.bytes)}
          </div>
        ))}
      </div>
    </Box>
  );
}
