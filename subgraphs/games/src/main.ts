import { runServiceMain } from "@casino/kernel/service";
import { gamesService } from "./service.ts";

await runServiceMain(gamesService);
