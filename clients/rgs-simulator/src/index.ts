export * from "./chaos.ts";
export * from "./hub88.ts";
export * from "./record.ts";
export * from "./softswiss.ts";
export * from "./transport.ts";
