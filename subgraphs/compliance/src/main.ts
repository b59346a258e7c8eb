import { runServiceMain } from "@casino/kernel/service";
import { complianceService } from "./service.ts";

await runServiceMain(complianceService);
