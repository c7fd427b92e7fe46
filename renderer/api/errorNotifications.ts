// Turns a failed API call into a notification a person can act on.
import { notifications } from '@mantine/notifications';
import i18n from '../app/i18n.js';
import { ApiClientError } from './client.js';

export interface ErrorDescription {
  title: string;
  message: string;
}

/** Title and message for an error, in the current language; the core's own message is kept verbatim. */
export function describeApiError(error: unknown): ErrorDescription {
  if (error instanceof ApiClientError) {
    if (error.status === 0) {
      return { title: i18n.t('errors.unreachableTitle'), message: i18n.t('errors.unreachableMessage') };
    }
    if (error.status === 401 || error.status === 403) {
      return { title: i18n.t('errors.unauthorizedTitle'), message: i18n.t('errors.unauthorizedMessage') };
    }
    const where = error.path ? ` (${error.path})` : '';
    return {
      title: i18n.t('errors.requestFailedTitle', { code: error.code, status: error.status }),
      message: `${error.message}${where}`,
    };
  }
  return {
    title: i18n.t('errors.unexpectedTitle'),
    message: error instanceof Error ? error.message : String(error),
  };
}

export function notifyApiError(error: unknown): void {
  const { title, message } = describeApiError(error);
  const id = error instanceof ApiClientError ? `api-error-${error.code}-${error.status}` : undefined;
  notifications.show({ id, title, message, color: 'red', autoClose: 8000, withBorder: true });
}
