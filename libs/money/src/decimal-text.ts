import { InvalidAmountError } from './money.errors.js';

// Plain digits, optional leading '-', optional '.' followed by at least one digit.
// No '+', no exponent, no separators, no whitespace: anything else is junk, not a guess.
const DECIMAL_TEXT = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

// Exact string <-> integer conversion: the decimal point is moved by string surgery,
// never by multiplying a float.
export function decimalTextToMinor(text: string, exponent: number): bigint {
  if (typeof text !== 'string') {
    throw new InvalidAmountError(`Amount must be a string, got ${typeof text}`);
  }
  const match = DECIMAL_TEXT.exec(text);
  if (!match) {
    throw new InvalidAmountError(`Not a decimal amount: ${JSON.stringify(text)}`);
  }
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    throw new InvalidAmountError(`Amount ${JSON.stringify(text)} has ${fraction.length} decimals; the currency allows ${exponent}`);
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return sign === '-' ? -minor : minor;
}

export function minorToDecimalText(minor: bigint, exponent: number): string {
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString();
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}
