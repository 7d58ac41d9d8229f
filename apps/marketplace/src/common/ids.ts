const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Our ids are Postgres uuids: anything else cannot name a row (and would make the query fail).
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
