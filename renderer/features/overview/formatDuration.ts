// Uptime as the two largest units ("3 h 12 min"), in the current language.
import type { TFunction } from 'i18next';

export function splitDuration(ms: number): { days: number; hours: number; minutes: number; seconds: number } {
  const total = Math.max(0, Math.floor(ms / 1000));
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

export function formatDuration(ms: number, t: TFunction): string {
  const { days, hours, minutes, seconds } = splitDuration(ms);
  if (days > 0) return t('duration.daysHours', { days, hours });
  if (hours > 0) return t('duration.hoursMinutes', { hours, minutes });
  if (minutes > 0) return t('duration.minutesSeconds', { minutes, seconds });
  return t('duration.seconds', { seconds });
}
