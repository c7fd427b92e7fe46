// A small coloured badge for a state: ok, warning, error, neutral or busy.
import { Badge, type BadgeProps } from '@mantine/core';
import type { ComponentPropsWithoutRef, ReactNode } from 'react';

export type StatusTone = 'ok' | 'warning' | 'error' | 'neutral' | 'busy';

const toneColor: Record<StatusTone, string> = {
  ok: 'teal',
  warning: 'yellow',
  error: 'red',
  neutral: 'gray',
  busy: 'blue',
};

export interface StatusBadgeProps
  extends
    Omit<BadgeProps, 'color' | 'children'>,
    Omit<ComponentPropsWithoutRef<'div'>, 'color' | 'children' | 'style'> {
  tone: StatusTone;
  children: ReactNode;
  title?: string;
}

export function StatusBadge({ tone, children, variant = 'light', ...rest }: StatusBadgeProps) {
  return (
    <Badge color={toneColor[tone]} variant={variant} tt="none" {...rest}>
      {children}
    </Badge>
  );
}
