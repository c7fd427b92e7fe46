// @vitest-environment jsdom
// The package metadata fields: a picked product model fills the identity (its protocol only when the package
// kind can use it), a typed field is reported by name, problems show under their fields, kind-own fields join in.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { firmwareProtocols } from '../../../../core/contract/index.js';
import i18n from '../../../../renderer/app/i18n.js';
import { emptyFirmwareMetadata } from '../../../../renderer/features/packages/builderForm.js';
import {
  PackageMetadataFields,
  type PackageMetadataFieldsProps,
} from '../../../../renderer/features/packages/PackageMetadataFields.js';
import { stubCore, useJsdomMount } from '../jsdom-mount.js';

const mounted = useJsdomMount();
const product = (id: string, deviceType: string, model: string, protocolType: string) => ({
  id,
  deviceType,
  manufacturerId: 'm1',
  manufacturerName: 'HZYB',
  model,
  protocolType,
  serviceCount: 1,
  deviceCount: 0,
  updatedAt: '2024-01-01T00:00:00.000Z',
});

type Props = PackageMetadataFieldsProps<(typeof firmwareProtocols)[number]>;

function show(overrides: Partial<Props> = {}) {
  const Core = stubCore({
    '/api/products': {
      items: [product('p1', 'Tracker', 'GPS1', 'MQTT'), product('p2', 'WaterMeter', 'NB1', 'CoAP')],
      total: 2,
    },
  });
  const props: Props = {
    value: emptyFirmwareMetadata,
    protocols: firmwareProtocols,
    onFieldChange: vi.fn(),
    onProductPicked: vi.fn(),
    errorOf: () => undefined,
    columns: 3,
    spacing: 'sm',
    ...overrides,
  };
  mounted.render(
    <Core>
      <PackageMetadataFields {...props} />
    </Core>,
  );
  return props;
}

/** The input labelled `label` once it is on the page. */
async function field(label: string): Promise<HTMLInputElement | HTMLTextAreaElement> {
  return vi.waitFor(() => {
    const labelElement = [...mounted.container.querySelectorAll('label')].find((l) => l.textContent?.startsWith(label));
    const input = labelElement && document.getElementById(labelElement.htmlFor);
    expect(input, label).toBeTruthy();
    return input as HTMLInputElement | HTMLTextAreaElement;
  });
}

async function pickProduct(name: string) {
  (await field('Fill from a product model')).click();
  const option = await vi.waitFor(() => {
    const found = [...document.querySelectorAll<HTMLElement>('[role="option"]')].find((o) => o.textContent === name);
    expect(found, name).toBeDefined();
    return found!;
  });
  option.click();
}

function type(input: HTMLInputElement | HTMLTextAreaElement, text: string) {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')?.set;
  setter?.call(input, text);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
});

describe('package metadata fields', () => {
  it("fills the identity from a product model, with the product's protocol when the kind can use it", async () => {
    const props = show();
    await pickProduct('Tracker · HZYB · GPS1 · MQTT');
    expect(props.onProductPicked).toHaveBeenCalledWith({
      deviceType: 'Tracker',
      manufacturerName: 'HZYB',
      model: 'GPS1',
      protocolType: 'MQTT',
    });
  });

  it('leaves the protocol for the user when the kind cannot use the product’s', async () => {
    const props = show();
    await pickProduct('WaterMeter · HZYB · NB1 · CoAP');
    expect(props.onProductPicked).toHaveBeenCalledWith(expect.objectContaining({ protocolType: '' }));
  });

  it('reports a typed field by name and shows the problem of each field under it', async () => {
    const props = show({
      errorOf: (f) => (f === 'version' ? 'Version needed' : undefined),
      children: <span data-testid="own-field">platform</span>,
    });
    type(await field('Model'), 'GPS2');
    expect(props.onFieldChange).toHaveBeenCalledWith('model', 'GPS2');
    type(await field('Description'), 'Fixes');
    expect(props.onFieldChange).toHaveBeenCalledWith('description', 'Fixes');
    expect(mounted.container.textContent).toContain('Version needed');
    expect(mounted.container.querySelector('[data-testid="own-field"]')).not.toBeNull();
  });
});
