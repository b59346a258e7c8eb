import { loadPaymentsConfig } from "../src/config.ts";

describe("payments configuration", () => {
  it("simulates unconfigured PSPs outside production and disables them in production", () => {
    const dev = loadPaymentsConfig({});
    expect([dev.stripe.mode, dev.nuvei.mode, dev.trustly.mode]).toEqual(["simulated", "simulated", "simulated"]);
    const prod = loadPaymentsConfig({ NODE_ENV: "production", WALLET_URL: "http://wallet:4002", COMPLIANCE_URL: "http://compliance:4005" });
    expect([prod.stripe.mode, prod.nuvei.mode, prod.trustly.mode]).toEqual(["disabled", "disabled", "disabled"]);
  });

  it("names every missing credential of a PSP whose API URL is set", () => {
    expect(() => loadPaymentsConfig({ STRIPE_API_URL: "https://api.stripe.com" })).toThrow(/STRIPE_API_KEY=\(unset\)[\s\S]*STRIPE_WEBHOOK_SECRETS=\(unset\)/);
    expect(() => loadPaymentsConfig({ NUVEI_API_URL: "https://secure.nuvei.com", NUVEI_MERCHANT_ID: "1" })).toThrow(/NUVEI_MERCHANT_SITE_ID[\s\S]*NUVEI_SECRET_KEY/);
  });

  it("reads several webhook secrets for rotation and refuses short ones", () => {
    const cfg = loadPaymentsConfig({ STRIPE_API_URL: "https://api.stripe.com", STRIPE_API_KEY: "sk_live_abcdefgh", STRIPE_WEBHOOK_SECRETS: "whsec_0123456789abcdef, whsec_fedcba9876543210" });
    expect(cfg.stripe).toMatchObject({ mode: "configured", config: { webhookSecrets: ["whsec_0123456789abcdef", "whsec_fedcba9876543210"], toleranceSeconds: 300 } });
    expect(() => loadPaymentsConfig({ STRIPE_API_URL: "https://api.stripe.com", STRIPE_API_KEY: "sk_live_abcdefgh", STRIPE_WEBHOOK_SECRETS: "short" })).toThrow(/STRIPE_WEBHOOK_SECRETS/);
  });

  it("requires the wallet and compliance in production and names a bad routing table", () => {
    expect(() => loadPaymentsConfig({ NODE_ENV: "production" })).toThrow(/WALLET_URL=\(unset\)[\s\S]*COMPLIANCE_URL=\(unset\)/);
    expect(() => loadPaymentsConfig({ PAYMENTS_ROUTES: '[{"method":"card","psps":["paypal"]}]' })).toThrow(/PAYMENTS_ROUTES/);
  });

  it("never shows a secret's value in its error", () => {
    let message = "";
    try {
      loadPaymentsConfig({ NUVEI_API_URL: "https://secure.nuvei.com", NUVEI_MERCHANT_ID: "1", NUVEI_MERCHANT_SITE_ID: "2", NUVEI_SECRET_KEY: "shortsecret", TRUSTLY_API_URL: "https://test.trustly.com", TRUSTLY_USERNAME: "u", TRUSTLY_PASSWORD: "pw", TRUSTLY_MERCHANT_PRIVATE_KEY: "not-a-pem-private-key", TRUSTLY_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/NUVEI_SECRET_KEY=\(hidden\): must be at least 16/);
    expect(message).toMatch(/TRUSTLY_PASSWORD=\(hidden\)/);
    expect(message).toMatch(/TRUSTLY_MERCHANT_PRIVATE_KEY=\(hidden\): must be a PEM/);
    for (const value of ["shortsecret", "pw", "not-a-pem-private-key"]) expect(message).not.toContain(value);
  });
});
