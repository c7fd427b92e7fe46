// Everything LwM2M about one device: registration, object tree with live values, diagnosis tasks and the simulator.
import { Grid, Stack } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  apiRoutes,
  diagnosisBlocker,
  type Device,
  type Lwm2mOperationBody,
  type Lwm2mOperationResult,
} from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DiagnosisCard } from './DiagnosisCard.js';
import { lwm2mKeys, useLwm2mObjects, useLwm2mOperation, useLwm2mRegistration } from './lwm2mQueries.js';
import { ObjectTree } from './ObjectTree.js';
import { withValues, type ShownValue } from './objectTreeModel.js';
import { ObservedValues } from './ObservedValues.js';
import { RegistrationCard } from './RegistrationCard.js';
import { SimulatorCard } from './SimulatorCard.js';
import { useLiveNotifications } from './useLiveNotifications.js';

/** True for devices this panel is for (CoAP and LwM2M products). */
export const isLwm2mDevice = (device: Pick<Device, 'protocolType'>) => device.protocolType !== 'MQTT';

function useProductModel(productId: string) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: [...lwm2mKeys.objects, 'product', productId],
    queryFn: () => callApi(apiRoutes.getProduct, { params: { id: productId } }),
    staleTime: 60_000,
  });
}

export function Lwm2mDevicePanel({ device }: { device: Pick<Device, 'deviceId' | 'productId' | 'nodeId'> }) {
  const { t } = useTranslation();
  const registration = useLwm2mRegistration(device.deviceId);
  const objects = useLwm2mObjects();
  const product = useProductModel(device.productId);
  const operation = useLwm2mOperation(device.deviceId);
  const [values, setValues] = useState<ReadonlyMap<string, ShownValue>>(new Map());
  const [lastResult, setLastResult] = useState<Lwm2mOperationResult | undefined>();
  const queries = useQueryClient();
  // Registrations and task states change on the device's own schedule: refresh on their events, not only on a timer.
  useBusEvents('lwm2m', (batch) => {
    if (batch.some((e) => e.deviceId === device.deviceId)) {
      void queries.invalidateQueries({ queryKey: lwm2mKeys.registration(device.deviceId) });
      void queries.invalidateQueries({ queryKey: lwm2mKeys.simDevice(device.deviceId) });
    }
  });
  useBusEvents('task', (batch) => {
    if (batch.some((e) => e.kind.startsWith('diagnosis.'))) {
      void queries.invalidateQueries({ queryKey: lwm2mKeys.tasks(device.deviceId) });
    }
  });
  const notifications = useLiveNotifications(device.deviceId, (events) => {
    setValues((current) =>
      events.reduce((acc, e) => (e.values ? withValues(acc, e.values, e.at, 'notify') : acc), current),
    );
  });

  const run = (body: Lwm2mOperationBody) => {
    operation.mutate(body, {
      onSuccess: (result) => {
        setLastResult(result);
        if (result.values?.length) setValues((current) => withValues(current, result.values ?? [], Date.now(), 'read'));
      },
    });
  };

  const blocker = product.data ? diagnosisBlocker(product.data.model) : undefined;
  const refusal =
    blocker === 'protocol'
      ? t('lwm2m.diagnosis.refuseProtocol')
      : blocker === 'omCapability'
        ? t('lwm2m.diagnosis.refuseOm')
        : undefined;
  const observations = registration.data?.observations ?? [];

  return (
    <Stack gap="md" data-testid="lwm2m-panel">
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          {registration.isPending ? (
            <LoadingState />
          ) : registration.isError ? (
            <ErrorState error={registration.error} onRetry={() => void registration.refetch()} />
          ) : (
            <RegistrationCard registration={registration.data.registration} />
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <SimulatorCard deviceId={device.deviceId} productId={device.productId} nodeId={device.nodeId} />
        </Grid.Col>
      </Grid>
      {registration.data?.registration && (
        <ObjectTree
          registration={registration.data.registration}
          definitions={objects.data?.items ?? []}
          observations={observations}
          values={values}
          lastResult={lastResult}
          busyPath={operation.isPending ? operation.variables.path : undefined}
          run={run}
        />
      )}
      <ObservedValues observations={observations} notifications={notifications} />
      <DiagnosisCard deviceId={device.deviceId} refusal={refusal} />
    </Stack>
  );
}
