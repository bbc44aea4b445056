/**
 * Azure I/O in one place: endpoints, credentials, the ARM client, errors, subscriptions and the
 * port-mapping read. Nothing else in the library talks to Azure.
 */
export * from "./client";
export * from "./credentials";
export * from "./endpoints";
export * from "./errors";
export * from "./port-mappings";
export * from "./subscriptions";
export * from "./nat-pool-migration";
