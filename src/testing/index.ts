/**
 * azure-nat-rules/testing: a local Azure simulator for tests and demos. One in-memory state, two
 * faces: Pulumi runtime mocks (`sim.mocks()`, `runDeployment`) and an ARM REST endpoint on
 * loopback (`startArmServer`).
 */
export { AzureSimulator, MAX_SCALE_SET_CAPACITY, SIMULATED_RESOURCE_TYPES } from "./simulator";
export type { PortMappingQuery, ScaleSetInstanceInfo, SimulatedPortMapping, SimulatedResourceType, SimulatorOptions } from "./simulator";
export { ARM_ERROR_CODES, ArmError, SimulatorStateError } from "./errors";
export { FAST_ARM_SERVER_OPTIONS, startArmServer } from "./http/arm-server";
export { AZURE_THROTTLING_LIMITS, ArmThrottle, virtualClock } from "./http/throttling";
export type { Clock, SimulationClock, ThrottlingLimits } from "./http/throttling";
export type { ArmServer, ArmServerOptions, ArmServerStats, FaultRule } from "./http/arm-server";
export { runDeployment } from "./pulumi/deployment";
export { StackCheckpoint } from "./pulumi/checkpoint";
export type { CheckpointEntry } from "./pulumi/checkpoint";
export type { DeploymentOptions, DeploymentOutputs, DeploymentProgram, DeploymentResult } from "./pulumi/deployment";
export { withStackReferences } from "./pulumi/stack-references";
export type { StackReferenceOutputs } from "./pulumi/stack-references";
export { createSimulatorMocks } from "./pulumi/mocks";
export { isUnknown } from "./pulumi/preview";
export type { SimulatorMocksOptions } from "./pulumi/mocks";
export type { MemberPortMapping } from "./arm-view";
export { DEFAULT_SUBSCRIPTION_ID, STATE_FORMAT } from "./model";
export type { SimulatorIdentity, SimulatorState } from "./model";
export { computeId, networkId, resourceGroupId, scaleSetIpConfigurationId } from "./ids";
export type * from "./resource-inputs";
export { instanceFromIpConfigurationId } from "../core/instances";
export { buildPoolState, buildScaleSetState, scaleSetModel, type PoolStateOptions, type ScaleSetModelOptions, type ScaleSetStateOptions } from "./scenarios";
// The azure-native stand-in: run a program under the real Pulumi CLI against the local ARM endpoint (docs/real-engine.md).
export { PLUGIN_NAME, POLL_SECONDS_ENV, standInEnv, standInPluginDir, standInVersion } from "./pulumi-engine";
export type { StandInEnvOptions } from "./pulumi-engine";
