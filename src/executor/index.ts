export * from './executor.js';
export * from './events.js';
export * from './nemesis.js';
export * from './sink.js';
export * from './progress.js';
