// Resolves the core connection once, then renders the app; without a token it explains how to get one.
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiConnection } from '../api/client.js';
import { LoadingState } from '../ui/QueryStates.js';
import { resolveConnection } from './connection.js';
import { MissingTokenPage } from './MissingTokenPage.js';

type GateState =
  | { kind: 'resolving' }
  | { kind: 'ready'; connection: ApiConnection }
  | { kind: 'missing' }
  | { kind: 'bridge-failed'; detail: string };

export function ConnectionGate({ children }: { children: (connection: ApiConnection) => ReactNode }) {
  const { t } = useTranslation();
  const [state, setState] = useState<GateState>({ kind: 'resolving' });

  useEffect(() => {
    let cancelled = false;
    resolveConnection().then(
      (connection) => {
        if (!cancelled) setState(connection ? { kind: 'ready', connection } : { kind: 'missing' });
      },
      (error: unknown) => {
        if (!cancelled)
          setState({ kind: 'bridge-failed', detail: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  switch (state.kind) {
    case 'resolving':
      return <LoadingState label={t('connection.resolving')} />;
    case 'missing':
      return <MissingTokenPage reason="missing" />;
    case 'bridge-failed':
      return <MissingTokenPage reason="bridge-failed" detail={state.detail} />;
    case 'ready':
      return children(state.connection);
  }
}
