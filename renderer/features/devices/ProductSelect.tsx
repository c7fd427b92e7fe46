// A searchable choice of product model, by device type, model and protocol: the register forms and the list filter.
import { Select, type SelectProps } from '@mantine/core';
import { useProductList } from '../products/productQueries.js';

/** The product models a device can be registered under (the first 500; a workbench holds far fewer). */
export const useRegistrableProducts = () => useProductList({ limit: 500 });

export function productOptionLabel(product: { deviceType: string; model: string; protocolType: string }): string {
  return `${product.deviceType} · ${product.model} (${product.protocolType})`;
}

export type ProductSelectProps = Omit<SelectProps, 'data' | 'value' | 'onChange'> & {
  value: string | null;
  onChange: (productId: string | null) => void;
};

export function ProductSelect({ value, onChange, ...props }: ProductSelectProps) {
  const products = useRegistrableProducts();
  return (
    <Select
      searchable
      {...props}
      value={value}
      onChange={onChange}
      data={(products.data?.items ?? []).map((p) => ({ value: p.id, label: productOptionLabel(p) }))}
    />
  );
}
