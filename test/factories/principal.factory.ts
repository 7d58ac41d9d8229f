import type { TestApp } from '../support/test-app.js';

export interface PrincipalWithKey {
  id: string;
  role: 'admin' | 'seller' | 'buyer';
  name: string;
  key: string;
  keyId: string;
}

let counter = 0;

/** Creates a principal and one API key through the admin API, as an operator would. */
export async function createPrincipal(t: TestApp, role: PrincipalWithKey['role'], name = `${role} ${++counter}`): Promise<PrincipalWithKey> {
  const created = await t.http.post('/admin/principals').set('Authorization', `Bearer ${t.adminKey}`).send({ role, name }).expect(201);
  const key = await t.http.post(`/admin/principals/${created.body.id}/api-keys`).set('Authorization', `Bearer ${t.adminKey}`).send({}).expect(201);
  return { id: created.body.id, role, name, key: key.body.key, keyId: key.body.id };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
