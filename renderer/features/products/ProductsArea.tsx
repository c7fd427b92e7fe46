// The products area: the list at /products and one product's page at /products/:id/:tab.
import { Route, Routes } from 'react-router';
import { ProductPage } from './ProductPage.js';
import { ProductsListPage } from './ProductsListPage.js';

export function ProductsArea() {
  return (
    <Routes>
      <Route index element={<ProductsListPage />} />
      <Route path=":id/:tab?" element={<ProductPage />} />
    </Routes>
  );
}
