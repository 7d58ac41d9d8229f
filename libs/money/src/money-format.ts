import { currencyExponent } from './currency.js';
import { decimalTextToMinor, minorToDecimalText } from './decimal-text.js';
import { Money } from './money.js';

// Display format, chosen to be simple and stable rather than localised:
//   formatAmount: the major-unit decimal with exactly the currency's exponent digits,
//                 '-' for negatives, no grouping separators: '12.34', '-0.05', '1000' (JPY), '1.234' (KWD)
//   formatMoney:  '<CODE> <amount>': 'USD 12.34', 'JPY 1000', 'KWD -1.234'
// Localised display (grouping, symbols) belongs to the client (Intl.NumberFormat on the string).
// parseMoney(formatAmount(m), m.currency) always gives back m exactly.

export function parseMoney(amount: string, currency: string): Money {
  return Money.of(decimalTextToMinor(amount, currencyExponent(currency)), currency);
}

export function formatAmount(money: Money): string {
  return minorToDecimalText(money.minor, currencyExponent(money.currency));
}

export function formatMoney(money: Money): string {
  return `${money.currency} ${formatAmount(money)}`;
}
