import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { CURRENCY_EXPONENT, INT64_MAX, INT64_MIN, formatMoney } from "@casino/kernel/money";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { walletService } from "../src/service.ts";

/**
 * The live balance message is built inside the database (ledger_post), so the database formats
 * money too. It must agree with the kernel's formatMoney for every currency and amount.
 */
let svc: TestService<PrismaClient>;
beforeAll(async () => {
  svc = await startTestService(walletService);
});
afterAll(async () => {
  await svc.stop();
});

const AMOUNTS = [0n, 1n, 5n, 9n, 10n, 99n, 100n, 101n, 999n, 1_000n, 2_500n, 123_456n, 10n ** 12n, INT64_MAX, -1n, -10n, -2_500n, -123_456n, INT64_MIN + 1n];

describe("ledger_money()", () => {
  it.each(Object.keys(CURRENCY_EXPONENT))("formats %s exactly as the kernel does", async (currency) => {
    const rows = await svc.runtime.prisma.$queryRawUnsafe<Array<{ money: { amount: string; currency: string } }>>(
      `SELECT ledger_money(a, $1) AS money FROM unnest($2::bigint[]) WITH ORDINALITY AS t(a, n) ORDER BY n`,
      currency,
      AMOUNTS.map(String),
    );
    expect(rows.map((r) => r.money)).toEqual(AMOUNTS.map((a) => ({ amount: formatMoney(a, currency), currency })));
  });

  it("gives NULL for a NULL amount or currency (as when it was declared STRICT)", async () => {
    const rows = await svc.runtime.prisma.$queryRawUnsafe<Array<{ a: unknown; b: unknown; c: unknown }>>(
      `SELECT ledger_money(NULL, 'GBP') AS a, ledger_money(1, NULL) AS b, ledger_currency_exponent(NULL) AS c`,
    );
    expect(rows).toEqual([{ a: null, b: null, c: null }]);
  });

  it("knows exactly the kernel's currencies", async () => {
    const rows = await svc.runtime.prisma.$queryRawUnsafe<Array<{ code: string; exponent: number | null }>>(
      `SELECT code, ledger_currency_exponent(code) AS exponent FROM unnest($1::text[]) AS code`,
      [...Object.keys(CURRENCY_EXPONENT), "XXX"],
    );
    expect(Object.fromEntries(rows.map((r) => [r.code, r.exponent]))).toEqual({ ...CURRENCY_EXPONENT, XXX: null });
  });
});
