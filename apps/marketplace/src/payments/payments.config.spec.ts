import { ConfigError, validateEnv } from '../config/validate-env.js';
import { PaymentsConfig } from './payments.config.js';

describe('PaymentsConfig', () => {
  it('defaults: disputes recover what the seller netted; refunds after a return reverse the return', () => {
    const config = validateEnv(PaymentsConfig, {});
    expect(config).toEqual(expect.objectContaining({ DISPUTE_RECOVERY: 'seller_share', REFUND_AFTER_RETURN: 'reverse_return', REFUND_APPLICATION_FEE: 'proportional' }));
  });

  it('DISPUTE_RECOVERY: seller_share, full, none; reverse_transfer (the earlier name) reads as full', () => {
    for (const v of ['seller_share', 'full', 'none'] as const) expect(validateEnv(PaymentsConfig, { DISPUTE_RECOVERY: v }).DISPUTE_RECOVERY).toBe(v);
    expect(validateEnv(PaymentsConfig, { DISPUTE_RECOVERY: 'reverse_transfer' }).DISPUTE_RECOVERY).toBe('full');
    expect(validateEnv(PaymentsConfig, { REFUND_AFTER_RETURN: 'platform' }).REFUND_AFTER_RETURN).toBe('platform');
  });

  it.each([
    ['DISPUTE_RECOVERY', 'sometimes'],
    ['REFUND_AFTER_RETURN', 'seller'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnv(PaymentsConfig, { [name]: value })).toThrow(ConfigError);
    expect(() => validateEnv(PaymentsConfig, { [name]: value })).toThrow(new RegExp(`${name} \\(got "${value}"\\)`));
  });
});
