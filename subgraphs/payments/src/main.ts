import { runServiceMain } from "@casino/kernel/service";
import { paymentsService } from "./service.ts";

await runServiceMain(paymentsService);
