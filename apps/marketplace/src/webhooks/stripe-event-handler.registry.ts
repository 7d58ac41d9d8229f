import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { STRIPE_EVENT_TYPES, type StripeEventHandler } from './stripe-event-handler.js';

/** Finds every provider marked @HandlesStripeEvents and indexes it by event type. */
@Injectable()
export class StripeEventHandlerRegistry implements OnModuleInit {
  private readonly byType = new Map<string, StripeEventHandler[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as StripeEventHandler | undefined;
      if (!instance || !wrapper.metatype || typeof wrapper.metatype !== 'function') continue;
      const types = this.reflector.get<string[] | undefined>(STRIPE_EVENT_TYPES, wrapper.metatype);
      if (!types) continue;
      for (const type of types) this.byType.set(type, [...(this.byType.get(type) ?? []), instance]);
    }
  }

  handlersFor(type: string): StripeEventHandler[] {
    return this.byType.get(type) ?? [];
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }
}
