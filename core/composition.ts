// The composition root: every capability of the product, created once with what it depends on, in start order.
// Dependencies are functions over capabilities created here; none is called before the platform starts them.
import { createCoapAccessCapability } from './access/coap/index.js';
import { createMqttAccessCapability } from './access/mqtt/index.js';
import { createAppsCapability } from './apps/index.js';
import type { Capability } from './capability.js';
import { createCodecsCapability } from './codecs/index.js';
import { createCommandsCapability } from './commands/index.js';
import { createConfigCapability } from './config/index.js';
import { parseLayoutSource } from './codecs/index.js';
import { createDataCapability } from './data/index.js';
import { createDeviceLinkHub } from './device-link/index.js';
import { createDevicesCapability, deviceIdOf } from './devices/index.js';
import { createDiagnosisCapability, lwm2mDiagnosisLink } from './diagnosis/index.js';
import { configRecord, createOperationRecordsCapability, diagnosisRecord, upgradeRecord } from './operations/index.js';
import { createGatewaysCapability } from './gateways/index.js';
import { createGroupsCapability } from './groups/index.js';
import { DomainError } from './domain-error.js';
import type { Logger } from './log/logger.js';
import { createNorthboundCapability, northboundDevice } from './northbound/index.js';
import { createPackagesCapability } from './ota/packages/index.js';
import { createOtaCapability } from './ota/index.js';
import { createProductsCapability } from './products/index.js';
import { createRulesCapability } from './rules/index.js';
import { createCommandBodySchema } from './contract/commands.js';
import { createPushCapability } from './push/index.js';
import { createSerialCapability } from './serial/index.js';
import { createShadowCapability, type ShadowDevices } from './shadow/index.js';
import { createFlashingCapability } from './flashing/index.js';
import { createSigningCapability } from './signing/signing-capability.js';
import { createLwm2mSimulatorCapability } from './simulator/lwm2m/index.js';
import { createMqttSimulatorCapability } from './simulator/mqtt/index.js';
import { createTrafficCapability } from './traffic/index.js';

export interface Composition {
  capabilities: Capability[];
}

