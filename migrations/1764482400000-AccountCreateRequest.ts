import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account creation a seller's row was inserted for, whole: besides country, name and API, the
 * email and whether the seller is the merchant of record (CHECKOUT_ON_BEHALF_OF then). A retry sends
 * exactly that request under the same key (Stripe refuses a key reused with another body). Rows made
 * before this have none (null: the values of the retry, as before).
 */
export class AccountCreateRequest1764482400000 implements MigrationInterface {
  name = 'AccountCreateRequest1764482400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seller_accounts ADD COLUMN create_email text NULL, ADD COLUMN create_merchant_of_record boolean NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seller_accounts DROP COLUMN create_email, DROP COLUMN create_merchant_of_record`);
  }
}
