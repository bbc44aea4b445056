/**
 * The pure core of azure-nat-rules: ranges, validation and the port model. No Pulumi import, so
 * it runs anywhere (CLI, tests, other tools).
 */
export * from "./types";
export * from "./limits";
export * from "./errors";
export * from "./validation";
export * from "./range";
export * from "./allocation";
export * from "./instances";
export * from "./planner";
export * from "./pool-plan";
export * from "./conflicts";
export * from "./security";
export * from "./migration";
export * from "./names";
