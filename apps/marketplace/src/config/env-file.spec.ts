import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnvFile } from './env-file.js';

describe('loadEnvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-file-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds what the file sets; a variable already set wins, even set empty', () => {
    const file = path.join(dir, 'local.env');
    fs.writeFileSync(file, '# comment\nPORT=4000\nROLE=api\nLOG_LEVEL=debug\nPUBLIC_URL="http://localhost:4000"\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, ROLE: 'worker', LOG_LEVEL: '' };
    expect(loadEnvFile(env)).toBe(file);
    expect(env).toEqual({ ENV_FILE: file, PORT: '4000', ROLE: 'worker', LOG_LEVEL: '', PUBLIC_URL: 'http://localhost:4000' });
  });

  it('reads nothing when the file does not exist or ENV_FILE=off', () => {
    const env: NodeJS.ProcessEnv = { ENV_FILE: path.join(dir, 'missing.env') };
    expect(loadEnvFile(env)).toBeNull();
    expect(Object.keys(env)).toEqual(['ENV_FILE']);
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=1\n');
    const off: NodeJS.ProcessEnv = { ENV_FILE: 'off' };
    expect(loadEnvFile(off)).toBeNull();
    expect(off.PORT).toBeUndefined();
  });
});
