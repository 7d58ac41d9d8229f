// npm run demo — drives a running `npm start` over HTTP, step by step, as a newcomer would.
// MARKETPLACE_URL (default http://localhost:3000); ADMIN_API_KEY, or the admin-key CLI issues one.
import { runDemo, type DemoStep } from './demo/demo-runner.js';
import { checkoutSteps } from './demo/checkout.steps.js';
import { onboardingSteps } from './demo/onboarding.steps.js';
import { payoutsSteps } from './demo/payouts.steps.js';
import { reconciliationSteps } from './demo/reconciliation.steps.js';
import { transfersSteps } from './demo/transfers.steps.js';
import { loadEnvFile } from '../config/env-file.js';

// Later issues append their steps (checkout, transfers, payouts, ...).
const STEPS: DemoStep[] = [...onboardingSteps, ...checkoutSteps, ...transfersSteps, ...payoutsSteps, ...reconciliationSteps];

loadEnvFile(process.env); // the same .env as `npm start` (real variables win)
const baseUrl = (process.env.MARKETPLACE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
runDemo(baseUrl, STEPS).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
