export * from './client.js';
export * from './etcd.js';
export * from './registry.js';
