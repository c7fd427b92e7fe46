// @vitest-environment jsdom
// The product picker of the device forms: product models by device type, model and protocol, the pick by id.
import { describe, expect, it, vi } from 'vitest';
import { ProductSelect, productOptionLabel } from '../../../../renderer/features/devices/ProductSelect.js';
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

describe('product select', () => {
  it('names a product model by device type, model and protocol', () => {
    expect(productOptionLabel({ deviceType: 'StreetLight', model: 'SL100', protocolType: 'MQTT' })).toBe(
      'StreetLight · SL100 (MQTT)',
    );
  });

  it('lists the product models and hands over the id picked', async () => {
    const Core = stubCore({
      '/api/products': {
        items: [product('p1', 'StreetLight', 'SL100', 'MQTT'), product('p2', 'WaterMeter', 'NB1', 'CoAP')],
        total: 2,
      },
    });
    const onChange = vi.fn();
    mounted.render(
      <Core>
        <ProductSelect label="Product" required value={null} onChange={onChange} />
      </Core>,
    );
    const input = await vi.waitFor(() => {
      const found = mounted.container.querySelector<HTMLInputElement>('input');
      expect(found).not.toBeNull();
      return found!;
    });
    const listed = vi.mocked(fetch).mock.calls[0]?.[0] as string;
    expect(new URL(listed).searchParams.get('limit')).toBe('500');
    input.click();
    const option = await vi.waitFor(() => {
      const found = [...document.querySelectorAll<HTMLElement>('[role="option"]')].find(
        (o) => o.textContent === 'WaterMeter · NB1 (CoAP)',
      );
      expect(found).toBeDefined();
      return found!;
    });
    expect([...document.querySelectorAll('[role="option"]')].map((o) => o.textContent)).toEqual([
      'StreetLight · SL100 (MQTT)',
      'WaterMeter · NB1 (CoAP)',
    ]);
    option.click();
    expect(onChange).toHaveBeenCalledWith('p2', expect.anything());
  });
});
