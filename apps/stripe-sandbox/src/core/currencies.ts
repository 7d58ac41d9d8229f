// The sandbox's own reading of Stripe's currency rules (https://docs.stripe.com/currencies), kept
// apart from the marketplace's libs/money on purpose: a misunderstanding must not cancel itself out.

/** "For the following zero-decimal currencies, the charge and the amount are the same." */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/**
 * "The API supports three-decimal currencies for the standard payment flows, including Payment
 * Intents, Refunds, and Disputes. However, to ensure compatibility with Stripe's payments partners,
 * these API calls require the least-significant (last) digit to be 0."
 */
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * "Stripe enforces a minimum payment amount for all charges ... The minimum amount you can charge
 * depends on the payout bank account settlement currency": the table, in minor units of the
 * settlement currency.
 */
const MINIMUM_BY_SETTLEMENT_CURRENCY: Record<string, number> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

const SYMBOLS: Record<string, string> = { usd: '$', aud: '$', cad: '$', nzd: '$', sgd: '$', hkd: '$', mxn: '$', eur: '€', gbp: '£', jpy: '¥', inr: '₹' };

/** Digits after the decimal point of a currency's minor unit (0 JPY, 3 KWD, else 2). */
export function decimalDigits(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** Whether Stripe takes `amount` minor units of `currency` at all (three-decimal: last digit 0). */
export function acceptsAmount(amount: number, currency: string): boolean {
  return !THREE_DECIMAL.has(currency.toLowerCase()) || amount % 10 === 0;
}

/** The minimum charge on a platform settling in `settlement`, in its minor units; null when Stripe lists none. */
export function minimumCharge(settlement: string): number | null {
  return MINIMUM_BY_SETTLEMENT_CURRENCY[settlement.toLowerCase()] ?? null;
}

/** "$0.50", "¥50", "KWD 1.230": how Stripe's messages show an amount. */
export function displayAmount(amount: number, currency: string): string {
  const c = currency.toLowerCase();
  const digits = decimalDigits(c);
  const negative = amount < 0;
  const abs = String(Math.abs(amount)).padStart(digits + 1, '0');
  const text = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  const symbol = SYMBOLS[c];
  return `${negative ? '-' : ''}${symbol ?? `${c.toUpperCase()} `}${text}`;
}
