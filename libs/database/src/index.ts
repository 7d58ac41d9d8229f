export * from './advisory-lock.js';
export * from './claim-due.js';
export * from './claim-loop.js';
export * from './create-database.js';
export * from './embedded-postgres.js';
export * from './pool.js';
export * from './pg-slot-store.js';
