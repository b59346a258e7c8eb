import { runServiceMain } from "@casino/kernel/service";
import { playerService } from "./service.ts";

await runServiceMain(playerService);
