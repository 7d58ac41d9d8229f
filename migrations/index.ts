import { Identity1764172800000 } from './1764172800000-Identity.js';

// Explicit list (no globs): the same classes load from dist/ at run time and from source under Jest.
// `npm run migration:generate -- <Name>` writes a new file; add its class here.
export const MIGRATIONS = [Identity1764172800000];
