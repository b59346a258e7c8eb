import { assertNoDrift } from "@casino/kernel/db/schema-drift";
import { REPO_ROOT } from "@casino/kernel/service";

it("builds from its migrations exactly the database prisma/payments/schema.prisma describes", async () => {
  await expect(assertNoDrift("payments", REPO_ROOT)).resolves.toBeUndefined();
});
