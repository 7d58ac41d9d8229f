import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import type { LedgerAccount } from './chart-of-accounts.js';
import type { BalanceCheckReport } from './balance-check.service.js';
import type { PostedEntry } from './ledger.service.js';

export class LedgerAccountResponse {
  @ApiProperty({ example: 'seller_payable_available' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['asset', 'liability', 'revenue', 'expense'] }) type: string;
  @ApiProperty({ enum: ['debit', 'credit'] }) normalSide: string;
  @ApiProperty({ description: 'Lines carry a sellerId (one sub-ledger per seller)' }) perSeller: boolean;
  @ApiProperty() description: string;
}

export class MoneyAmountResponse {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '9000', description: 'Signed integer minor units, as a string' }) amount: string;
  @ApiProperty({ example: 'USD 90.00' }) display: string;
}

export class LedgerBalanceResponse {
  @ApiProperty() account: string;
  @ApiProperty({ enum: ['debit', 'credit'], description: 'Balances are on this side: positive is the normal balance' }) normalSide: string;
  @ApiProperty({ nullable: true, type: String }) sellerId: string | null;
  @ApiProperty({ type: [MoneyAmountResponse] }) balances: MoneyAmountResponse[];
}

export class LedgerLineResponse extends MoneyAmountResponse {
  @ApiProperty() id: string;
  @ApiProperty() account: string;
  @ApiProperty({ nullable: true, type: String }) sellerId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The Stripe object that moved this amount (ch_, tr_, py_, re_, trr_, fr_, dp_, po_...)' }) stripeObjectId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "That object's balance transaction (txn_...)" }) stripeBalanceTransactionId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The connected account whose balance it is in (null: the platform or not a balance)' }) stripeAccount: string | null;
  @ApiProperty({ nullable: true, type: String, description: "When Stripe makes the funds available (the balance transaction's available_on)" }) availableOn: string | null;
}

export class LedgerEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty() kind: string;
  @ApiProperty() referenceType: string;
  @ApiProperty() referenceId: string;
  @ApiProperty() idempotencyKey: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() occurredAt: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) reversesEntryId: string | null;
  @ApiProperty({ type: [LedgerLineResponse], description: 'Debit positive, credit negative' }) lines: LedgerLineResponse[];
}

export function toMoneyAmountResponse(m: Money): MoneyAmountResponse {
  return { currency: m.currency, amount: m.minor.toString(), display: formatMoney(m) };
}

export function toLedgerAccountResponse(a: LedgerAccount): LedgerAccountResponse {
  return { code: a.code, name: a.name, type: a.type, normalSide: a.normalSide, perSeller: a.perSeller, description: a.description };
}

export function toLedgerEntryResponse(e: PostedEntry): LedgerEntryResponse {
  return {
    id: e.id,
    kind: e.kind,
    referenceType: e.referenceType,
    referenceId: e.referenceId,
    idempotencyKey: e.idempotencyKey,
    description: e.description,
    occurredAt: e.occurredAt.toISOString(),
    createdAt: e.createdAt.toISOString(),
    reversesEntryId: e.reversesEntryId,
    lines: [...e.lines]
      .sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : a.account.localeCompare(b.account)))
      .map((l) => ({
        id: l.id,
        account: l.account,
        sellerId: l.sellerId,
        ...toMoneyAmountResponse(Money.of(l.amount, l.currency)),
        stripeObjectId: l.stripeObjectId,
        stripeBalanceTransactionId: l.stripeBalanceTransactionId,
        stripeAccount: l.stripeAccount,
        availableOn: l.availableOn ? l.availableOn.toISOString() : null,
      })),
  };
}

export class BalanceFiguresResponse {
  @ApiProperty({ example: '9000', description: 'Integer minor units, as a string' }) pending: string;
  @ApiProperty({ example: '0' }) available: string;
}

export class BalanceComparisonResponse {
  @ApiProperty({ enum: ['platform', 'connected'] }) balance: string;
  @ApiProperty({ nullable: true, type: String }) sellerId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The connected account (acct_...)' }) account: string | null;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: BalanceFiguresResponse, description: "The ledger's cash of this Stripe balance" }) ledger: BalanceFiguresResponse;
  @ApiProperty({ type: BalanceFiguresResponse, description: 'GET /v1/balance for it' }) stripe: BalanceFiguresResponse;
  @ApiProperty({ type: BalanceFiguresResponse, description: 'ledger - Stripe' }) difference: BalanceFiguresResponse;
  @ApiProperty() matches: boolean;
}

export class BalanceCheckResponse {
  @ApiProperty() checkedAt: string;
  @ApiProperty({ description: 'Every balance and currency matches' }) matches: boolean;
  @ApiProperty({ type: [BalanceComparisonResponse] }) balances: BalanceComparisonResponse[];
}

export function toBalanceCheckResponse(r: BalanceCheckReport): BalanceCheckResponse {
  const figures = (f: { pending: bigint; available: bigint }) => ({ pending: f.pending.toString(), available: f.available.toString() });
  return {
    checkedAt: r.checkedAt.toISOString(),
    matches: r.matches,
    balances: r.balances.map((b) => ({
      balance: b.balance,
      sellerId: b.sellerId,
      account: b.account,
      currency: b.currency,
      ledger: figures(b.ledger),
      stripe: figures(b.stripe),
      difference: figures(b.difference),
      matches: b.matches,
    })),
  };
}
