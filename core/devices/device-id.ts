// The platform's device id: the product id and the device's node id (IMEI, MAC, …) joined by an underscore.
export const deviceIdOf = (productId: string, nodeId: string): string => `${productId}_${nodeId}`;