export function composeCapabilities(log: () => Logger | undefined): Composition {
  const products = createProductsCapability({
    deviceUsage: (productId) => devices.registry.countByProduct(productId),
    secretBox: () => devices.secretBox,
  });
  const product = (id: string) => products.lookup(id);
  const model = (id: string) => products.lookup(id)?.model;

  const codecs = createCodecsCapability({ products: { getModel: model } });
  const traffic = createTrafficCapability({
    codecs: {
      target: (deviceId) => {
        const device = devices.registry.get(deviceId);
        const version = device && codecs.service.activeVersion(device.productId);
        if (!device || version === undefined) return undefined;
        const deviceModel = model(device.productId);
        return { productId: device.productId, version, ...(deviceModel ? { model: deviceModel } : {}) };
      },
      decode: (productId, bytes, topic) => codecs.decodeUplink(productId, bytes, topic),
    },
    pcpSupport: (deviceId) => (deviceId === undefined ? undefined : coap.pcpSupport(deviceId)),
    downlinks: (deviceId, payloadHex) => {
      const sent = commands.service.sentAs(deviceId, payloadHex);
      if (!sent) return undefined;
      const c = sent.command;
      return {
        commandId: c.commandId,
        serviceId: c.serviceId,
        method: c.method,
        paras: c.paras,
        codec: sent.codec,
        ...(c.mid !== undefined ? { mid: c.mid } : {}),
        ...(c.requestId !== undefined ? { requestId: c.requestId } : {}),
        ...(sent.attempt !== undefined ? { attempt: sent.attempt } : {}),
      };
    },
  });
  const signing = createSigningCapability();
  const packages = createPackagesCapability(() => ({
    exists: (identity) => products.service.findByIdentity(identity) !== undefined,
  }));

  const devices = createDevicesCapability({
    products: () => ({ product }),
    groupScope: (groupId, descendants) => groups.service.scope(groupId, descendants),
  });
  const data = createDataCapability({
    requireDevice: (id) => void devices.registry.require(id),
    productModel: model,
    decodeUplink: (productId, bytes, source) => codecs.decodeUplink(productId, bytes, source),
  });

  // Devices reach the platform through the adapters; capabilities reach devices through the device link.
  const deviceLink = createDeviceLinkHub((error) => log()?.error({ err: error }, 'a device-link listener failed'));
  const mqtt = createMqttAccessCapability({
    devices: () => devices.registry,
    status: () => devices.status,
    uplink: data.uplink,
    link: deviceLink.reports,
    productModel: model,
    productSecrets: {
      secret: (productId) => products.service.secrets.secret(productId),
      onReset: (listener) => products.service.secrets.onReset(listener),
    },
  });
  const coap = createCoapAccessCapability({
    devices: () => devices.registry,
    status: () => devices.status,
    uplink: data.uplink,
    link: deviceLink.reports,
    productModel: model,
  });

  const diagnosis = createDiagnosisCapability({
    link: () => lwm2mDiagnosisLink(() => coap.server),
    devices: () => ({
      productOf: (deviceId) => {
        const device = devices.registry.get(deviceId);
        const deviceModel = device && model(device.productId);
        return device && deviceModel ? { productId: device.productId, model: deviceModel } : undefined;
      },
      onDeleted: (listener) => devices.registry.onChange((c) => c.kind === 'deleted' && listener(c.deviceId)),
    }),
  });
  const lwm2mSimulator = createLwm2mSimulatorCapability(() => ({
    product,
    layout: (id) => {
      try {
        const active = codecs.service.getCodec(id).active;
        const parsed = active?.kind === 'layout' ? parseLayoutSource(active.source) : undefined;
        return parsed?.ok ? parsed.layout : undefined;
      } catch {
        return undefined;
      }
    },
    ensureDevice: (productId, nodeId) => {
      const deviceId = deviceIdOf(productId, nodeId);
      if (!devices.registry.get(deviceId)) devices.registry.register({ productId, nodeId });
      return deviceId;
    },
  }));
  const mqttSimulator = createMqttSimulatorCapability({ devices: () => devices.registry, productModel: model });

  const apps = createAppsCapability({
    onHistoryPolicy: (storesHistory) => data.store.setHistoryPolicy(storesHistory),
    countAllDevices: () => devices.registry.counts().all,
  });
  const groups = createGroupsCapability({
    devices: () => devices.registry,
    apps: () => ({
      defaultAppId: () => apps.registry.defaultApp().appId,
      ownerOfDevice: (deviceId) => apps.registry.ownerOfDevice(deviceId),
    }),
  });
  const push = createPushCapability({
    sources: () => ({
      device: (deviceId) => {
        const device = devices.registry.get(deviceId);
        if (!device) return undefined;
        const view = northboundDevice(device, model(device.productId), [], apps.registry.deviceInfo(deviceId));
        return { view, productId: device.productId };
      },
      ownerOf: (deviceId) => apps.registry.ownerOfDevice(deviceId),
      storesHistory: (deviceId) => apps.registry.storesHistory(deviceId),
      appStoresHistory: (appId) => apps.registry.get(appId)?.storeHistory ?? false,
      appIds: () => apps.registry.list().map((a) => a.appId),
      serviceType: (productId, serviceId) =>
        model(productId)?.services.find((s) => s.serviceId === serviceId)?.serviceType ?? serviceId,
    }),
    apps: () => apps.registry,
    devices: () => devices.registry,
    data: () => data.store,
    products: () => products.service,
    link: () => deviceLink.link,
    shadow: () => shadow,
  });
  const northbound = createNorthboundCapability({
    apps: () => apps.registry,
    devices: () => devices.registry,
    status: () => devices.status,
    data: () => data.store,
    groups: () => groups.service,
    products: {
      get: product,
      findByIdentity: (identity) => products.service.findByIdentity(identity),
      idsOfDeviceType: (deviceType) => products.service.idsOfDeviceType(deviceType),
    },
    commands: () => commands.service,
    commandBatches: () => commands.batches,
    sections: [
      (context) => push.northboundSection(context),
      (context) => shadow.northboundSection(context),
      (context) => ota.northboundSection(context),
    ],
    alarmInfo: (deviceId) => rules.alarms.alarmInfo(deviceId),
    rules: () => rules.linkage,
  });
  deviceLink.attach({ mqtt: mqtt.downlink, lwm2m: coap.server });
  const commands = createCommandsCapability({
    link: () => deviceLink.link,
    encode: (productId, command) => codecs.encodeCommand(productId, command),
    devices: () => ({
      productOf: (deviceId) => {
        const device = devices.registry.get(deviceId);
        const deviceModel = device && model(device.productId);
        return device && deviceModel ? { productId: device.productId, model: deviceModel } : undefined;
      },
      resolveTarget: (target, appId) => {
        if ('productId' in target && !product(target.productId))
          throw new DomainError('PRODUCT_NOT_FOUND', `no product ${target.productId}`, 'body.target.productId');
        const app = groups.service.appOrDefault(appId);
        if ('productId' in target) return groups.service.resolveTarget({ kind: 'product', ...target }, app);
        if ('deviceIds' in target) return groups.service.resolveTarget({ kind: 'devices', ...target }, app);
        if ('tagId' in target) return groups.service.resolveTarget({ kind: 'tag', ...target }, app);
        return groups.service.resolveTarget({ kind: 'group', ...target }, app);
      },
      onDeleted: (listener) => devices.registry.onChange((c) => c.kind === 'deleted' && listener(c.deviceId)),
    }),
    // Status callbacks (§1.7) go through the durable push queue: same retries, URL state and CAs as subscriptions.
    callbacks: {
      enqueue: ({ url, body, deviceId, requestId }) => {
        const result = push.delivery.enqueue({
          url,
          body,
          notifyType: 'commandStatus',
          deviceId,
          ...(requestId !== undefined ? { requestId } : {}),
        });
        if (!result.accepted) log()?.warn(`status callback of ${deviceId} to ${url} not queued: ${result.reason}`);
      },
    },
  });

  // Desired values and configs reach devices as commands (core/commands: its queue, states and codec encoding).
  const shadowDevices = (): ShadowDevices & { onDeleted(listener: (deviceId: string) => void): () => void } => ({
    get: (deviceId) => devices.registry.get(deviceId),
    model,
    latest: (deviceId) => data.store.latest(deviceId),
    onDeleted: (listener) => devices.registry.onChange((c) => c.kind === 'deleted' && listener(c.deviceId)),
  });
  const shadow = createShadowCapability({
    link: () => deviceLink.link,
    commands: () => commands.service,
    devices: shadowDevices,
    reports: () => data.store,
  });
  const config = createConfigCapability({
    link: () => deviceLink.link,
    commands: () => commands.service,
    devices: shadowDevices,
  });
  const ota = createOtaCapability({
    link: () => deviceLink.link,
    devices: () => ({
      productOf: (deviceId) => {
        const device = devices.registry.get(deviceId);
        const deviceModel = device && model(device.productId);
        return device && deviceModel ? { productId: device.productId, model: deviceModel } : undefined;
      },
      onDeleted: (listener) => devices.registry.onChange((c) => c.kind === 'deleted' && listener(c.deviceId)),
    }),
    packages: () => ({
      require: (id) => packages.library.require(id),
      payload: (id) => packages.library.payload(id),
      list: () => packages.library.list(),
      remove: (id) => packages.library.remove(id),
      setInUseCheck: (check) => packages.setPackageInUseCheck(check),
    }),
    commandsPending: (deviceId) =>
      commands.service.list({ deviceId, status: 'PENDING', offset: 0, limit: 1 }).total > 0,
    targets: () => ({
      group: (groupId, appId) =>
        groups.service.resolveTarget({ kind: 'group', groupId }, groups.service.appOrDefault(appId)),
      tag: (tagId, appId) =>
        groups.service
          .resolveTarget({ kind: 'tag', tagId }, groups.service.appOrDefault(appId))
          .filter((id) => appId === undefined || apps.registry.ownerOfDevice(id) === appId),
    }),
    coapResources: () => coap,
    notify: (notice) => push.upgrade(notice),
  });
  const gateways = createGatewaysCapability(() => ({
    registry: devices.registry,
    status: devices.status,
    link: deviceLink.link,
    reports: deviceLink.reports,
    commands: commands.service,
    productModel: model,
    adopt: (subDeviceId, gatewayId) => {
      const owner = apps.registry.ownerOfDevice(gatewayId);
      if (owner !== apps.registry.defaultApp().appId) apps.registry.claimDevice(subDeviceId, owner);
    },
    agentLite: {
      bind: (nodeId, verifyCode) => devices.registry.bind(nodeId, verifyCode),
      appIdOf: (deviceId) => apps.registry.ownerOfDevice(deviceId),
    },
  }));
  const rules = createRulesCapability({
    devices: () => ({
      exists: (id) => devices.registry.get(id) !== undefined,
      productOf: (id) => devices.registry.get(id)?.productId,
      groupsOf: (id) => {
        const chain: string[] = [];
        for (let g = devices.registry.groupOf(id); g !== undefined && !chain.includes(g);) {
          chain.push(g);
          g = groups.service.parentOf(g);
        }
        return chain;
      },
      devicesOf: (scope) =>
        scope.kind === 'product'
          ? devices.registry.idsWhere({ productId: scope.productId })
          : groups.service.scope(scope.groupId, true),
      ownerOf: (id) => apps.registry.ownerOfDevice(id),
      deviceInfo: (id) => {
        const device = devices.registry.get(id);
        return device && { ...apps.registry.deviceInfo(id), ...device };
      },
      onChange: (listener) => devices.registry.onChange(listener),
    }),
    productExists: (id) => product(id) !== undefined,
    defaultAppId: () => apps.registry.defaultApp().appId,
    data: () => ({
      onIngested: (listener) => data.store.onIngested(listener),
      latest: (id) => data.store.latest(id),
      history: (id, serviceId, property, limit) => data.store.history(id, { serviceId, property, limit }).items,
    }),
    commands: () => ({
      create: async (action) => {
        const input = createCommandBodySchema.parse({
          serviceId: action.serviceId,
          method: action.method,
          paras: action.paras,
          ...(action.expireTime !== undefined ? { expireTime: action.expireTime } : {}),
          ...(action.callbackUrl !== undefined ? { callbackUrl: action.callbackUrl } : {}),
        });
        const command = await commands.service.create(action.deviceId, input);
        return { commandId: command.commandId, status: command.status };
      },
    }),
    ruleEvent: (appId, bodyOf) => {
      const urls = push.subscriptions.urlsFor(appId, 'ruleEvent');
      const body = urls.length > 0 ? bodyOf() : undefined;
      if (body) for (const url of urls) push.delivery.enqueue({ url, body, notifyType: 'ruleEvent' });
      return urls.length;
    },
  });

  // Operation records: each capability's per-device history in one list.
  const operations = createOperationRecordsCapability(() => [
    (deviceId) => config.service.list(deviceId).items.map(configRecord),
    (deviceId) => diagnosis.service.list(deviceId).map(diagnosisRecord),
    (deviceId) => ota.service.history(deviceId).map((sub) => upgradeRecord(sub, ota.service.get(sub.taskId))),
  ]);

  const serial = createSerialCapability({
    bringUp: { devices: () => devices.registry, product: (id) => model(id) },
  });
  const flashing = createFlashingCapability({
    registry: serial.registry,
    packages: () => (id, maxBytes) => packages.library.verifiedBinary(id, maxBytes),
  });

  return {
    capabilities: [
      products,
      traffic,
      codecs,
      signing,
      packages,
      serial,
      flashing,
      devices,
      data,
      mqtt,
      coap,
      diagnosis,
      apps,
      groups,
      push,
      // After push: a restart may end commands (TIMEOUT) and send their status callbacks while starting.
      commands,
      // After commands: a restart settles open deliveries by the states their commands reached.
      shadow,
      config,
      // After commands (pending commands hold an upgrade back) and the device access it upgrades through.
      ota,
      gateways,
      // After commands and push: firings queue commands and ruleEvent pushes.
      rules,
      lwm2mSimulator,
      northbound,
      mqttSimulator,
      operations,
    ],
  };
}

// replaced by core/push delivery: a best-effort POST of each status callback, logged when it fails.
