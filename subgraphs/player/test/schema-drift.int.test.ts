import { assertNoDrift } from "@casino/kernel/db/schema-drift";
import { REPO_ROOT } from "@casino/kernel/service";

describe("the player database", () => {
  it("migrated from prisma/player/migrations matches prisma/player/schema.prisma", async () => {
    await expect(assertNoDrift("player", REPO_ROOT)).resolves.toBeUndefined();
  }, 120_000);
});
