import { parseAppConfig, type AppConfigInput } from '@/config/app-config.schema';

/**
 * The product's settings. Edit the values here; they are validated (and prices converted to integer
 * minor units) when the app loads, so a mistake stops the app with a message naming the field.
 */
const config = {
  name: 'Acme Credits',
  billing: {
    credits: {
      enabled: true,
      enterManually: true,
      pricePerCredit: 0.01,
      currency: 'usd',
      initialBonusCredits: 100,
      maxManualCredits: 1_000_000,
      holdExpiresAfterSeconds: 900,
      // Manual top-ups in euros too; packages list their euro prices below.
      pricesPerCredit: { eur: 0.01 },
      // Checkout options (all off by default). Each needs its Stripe dashboard setting; see the README.
      allowPromotionCodes: true,
      automaticTax: false,
      taxIdCollection: false,
      invoiceCreation: true,
      // What credits are spent on, as the `feature` key of a deduction names it → the label users see.
      features: {
        generation: 'Generation',
      },
      packages: [
        {
          id: 'starter',
          priceId: 'starter',
          name: 'Starter Pack',
          description: '1000 credits for $10',
          amount: 10,
          currency: 'usd',
          creditsAmount: 1000,
          // Credits of this pack lapse a year after the purchase; the modal and the credits page say so.
          expiresAfterDays: 365,
          prices: { eur: { amount: 9, priceId: 'starter' } },
        },
        {
          id: 'pro',
          priceId: 'pro',
          name: 'Pro Pack',
          description: '5000 credits for $40',
          amount: 40,
          currency: 'usd',
          creditsAmount: 5000,
          prices: { eur: { amount: 36, priceId: 'pro' } },
        },
      ],
    },
  },
  rateLimits: {
    magicLinkPerEmail: { requests: 5, windowSeconds: 15 * 60 },
    magicLinkPerIp: { requests: 100, windowSeconds: 60 * 60 },
    checkoutPerUser: { requests: 20, windowSeconds: 60 * 60 },
    paidRequestPerUser: { requests: 60, windowSeconds: 60 },
  },
} satisfies AppConfigInput;

export const appConfig = parseAppConfig(config);
