import { assertNoDrift } from "@casino/kernel/db/schema-drift";
import { REPO_ROOT } from "@casino/kernel/service";

describe("the wallet database", () => {
  it("migrated from prisma/wallet/migrations matches prisma/wallet/schema.prisma", async () => {
    await expect(assertNoDrift("wallet", REPO_ROOT)).resolves.toBeUndefined();
  }, 120_000);
});
