/** total * part / whole in integers, rounded half up (half away from zero for non-negative inputs); 0 when whole <= 0. */
export function proportional(total: bigint, part: bigint, whole: bigint): bigint {
  if (whole <= 0n) return 0n;
  const product = total * part;
  const q = product / whole;
  return (product - q * whole) * 2n >= whole ? q + 1n : q;
}
