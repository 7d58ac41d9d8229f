import type { Type } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/** A route handler answering T (or a promise of it), whatever its parameters. */
export type Answering<T> = (...args: never[]) => T | Promise<T>;

/**
 * Declares a success answer of the route as `type`, the mapper's response class. Typed against
 * the handler: a handler that does not return that type does not compile, so the document's
 * schema and what the route answers cannot drift apart.
 */
export function ApiAnswer<T>(type: Type<T>, status: 200 | 201 = 200, description = status === 201 ? 'Created' : 'OK') {
  const decorate = ApiResponse({ status, type, description });
  return <M extends Answering<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    decorate(target, key, descriptor);
  };
}
