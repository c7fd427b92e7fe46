// A draft of a product's model edited in a tab: the core's findings while editing, and saving with a version check.
import { useMemo, useState } from 'react';
import type { ModelIssueView, Product, ProductModel } from '../../../core/contract/index.js';
import { useModelValidation, useUpdateProduct } from './productQueries.js';

export function useModelDraft(product: Product, options: { onSaved?: (model: ProductModel) => void } = {}) {
  const [draft, setDraft] = useState<ProductModel>(product.model);
  const [baseVersion, setBaseVersion] = useState(product.version);
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(product.model), [draft, product.model]);
  const validation = useModelValidation(draft, dirty);
  const update = useUpdateProduct(product.id);
  const issues: ModelIssueView[] = dirty ? (validation.data?.issues ?? []) : product.warnings;
  const hasErrors = issues.some((i) => i.severity === 'error');

  return {
    draft,
    setDraft,
    dirty,
    issues,
    hasErrors,
    /** Devices use the product: only omCapability may change. */
    locked: product.deviceCount > 0,
    issuesUnder: (prefix: string) =>
      issues.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`) || i.path.startsWith(`${prefix}[`)),
    save: () =>
      update.mutate(
        { model: draft, expectedVersion: baseVersion },
        {
          onSuccess: (saved) => {
            setDraft(saved.model);
            setBaseVersion(saved.version);
            options.onSaved?.(saved.model);
          },
        },
      ),
    discard: () => setDraft(product.model),
    saving: update.isPending,
    saveError: update.error,
  };
}
