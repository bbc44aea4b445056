/**
 * The package's public surface is chosen, not accumulated: the runtime names of the root module and
 * of `/core`, so adding or dropping one is a decision made in review (as an API report would show).
 */
import { describe, expect, it } from "vitest";
import * as root from "./index";
import * as core from "./core";

describe("public surface", () => {
    it("the root module exports the components, their readers and helpers, Azure reads and the errors, and nothing internal", () => {
        expect(Object.keys(root).sort()).toEqual([
            "ARM_ENDPOINTS", "AzureNatRulesError", "BackendPoolNatRule", "DEFAULT_MAPPINGS_OUTPUT", "FrontendPlanError",
            "MAX_BACKEND_PORT", "MAX_FRONTEND_PORT", "MAX_RULES_PER_LOAD_BALANCER", "MAX_RULES_PER_NIC",
            "MIGRATED_BACKEND_POOL_PREFIX", "MIGRATED_RULE_PREFIX", "MIN_PORT", "NatRuleConflictError", "NatRuleValidationError",
            "PROTOCOLS", "PortMappingLookupError", "PortRangeExhaustedError", "QUERY_PORT_MAPPING_ACTION", "READ_LOAD_BALANCER_ACTION",
            "SingleVmNatRule", "StackMappingsError", "ansibleInventory", "formatInventoryYaml", "formatSshConfig", "frontendPortRange",
            "hostEntries", "listSubscriptions", "lookupPortMappings", "natPoolRuleArgs", "planFrontendPorts", "readNatMappings",
            "readNatPoolMigrationPlan", "resetNatRuleRegistry", "resolveArmEndpoint", "staticTokenCredential",
        ]);
    });

    it("/core keeps the message formatting and unknown-value helpers to itself", () => {
        for (const internal of ["UNKNOWN", "formatValue", "formatIssue", "checkBoolean", "armProperty"]) expect(core, internal).not.toHaveProperty(internal);
        expect(core).toHaveProperty("allocatePorts");
        expect(core).toHaveProperty("planNatPoolMigration");
    });
});
