import { runServiceMain } from "@casino/kernel/service";
import { walletService } from "./service.ts";

await runServiceMain(walletService);
