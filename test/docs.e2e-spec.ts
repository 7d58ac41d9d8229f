/**
 * The README is what a newcomer pastes from: its shell blocks must run as written (no `sudo` for
 * someone who is root, no `<id>` that the shell reads as a redirect), its links must stay inside the
 * repository (the design lives in docs/ARCHITECTURE.md) and every npm script must be listed.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const documents = ['README.md', 'docs/ARCHITECTURE.md', 'apps/stripe-sandbox/README.md', 'bench/README.md'].filter((f) => fs.existsSync(path.join(root, f)));

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```(?:bash|sh|shell)\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** A line as the shell reads it: what follows an unquoted `#` is a comment. */
function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** `<word>` outside quotes: the shell would redirect from or to a file named `word>`. */
function unquotedPlaceholders(line: string): string[] {
  const found: string[] = [];
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '<') {
      const m = /^<[A-Za-z][\w.-]*>/.exec(line.slice(i));
      if (m) found.push(m[0]);
    }
  }
  return found;
}

describe('the documentation', () => {
  it.each(documents)('%s: shell blocks use no sudo and no <placeholder> the shell would read as a redirect', (file) => {
    const problems: string[] = [];
    for (const block of shellBlocks(fs.readFileSync(path.join(root, file), 'utf8'))) {
      for (const raw of block.split('\n')) {
        const line = withoutComment(raw);
        if (/(^|[\s;&|(])sudo\s/.test(line)) problems.push(`sudo: ${raw.trim()}`);
        for (const p of unquotedPlaceholders(line)) problems.push(`${p}: ${raw.trim()}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(documents)('%s: every relative link points at a file inside the repository', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const problems: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const resolved = path.resolve(path.dirname(path.join(root, file)), target.split('#')[0]);
      if (!resolved.startsWith(root + path.sep)) problems.push(`${target}: outside the repository`);
      else if (!fs.existsSync(resolved)) problems.push(`${target}: no such file`);
    }
    expect(problems).toEqual([]);
  });

  it('README lists every npm script', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>);
    const missing = scripts.filter(
      (name) => !readme.includes(`npm run ${name}`) && !readme.includes(`\`${name}\``) && !(name === 'start' && readme.includes('npm start')) && !(name === 'test' && readme.includes('npm test')),
    );
    expect(missing).toEqual([]);
  });

  it('the design document is in the repository and the README links to it', () => {
    expect(fs.existsSync(path.join(root, 'docs/ARCHITECTURE.md'))).toBe(true);
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('](docs/ARCHITECTURE.md)');
  });
});
