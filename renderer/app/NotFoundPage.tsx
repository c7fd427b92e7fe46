// Shown for an address inside the app that matches no area.
import { Button } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../ui/QueryStates.js';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <>
      <EmptyState title={t('notFound.title')}>{t('notFound.message')}</EmptyState>
      <Button component={Link} to="/" variant="light" display="block" mx="auto" w="fit-content">
        {t('notFound.back')}
      </Button>
    </>
  );
}
