/** The azure-native stand-in for running programs under the real Pulumi engine against the local Azure (docs/real-engine.md). */
export { PLUGIN_NAME, standInEnv, standInPluginDir, standInSchema, standInVersion, VERSION_ENV } from "./plugin";
export type { StandInEnvOptions } from "./plugin";
export { POLL_SECONDS_ENV } from "./config";
export { StandInProvider } from "./provider";
