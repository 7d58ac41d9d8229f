import { InvalidAllocationError } from './money.errors.js';
import { Money } from './money.js';

// Splits total across weights by the largest remainder method: every share gets the floor of its
// exact proportional value, then the minor units left over go one each to the shares with the
// largest remainders, earlier index first on ties. The shares always sum to total exactly and each
// is within one minor unit of its exact value; a zero weight always gets zero.
// A negative total is allocated as its absolute value and negated, so the sign never skews who
// gets the odd unit.
export function allocate(total: Money, weights: readonly bigint[]): Money[] {
  if (weights.length === 0) {
    throw new InvalidAllocationError('Cannot allocate across an empty list of weights');
  }
  let weightSum = 0n;
  for (const [index, weight] of weights.entries()) {
    if (typeof weight !== 'bigint') {
      throw new InvalidAllocationError(`Weight at index ${index} must be a bigint, got ${typeof weight}`);
    }
    if (weight < 0n) {
      throw new InvalidAllocationError(`Weight at index ${index} is negative (${weight})`);
    }
    weightSum += weight;
  }
  if (weightSum === 0n) {
    throw new InvalidAllocationError('Cannot allocate when every weight is zero');
  }

  const negative = total.minor < 0n;
  const amount = negative ? -total.minor : total.minor;

  const shares = weights.map((weight) => (amount * weight) / weightSum);
  const remainders = weights.map((weight) => (amount * weight) % weightSum);
  let leftover = amount - shares.reduce((sum, share) => sum + share, 0n);

  // Sort is stable, so equal remainders keep index order: earlier index wins the tie.
  const order = weights.map((_, index) => index).sort((a, b) => (remainders[a] === remainders[b] ? 0 : remainders[a] > remainders[b] ? -1 : 1));
  for (const index of order) {
    if (leftover === 0n) break;
    shares[index] += 1n;
    leftover -= 1n;
  }

  return shares.map((share) => Money.of(negative ? -share : share, total.currency));
}
