// A fresh `npm install` on the Node we run prints no EBADENGINE warning: every package the lockfile
// installs accepts this Node. (file-type is held at 21.x through package.json `overrides`: 22 wants
// Node 22, and @nestjs/common only loads it for FileTypeValidator's magic-number check.)
import { FileTypeValidator } from '@nestjs/common';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { ROOT } from './support/process.js';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

describe('dependencies', () => {
  it('every package in package-lock.json accepts the running Node in its engines.node', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
    const refusing = Object.entries(lock.packages)
      // packages for other platforms are never installed here (npm skips them)
      .filter(([, p]) => (!p.os || p.os.includes(process.platform)) && (!p.cpu || p.cpu.includes(process.arch)))
      .flatMap(([name, p]) => {
        const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return range && !semver.satisfies(process.version, range, { includePrerelease: true }) ? [`${name || '(root)'}@${p.version}: node ${range}`] : [];
      });
    expect(refusing).toEqual([]);
  });

  it("@nestjs/common's FileTypeValidator still detects a file's type with the file-type we install", async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a2d3a4f00000000049454e44ae426082', 'hex');
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    expect(await validator.isValid({ mimetype: 'image/png', buffer: png } as never)).toBe(true);
    expect(await validator.isValid({ mimetype: 'image/png', buffer: Buffer.from('GIF89a....................') } as never)).toBe(false);
  });
});
