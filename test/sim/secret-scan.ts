// What must never appear in a log line: the app's API keys, webhook signing secrets, Stripe secret
// and restricted keys, and card numbers (13 to 19 digit runs that pass the Luhn check).
const PATTERNS: Array<[string, RegExp]> = [
  ['api key', /mkt_[A-Za-z0-9_-]{43}/g],
  ['webhook secret', /whsec_[A-Za-z0-9_]+/g],
  ['stripe key', /\b[sr]k_(test|live)_[A-Za-z0-9_]+/g],
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Each secret found in `text`, named by kind (the secret itself is cut short, so the report does not leak it again). */
export function secretsIn(text: string): string[] {
  const found: string[] = [];
  for (const [kind, pattern] of PATTERNS) for (const m of text.matchAll(pattern)) found.push(`${kind} ${m[0].slice(0, 10)}...`);
  for (const m of text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)) if (luhnValid(m[0])) found.push(`card number ${m[0].slice(0, 6)}...`);
  return found;
}
