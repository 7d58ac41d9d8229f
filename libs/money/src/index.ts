export * from './money.errors.js';
export * from './currency.js';
export * from './money.js';
export * from './money-format.js';
export * from './allocate.js';
export * from './fee.js';
export * from './proportional.js';
export * from './bigint.transformer.js';
