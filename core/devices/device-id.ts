// The platform's device id: the product id and the node id (IMEI, MAC, serial, …) joined by an underscore.
export const deviceIdOf = (productId: string, nodeId: string): string => `${productId}_${nodeId}`;
