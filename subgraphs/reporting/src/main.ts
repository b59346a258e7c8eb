import { runServiceMain } from "@casino/kernel/service";
import { reportingService } from "./service.ts";

await runServiceMain(reportingService);
