import { acceptsAmount, displayAmount, minimumCharge } from '../core/currencies.js';
import { convert } from '../core/fx.js';
import type { Row, Table } from '../core/store.js';
import type { Sandbox } from '../engine/sandbox.js';
import { invalidRequest, resourceMissing } from '../http/errors.js';
import { inRange, type Params } from '../http/params.js';
import { paginateRows, type ApiListShape } from '../core/lists.js';

/** A row on the requesting account, or Stripe's 404 resource_missing. */
export function owned<T extends { id: string }, X>(table: Table<T, X>, id: string, owner: string, noun: string, param = 'id'): Row<T, X> {
  const row = table.get(id);
  if (!row || row.owner !== owner) throw resourceMissing(noun, id, param);
  return row;
}

/** A Stripe list of `owner`'s rows in `table` that pass `filter` and the `created` range, newest first. */
export function listOf<T extends { id: string; created?: number }, X>(
  table: Table<T, X>,
  owner: string,
  p: Params,
  url: string,
  filter: (row: Row<T, X>) => boolean = () => true,
  noun = 'object',
): ApiListShape<T> {
  const created = p.range('created');
  const match = (r: Row<T, X>) => filter(r) && (created === undefined || r.obj.created === undefined || inRange(r.obj.created, created));
  return paginateRows(table.owned(owner), match, (id) => table.indexOf(id, owner), p, url, noun);
}

export function requireCurrency(p: Params, key = 'currency'): string {
  const c = p.str(key);
  if (!c) throw invalidRequest(`Missing required param: ${key}.`, key, 'parameter_missing');
  return c;
}

export function positiveAmount(amount: number, param = 'amount'): number {
  if (amount < 1) throw invalidRequest('This value must be greater than or equal to 1.', param, 'parameter_invalid_integer');
  return amount;
}

/**
 * An amount Stripe takes in a three-decimal currency ends in 0 ("these API calls require the
 * least-significant (last) digit to be 0. Your integration must round amounts to the nearest ten").
 * Stripe's exact error text for this is not in its public docs: the wording is the sandbox's.
 */
export function granularAmount(amount: number | null | undefined, currency: string, param = 'amount'): void {
  if (amount === null || amount === undefined || acceptsAmount(amount, currency)) return;
  throw invalidRequest(
    `Invalid amount: ${amount}. Amounts in ${currency.toLowerCase()} (a three-decimal currency) must be rounded to the nearest ten: the least-significant (last) digit must be 0, e.g. ${Math.floor(amount / 10) * 10} or ${Math.floor(amount / 10) * 10 + 10}.`,
    param,
  );
}

/**
 * Stripe's minimum charge: in the platform's settlement currency ("Charges requiring conversion
 * into your account's default settlement currency must meet the equivalent minimum of the
 * settlement currency"), converted at the current rate. 400 `amount_too_small` with Stripe's
 * messages ("Amount must be at least $0.50 usd", "Amount must convert to at least 50 cents. ¥5
 * converts to approximately $0.03."). A currency without a rate is refused when it is paid.
 */
export function chargeableAmount(sb: Sandbox, platform: string, amount: number, currency: string, param = 'amount'): void {
  granularAmount(amount, currency, param);
  const settlement = sb.settlementCurrency(platform);
  const minimum = minimumCharge(settlement);
  if (minimum === null) return;
  if (currency === settlement) {
    if (amount < minimum) throw invalidRequest(`Amount must be at least ${displayAmount(minimum, settlement)} ${settlement}`, param, 'amount_too_small');
    return;
  }
  const rate = sb.rate(currency, settlement);
  if (!rate) return;
  const converted = convert(amount, rate, currency, settlement);
  if (converted < minimum) {
    const least = settlement === 'usd' ? `${minimum} cents` : displayAmount(minimum, settlement);
    throw invalidRequest(`Amount must convert to at least ${least}. ${displayAmount(amount, currency)} converts to approximately ${displayAmount(converted, settlement)}.`, param, 'amount_too_small');
  }
}

// Stripe's test bank account numbers decide what later payouts do.
export const BANK_FAILURE_CODES: Record<string, string> = {
  '000111111116': 'no_account',
  '000111111113': 'account_closed',
  '000222222227': 'insufficient_funds',
  '000333333335': 'debit_not_authorized',
  '000444444440': 'invalid_currency',
};

export const PAYOUT_FAILURE_MESSAGES: Record<string, string> = {
  no_account: 'The bank account details on file are probably incorrect. No bank account could be located with those details.',
  account_closed: 'The bank account has been closed.',
  insufficient_funds: 'Your Stripe account has insufficient funds to cover the payout.',
  debit_not_authorized: 'Debit transactions are not approved on the bank account.',
  invalid_currency: 'The bank was unable to process this payout because of its currency.',
  could_not_process: 'The bank could not process this payout.',
  account_frozen: 'The bank account has been frozen.',
  bank_account_restricted: 'The bank account has restrictions on either the type or number of payouts allowed.',
};
