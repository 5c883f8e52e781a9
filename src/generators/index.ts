export * from './schedule.js';
export * from './params.js';
export * from './arbitraries.js';
export * from './generate.js';
export { denseArray } from './dense-array.js';
