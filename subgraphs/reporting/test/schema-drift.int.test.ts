import { assertNoDrift } from "@casino/kernel/db/schema-drift";
import { REPO_ROOT } from "@casino/kernel/service";

describe("reporting schema", () => {
  it("is built exactly by its migrations", async () => {
    await expect(assertNoDrift("reporting", REPO_ROOT)).resolves.toBeUndefined();
  });
});
