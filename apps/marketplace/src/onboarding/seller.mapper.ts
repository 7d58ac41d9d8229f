import { ApiProperty } from '@nestjs/swagger';
import type { AccountLink } from '@app/stripe';
import type { SellerAccount } from './seller-account.entity.js';
import { SELLER_STATUSES, type SellerStatus } from './seller-status.js';

export class SellerCapabilitiesResponse {
  @ApiProperty({ nullable: true, type: String }) cardPayments: string | null;
  @ApiProperty({ nullable: true, type: String }) transfers: string | null;
}

export class SellerRequirementsResponse {
  @ApiProperty({ type: [String] }) currentlyDue: string[];
  @ApiProperty({ type: [String] }) eventuallyDue: string[];
  @ApiProperty({ type: [String] }) pastDue: string[];
  @ApiProperty({ type: [String] }) pendingVerification: string[];
  @ApiProperty({ nullable: true, type: String }) currentDeadline: string | null;
  @ApiProperty({ nullable: true, type: String }) disabledReason: string | null;
}

export class SellerResponse {
  @ApiProperty() sellerId: string;
  @ApiProperty({ nullable: true, type: String, description: 'null until the connected account is created' }) stripeAccountId: string | null;
  @ApiProperty({ enum: SELLER_STATUSES }) status: SellerStatus;
  @ApiProperty({ nullable: true, type: String }) country: string | null;
  @ApiProperty({ nullable: true, type: String }) businessName: string | null;
  @ApiProperty() detailsSubmitted: boolean;
  @ApiProperty() chargesEnabled: boolean;
  @ApiProperty() payoutsEnabled: boolean;
  @ApiProperty() capabilities: SellerCapabilitiesResponse;
  @ApiProperty() requirements: SellerRequirementsResponse;
  @ApiProperty({ nullable: true, type: String, description: "'api', 'return' or the Stripe event id the state was last read for" }) lastSyncedFrom: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSyncedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) disconnectedAt: string | null;
}

export class OnboardingLinkResponse {
  @ApiProperty() url: string;
  @ApiProperty() expiresAt: string;
}

export class DashboardLinkResponse {
  @ApiProperty() url: string;
}

/** What the public return page tells whoever comes back from onboarding (no seller identity). */
export class OnboardingReturnResponse {
  @ApiProperty() account: string;
  @ApiProperty({ enum: SELLER_STATUSES }) status: SellerStatus;
  @ApiProperty() detailsSubmitted: boolean;
  @ApiProperty() chargesEnabled: boolean;
  @ApiProperty() payoutsEnabled: boolean;
  @ApiProperty({ type: [String] }) currentlyDue: string[];
  @ApiProperty({ type: [String] }) pastDue: string[];
  @ApiProperty({ nullable: true, type: String }) currentDeadline: string | null;
  @ApiProperty({ nullable: true, type: String }) disabledReason: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSellerResponse(a: SellerAccount): SellerResponse {
  return {
    sellerId: a.sellerId,
    stripeAccountId: a.stripeAccountId,
    status: a.status,
    country: a.country,
    businessName: a.businessName,
    detailsSubmitted: a.detailsSubmitted,
    chargesEnabled: a.chargesEnabled,
    payoutsEnabled: a.payoutsEnabled,
    capabilities: { cardPayments: a.cardPaymentsCapability, transfers: a.transfersCapability },
    requirements: {
      currentlyDue: a.currentlyDue,
      eventuallyDue: a.eventuallyDue,
      pastDue: a.pastDue,
      pendingVerification: a.pendingVerification,
      currentDeadline: iso(a.currentDeadline),
      disabledReason: a.disabledReason,
    },
    lastSyncedFrom: a.syncedFrom,
    lastSyncedAt: iso(a.syncedAt),
    disconnectedAt: iso(a.disconnectedAt),
  };
}

/** A seller who has not created a connected account yet. */
export function toNoAccountResponse(sellerId: string): SellerResponse {
  return {
    sellerId,
    stripeAccountId: null,
    status: 'pending',
    country: null,
    businessName: null,
    detailsSubmitted: false,
    chargesEnabled: false,
    payoutsEnabled: false,
    capabilities: { cardPayments: null, transfers: null },
    requirements: { currentlyDue: [], eventuallyDue: [], pastDue: [], pendingVerification: [], currentDeadline: null, disabledReason: null },
    lastSyncedFrom: null,
    lastSyncedAt: null,
    disconnectedAt: null,
  };
}

export function toOnboardingLinkResponse(link: AccountLink): OnboardingLinkResponse {
  return { url: link.url, expiresAt: link.expiresAt.toISOString() };
}

export function toOnboardingReturnResponse(a: SellerAccount): OnboardingReturnResponse {
  return {
    account: a.stripeAccountId ?? '',
    status: a.status,
    detailsSubmitted: a.detailsSubmitted,
    chargesEnabled: a.chargesEnabled,
    payoutsEnabled: a.payoutsEnabled,
    currentlyDue: a.currentlyDue,
    pastDue: a.pastDue,
    currentDeadline: iso(a.currentDeadline),
    disabledReason: a.disabledReason,
  };
}
