import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reads the dotenv file into `env` before the configuration is validated: ENV_FILE, default `.env`
 * in the working directory; `ENV_FILE=off` reads none. Variables already set win (even when set
 * empty), so the real environment overrides the file, as with `node --env-file`. A missing file is
 * not an error. Returns the file read, if any.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env.ENV_FILE || '.env';
  if (setting === 'off') return null;
  const file = path.resolve(setting);
  if (!fs.existsSync(file)) return null;
  for (const [key, value] of Object.entries(parseEnv(fs.readFileSync(file, 'utf8')))) if (env[key] === undefined) env[key] = value;
  return file;
}
