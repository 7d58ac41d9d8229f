import type { Row, Table } from '../core/store.js';
import { invalidRequest, resourceMissing } from '../http/errors.js';
import { inRange, type Params } from '../http/params.js';
import { paginate, type ApiListShape } from '../core/lists.js';

/** A row on the requesting account, or Stripe's 404 resource_missing. */
export function owned<T extends { id: string }, X>(table: Table<T, X>, id: string, owner: string, noun: string, param = 'id'): Row<T, X> {
  const row = table.get(id);
  if (!row || row.owner !== owner) throw resourceMissing(noun, id, param);
  return row;
}

export function listOf<T extends { id: string; created?: number }, X>(
  rows: Row<T, X>[],
  p: Params,
  url: string,
  filter: (row: Row<T, X>) => boolean = () => true,
  noun = 'object',
): ApiListShape<T> {
  const created = p.range('created');
  const items = rows.filter((r) => filter(r) && (created === undefined || r.obj.created === undefined || inRange(r.obj.created, created))).map((r) => r.obj);
  return paginate(items, p, url, noun);
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
